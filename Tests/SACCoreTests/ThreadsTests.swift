import XCTest
@testable import SACCore

/// Two threads split the twin critics' work and the other networks' products; more threads cut large
/// products between them all. The results must not change by a single bit, whatever the count.
final class ThreadsTests: XCTestCase {
    func everyBuffer(_ agent: SACAgent) -> [[UInt32]] {
        (AgentPart.policy(of: agent) + AgentPart.training(of: agent)).flatMap(\.buffers)
            .map { $0.buffer.array.map(\.bitPattern) }
    }

    /// With the split threshold at 0 every product is cut, and with more than two threads the
    /// critics' pairs run one network after the other with their products cut between all threads;
    /// with the default threshold these small networks keep the pairs on two threads instead.
    func testEveryThreadCountGivesBitIdenticalTrainingForEveryAlgorithm() throws {
        var v1 = smallConfig(hidden: [32, 32], batch: 32)
        v1.algorithm = .continuousV1
        let configs = [smallConfig(hidden: [32, 32], batch: 32), v1,
                       smallDiscreteConfig(actions: 3) { $0.hiddenSizes = [32, 32]; $0.batchSize = 32 },
                       smallDiscreteConfig(actions: 3, algorithm: .softQ) { $0.hiddenSizes = [32, 32]; $0.batchSize = 32 }]
        for config in configs {
            for compute in [Compute(splitThreshold: 0), Compute()] {
                let agents = try (1...4).map { threads in
                    let agent = try SACAgent.make(config: config, compute: compute)
                    try agent.setThreads(threads)
                    XCTAssertEqual(agent.runner.threads, threads)
                    try fillReplay(agent, count: 60)
                    var last = UpdateStats()
                    for _ in 0..<15 { last = try agent.update() }
                    XCTAssertTrue(last.criticLoss.isFinite)
                    return agent
                }
                for agent in agents.dropFirst() {
                    let label = "\(config.algorithm), \(agent.runner.threads) threads, split from \(compute.splitThreshold) FLOPs"
                    XCTAssertEqual(everyBuffer(agent), everyBuffer(agents[0]), label)
                    XCTAssertEqual(agent.random, agents[0].random, label)
                }
            }
        }
    }

    /// Past two threads, critics whose passes are mostly products of 1 MFLOP or more run one after
    /// the other with those products cut; others keep one critic per thread.
    func testCriticsAreCutOnlyWhenMostOfTheirWorkIsInLargeProducts() throws {
        let runner = try NetworkRunner()
        func cutFrom(obs: Int, hidden: Int, batch: Int) throws -> Int? {
            try TwinCritics(obsDim: obs, actionWidth: 1, hidden: [hidden, hidden], outputs: 1, maxBatch: batch,
                            learningRate: 1e-3, hasTargets: true, runner: runner, versioned: false,
                            compute: Compute()).cutsProductsFromThreads
        }
        XCTAssertEqual(try cutFrom(obs: 17, hidden: 256, batch: 256), 3)
        XCTAssertEqual(try cutFrom(obs: 376, hidden: 64, batch: 100), 3, "the first layer, 4.8 of 5.6 MFLOP, is cut")
        XCTAssertNil(try cutFrom(obs: 3, hidden: 64, batch: 100), "no product reaches 1 MFLOP")
    }

    /// act_batch splits the actor's products and its sampling too: the same actions, the same random state.
    func testActBatchOnSeveralThreadsGivesBitIdenticalActions() throws {
        let splitAll = Compute(splitThreshold: 0)
        let configs = [smallConfig(obsDim: 5, actionDim: 3, hidden: [40, 40], batch: 64),
                       smallDiscreteConfig(actions: 3) { $0.hiddenSizes = [40, 40]; $0.batchSize = 64 }]
        for config in configs {
            let agents = try (1...4).map { threads in
                let agent = try SACAgent.make(config: config, compute: splitAll)
                try agent.setThreads(threads)
                return agent
            }
            var random = RandomSource(seed: 5)
            let rows = 150  // more than one batch: act_batch works in chunks of batch_size rows
            let observations = (0..<(rows * config.obsDim)).map { _ in random.normal() }
            for deterministic in [true, false] {
                let actions = try agents.map { try $0.actions(observations, rows: rows, deterministic: deterministic) }
                for (agent, theirs) in zip(agents, actions).dropFirst() {
                    let label = "\(config.algorithm) deterministic \(deterministic), \(agent.runner.threads) threads"
                    XCTAssertEqual(theirs.map(\.bitPattern), actions[0].map(\.bitPattern), label)
                    XCTAssertEqual(agent.random, agents[0].random, label)
                }
            }
        }
    }

    func testThreadCountCanGoBackAndForthAndRejectsOtherValues() throws {
        let agent = try smallAgent()
        for threads in [2, 2, 1, 1, 2, 4, 3, 64, 1] {
            try agent.setThreads(threads)
            XCTAssertEqual(agent.runner.threads, threads)
        }
        for bad in [0, -1, 65, 1_000] {
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
