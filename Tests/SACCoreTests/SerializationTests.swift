import XCTest
@testable import SACCore

final class SerializationTests: XCTestCase {
    func trainedAgent(seed: UInt64 = 5) throws -> SACAgent {
        let agent = try smallAgent(seed: seed) { $0.actionLow = [-2, 0]; $0.actionHigh = [2, 10] }
        try fillReplay(agent, count: 40)
        for _ in 0..<10 { try agent.update() }
        return agent
    }

    func decode(_ text: String) throws -> SACAgent {
        let agent = try Array(text.utf8).withBytes { bytes throws(SACError) in try AgentJSON.decode(bytes) }
        XCTAssertTrue(agent.learner is ContinuousSAC)
        return agent
    }

    func testCheckpointRoundTripGivesIdenticalBytes() throws {
        let agent = try trainedAgent()
        let text = try AgentJSON.encode(agent, kind: .checkpoint)
        let loaded = try decode(text)
        XCTAssertEqual(try AgentJSON.encode(loaded, kind: .checkpoint), text)
        XCTAssertTrue(loaded.isTrainable)
        XCTAssertEqual(loaded.gradientSteps, 10)
        XCTAssertEqual(loaded.random, agent.random)
    }

    func testPolicyRoundTripActsBitIdenticallyAndCannotLearn() throws {
        let agent = try trainedAgent()
        let text = try AgentJSON.encode(agent, kind: .policy)
        let loaded = try decode(text)
        XCTAssertEqual(try AgentJSON.encode(loaded, kind: .policy), text)
        XCTAssertFalse(loaded.isTrainable)
        var a: [Float] = [0, 0], b: [Float] = [0, 0]
        for obs: [Float] in [[0.1, -0.5, 2], [3, 3, -3], [0, 0, 0]] {
            try agent.act(obs, rows: 1, deterministic: true, into: &a)
            try loaded.act(obs, rows: 1, deterministic: true, into: &b)
            XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern))
        }
        XCTAssertThrowsError(try loaded.observe(observation: [0, 0, 0], action: [0, 1], reward: 0,
                                                nextObservation: [0, 0, 0], terminated: false))
        XCTAssertThrowsError(try AgentJSON.encode(loaded, kind: .checkpoint))
        print(text.prefix(400))
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation

final class ResumeAndLocaleTests: XCTestCase {
    func pendulumAgent() throws -> SACAgent {
        var config = AgentConfig(obsDim: 3, actionDim: 1)
        config.actionLow = [-2]
        config.actionHigh = [2]
        config.hiddenSizes = [64, 64]
        config.batchSize = 64
        config.actorLearningRate = 1e-3
        config.criticLearningRate = 1e-3
        config.seed = 9
        return try SACAgent.make(config: config)
    }

    /// Every weight, Adam moment and log α of the agent, as bit patterns.
    func everything(_ agent: SACAgent) -> [[UInt32]] {
        let parts = AgentPart.policy(of: agent) + AgentPart.training(of: agent)
        return parts.flatMap(\.buffers).map { $0.buffer.array.map(\.bitPattern) }
    }

    /// Train N + M steps straight, or N steps, checkpoint (JSON + replay file), restore into a fresh
    /// agent and train M more: the results must be bit-identical.
    func testCheckpointPlusReplayResumesTrainingBitIdentically() throws {
        let (n, m) = (2_000, 2_000)
        var straight = try TrainingLoop(environment: Pendulum(), agent: pendulumAgent(), environmentSeed: 4)
        try straight.train(steps: n + m)

        var first = try TrainingLoop(environment: Pendulum(), agent: pendulumAgent(), environmentSeed: 4)
        try first.train(steps: n)
        let checkpoint = try AgentJSON.encode(first.agent, kind: .checkpoint)
        let replay = ReplayFile.encode(first.agent.replay, actionCount: 0)
        let restored = try Array(checkpoint.utf8).withBytes { bytes throws(SACError) in try AgentJSON.decode(bytes) }
        try ReplayFile.decode(replay, into: restored.replay, actionCount: 0)
        var resumed = first.continuing(with: restored)
        try resumed.train(steps: m)

        XCTAssertEqual(resumed.agent.environmentSteps, n + m)
        XCTAssertEqual(resumed.agent.gradientSteps, straight.agent.gradientSteps)
        XCTAssertEqual(resumed.lastStats, straight.lastStats)
        XCTAssertEqual(everything(resumed.agent), everything(straight.agent))
        XCTAssertEqual(resumed.agent.random, straight.agent.random)
    }

    /// A comma decimal separator in the host process must not change a byte of the output.
    func testSavedBytesDoNotDependOnTheProcessLocale() throws {
        let agent = try smallAgent(seed: 12)
        try fillReplay(agent, count: 20)
        for _ in 0..<3 { try agent.update() }
        let reference = try AgentJSON.encode(agent, kind: .checkpoint)

        guard setlocale(LC_ALL, "de_DE.UTF-8") != nil else {
            if ProcessInfo.processInfo.environment["SAC_REQUIRE_LOCALE"] != nil {
                return XCTFail("the de_DE.UTF-8 locale is not installed (make deps generates it)")
            }
            throw XCTSkip("the de_DE.UTF-8 locale is not installed")
        }
        defer { setlocale(LC_ALL, "C") }
        XCTAssertEqual(String(cString: localeconv().pointee.decimal_point), ",")
        XCTAssertEqual(String(format: "%.1f", 0.5), "0,5", "the locale should really be in force")

        let underGermanLocale = try AgentJSON.encode(agent, kind: .checkpoint)
        XCTAssertEqual(underGermanLocale, reference)
        let reloaded = try Array(underGermanLocale.utf8).withBytes { bytes throws(SACError) in try AgentJSON.decode(bytes) }
        XCTAssertEqual(try AgentJSON.encode(reloaded, kind: .checkpoint), reference)
    }
}
