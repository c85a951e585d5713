import Foundation
import XCTest
@testable import SACCore

/// Every algorithm must actually learn. Slow by nature: run in release (`make test` does).
final class LearningTests: XCTestCase {
    /// Trains on `environment`, evaluating the deterministic policy every `evaluateEvery` steps, and
    /// stops at the first evaluation past `threshold`. Returns the best evaluation and the steps used.
    static func train<Env: Environment>(_ environment: Env, _ config: AgentConfig, seed: UInt64, maxSteps: Int,
                                        threshold: Float, evaluateEvery: Int = 1_000) throws -> (Float, Int) {
        var config = config
        config.seed = seed
        let agent = try SACAgent.make(config: config)
        var loop = try TrainingLoop(environment: environment, agent: agent, environmentSeed: seed &+ 1_000)
        var best = -Float.infinity
        for steps in stride(from: evaluateEvery, through: maxSteps, by: evaluateEvery) {
            try loop.train(steps: evaluateEvery)
            best = max(best, try loop.evaluate(episodes: 10, seed: 777))
            if best > threshold { return (best, steps) }
        }
        return (best, maxSteps)
    }

    /// Pendulum with SB3's tuned learning rates (1e-3).
    static func pendulumConfig(_ algorithm: Algorithm) -> AgentConfig {
        var config = AgentConfig(obsDim: 3, actionDim: 1)
        config.algorithm = algorithm
        config.actionLow = [-2]
        config.actionHigh = [2]
        config.actorLearningRate = 1e-3
        config.criticLearningRate = 1e-3
        config.alphaLearningRate = 1e-3
        return config
    }

    /// CartPole with a small network and batch: the task is easy, and small nets learn it fast.
    static func cartPoleConfig(_ algorithm: Algorithm) -> AgentConfig {
        var config = AgentConfig(obsDim: 4, actionCount: CartPole.actionCount, algorithm: algorithm)
        config.hiddenSizes = [64, 64]
        config.batchSize = 64
        if algorithm == .softQ {
            config.criticLearningRate = 1e-3
        }
        return config
    }

    func testPendulumSwingUpBeatsMinus200Within20kStepsForTwoOfThreeSeeds() throws {
        try assertTwoOfThreeSeeds("pendulum SAC-v2", threshold: -200) { seed in
            try Self.train(Pendulum(), Self.pendulumConfig(.continuous), seed: seed, maxSteps: 20_000, threshold: -200)
        }
    }

    func testSACv1PendulumBeatsMinus250Within20kStepsForTwoOfThreeSeeds() throws {
        try assertTwoOfThreeSeeds("pendulum SAC-v1", threshold: -250) { seed in
            try Self.train(Pendulum(), Self.pendulumConfig(.continuousV1), seed: seed, maxSteps: 20_000, threshold: -250)
        }
    }

    func testDiscreteSACCartPoleReaches400Within50kStepsForTwoOfThreeSeeds() throws {
        try assertTwoOfThreeSeeds("cartpole discrete SAC", threshold: 400) { seed in
            try Self.train(CartPole(), Self.cartPoleConfig(.discrete), seed: seed, maxSteps: 50_000,
                           threshold: 399.9, evaluateEvery: 2_000)
        }
    }

    func testSoftQLearningCartPoleReaches400Within50kStepsForTwoOfThreeSeeds() throws {
        try assertTwoOfThreeSeeds("cartpole soft Q", threshold: 400) { seed in
            try Self.train(CartPole(), Self.cartPoleConfig(.softQ), seed: seed, maxSteps: 50_000,
                           threshold: 399.9, evaluateEvery: 2_000)
        }
    }

    /// Seeds 1, 2 and 3 in parallel; at least two must end past `threshold`.
    func assertTwoOfThreeSeeds(_ name: String, threshold: Float,
                               _ run: @escaping @Sendable (UInt64) throws -> (Float, Int)) throws {
        let solved = try Self.countSolvedSeeds([1, 2, 3], needed: 2) { seed in
            let (best, steps) = try run(seed)
            print("\(name) seed \(seed): best deterministic mean return \(best) after \(steps) steps")
            return best >= threshold
        }
        XCTAssertGreaterThanOrEqual(solved, 2, name)
    }

    /// Trains the seeds on all cores (each agent confined to its own thread) and returns how many
    /// succeeded. Seeds not yet started are skipped once `needed` have succeeded: the criterion
    /// "at least `needed` of these seeds" is then met whatever the others would do.
    static func countSolvedSeeds(
        _ seeds: [UInt64], needed: Int, _ body: @escaping @Sendable (UInt64) throws -> Bool
    ) throws -> Int {
        let lock = NSLock()
        nonisolated(unsafe) var solved = 0
        nonisolated(unsafe) var failure: Error?
        DispatchQueue.concurrentPerform(iterations: seeds.count) { i in
            guard lock.withLock({ solved < needed && failure == nil }) else {
                print("seed \(seeds[i]) skipped: \(needed) seeds already succeeded")
                return
            }
            do {
                let success = try body(seeds[i])
                lock.withLock { solved += success ? 1 : 0 }
            } catch {
                lock.withLock { failure = error }
            }
        }
        if let failure { throw failure }
        return solved
    }
}
