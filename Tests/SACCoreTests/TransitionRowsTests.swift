import XCTest
@testable import SACCore

/// Caller batches in the core, without C: `observe(_:)` stores rows exactly as row-by-row `observe`
/// calls, or none; `update(on:)` stages actions as the replay stores them.
final class TransitionRowsTests: XCTestCase {
    struct Rows {
        var obs: [Float], next: [Float], rewards: [Float], terminated: [UInt8]
        var vectors: [Float] = [], indices: [Int32] = []

        init(count: Int, obsDim: Int, actionWidth: Int, seed: UInt64) {
            var random = RandomSource(seed: seed)
            obs = (0..<(count * obsDim)).map { _ in random.uniform(-1, 1) }
            next = (0..<(count * obsDim)).map { _ in random.uniform(-1, 1) }
            rewards = (0..<count).map { _ in random.uniform(-1, 1) }
            terminated = (0..<count).map { UInt8($0 % 3 == 2 ? 1 : 0) }
            vectors = (0..<(count * actionWidth)).map { _ in random.uniform(-3, 3) }  // beyond the bounds: clipped
            indices = (0..<count).map { _ in Int32(random.index(below: 3)) }
        }

        /// `body` with the rows as pointers, actions as vectors or as indices.
        func with<R>(indices useIndices: Bool, _ body: (TransitionRows) throws -> R) rethrows -> R {
            try obs.withUnsafeBufferPointer { o in
                try next.withUnsafeBufferPointer { n in
                    try rewards.withUnsafeBufferPointer { r in
                        try terminated.withUnsafeBufferPointer { t in
                            try vectors.withUnsafeBufferPointer { v in
                                try indices.withUnsafeBufferPointer { i in
                                    let actions: TransitionRows.Actions = useIndices ? .indices(i.baseAddress!)
                                                                                     : .vectors(v.baseAddress!)
                                    return try body(TransitionRows(count: rewards.count, observations: o.baseAddress!,
                                                                   actions: actions, rewards: r.baseAddress!,
                                                                   nextObservations: n.baseAddress!,
                                                                   terminated: t.baseAddress!))
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    func checkpoint(_ agent: SACAgent) throws -> String { try AgentJSON.encode(agent, kind: .checkpoint) }

    func testObservingRowsEqualsObservingEachRow() throws {
        for config in [smallConfig(), smallDiscreteConfig(actions: 3)] {
            let discrete = config.algorithm.isDiscrete
            let rows = Rows(count: 7, obsDim: config.obsDim, actionWidth: config.actionDim, seed: 4)
            let batched = try SACAgent.make(config: config), single = try SACAgent.make(config: config)
            try rows.with(indices: discrete) { try batched.observe($0) }
            for r in 0..<7 {
                let (o, n) = (Array(rows.obs[(r * config.obsDim)...].prefix(config.obsDim)),
                              Array(rows.next[(r * config.obsDim)...].prefix(config.obsDim)))
                if discrete {
                    try single.observe(observation: o, actionIndex: rows.indices[r], reward: rows.rewards[r],
                                       nextObservation: n, terminated: rows.terminated[r] != 0)
                } else {
                    let a = Array(rows.vectors[(r * config.actionDim)...].prefix(config.actionDim))
                    try single.observe(observation: o, action: a, reward: rows.rewards[r], nextObservation: n,
                                       terminated: rows.terminated[r] != 0)
                }
            }
            XCTAssertEqual(batched.environmentSteps, 7)
            XCTAssertEqual(try checkpoint(batched), try checkpoint(single), "\(config.algorithm)")
            XCTAssertEqual(batched.replay.count, single.replay.count)
        }
    }

    func testRowsOfTheWrongKindOrABadIndexStoreNothing() throws {
        let continuous = try SACAgent.make(config: smallConfig())
        let rows = Rows(count: 4, obsDim: 3, actionWidth: 2, seed: 5)
        XCTAssertThrowsError(try rows.with(indices: true) { try continuous.observe($0) }) {
            XCTAssertEqual(($0 as? SACError)?.kind, .wrongAlgorithm)
        }
        let discrete = try SACAgent.make(config: smallDiscreteConfig(actions: 3) { $0.obsDim = 3 })
        var bad = Rows(count: 4, obsDim: 3, actionWidth: 0, seed: 6)
        bad.indices[3] = 3  // the last row's index is out of range: not even the first row is stored
        XCTAssertThrowsError(try bad.with(indices: true) { try discrete.observe($0) }) {
            XCTAssertEqual(($0 as? SACError)?.kind, .invalidArgument)
        }
        XCTAssertEqual(continuous.replay.count + discrete.replay.count, 0)
        XCTAssertEqual(continuous.environmentSteps + discrete.environmentSteps, 0)
    }

    /// A step on caller rows is the step on a batch holding them as the replay stores them: actions
    /// in the policy's [-1, 1], clipped.
    func testUpdatingOnRowsEqualsUpdatingOnTheStagedBatch() throws {
        let config = smallConfig { $0.actionLow = [-2, 0]; $0.actionHigh = [2, 10] }
        let rows = Rows(count: 6, obsDim: 3, actionWidth: 2, seed: 7)
        let fromRows = try SACAgent.make(config: config), fromBatch = try SACAgent.make(config: config)
        let stats = try rows.with(indices: false) { try fromRows.update(on: $0) }
        let batch = try TransitionBatch(size: 6, obsDim: 3, actionDim: 2)
        batch.observations.assign(rows.obs)
        batch.nextObservations.assign(rows.next)
        batch.rewards.assign(rows.rewards)
        batch.terminals.assign(rows.terminated.map(Float.init))
        for (k, action) in rows.vectors.enumerated() {
            let (low, high): (Float, Float) = k % 2 == 0 ? (-2, 2) : (0, 10)
            batch.actions[k] = min(max(2 * (action - low) / (high - low) - 1, -1), 1)
        }
        XCTAssertEqual(try fromBatch.update(on: batch), stats)
        XCTAssertEqual(try checkpoint(fromRows), try checkpoint(fromBatch))
        XCTAssertThrowsError(try Rows(count: 7, obsDim: 3, actionWidth: 2, seed: 8).with(indices: false) {
            try fromRows.update(on: $0)  // more rows than batch_size (6)
        }) { XCTAssertEqual(($0 as? SACError)?.kind, .length) }
    }
}
