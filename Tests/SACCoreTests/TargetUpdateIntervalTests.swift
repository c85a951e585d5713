import XCTest
@testable import SACCore

/// target_update_interval: the targets blend on every N-th gradient step of the agent's life, for
/// every algorithm with target networks; τ = 1 copies exactly; a checkpoint between two target
/// updates resumes bit for bit. (Interval 1 keeps today's bits: SameBitsTests.)
final class TargetUpdateIntervalTests: XCTestCase {
    static let algorithms = Algorithm.allCases

    func agent(_ algorithm: Algorithm, interval: Int, tau: Float = 0.005, seed: UInt64 = 7) throws -> SACAgent {
        let configure = { (config: inout AgentConfig) in
            config.targetUpdateInterval = interval
            config.tau = tau
        }
        let config = algorithm.isDiscrete
            ? smallDiscreteConfig(actions: 3, algorithm: algorithm, seed: seed, configure: configure)
            : smallConfig(seed: seed) { config in
                config.algorithm = algorithm
                configure(&config)
            }
        let agent = try SACAgent.make(config: config)
        try fillReplay(agent, count: 40)
        return agent
    }

    /// Every target network's weights, in checkpoint order ("target_critics", "target_value").
    func targets(_ agent: SACAgent) -> [Float] {
        AgentPart.training(of: agent).filter { $0.key.hasPrefix("target_") }.flatMap { part in
            part.buffers.flatMap { entry in (0..<entry.buffer.count).map { entry.buffer[$0] } }
        }
    }

    /// The networks the targets follow: the critics (and SAC-v1's value network, whose target it is).
    func followed(_ agent: SACAgent) -> [Float] {
        let keys: Set = agent.config.algorithm == .continuousV1 ? ["value"] : ["critics"]
        let parts = AgentPart.policy(of: agent) + AgentPart.training(of: agent)  // soft Q's critics are its policy
        return parts.filter { keys.contains($0.key) }.flatMap { part in
            part.buffers.flatMap { entry in (0..<entry.buffer.count).map { entry.buffer[$0] } }
        }
    }

    func testTargetsChangeExactlyOnEveryNthGradientStep() throws {
        for algorithm in Self.algorithms {
            for interval in [1, 3, 4] {
                let agent = try agent(algorithm, interval: interval)
                XCTAssertFalse(targets(agent).isEmpty, "\(algorithm) has target networks")
                var changedAt: [Int] = []
                for step in 1...12 {
                    let before = targets(agent)
                    try agent.update()
                    if targets(agent) != before { changedAt.append(step) }
                }
                XCTAssertEqual(changedAt, Array(stride(from: interval, through: 12, by: interval)),
                               "\(algorithm.name), interval \(interval)")
            }
        }
    }

    /// One `update(steps:)` call of several steps keeps the same rhythm as single steps.
    func testSeveralStepsInOneCallFollowTheAgentsCount() throws {
        for algorithm in Self.algorithms {
            let single = try agent(algorithm, interval: 3)
            for _ in 0..<7 { try single.update() }
            let batched = try agent(algorithm, interval: 3)
            try batched.update(steps: 7)
            XCTAssertEqual(try AgentJSON.encode(batched, kind: .checkpoint),
                           try AgentJSON.encode(single, kind: .checkpoint), algorithm.name)
        }
    }

    func testTauOneCopiesTheNetworksExactlyEveryNSteps() throws {
        for algorithm in Self.algorithms {
            let agent = try agent(algorithm, interval: 5, tau: 1)
            try agent.update(steps: 4)
            XCTAssertNotEqual(targets(agent), followed(agent), "\(algorithm.name): before the 5th step")
            try agent.update()
            let (target, trained) = (targets(agent), followed(agent))
            XCTAssertEqual(target.map(\.bitPattern), trained.map(\.bitPattern), "\(algorithm.name): after the 5th step")
        }
    }

    /// Saved after 5 steps with interval 4 (one blend behind it, the next 3 steps away), a checkpoint
    /// goes on exactly as the agent that was never saved.
    func testACheckpointBetweenTwoTargetUpdatesResumesBitForBit() throws {
        for algorithm in Self.algorithms {
            let original = try agent(algorithm, interval: 4)
            try original.update(steps: 5)
            let text = try AgentJSON.encode(original, kind: .checkpoint)
            let resumed = try text.utf8CString.withUnsafeBytes { bytes in
                try AgentJSON.decode(UnsafeRawBufferPointer(rebasing: bytes.dropLast()))
            }
            // The replay is not in the JSON: it travels in its own format, as `sac_save_replay` writes it.
            let actionCount = algorithm.isDiscrete ? original.config.actionCount : 0
            try ReplayFile.decode(ReplayFile.encode(original.replay, actionCount: actionCount), into: resumed.replay,
                                  actionCount: actionCount)
            try resumed.update(steps: 6)
            try original.update(steps: 6)
            XCTAssertEqual(try AgentJSON.encode(resumed, kind: .checkpoint),
                           try AgentJSON.encode(original, kind: .checkpoint), algorithm.name)
        }
    }
}
