import Foundation
import XCTest
@testable import SACCore

/// SAC must actually learn. Slow by nature: run in release (`make test` does).
final class LearningTests: XCTestCase {
    /// Trains on the built-in Pendulum, evaluating every 1,000 steps, and stops at the first
    /// evaluation better than the threshold. Returns the best evaluation and the steps used.
    static func trainPendulum(seed: UInt64, maxSteps: Int, threshold: Float) throws -> (Float, Int) {
        var config = AgentConfig(obsDim: 3, actionDim: 1)
        config.actionLow = [-2]
        config.actionHigh = [2]
        config.actorLearningRate = 1e-3
        config.criticLearningRate = 1e-3
        config.alphaLearningRate = 1e-3
        config.seed = seed
        let agent = try ContinuousSAC(config: config)
        var loop = try TrainingLoop(environment: Pendulum(), agent: agent, environmentSeed: seed &+ 1_000)
        var best = -Float.infinity
        for steps in stride(from: 1_000, through: maxSteps, by: 1_000) {
            try loop.train(steps: 1_000)
            best = max(best, loop.evaluate(episodes: 10, seed: 777))
            if best > threshold { return (best, steps) }
        }
        return (best, maxSteps)
    }

    func testPendulumSwingUpBeatsMinus200Within20kStepsForTwoOfThreeSeeds() throws {
        let solved = try Self.countSolvedSeeds([1, 2, 3], needed: 2) { seed in
            let (best, steps) = try Self.trainPendulum(seed: seed, maxSteps: 20_000, threshold: -200)
            print("pendulum seed \(seed): best deterministic mean return \(best) after \(steps) steps")
            return best > -200
        }
        XCTAssertGreaterThanOrEqual(solved, 2)
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
