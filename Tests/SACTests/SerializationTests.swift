import CSac
import Foundation
@testable import SACCore
import XCTest

/// sac_to_json, sac_from_json, sac_save_json, sac_load_json, sac_save_replay and sac_load_replay:
/// the two-call pattern, round trips, policy-only agents, resuming training, the binary replay file
/// and the file handling. (Corrupt JSON is CorruptInputTests' subject.)
final class SerializationTests: XCTestCase {
    private let policy = Int32(SAC_JSON_POLICY.rawValue)
    private let checkpoint = Int32(SAC_JSON_CHECKPOINT.rawValue)

    // MARK: - sac_to_json: the two-call pattern

    /// The size query is the documented first call: it reports SAC_ERR_BUFFER_TOO_SMALL and the size,
    /// but it is no failure, so sac_last_error() keeps the message of the last real one.
    func testToJSONWithZeroCapacityAndNullBufferReportsTheSizeNeededAndKeepsTheLastError() throws {
        let agent = try makeAgent()
        for kind in [policy, checkpoint] {
            var needed = 0
            let before = snapshot(agent)
            let primer = primeLastError()
            assertStatus(sac_to_json(agent, kind, nil, 0, &needed), SAC_ERR_BUFFER_TOO_SMALL)
            XCTAssertEqual(lastErrorMessage(), primer, "the size query overwrote sac_last_error()")
            XCTAssertEqual(snapshot(agent), before)
            XCTAssertGreaterThan(needed, 100, "kind \(kind)")
            XCTAssertEqual(needed, jsonBytes(agent, kind == policy ? SAC_JSON_POLICY : SAC_JSON_CHECKPOINT).count + 1,
                           "*needed counts the text and its NUL")
        }
    }

    func testToJSONWithZeroCapacityWritesNothingToANonNullBuffer() throws {
        let agent = try makeAgent()
        let memory = PatternedMemory(count: 64)
        var needed = 0
        assertFails(SAC_ERR_BUFFER_TOO_SMALL, "sac_to_json", mentioning: ["cap"]) {
            sac_to_json(agent, self.policy, memory.pointer(to: CChar.self), 0, &needed)
        }
        XCTAssertEqual(needed, jsonBytes(agent, SAC_JSON_POLICY).count + 1)
        XCTAssertTrue(memory.isUntouched())
    }

    func testToJSONOneByteShortWritesNothingAndReportsTheSizeAgain() throws {
        let agent = try makeAgent()
        for kind in [policy, checkpoint] {
            var needed = 0
            assertStatus(sac_to_json(agent, kind, nil, 0, &needed), SAC_ERR_BUFFER_TOO_SMALL)
            let memory = PatternedMemory(count: needed + 16)
            var neededAgain = 0
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_BUFFER_TOO_SMALL, "sac_to_json",
                                             mentioning: ["\(needed - 1)", "\(needed)"]) {
                sac_to_json(agent, kind, memory.pointer(to: CChar.self), needed - 1, &neededAgain)
            }
            XCTAssertEqual(neededAgain, needed)
            XCTAssertTrue(memory.isUntouched(), "a too-small buffer was written to (kind \(kind))")
        }
    }

    func testToJSONWithExactCapacityWritesNulTerminatedTextAndNothingBeyond() throws {
        let agent = try makeAgent()
        for kind in [policy, checkpoint] {
            var needed = 0
            assertStatus(sac_to_json(agent, kind, nil, 0, &needed), SAC_ERR_BUFFER_TOO_SMALL)
            let memory = PatternedMemory(count: needed + 16)
            var neededAgain = 0
            let text = memory.pointer(to: CChar.self)
            assertStatus(sac_to_json(agent, kind, text, needed, &neededAgain), SAC_OK, lastErrorMessage())
            XCTAssertEqual(neededAgain, needed)
            XCTAssertEqual(text[needed - 1], 0, "the text is not NUL-terminated")
            XCTAssertEqual(strlen(text), needed - 1)
            XCTAssertTrue(memory.isUntouched(from: needed), "bytes past *needed were written")
            let string = String(cString: text)
            XCTAssertTrue(string.hasPrefix(#"{"format":"libsac","format_version":3,"kind":""#), String(string.prefix(80)))
            XCTAssertTrue(string.contains(kind == policy ? #""kind":"policy""# : #""kind":"checkpoint""#))
        }
    }

    func testToJSONWithALargerBufferWritesTheSameText() throws {
        let agent = try makeAgent()
        let exact = jsonBytes(agent, SAC_JSON_CHECKPOINT)
        let memory = PatternedMemory(count: exact.count + 1000)
        var needed = 0
        assertStatus(sac_to_json(agent, checkpoint, memory.pointer(to: CChar.self), memory.count, &needed), SAC_OK)
        XCTAssertEqual(needed, exact.count + 1)
        XCTAssertEqual(Array(UnsafeRawBufferPointer(start: memory.raw, count: exact.count)), exact)
        XCTAssertTrue(memory.isUntouched(from: needed))
    }

    func testToJSONRejectsNullAgent() {
        var needed = 12345
        let memory = PatternedMemory(count: 64)
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_to_json", mentioning: ["agent", "NULL"]) {
            sac_to_json(nil, self.policy, memory.pointer(to: CChar.self), memory.count, &needed)
        }
        XCTAssertEqual(needed, 12345)
        XCTAssertTrue(memory.isUntouched())
    }

    func testToJSONRejectsNullNeeded() throws {
        let agent = try makeAgent()
        let memory = PatternedMemory(count: 100_000)
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_to_json", mentioning: ["needed", "NULL"]) {
            sac_to_json(agent, self.policy, memory.pointer(to: CChar.self), memory.count, nil)
        }
        XCTAssertTrue(memory.isUntouched())
    }

    func testToJSONRejectsNullBufferWithNonzeroCapacity() throws {
        let agent = try makeAgent()
        for cap in [1, 100_000] {
            var needed = 12345
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_to_json", mentioning: ["buf", "NULL"]) {
                sac_to_json(agent, self.policy, nil, cap, &needed)
            }
            XCTAssertEqual(needed, 12345, "*needed was written by a failing call")
        }
    }

    func testToJSONRejectsAnUnknownKind() throws {
        let agent = try makeAgent()
        let memory = PatternedMemory(count: 100_000)
        for kind: Int32 in [0, 3, -1, .max] {
            var needed = 12345
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_INVALID_ARGUMENT, "sac_to_json", mentioning: ["kind", "\(kind)"]) {
                sac_to_json(agent, kind, memory.pointer(to: CChar.self), memory.count, &needed)
            }
            XCTAssertEqual(needed, 12345, "*needed was written by a failing call")
        }
        XCTAssertTrue(memory.isUntouched())
    }

    func testSaveJSONRejectsAnUnknownKindWithoutCreatingAFile() throws {
        let agent = try makeAgent()
        let directory = try makeTemporaryDirectory()
        for kind: Int32 in [0, 3] {
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_INVALID_ARGUMENT, "sac_save_json", mentioning: ["kind", "\(kind)"]) {
                sac_save_json(agent, directory + "/agent.json", kind)
            }
        }
        XCTAssertEqual(try directoryListing(directory), [])
    }

    func testADivergedAgentCannotBeSavedAndAnExistingFileStaysIntact() throws {
        let agent = try makeAgent()
        let directory = try makeTemporaryDirectory()
        let path = directory + "/agent.json"
        assertStatus(sac_save_json(agent, path, checkpoint), SAC_OK, lastErrorMessage())
        let saved = fileBytes(path)
        // The divergence guard keeps updates from writing NaN weights (DivergenceGuardTests), so the
        // weights are poisoned by hand here, the way memory corruption or a future bug would.
        // (assertFails, not assertFailsLeavingAgentUnchanged: a NaN weight also stops acting.)
        let object = Unmanaged<SACAgent>.fromOpaque(UnsafeRawPointer(agent)).takeUnretainedValue()
        (object.learner as! ContinuousSAC).actor.policy.network.parameters[5] = .nan
        for kind in [policy, checkpoint] {
            var needed = 12345
            assertFails(SAC_ERR_NON_FINITE, "sac_to_json", mentioning: ["actor", "nan", "diverged"]) {
                sac_to_json(agent, kind, nil, 0, &needed)
            }
            XCTAssertEqual(needed, 12345, "*needed was written by a failing call")
            assertFails(SAC_ERR_NON_FINITE, "sac_save_json", mentioning: ["diverged"]) {
                sac_save_json(agent, path, kind)
            }
        }
        XCTAssertEqual(fileBytes(path), saved, "a failed save changed the existing file")
        XCTAssertEqual(try directoryListing(directory), ["agent.json"])
    }

    // MARK: - Round trips

    func testCheckpointSaveLoadSaveGivesIdenticalFileBytes() throws {
        try assertSaveLoadSaveIsIdentical(kind: SAC_JSON_CHECKPOINT)
    }

    func testPolicySaveLoadSaveGivesIdenticalFileBytes() throws {
        try assertSaveLoadSaveIsIdentical(kind: SAC_JSON_POLICY)
    }

    private func assertSaveLoadSaveIsIdentical(kind: sac_json_kind, file: StaticString = #filePath, line: UInt = #line) throws {
        let agent = try makeTrainedAgent(file: file, line: line)
        let directory = try makeTemporaryDirectory(file: file, line: line)
        let (first, second) = (directory + "/first.json", directory + "/second.json")
        assertStatus(sac_save_json(agent, first, Int32(kind.rawValue)), SAC_OK, lastErrorMessage(), file: file, line: line)
        var loaded: OpaquePointer?
        assertStatus(sac_load_json(first, &loaded), SAC_OK, lastErrorMessage(), file: file, line: line)
        defer { sac_agent_destroy(loaded) }
        let reloaded = try XCTUnwrap(loaded, file: file, line: line)
        assertStatus(sac_save_json(reloaded, second, Int32(kind.rawValue)), SAC_OK, lastErrorMessage(), file: file, line: line)

        let bytes = fileBytes(first)
        XCTAssertGreaterThan(bytes.count, 100, file: file, line: line)
        XCTAssertEqual(fileBytes(second), bytes, "save -> load -> save changed the file", file: file, line: line)
        XCTAssertEqual(jsonBytes(agent, kind, file: file, line: line), bytes,
                       "sac_to_json's text differs from the file sac_save_json wrote", file: file, line: line)
        XCTAssertEqual(jsonBytes(reloaded, kind, file: file, line: line), bytes, file: file, line: line)
        XCTAssertNotEqual(bytes.last, 0, "the file ends with a NUL", file: file, line: line)
        XCTAssertEqual(try directoryListing(directory), ["first.json", "second.json"], file: file, line: line)
    }

    func testFromJSONOfToJSONTextGivesIdenticalText() throws {
        let agent = try makeTrainedAgent()
        for kind in [SAC_JSON_POLICY, SAC_JSON_CHECKPOINT] {
            let text = jsonBytes(agent, kind)
            XCTAssertEqual(jsonBytes(try loadAgent(json: text), kind), text, "kind \(kind.rawValue)")
        }
    }

    // MARK: - Policy-only agents

    func testAgentLoadedFromAPolicyActsDeterministicallyLikeTheOriginalBitForBit() throws {
        let agent = try makeTrainedAgent()
        let loaded = try loadAgent(json: jsonBytes(agent, SAC_JSON_POLICY))
        let observations: [[Float]] = [probeObservation(3), [0, 0, 0], [1, -1, 0.5], [100, -250, 3e-5], [-0.1, 0.2, -0.3],
                                       [1e6, 1e-6, -1e6], [Float.leastNormalMagnitude, -2, 7]]
        for obs in observations {
            XCTAssertEqual(bits(deterministicAction(loaded, obs)), bits(deterministicAction(agent, obs)), "obs \(obs)")
        }
        let rows = observations.flatMap { $0 }
        var original = [Float](repeating: .nan, count: observations.count)
        var copy = [Float](repeating: .nan, count: observations.count)
        assertStatus(sac_act_batch(agent, rows, observations.count, rows.count, 1, &original, original.count), SAC_OK)
        assertStatus(sac_act_batch(loaded, rows, observations.count, rows.count, 1, &copy, copy.count), SAC_OK)
        XCTAssertEqual(bits(copy), bits(original))
    }

    func testAgentLoadedFromAPolicyCanSampleActions() throws {
        let loaded = try loadAgent(json: jsonBytes(try makeTrainedAgent(), SAC_JSON_POLICY))
        for _ in 0..<5 {
            let action = act(loaded, probeObservation(3), deterministic: false)
            XCTAssertTrue(action.allSatisfy { $0 >= -2 && $0 <= 2 }, "\(action)")
        }
    }

    func testAgentLoadedFromAPolicyRefusesEverythingThatLearns() throws {
        let agent = try makeTrainedAgent()
        let loaded = try loadAgent(json: jsonBytes(agent, SAC_JSON_POLICY))
        let directory = try makeTemporaryDirectory()
        let replayPath = directory + "/replay.bin"
        assertStatus(sac_save_replay(agent, replayPath), SAC_OK, lastErrorMessage())

        let t = Transition(0, obsDim: 3, actionDim: 1)
        assertFailsLeavingAgentUnchanged(loaded, SAC_ERR_POLICY_ONLY, "sac_observe", mentioning: ["policy"]) {
            sac_observe(loaded, t.obs, t.obs.count, t.action, t.action.count, t.reward, t.nextObs, t.nextObs.count, 0, 0)
        }
        var stats = sac_update_stats()
        stats.struct_size = sizeofStats
        assertFailsLeavingAgentUnchanged(loaded, SAC_ERR_POLICY_ONLY, "sac_update", mentioning: ["policy"]) {
            sac_update(loaded, 1, &stats)
        }
        assertFailsLeavingAgentUnchanged(loaded, SAC_ERR_POLICY_ONLY, "sac_save_replay", mentioning: ["policy"]) {
            sac_save_replay(loaded, directory + "/policy-replay.bin")
        }
        assertFailsLeavingAgentUnchanged(loaded, SAC_ERR_POLICY_ONLY, "sac_load_replay", mentioning: ["policy"]) {
            sac_load_replay(loaded, replayPath)
        }
        var needed = 12345
        assertFailsLeavingAgentUnchanged(loaded, SAC_ERR_POLICY_ONLY, "sac_to_json", mentioning: ["policy"]) {
            sac_to_json(loaded, self.checkpoint, nil, 0, &needed)
        }
        XCTAssertEqual(needed, 12345, "*needed was written by a failing call")
        assertFailsLeavingAgentUnchanged(loaded, SAC_ERR_POLICY_ONLY, "sac_save_json", mentioning: ["policy"]) {
            sac_save_json(loaded, directory + "/checkpoint.json", self.checkpoint)
        }
        XCTAssertEqual(try directoryListing(directory), ["replay.bin"], "a refused save left a file")

        let state = snapshot(loaded)
        XCTAssertEqual(state.replaySize, 0)
        XCTAssertEqual(state.environmentSteps, 0)
        XCTAssertEqual(state.gradientSteps, 0)
        XCTAssertEqual(jsonBytes(loaded, SAC_JSON_POLICY), jsonBytes(agent, SAC_JSON_POLICY),
                       "a policy-only agent still writes its policy")
    }

    func testAgentLoadedFromAPolicyReportsTheOriginalConfig() throws {
        let config = Self.unusualConfig()
        let agent = try makeAgent(config)
        let loaded = try loadAgent(json: jsonBytes(agent, SAC_JSON_POLICY))
        assertSameConfig(agentConfig(loaded), agentConfig(agent))
        XCTAssertEqual(agentConfig(loaded).seed, config.seed)
        XCTAssertEqual(agentConfig(loaded).target_entropy, -2, "the resolved default target entropy")
    }

    func testAgentLoadedFromACheckpointReportsTheOriginalConfig() throws {
        let agent = try makeAgent(Self.unusualConfig())
        assertSameConfig(agentConfig(try loadAgent(json: jsonBytes(agent, SAC_JSON_CHECKPOINT))), agentConfig(agent))
    }

    /// A config where no field has its default value (target_entropy stays NaN: the default -action_dim).
    private static func unusualConfig() -> sac_config {
        var config = sac_config.small(seed: UInt64.max - 4)
        config.action_dim = 2
        config.setBounds(0, low: -0.1, high: 3.75)
        config.setBounds(1, low: -1e6, high: 1e-3)
        config.hidden_layers = 3
        config.setHiddenSize(0, 5)
        config.setHiddenSize(1, 7)
        config.setHiddenSize(2, 3)
        config.actor_lr = 1.25e-3
        config.critic_lr = 7e-4
        config.alpha_lr = 0.1
        config.gamma = 0.95
        config.tau = 0.02
        config.batch_size = 6
        config.replay_capacity = 30
        config.learning_starts = 11
        config.initial_alpha = 0.3
        config.auto_alpha = 0
        return config
    }

    // MARK: - Resuming training

    func testCheckpointAndReplayContinueTrainingBitIdentically() throws {
        let agent = try makeTrainedAgent()
        let directory = try makeTemporaryDirectory()
        let (checkpointPath, replayPath) = (directory + "/agent.json", directory + "/replay.bin")
        assertStatus(sac_save_json(agent, checkpointPath, checkpoint), SAC_OK, lastErrorMessage())
        assertStatus(sac_save_replay(agent, replayPath), SAC_OK, lastErrorMessage())
        var handle: OpaquePointer?
        assertStatus(sac_load_json(checkpointPath, &handle), SAC_OK, lastErrorMessage())
        let loaded = try XCTUnwrap(handle)
        defer { sac_agent_destroy(loaded) }
        assertStatus(sac_load_replay(loaded, replayPath), SAC_OK, lastErrorMessage())
        XCTAssertEqual(snapshot(loaded), snapshot(agent))

        for round in 0..<3 {
            XCTAssertEqual(bits(update(loaded, steps: 2)), bits(update(agent, steps: 2)), "update stats, round \(round)")
            for obs in [probeObservation(3), [0, 0, 0], [2, -1, 0.5]] as [[Float]] {
                XCTAssertEqual(bits(deterministicAction(loaded, obs)), bits(deterministicAction(agent, obs)), "round \(round), obs \(obs)")
            }
            XCTAssertEqual(bits(act(loaded, probeObservation(3), deterministic: false)),
                           bits(act(agent, probeObservation(3), deterministic: false)), "stochastic action, round \(round)")
            observeTransitions(loaded, (200 + 5 * round)..<(205 + 5 * round))
            observeTransitions(agent, (200 + 5 * round)..<(205 + 5 * round))
        }
        assertTwinsStillAgree(loaded, agent)
        XCTAssertEqual(jsonBytes(loaded, SAC_JSON_CHECKPOINT), jsonBytes(agent, SAC_JSON_CHECKPOINT))
    }

    func testCheckpointWithoutReplayKeepsCountersButStartsWithAnEmptyBuffer() throws {
        let agent = try makeTrainedAgent()
        let loaded = try loadAgent(json: jsonBytes(agent, SAC_JSON_CHECKPOINT))
        let (original, copy) = (snapshot(agent), snapshot(loaded))
        XCTAssertEqual(copy.environmentSteps, original.environmentSteps)
        XCTAssertEqual(copy.gradientSteps, original.gradientSteps)
        XCTAssertEqual(copy.deterministicAction, original.deterministicAction)
        XCTAssertEqual(copy.replaySize, 0)
        assertFailsLeavingAgentUnchanged(loaded, SAC_ERR_NOT_READY, "sac_update", mentioning: ["0"]) {
            sac_update(loaded, 1, nil)
        }
    }

    // MARK: - Replay file

    func testReplayFileRoundTripRestoresTheBuffer() throws {
        let directory = try makeTemporaryDirectory()
        for count in [0, 20, 100] {  // empty, partly filled, wrapped around (capacity 64)
            let (agent, twin) = try makeTwins()
            observeTransitions(agent, 0..<count)
            let (first, second) = (directory + "/first-\(count).bin", directory + "/second-\(count).bin")
            assertStatus(sac_save_replay(agent, first), SAC_OK, lastErrorMessage())
            assertStatus(sac_load_replay(twin, first), SAC_OK, lastErrorMessage())
            var size: UInt64 = 0
            assertStatus(sac_replay_size(twin, &size), SAC_OK)
            XCTAssertEqual(size, UInt64(min(count, 64)), "\(count) transitions observed")
            assertStatus(sac_save_replay(twin, second), SAC_OK, lastErrorMessage())
            XCTAssertEqual(fileBytes(second), fileBytes(first), "\(count) transitions observed")
            XCTAssertEqual(fileBytes(first).count, 48 + min(count, 64) * (2 * 3 + 1 + 2) * 4 + 8)
        }
    }

    func testLoadingAReplayReplacesTheBufferContents() throws {
        let source = try makeAgent()
        observeTransitions(source, 0..<10)
        let directory = try makeTemporaryDirectory()
        assertStatus(sac_save_replay(source, directory + "/replay.bin"), SAC_OK, lastErrorMessage())
        let target = try makeAgent()
        observeTransitions(target, 500..<530)
        assertStatus(sac_load_replay(target, directory + "/replay.bin"), SAC_OK, lastErrorMessage())
        var size: UInt64 = 0
        assertStatus(sac_replay_size(target, &size), SAC_OK)
        XCTAssertEqual(size, 10)
        assertStatus(sac_save_replay(target, directory + "/again.bin"), SAC_OK)
        XCTAssertEqual(fileBytes(directory + "/again.bin"), fileBytes(directory + "/replay.bin"))
    }

    func testLoadingAReplayWithOtherDimensionsFailsNamingThemAndChangesNothing() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/replay.bin"
        let source = try makeAgent()  // obs_dim 3, action_dim 1
        observeTransitions(source, 0..<20)
        assertStatus(sac_save_replay(source, path), SAC_OK, lastErrorMessage())

        var wider = sac_config.small()
        wider.obs_dim = 4
        var twoActions = sac_config.small()
        twoActions.action_dim = 2
        for (config, mentions) in [(wider, ["obs_dim 3", "(4, 1)"]), (twoActions, ["action_dim 1", "(3, 2)"])] {
            let (agent, twin) = try makeTwins(config)
            observeTransitions(agent, 0..<10)
            observeTransitions(twin, 0..<10)
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_FORMAT, "sac_load_replay", mentioning: mentions + ["dimensions"]) {
                sac_load_replay(agent, path)
            }
            assertTwinsStillAgree(agent, twin)
        }
    }

    func testLoadingATruncatedReplayFileFailsAndChangesNothing() throws {
        let (valid, directory) = try savedReplay()
        let (agent, twin) = try makeTwins()
        observeTransitions(agent, 0..<12)
        observeTransitions(twin, 0..<12)
        let cases: [(length: Int, mention: String)] = [
            (0, "too short"), (1, "too short"), (8, "too short"), (55, "too short"),
            (56, "checksum"), (100, "checksum"), (valid.count / 2, "checksum"), (valid.count - 9, "checksum"),
            (valid.count - 8, "checksum"), (valid.count - 1, "checksum"),
        ]
        for (length, mention) in cases {
            let path = directory + "/truncated-\(length).bin"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(valid.prefix(length))))
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_FORMAT, "sac_load_replay", mentioning: [mention]) {
                sac_load_replay(agent, path)
            }
        }
        assertTwinsStillAgree(agent, twin)
    }

    func testLoadingAReplayFileWithAFlippedByteFailsAndChangesNothing() throws {
        let (valid, directory) = try savedReplay()
        let (agent, twin) = try makeTwins()
        observeTransitions(agent, 0..<12)
        observeTransitions(twin, 0..<12)
        // Header fields, the first and last payload bytes, somewhere in between, the checksum.
        let cases: [(offset: Int, mention: String)] = [
            (0, "magic"), (7, "magic"), (8, "checksum"), (12, "checksum"), (24, "checksum"), (32, "checksum"),
            (40, "checksum"), (48, "checksum"), (48 + 37 * 5 + 2, "checksum"), (valid.count - 9, "checksum"),
            (valid.count - 8, "checksum"), (valid.count - 1, "checksum"),
        ]
        for (offset, mention) in cases {
            var bytes = valid
            bytes[offset] ^= 0x10
            let path = directory + "/flipped-\(offset).bin"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_FORMAT, "sac_load_replay", mentioning: [mention]) {
                sac_load_replay(agent, path)
            }
        }
        assertTwinsStillAgree(agent, twin)
    }

    /// Files with a correct checksum but content the format does not allow: the whole file is
    /// validated before the buffer changes.
    func testLoadingAReplayFileWithAValidChecksumButInvalidContentFailsAndChangesNothing() throws {
        let (valid, directory) = try savedReplay()  // 20 records of (3 + 1 + 1 + 3 + 1) floats
        let (agent, twin) = try makeTwins()
        observeTransitions(agent, 0..<12)
        observeTransitions(twin, 0..<12)
        let record = 48 + 36 * 19  // the last record
        let cases: [(name: String, offset: Int, value: [UInt8], mentions: [String])] = [
            ("version 2", 8, le32(2), ["version 2"]),
            ("count above capacity", 32, le64(65), ["inconsistent header"]),
            ("next_slot out of range", 40, le64(64), ["inconsistent header"]),
            ("count disagrees with the length", 32, le64(19), ["inconsistent header"]),
            ("NaN observation", record, le32(Float.nan.bitPattern), ["record 19", "nan"]),
            ("infinite reward", record + 16, le32(Float.infinity.bitPattern), ["record 19", "inf"]),
            ("action outside [-1, 1]", record + 12, le32(Float(1.5).bitPattern), ["record 19", "action"]),
            ("terminated 0.5", record + 32, le32(Float(0.5).bitPattern), ["record 19", "terminated"]),
        ]
        for (name, offset, value, mentions) in cases {
            var bytes = Array(valid.dropLast(8))
            bytes.replaceSubrange(offset..<(offset + value.count), with: value)
            bytes += le64(fnv1a(bytes))
            let path = directory + "/invalid.bin"
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            let message = assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_FORMAT, "sac_load_replay", mentioning: mentions) {
                sac_load_replay(agent, path)
            }
            XCTAssertFalse(message.contains("checksum"), "\(name): \(message)")
        }
        assertTwinsStillAgree(agent, twin)
    }

    func testLoadingAMissingReplayFileFailsWithTheSystemReason() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory + "/no-such-replay.bin"
        let (agent, twin) = try makeTwins()
        observeTransitions(agent, 0..<12)
        observeTransitions(twin, 0..<12)
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_IO, "sac_load_replay", mentioning: [path, "No such file or directory"]) {
            sac_load_replay(agent, path)
        }
        assertTwinsStillAgree(agent, twin)
    }

    func testLoadingAReplayIntoABiggerBufferKeepsEveryTransitionInOrder() throws {
        var bigger = sac_config.small()
        bigger.replay_capacity = 128
        // Not full: transitions 0..<20; wrapped around (capacity 64): transitions 36..<100 remain.
        for (observed, kept) in [(0..<20, 0..<20), (0..<100, 36..<100)] {
            try assertReplayLoad(observed: observed, into: bigger, keeps: kept)
        }
    }

    func testLoadingAReplayIntoASmallerBufferKeepsTheNewestTransitions() throws {
        var smaller = sac_config.small()
        smaller.replay_capacity = 16
        for (observed, kept) in [(0..<20, 4..<20), (0..<100, 84..<100), (0..<10, 0..<10)] {
            try assertReplayLoad(observed: observed, into: smaller, keeps: kept)
        }
    }

    /// An agent (capacity 64) observes `observed` and saves its replay; an agent made from `config`
    /// loads it and must then hold exactly what an agent made from `config` holds after observing
    /// `kept` itself (compared through their own replay files), and must be able to train.
    private func assertReplayLoad(observed: Range<Int>, into config: sac_config, keeps kept: Range<Int>,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let directory = try makeTemporaryDirectory(file: file, line: line)
        let source = try makeAgent(file: file, line: line)
        observeTransitions(source, observed, file: file, line: line)
        assertStatus(sac_save_replay(source, directory + "/source.bin"), SAC_OK, lastErrorMessage(), file: file, line: line)
        let target = try makeAgent(config, file: file, line: line)
        assertStatus(sac_load_replay(target, directory + "/source.bin"), SAC_OK, lastErrorMessage(), file: file, line: line)
        var size: UInt64 = 0
        assertStatus(sac_replay_size(target, &size), SAC_OK, file: file, line: line)
        XCTAssertEqual(size, UInt64(kept.count), "observed \(observed)", file: file, line: line)

        let expected = try makeAgent(config, file: file, line: line)
        observeTransitions(expected, kept, file: file, line: line)
        assertStatus(sac_save_replay(target, directory + "/target.bin"), SAC_OK, file: file, line: line)
        assertStatus(sac_save_replay(expected, directory + "/expected.bin"), SAC_OK, file: file, line: line)
        XCTAssertEqual(fileBytes(directory + "/target.bin"), fileBytes(directory + "/expected.bin"),
                       "observed \(observed): the loaded buffer does not hold transitions \(kept) in order", file: file, line: line)
        if kept.count >= 8 {
            XCTAssertEqual(bits(update(target, file: file, line: line)), bits(update(expected, file: file, line: line)),
                           file: file, line: line)
        }
    }

    // MARK: - Files

    func testSavingIntoAMissingDirectoryFailsWithIOErrorNamingThePath() throws {
        let agent = try makeAgent()
        let directory = try makeTemporaryDirectory()
        let path = directory + "/missing/agent.json"
        for kind in [policy, checkpoint] {
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_IO, "sac_save_json", mentioning: [path, "No such file or directory"]) {
                sac_save_json(agent, path, kind)
            }
        }
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_IO, "sac_save_replay", mentioning: [path, "No such file or directory"]) {
            sac_save_replay(agent, path)
        }
        XCTAssertEqual(try directoryListing(directory), [])
    }

    func testSavingOverADirectoryFailsAndLeavesTheDirectoryIntact() throws {
        let agent = try makeAgent()
        observeTransitions(agent, 0..<5)
        let directory = try makeTemporaryDirectory()
        let path = directory + "/target"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        XCTAssertTrue(FileManager.default.createFile(atPath: path + "/keep.txt", contents: Data("keep".utf8)))
        for kind in [policy, checkpoint] {
            assertFailsLeavingAgentUnchanged(agent, SAC_ERR_IO, "sac_save_json", mentioning: [path]) {
                sac_save_json(agent, path, kind)
            }
        }
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_IO, "sac_save_replay", mentioning: [path]) {
            sac_save_replay(agent, path)
        }
        var isDirectory: ObjCBool = false
        XCTAssertTrue(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory))
        XCTAssertTrue(isDirectory.boolValue, "the directory was replaced")
        XCTAssertEqual(try directoryListing(path), ["keep.txt"])
        XCTAssertEqual(fileBytes(path + "/keep.txt"), Array("keep".utf8))
        XCTAssertEqual(try directoryListing(directory), ["target"], "a failed save left a temporary file")
    }

    func testFailedSavesLeaveNoTemporaryFiles() throws {
        let agent = try makeAgent()
        let directory = try makeTemporaryDirectory()
        let existing = directory + "/existing"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)
        for _ in 0..<3 {
            assertStatus(sac_save_json(agent, existing, checkpoint), SAC_ERR_IO)
            assertStatus(sac_save_replay(agent, existing), SAC_ERR_IO)
            assertStatus(sac_save_json(agent, directory + "/missing/x.json", policy), SAC_ERR_IO)
            assertStatus(sac_save_json(agent, directory + "/x.json", 7), SAC_ERR_INVALID_ARGUMENT)
        }
        let leftovers = try directoryListing(directory).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [])
        XCTAssertEqual(try directoryListing(directory), ["existing"])
        XCTAssertEqual(try directoryListing(existing), [])
    }

    func testSuccessfulSavesLeaveOnlyTheTargetFile() throws {
        let agent = try makeAgent()
        observeTransitions(agent, 0..<9)
        let directory = try makeTemporaryDirectory()
        for _ in 0..<2 {
            assertStatus(sac_save_json(agent, directory + "/agent.json", checkpoint), SAC_OK, lastErrorMessage())
            assertStatus(sac_save_replay(agent, directory + "/replay.bin"), SAC_OK, lastErrorMessage())
        }
        XCTAssertEqual(try directoryListing(directory), ["agent.json", "replay.bin"])
    }

    func testSavingOverAnExistingFileReplacesItCompletely() throws {
        let agent = try makeTrainedAgent()
        let directory = try makeTemporaryDirectory()
        let path = directory + "/agent.json"
        // A longer file first (a checkpoint, then junk), so that leftover bytes would show.
        assertStatus(sac_save_json(agent, path, checkpoint), SAC_OK, lastErrorMessage())
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(fileBytes(path) + Array(repeating: 0x41, count: 5000))))
        assertStatus(sac_save_json(agent, path, policy), SAC_OK, lastErrorMessage())
        XCTAssertEqual(fileBytes(path), jsonBytes(agent, SAC_JSON_POLICY))
        assertStatus(sac_save_json(agent, path, checkpoint), SAC_OK, lastErrorMessage())
        XCTAssertEqual(fileBytes(path), jsonBytes(agent, SAC_JSON_CHECKPOINT))
        XCTAssertEqual(try directoryListing(directory), ["agent.json"])
    }

    func testLoadingAMissingJSONFileFailsWithNoSuchFile() throws {
        let path = try makeTemporaryDirectory() + "/no-such-agent.json"
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_IO, "sac_load_json", mentioning: [path, "No such file"]) {
            sac_load_json(path, &handle)
        }
        XCTAssertEqual(handle, untouchedHandle)
    }

    func testLoadingJSONFromADirectoryFailsWithIOError() throws {
        let path = try makeTemporaryDirectory()
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_IO, "sac_load_json", mentioning: [path, "Is a directory"]) {
            sac_load_json(path, &handle)
        }
        XCTAssertEqual(handle, untouchedHandle)
    }

    func testEmptyPathsFailWithIOError() throws {
        let agent = try makeAgent()
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_IO, "sac_save_json", mentioning: []) { sac_save_json(agent, "", self.policy) }
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_IO, "sac_save_replay", mentioning: []) { sac_save_replay(agent, "") }
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_IO, "sac_load_replay", mentioning: []) { sac_load_replay(agent, "") }
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_IO, "sac_load_json", mentioning: []) { sac_load_json("", &handle) }
        XCTAssertEqual(handle, untouchedHandle)
    }

    func testNullArgumentsAreRejected() throws {
        let agent = try makeAgent()
        let directory = try makeTemporaryDirectory()
        let path = directory + "/file"
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_save_json", mentioning: ["path", "NULL"]) {
            sac_save_json(agent, nil, self.checkpoint)
        }
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_save_replay", mentioning: ["path", "NULL"]) {
            sac_save_replay(agent, nil)
        }
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_load_replay", mentioning: ["path", "NULL"]) {
            sac_load_replay(agent, nil)
        }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_save_json", mentioning: ["agent", "NULL"]) { sac_save_json(nil, path, self.policy) }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_save_replay", mentioning: ["agent", "NULL"]) { sac_save_replay(nil, path) }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_load_replay", mentioning: ["agent", "NULL"]) { sac_load_replay(nil, path) }

        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_load_json", mentioning: ["path", "NULL"]) { sac_load_json(nil, &handle) }
        assertStatus(sac_save_json(agent, path, policy), SAC_OK)
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_load_json", mentioning: ["out", "NULL"]) { sac_load_json(path, nil) }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_from_json", mentioning: ["json", "NULL"]) { sac_from_json(nil, 10, &handle) }
        let text = jsonBytes(agent, SAC_JSON_POLICY).map { CChar(bitPattern: $0) }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_from_json", mentioning: ["out", "NULL"]) { sac_from_json(text, text.count, nil) }
        XCTAssertEqual(handle, untouchedHandle)
        XCTAssertEqual(try directoryListing(directory), ["file"])
    }

    // MARK: - Helpers

    /// An agent with non-trivial state: transitions stored, gradient steps taken (Adam moments and
    /// step counts, log alpha and the target critics moved), stochastic actions drawn.
    private func makeTrainedAgent(file: StaticString = #filePath, line: UInt = #line) throws -> OpaquePointer {
        let agent = try makeAgent(file: file, line: line)
        observeTransitions(agent, 0..<30, file: file, line: line)
        _ = update(agent, steps: 4, file: file, line: line)
        for _ in 0..<3 { _ = act(agent, probeObservation(3), deterministic: false, file: file, line: line) }
        return agent
    }

    /// The replay file of a small agent (capacity 64) holding 20 transitions, in a new directory.
    private func savedReplay(file: StaticString = #filePath, line: UInt = #line) throws -> (bytes: [UInt8], directory: String) {
        let agent = try makeAgent(file: file, line: line)
        observeTransitions(agent, 0..<20, file: file, line: line)
        let directory = try makeTemporaryDirectory(file: file, line: line)
        assertStatus(sac_save_replay(agent, directory + "/valid.bin"), SAC_OK, lastErrorMessage(), file: file, line: line)
        let bytes = fileBytes(directory + "/valid.bin")
        XCTAssertEqual(bytes.count, 48 + 20 * 36 + 8, file: file, line: line)
        return (bytes, directory)
    }
}

/// The names in a directory, sorted.
private func directoryListing(_ path: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
}

/// A file's bytes (empty if it cannot be read).
private func fileBytes(_ path: String) -> [UInt8] {
    FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
}

private func le32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
private func le64(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

/// FNV-1a 64, the replay file's checksum (sac.h points to docs/weights-format.md for the layout).
private func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}
