import Foundation
import XCTest
@testable import SACCore

/// The checkpoints that every algorithm writes after a fixed run of acting, observing and updating,
/// on each GEMM kernel the CPU has, with 1 to 4 threads (which must not change a bit), as SHA-256
/// digests recorded from the code before the agents were recomposed (issue 17, main at 59b5694), with
/// 1 and 2 threads (the most there were then). A refactoring must keep them:
/// any change to the arithmetic, its order, the random stream or the JSON changes a digest. A change
/// meant to alter the numbers records new digests here, and says why in its commit.
final class SameBitsTests: XCTestCase {
    static let recorded: [String: String] = [
        "continuous_sac avx2": "7b433697827bdffd9af1168de62255e0bbff48d19b92cb7c4de7129f347d7edf",
        "continuous_sac avx512": "b4a0ca9540951faa6b9250a8e213e1edacb58158852468521d8d4b5ec20038f1",
        "continuous_sac portable": "17dcb9a231d430fe446e663e151392c72d510d325809dee28353601fe3e7cadd",
        "continuous_sac_v1 avx2": "542dfa4d6c1657670153a41b189abd3152f2fb2043e5773c7a60b1a644049f16",
        "continuous_sac_v1 avx512": "23d97e5e3e4d6f2300c05082030a4ddb8163650df4f7d7805786f9eb2a5a3c4b",
        "continuous_sac_v1 portable": "f66c29dfd6e6162569bb4651ca63a0204601b47fce202e5d0fbc86e59470ad4c",
        "discrete_sac avx2": "f7ad0ff598bbe6856bde205c98d13296f099409e706cdeefae94ee967d9fbc5e",
        "discrete_sac avx512": "f7ad0ff598bbe6856bde205c98d13296f099409e706cdeefae94ee967d9fbc5e",
        "discrete_sac portable": "ec86ad84fdb92f3cdd6649aa790b82adb049973c0317fc5f984afb857ab287a8",
        "soft_q_learning avx2": "cb946b2f499a24d146d50aaa3bd9c806c0f9d12cc94fc5bca2b4117ae9f2518a",
        "soft_q_learning avx512": "cb946b2f499a24d146d50aaa3bd9c806c0f9d12cc94fc5bca2b4117ae9f2518a",
        "soft_q_learning portable": "53c4745768a53db0bc875007fcb7d26b6cdc1306aff9a6f547b82a46d7e8537f",
    ]

    /// 300 environment steps (Pendulum or CartPole), gradient steps from the 100th, every product split
    /// across threads when there are several (the split threshold at 0).
    func checkpoint(_ algorithm: Algorithm, threads: Int, kernel: GEMM.Kernel) throws -> String {
        var config = algorithm.isDiscrete ? AgentConfig(obsDim: 4, actionCount: 2, algorithm: algorithm)
                                          : AgentConfig(obsDim: 3, actionDim: 1)
        if !algorithm.isDiscrete {
            config.algorithm = algorithm
            (config.actionLow, config.actionHigh) = ([-2], [2])
        }
        config.hiddenSizes = [24, 24]
        config.batchSize = 32
        config.replayCapacity = 1_000
        config.learningStarts = 100
        config.seed = 21
        let agent = try SACAgent.make(config: config, compute: Compute(kernel: kernel, splitThreshold: 0))
        try agent.setThreads(threads)
        if algorithm.isDiscrete {
            var loop = try TrainingLoop(environment: CartPole(), agent: agent, environmentSeed: 5)
            try loop.train(steps: 300)
        } else {
            var loop = try TrainingLoop(environment: Pendulum(), agent: agent, environmentSeed: 5)
            try loop.train(steps: 300)
        }
        return try sha256(asVersion2(AgentJSON.encode(agent, kind: .checkpoint)))
    }

    /// The digests were recorded from format version 2 files. Version 3 differs only by its number and
    /// the config's appended defaults, which this takes out again (failing if they are not there), so
    /// that every other byte is still compared with the recorded run.
    func asVersion2(_ text: String) throws -> String {
        let appended = #","normalize_observations":false,"obs_clip":10.0,"obs_epsilon":1e-08,"target_update_interval":1}"#
        let version = #""format_version":3,"#
        XCTAssertTrue(text.contains(appended) && text.contains(version), "the version 3 defaults are written as expected")
        return text.replacingOccurrences(of: appended, with: "}").replacingOccurrences(of: version, with: #""format_version":2,"#)
    }

    func testCheckpointsAreBitIdenticalToTheRecordedOnes() throws {
        for algorithm in Algorithm.allCases {
            for kernel in GEMM.availableKernels {
                let name = "\(algorithm.jsonName) \(kernel)"
                for threads in 1...4 {
                    XCTAssertEqual(try checkpoint(algorithm, threads: threads, kernel: kernel), Self.recorded[name],
                                   "\(name) threads=\(threads)")
                }
            }
        }
    }

    /// The digest by sha256sum (coreutils), the tool anyone checking a file by hand uses.
    func sha256(_ text: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        (process.standardInput, process.standardOutput) = (input, output)
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let digest = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: digest.prefix(64), as: UTF8.self)
    }
}
