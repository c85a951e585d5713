import Foundation
import XCTest
@testable import SACCore

/// normalize_observations: the running statistics against a two-pass reference, and the agent's
/// networks seeing clip((x − mean) / sqrt(var + ε), ±clip) both when acting and in gradient steps,
/// checked against an agent without normalisation fed observations normalised by this test's own
/// implementation of docs/weights-format.md's formula.
final class ObservationNormalizationTests: XCTestCase {
    /// Observations of very different scales and offsets per dimension, as a badly scaled task has.
    func observations(count: Int, dimension: Int, seed: UInt64 = 3) -> [[Float]] {
        var random = RandomSource(seed: seed)
        return (0..<count).map { _ in
            (0..<dimension).map { i in Float(i * 100 - 50) + powf(10, Float(i)) * random.uniform(-1, 1) }
        }
    }

    func normalizing(_ base: AgentConfig, clip: Float = 10, epsilon: Float = 1e-8) -> AgentConfig {
        var config = base
        config.normalizeObservations = true
        config.observationClip = clip
        config.observationEpsilon = epsilon
        return config
    }

    /// Stores transitions whose observations are `rows` (next observation: the following row).
    func observe(_ agent: SACAgent, _ rows: [[Float]]) throws {
        let width = agent.config.storedActionWidth
        for (k, row) in rows.enumerated() {
            let next = rows[(k + 1) % rows.count]
            if agent.config.algorithm.isDiscrete {
                try agent.observe(observation: row, actionIndex: Int32(k % agent.config.actionCount),
                                  reward: Float(k % 7) - 3, nextObservation: next, terminated: k % 9 == 8)
            } else {
                let action = (0..<width).map { Float(($0 + k) % 5) / 5 - 0.4 }
                try agent.observe(observation: row, action: action, reward: Float(k % 7) - 3, nextObservation: next,
                                  terminated: k % 9 == 8)
            }
        }
    }

    /// The documented normalisation, written out here independently of the library's.
    func reference(_ x: [Float], mean: [Double], variance: [Double], clip: Float, epsilon: Float) -> [Float] {
        x.enumerated().map { i, value in
            let std = Float(sqrt(variance[i] + Double(epsilon)))
            return min(max((value - Float(mean[i])) / std, -clip), clip)
        }
    }

    func testStatisticsMatchATwoPassComputation() throws {
        let agent = try SACAgent.make(config: normalizing(smallConfig(obsDim: 4)))
        let normalizer = try XCTUnwrap(agent.normalizer)
        XCTAssertEqual(normalizer.count, 0)
        XCTAssertEqual(normalizer.mean, [0, 0, 0, 0])
        XCTAssertEqual(normalizer.variance, [1, 1, 1, 1])
        let rows = observations(count: 500, dimension: 4)
        try observe(agent, rows)
        XCTAssertEqual(normalizer.count, 500)
        for i in 0..<4 {
            let column = rows.map { Double($0[i]) }
            let mean = column.reduce(0, +) / 500
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 500
            XCTAssertEqual(normalizer.mean[i], mean, accuracy: 1e-12 * max(1, abs(mean)), "mean[\(i)]")
            XCTAssertEqual(normalizer.variance[i], variance, accuracy: 1e-10 * variance, "var[\(i)]")
        }
    }

    /// A batch of observations stores each row once, like single calls.
    func testABatchCountsEachObservationOnce() throws {
        let config = normalizing(smallConfig(obsDim: 3))
        let (single, batched) = (try SACAgent.make(config: config), try SACAgent.make(config: config))
        let rows = observations(count: 20, dimension: 3)
        try observe(single, rows)
        let flat = rows.flatMap { $0 }
        let next = (rows.dropFirst() + [rows[0]]).flatMap { $0 }
        let actions = (0..<20).flatMap { k in (0..<2).map { Float(($0 + k) % 5) / 5 - 0.4 } }
        let rewards = (0..<20).map { Float($0 % 7) - 3 }
        let done = (0..<20).map { UInt8($0 % 9 == 8 ? 1 : 0) }
        try flat.withUnsafeBufferPointer { o in
            try next.withUnsafeBufferPointer { n in
                try actions.withUnsafeBufferPointer { a in
                    try rewards.withUnsafeBufferPointer { r in
                        try done.withUnsafeBufferPointer { d in
                            try batched.observe(TransitionRows(count: 20, observations: o.baseAddress!,
                                                               actions: .vectors(a.baseAddress!), rewards: r.baseAddress!,
                                                               nextObservations: n.baseAddress!, terminated: d.baseAddress!))
                        }
                    }
                }
            }
        }
        XCTAssertEqual(try AgentJSON.encode(batched, kind: .checkpoint), try AgentJSON.encode(single, kind: .checkpoint))
    }

    func testActingNormalisesFirstForEveryAlgorithm() throws {
        for algorithm in Algorithm.allCases {
            let base = algorithm.isDiscrete
                ? smallDiscreteConfig(actions: 3, algorithm: algorithm)
                : smallConfig(obsDim: 4) { $0.algorithm = algorithm }
            let config = normalizing(base, clip: 2.5)
            let agent = try SACAgent.make(config: config)
            let plain = try SACAgent.make(config: base)  // the same weights: they come from the seed
            try observe(agent, observations(count: 50, dimension: config.obsDim))
            let normalizer = try XCTUnwrap(agent.normalizer)
            // Inside the statistics' range, and far outside it (clipped).
            let probes = observations(count: 7, dimension: config.obsDim, seed: 99) + [Array(repeating: 1e6, count: config.obsDim)]
            let normalized = probes.map {
                reference($0, mean: normalizer.mean, variance: normalizer.variance, clip: 2.5, epsilon: 1e-8)
            }
            XCTAssertTrue(normalized.last!.allSatisfy { $0 == 2.5 }, "a far observation is clipped")
            let rows = probes.count
            XCTAssertEqual(try agent.actions(probes.flatMap { $0 }, rows: rows, deterministic: true),
                           try plain.actions(normalized.flatMap { $0 }, rows: rows, deterministic: true), algorithm.name)
        }
    }

    /// The replay keeps raw observations; a gradient step normalises its sampled batch with the
    /// statistics of the moment. An agent without normalisation whose replay holds the same
    /// transitions normalised (by the final statistics, which no longer change) takes the same steps.
    func testGradientStepsSeeTheBatchNormalised() throws {
        for algorithm in Algorithm.allCases {
            let base = algorithm.isDiscrete
                ? smallDiscreteConfig(actions: 3, algorithm: algorithm)
                : smallConfig(obsDim: 4) { $0.algorithm = algorithm }
            let agent = try SACAgent.make(config: normalizing(base))
            let rows = observations(count: 40, dimension: base.obsDim)
            try observe(agent, rows)
            let normalizer = try XCTUnwrap(agent.normalizer)
            XCTAssertEqual(agent.replay.observations[0], rows[0][0], "the replay holds raw observations")
            let plain = try SACAgent.make(config: base)
            try observe(plain, rows.map { reference($0, mean: normalizer.mean, variance: normalizer.variance, clip: 10,
                                                    epsilon: 1e-8) })
            try agent.update(steps: 3)
            try plain.update(steps: 3)
            let probe = observations(count: 5, dimension: base.obsDim, seed: 42)
            let normalizedProbe = probe.map {
                reference($0, mean: normalizer.mean, variance: normalizer.variance, clip: 10, epsilon: 1e-8)
            }
            XCTAssertEqual(try agent.actions(probe.flatMap { $0 }, rows: 5, deterministic: true),
                           try plain.actions(normalizedProbe.flatMap { $0 }, rows: 5, deterministic: true), algorithm.name)
            // Everything trained agrees bit for bit: compare the checkpoints without the config and statistics.
            func trained(_ agent: SACAgent) throws -> Substring {
                let text = try AgentJSON.encode(agent, kind: .checkpoint)
                return text[text.range(of: algorithm == .softQ ? "\"critics\"" : "\"actor\"")!.lowerBound...]
            }
            XCTAssertEqual(try trained(agent), try trained(plain), algorithm.name)
        }
    }

    func testCheckpointsAndPolicyFilesKeepTheStatisticsBitForBit() throws {
        let agent = try SACAgent.make(config: normalizing(smallConfig(obsDim: 4)))
        try observe(agent, observations(count: 30, dimension: 4))
        try agent.update(steps: 2)
        let probe = observations(count: 6, dimension: 4, seed: 5).flatMap { $0 }
        let expected = try agent.actions(probe, rows: 6, deterministic: true)
        for kind in [AgentJSON.Kind.policy, .checkpoint] {
            let text = try AgentJSON.encode(agent, kind: kind)
            let loaded = try text.utf8CString.withUnsafeBytes { bytes in
                try AgentJSON.decode(UnsafeRawBufferPointer(rebasing: bytes.dropLast()))
            }
            let (original, restored) = (try XCTUnwrap(agent.normalizer), try XCTUnwrap(loaded.normalizer))
            XCTAssertEqual(restored.count, original.count)
            XCTAssertEqual(restored.mean.map(\.bitPattern), original.mean.map(\.bitPattern))
            XCTAssertEqual(restored.variance.map(\.bitPattern), original.variance.map(\.bitPattern))
            XCTAssertEqual(try loaded.actions(probe, rows: 6, deterministic: true).map(\.bitPattern),
                           expected.map(\.bitPattern), "\(kind)")
            XCTAssertEqual(try AgentJSON.encode(loaded, kind: kind), text, "\(kind) round trip")
        }
    }

    /// Observations at the float32 extremes never normalise to NaN: the standard deviation stays finite
    /// and an infinite difference clips.
    func testExtremeObservationsClipInsteadOfBecomingNaN() throws {
        let agent = try SACAgent.make(config: normalizing(smallConfig(obsDim: 2)))
        let big = Float.greatestFiniteMagnitude
        try observe(agent, [[big, -big], [-big, big], [big, big]])
        let normalizer = try XCTUnwrap(agent.normalizer)
        var out: [Float] = [0, 0]
        normalizer.normalize([-big, big], rows: 1, into: &out)
        XCTAssertTrue(out.allSatisfy { abs($0) <= 10 && !$0.isNaN }, "\(out)")
        XCTAssertNoThrow(try agent.actions([-big, big], rows: 1, deterministic: true))
    }
}
