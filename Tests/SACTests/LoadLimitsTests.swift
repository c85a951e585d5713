import CSac
import Foundation
import XCTest

/// Values in checkpoints, replay files and arguments that are well-formed but would make a later
/// call trap (an integer overflow or a failed conversion kills the host process) or poison the
/// agent: each is refused where it comes in, with SAC_ERR_FORMAT and the JSON path or field.
final class LoadLimitsTests: XCTestCase {
    /// 2^53, the largest counter or optimizer step a checkpoint may hold.
    let maxCount = "9007199254740992"

    // MARK: - Counters and optimizer steps (once loaded, the next observe/update overflowed)

    func testCountersAtTheLimitLoadAndKeepCounting() throws {
        for (name, config) in everyAlgorithm {
            var json = jsonBytes(try makeTrainedAgent(config), SAC_JSON_CHECKPOINT)
            json = editing(json, #""env_steps":\d+"#, to: "\"env_steps\":\(maxCount)")
            json = editing(json, #""gradient_steps":\d+"#, to: "\"gradient_steps\":\(maxCount)")
            for k in 0..<matchCount(json, #""step":\d+"#) {
                json = editing(json, #""step":\d+"#, occurrence: k, to: "\"step\":\(maxCount)")
            }
            let agent = try loadAgent(json: json)
            observeTransitions(agent, 100..<108)  // a checkpoint holds no replay: one batch
            _ = update(agent)
            var (environmentSteps, gradientSteps): (UInt64, UInt64) = (0, 0)
            assertStatus(sac_agent_counters(agent, &environmentSteps, &gradientSteps), SAC_OK)
            XCTAssertEqual([environmentSteps, gradientSteps], [(1 << 53) + 8, (1 << 53) + 1], name)
        }
    }

    func testCountersAndOptimizerStepsBeyond2To53AreRejectedForEveryAlgorithm() throws {
        for (name, config) in everyAlgorithm {
            let json = jsonBytes(try makeTrainedAgent(config), SAC_JSON_CHECKPOINT)
            for value in ["9223372036854775807", "9007199254740993"] {
                assertRejected(editing(json, #""env_steps":\d+"#, to: "\"env_steps\":\(value)"),
                               mentioning: ["$.counters.env_steps", value, maxCount])
                assertRejected(editing(json, #""gradient_steps":\d+"#, to: "\"gradient_steps\":\(value)"),
                               mentioning: ["$.counters.gradient_steps", value])
                let optimizers = matchCount(json, #""step":\d+"#)
                XCTAssertGreaterThanOrEqual(optimizers, 2, name)
                for k in 0..<optimizers {
                    assertRejected(editing(json, #""step":\d+"#, occurrence: k, to: "\"step\":\(value)"),
                                   mentioning: ["$.optimizers.", ".step", value])
                }
            }
        }
    }

    // MARK: - Values that load but destroy the agent on its first update

    func testATemperatureWhoseExponentialOverflowsIsRejected() throws {
        for (name, config) in everyAlgorithm where name != "soft Q" {  // soft Q has no log_alpha
            let json = jsonBytes(try makeTrainedAgent(config), SAC_JSON_CHECKPOINT)
            assertRejected(editing(json, #""log_alpha":-?[0-9][^,{}]*,"#, to: "\"log_alpha\":89,"),
                           mentioning: ["$.log_alpha", "89", "infinite"])
            // A tiny alpha is harmless (a discrete target entropy of 0 drives it there): it loads.
            _ = try loadAgent(json: editing(json, #""log_alpha":-?[0-9][^,{}]*,"#, to: "\"log_alpha\":-1000,"))
        }
    }

    func testConfigValuesLoadOnlyInTheRangesSacAgentCreateAccepts() throws {
        let json = jsonBytes(try makeTrainedAgent(.small()), SAC_JSON_CHECKPOINT)
        for (key, value, mention) in [("critic_lr", "3.4e38", "(0, 1.0]"), ("actor_lr", "1.5", "(0, 1.0]"),
                                      ("alpha_lr", "0", "(0, 1.0]"), ("target_entropy", "1e30", "at most"),
                                      ("initial_alpha", "3e38", "1e+38")] {
            assertRejected(editing(json, "\"\(key)\":[^,]*,", to: "\"\(key)\":\(value),"),
                           mentioning: ["$.config", key, mention])
        }
        _ = try loadAgent(json: editing(json, #""critic_lr":[^,]*,"#, to: "\"critic_lr\":1,"))
    }

    func testCreateAppliesTheSameRanges() throws {
        var config = sac_config.small()
        config.critic_lr = 3.4e38
        assertFails(SAC_ERR_INVALID_CONFIG, "sac_agent_create", mentioning: ["critic_lr", "(0, 1.0]"]) {
            var agent: OpaquePointer?
            return sac_agent_create(&config, &agent)
        }
        config = .small()
        config.target_entropy = 0.7  // above log 2 = 0.693, the most a 1-dimensional squashed policy has
        assertFails(SAC_ERR_INVALID_CONFIG, "sac_agent_create", mentioning: ["target_entropy", "0.6931"]) {
            var agent: OpaquePointer?
            return sac_agent_create(&config, &agent)
        }
        config.target_entropy = 0.69
        _ = try makeAgent(config)
        var discrete = sac_config.smallDiscrete(actions: 4)
        discrete.target_entropy = logf(4)  // the uniform policy's entropy is reachable
        _ = try makeAgent(discrete)
    }

    // MARK: - Replay file headers (a capacity of 2^63 trapped in an Int conversion)

    func testReplayHeadersWithHugeOrInconsistentCountsAreRejectedWithoutTrapping() throws {
        let agent = try makeTrainedAgent(.small())
        let directory = try makeTemporaryDirectory()
        let valid = directory + "/replay.bin"
        assertStatus(sac_save_replay(agent, valid), SAC_OK, lastErrorMessage())
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: valid)))
        let before = snapshot(agent)
        // (capacity, count, next_slot): count equal to next_slot, as the issue's attacker wrote it.
        let headers: [(UInt64, UInt64, UInt64, String)] = [
            (1 << 63, 20, 20, "capacity"), (UInt64.max, 20, 20, "capacity"), (1 << 34 + 1, 20, 20, "capacity"),
            (0, 0, 0, "capacity"), (64, 1 << 63, 1 << 63, "inconsistent"), (64, UInt64.max, UInt64.max, "inconsistent"),
            (UInt64.max / 2, UInt64.max / 4, UInt64.max / 4, "capacity"), (64, 20, 1 << 62, "inconsistent"),
        ]
        for (capacity, count, nextSlot, mention) in headers {
            var edited = bytes
            write(capacity, into: &edited, at: 24)
            write(count, into: &edited, at: 32)
            write(nextSlot, into: &edited, at: 40)
            write(fnv1a(edited.dropLast(8)), into: &edited, at: edited.count - 8)
            let path = directory + "/edited.bin"
            FileManager.default.createFile(atPath: path, contents: Data(edited))
            assertFails(SAC_ERR_FORMAT, "sac_load_replay", mentioning: ["replay file", mention]) {
                sac_load_replay(agent, path)
            }
        }
        XCTAssertEqual(snapshot(agent), before)
        assertStatus(sac_load_replay(agent, valid), SAC_OK, lastErrorMessage())
    }

    // MARK: - size_t arguments above Int.max (they read as negative Ints inside)

    func testLengthsAboveIntMaxAreRefusedNotTrappedOn() throws {
        var out: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_FORMAT, "sac_from_json", mentioning: ["len", "\(UInt.max)"]) {
            sac_from_json("{}", Int(bitPattern: UInt.max), &out)
        }
        XCTAssertEqual(out, untouchedHandle)
        let agent = try makeAgent()
        var actions = [Float](repeating: 7, count: 3)
        // n = SIZE_MAX and obs_len = SIZE_MAX - 2 satisfy obs_len == n * obs_dim in wrapped arithmetic.
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_LENGTH, "sac_act_batch", mentioning: ["n is \(UInt.max)"]) {
            sac_act_batch(agent, [1, 2, 3], Int(bitPattern: UInt.max), Int(bitPattern: UInt.max - 2), 0, &actions,
                          Int(bitPattern: UInt.max))
        }
        XCTAssertEqual(actions, [7, 7, 7])
    }

    // MARK: - Messages

    /// "unexpected key" lists the expected keys in the order the files (and docs/weights-format.md)
    /// have them, so that a reader can compare the two lists line by line.
    func testAnUnexpectedConfigKeyListsTheKeysInFileOrder() throws {
        let json = jsonBytes(try makeAgent(), SAC_JSON_POLICY)
        let text = String(decoding: json, as: UTF8.self)
        let config = try XCTUnwrap(text.range(of: #""config":\{[^}]*\}"#, options: .regularExpression).map { text[$0] })
        let keysInFile = config.matches(of: /"([a-z_]+)":/).map { String($0.output.1) }.dropFirst()  // "config"
        XCTAssertEqual(keysInFile.first, "obs_dim")
        let message = assertFails(SAC_ERR_FORMAT, "sac_from_json", mentioning: ["unexpected key \"bogus\""]) {
            let edited = editing(json, #""seed":"#, to: "\"bogus\":1,\"seed\":")
            var out: OpaquePointer?
            return edited.withUnsafeBytes { sac_from_json($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count, &out) }
        }
        XCTAssertTrue(message.contains("(expected: " + keysInFile.joined(separator: ", ") + ")"), message)
    }

    private func write(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for k in 0..<8 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (8 * k)) }
    }

    private func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
