import XCTest
@testable import SACCore

/// Two threads split the twin critics' work and the other networks' products; the results must not
/// change by a single bit.
final class ThreadsTests: XCTestCase {
    func everyBuffer(_ agent: SACAgent) -> [[UInt32]] {
        (AgentPart.policy(of: agent) + AgentPart.training(of: agent)).flatMap(\.buffers)
            .map { $0.buffer.array.map(\.bitPattern) }
    }

    func testTwoThreadsGiveBitIdenticalTrainingForEveryAlgorithm() throws {
        // Split every product, not only those worth a hand-over at these small sizes.
        let splitAll = Compute(splitThreshold: 0)
        var v1 = smallConfig(hidden: [32, 32], batch: 32)
        v1.algorithm = .continuousV1
        let configs = [smallConfig(hidden: [32, 32], batch: 32), v1,
                       smallDiscreteConfig(actions: 3) { $0.hiddenSizes = [32, 32]; $0.batchSize = 32 },
                       smallDiscreteConfig(actions: 3, algorithm: .softQ) { $0.hiddenSizes = [32, 32]; $0.batchSize = 32 }]
        for config in configs {
            let single = try SACAgent.make(config: config, compute: splitAll)
            let double = try SACAgent.make(config: config, compute: splitAll)
            try double.setThreads(2)
            XCTAssertEqual(double.runner.threads, 2)
            for agent in [single, double] {
                try fillReplay(agent, count: 60)
                var last = UpdateStats()
                for _ in 0..<15 { last = try agent.update() }
                XCTAssertTrue(last.criticLoss.isFinite)
            }
            XCTAssertEqual(everyBuffer(double), everyBuffer(single), "\(config.algorithm)")
            XCTAssertEqual(double.random, single.random)
        }
    }

    /// act_batch splits the actor's products and its sampling too: the same actions, the same random state.
    func testActBatchOnTwoThreadsGivesBitIdenticalActions() throws {
        let splitAll = Compute(splitThreshold: 0)
        let configs = [smallConfig(obsDim: 5, actionDim: 3, hidden: [40, 40], batch: 64),
                       smallDiscreteConfig(actions: 3) { $0.hiddenSizes = [40, 40]; $0.batchSize = 64 }]
        for config in configs {
            let single = try SACAgent.make(config: config, compute: splitAll)
            let double = try SACAgent.make(config: config, compute: splitAll)
            try double.setThreads(2)
            var random = RandomSource(seed: 5)
            let rows = 150  // more than one batch: act_batch works in chunks of batch_size rows
            let observations = (0..<(rows * config.obsDim)).map { _ in random.normal() }
            for deterministic in [true, false] {
                let actions = try [single, double].map {
                    try $0.actions(observations, rows: rows, deterministic: deterministic)
                }
                XCTAssertEqual(actions[1].map(\.bitPattern), actions[0].map(\.bitPattern),
                               "\(config.algorithm) deterministic \(deterministic)")
                XCTAssertEqual(double.random, single.random)
            }
        }
    }

    func testThreadCountCanGoBackAndForthAndRejectsOtherValues() throws {
        let agent = try smallAgent()
        for threads in [2, 2, 1, 1, 2, 1] {
            try agent.setThreads(threads)
            XCTAssertEqual(agent.runner.threads, threads)
        }
        for bad in [0, 3, 64] {
            XCTAssertThrowsError(try agent.setThreads(bad)) { error in
                XCTAssertEqual((error as? SACError)?.kind, .invalidArgument)
                XCTAssertTrue("\(error)".contains("threads is \(bad)"), "\(error)")
            }
        }
        XCTAssertEqual(agent.runner.threads, 1)
    }

    /// An agent with a helper thread goes away cleanly (the helper is joined, not left running).
    func testAgentsWithAHelperThreadAreReleased() throws {
        weak var released: SACAgent?
        try autoreleasepoolIfAvailable {
            let agent = try smallAgent()
            try agent.setThreads(2)
            try fillReplay(agent, count: 10)
            try agent.update()
            released = agent
        }
        XCTAssertNil(released)
    }

    func autoreleasepoolIfAvailable(_ body: () throws -> Void) rethrows { try body() }
}
