import CSac
import XCTest

/// The 0.3.0 config fields through the ABI: normalize_observations, obs_clip, obs_epsilon and
/// target_update_interval: every bad value rejected at create and at load with the field named;
/// sac_agent_obs_normalization's errors; older files and smaller structs get the defaults.
final class NormalizationAndTargetIntervalABITests: XCTestCase {
    static func normalizing(_ config: sac_config = .small()) -> sac_config {
        var config = config
        config.normalize_observations = 1
        return config
    }

    func testCreateRejectsEveryBadValueNamingTheField() {
        let bad: [(String, (inout sac_config) -> Void)] = [
            ("normalize_observations", { $0.normalize_observations = 2 }),
            ("normalize_observations", { $0.normalize_observations = -1 }),
            ("obs_clip", { $0.obs_clip = 0 }), ("obs_clip", { $0.obs_clip = -1 }),
            ("obs_clip", { $0.obs_clip = .nan }), ("obs_clip", { $0.obs_clip = .infinity }),
            ("obs_epsilon", { $0.obs_epsilon = 0 }), ("obs_epsilon", { $0.obs_epsilon = -1e-8 }),
            ("obs_epsilon", { $0.obs_epsilon = .nan }), ("obs_epsilon", { $0.obs_epsilon = .infinity }),
            ("target_update_interval", { $0.target_update_interval = 0 }),
        ]
        for (field, change) in bad {
            var config = Self.normalizing()
            change(&config)
            var handle: OpaquePointer? = untouchedHandle
            assertFails(SAC_ERR_INVALID_CONFIG, "sac_agent_create", mentioning: ["sac_config.\(field)"]) {
                sac_agent_create(&config, &handle)
            }
            XCTAssertEqual(handle, untouchedHandle, "*out was written")
        }
        var largest = Self.normalizing()
        largest.target_update_interval = .max
        largest.obs_clip = .greatestFiniteMagnitude
        largest.obs_epsilon = .leastNonzeroMagnitude
        XCTAssertNoThrow(try makeAgent(largest))
    }

    /// A program compiled against the 0.2 header passes a sac_config that ends at target_entropy_scale.
    func testA0_2SizedConfigGetsTheDefaultsOfTheAppendedFields() throws {
        let memory = PatternedMemory(count: sizeofConfig)
        memory.pointer(to: sac_config.self).pointee = .small()
        memory.setStructSize(MemoryLayout<sac_config>.offset(of: \.normalize_observations)!)
        var handle: OpaquePointer?
        assertStatus(sac_agent_create(memory.pointer(to: sac_config.self), &handle), SAC_OK, lastErrorMessage())
        defer { sac_agent_destroy(handle) }
        let config = agentConfig(try XCTUnwrap(handle))
        XCTAssertEqual(config.normalize_observations, 0)
        XCTAssertEqual(config.obs_clip, 10)
        XCTAssertEqual(config.obs_epsilon, 1e-8)
        XCTAssertEqual(config.target_update_interval, 1)
    }

    func testObsNormalizationReportsTheStatisticsAndItsErrors() throws {
        let agent = try makeAgent(Self.normalizing())
        var (mean, variance, count) = ([Double](repeating: .nan, count: 3), [Double](repeating: .nan, count: 3), UInt64.max)
        assertStatus(sac_agent_obs_normalization(agent, &mean, &variance, 3, &count), SAC_OK, lastErrorMessage())
        XCTAssertEqual(mean, [0, 0, 0])
        XCTAssertEqual(variance, [1, 1, 1])
        XCTAssertEqual(count, 0)
        observeTransitions(agent, 0..<10)
        assertStatus(sac_agent_obs_normalization(agent, &mean, nil, 3, nil), SAC_OK, lastErrorMessage())
        assertStatus(sac_agent_obs_normalization(agent, nil, nil, 3, &count), SAC_OK, lastErrorMessage())
        XCTAssertEqual(count, 10)
        let expected = (0..<3).map { i in (0..<10).map { Double(Transition($0, obsDim: 3, actionDim: 1).obs[i]) }.reduce(0, +) / 10 }
        for i in 0..<3 { XCTAssertEqual(mean[i], expected[i], accuracy: 1e-12, "mean[\(i)]") }

        mean = [7, 7, 7]
        assertFails(SAC_ERR_LENGTH, "sac_agent_obs_normalization", mentioning: ["obs_len", "4", "3"]) {
            sac_agent_obs_normalization(agent, &mean, nil, 4, nil)
        }
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_agent_obs_normalization", mentioning: ["agent"]) {
            sac_agent_obs_normalization(nil, &mean, nil, 3, nil)
        }
        let plain = try makeAgent(.small())
        assertFails(SAC_ERR_INVALID_ARGUMENT, "sac_agent_obs_normalization", mentioning: ["normalize_observations"]) {
            sac_agent_obs_normalization(plain, &mean, nil, 3, nil)
        }
        XCTAssertEqual(mean, [7, 7, 7], "a failing call wrote its output")
    }

    /// A policy-only agent keeps the statistics it was saved with: it acts the same, bit for bit, and
    /// cannot observe (so the statistics are frozen).
    func testAPolicyFileActsBitForBitWithItsStatistics() throws {
        for (name, config) in everyAlgorithm {
            let agent = try makeTrainedAgent(Self.normalizing(config))
            let policy = try loadAgent(json: jsonBytes(agent, SAC_JSON_POLICY))
            for k in 0..<5 {
                let obs = Transition(100 + k, obsDim: 3, actionDim: 1).obs.map { $0 * 50 }
                XCTAssertEqual(actionBits(policy, obs, discrete: config.isDiscrete),
                               actionBits(agent, obs, discrete: config.isDiscrete), name)
            }
        }
    }

    func testLoadRejectsEveryBadValueNamingTheField() throws {
        let json = jsonBytes(try makeTrainedAgent(Self.normalizing()), SAC_JSON_CHECKPOINT)
        let cases: [(String, String, [String])] = [
            (#""normalize_observations":true"#, #""normalize_observations":1"#, ["normalize_observations", "boolean"]),
            (#""obs_clip":10.0"#, #""obs_clip":0"#, ["$.config", "obs_clip"]),
            (#""obs_clip":10.0"#, #""obs_clip":-3"#, ["$.config", "obs_clip"]),
            (#""obs_epsilon":1e-08"#, #""obs_epsilon":0"#, ["$.config", "obs_epsilon"]),
            (#""obs_epsilon":1e-08"#, #""obs_epsilon":1e39"#, ["obs_epsilon", "finite"]),
            (#""target_update_interval":1"#, #""target_update_interval":0"#, ["target_update_interval"]),
            (#""target_update_interval":1"#, #""target_update_interval":4294967296"#, ["target_update_interval"]),
            (#""target_update_interval":1"#, #""target_update_interval":1.5"#, ["target_update_interval", "integer"]),
            (#""count":20"#, #""count":-1"#, ["$.obs_normalization.count"]),
            (#""var":\[[^\]]*\]"#, #""var":[1,-2,3]"#, ["$.obs_normalization.var[1]", "negative"]),
            (#""var":\[[^\]]*\]"#, #""var":[1,2]"#, ["$.obs_normalization.var", "3"]),
            (#""mean":\[[^\]]*\]"#, #""mean":[1,2,1e400]"#, ["$.obs_normalization.mean[2]"]),
            (#""mean":\[[^\]]*\]"#, #""mean":[1,"2",3]"#, ["$.obs_normalization.mean[1]"]),
            (#","obs_normalization":\{[^}]*\}"#, "", ["obs_normalization"]),
            (#""normalize_observations":true"#, #""normalize_observations":false"#, ["obs_normalization"]),
        ]
        for (pattern, replacement, mentions) in cases {
            assertRejected(editing(json, pattern, to: replacement), mentioning: mentions)
        }
    }

    /// A version 2 file (libsac 0.2) has none of the new keys: it loads with their defaults.
    func testVersionTwoFilesLoadWithTheDefaults() throws {
        let json = jsonBytes(try makeTrainedAgent(.small()), SAC_JSON_CHECKPOINT)
        let v2 = editing(editing(json, #","normalize_observations":false,"obs_clip":10.0,"obs_epsilon":1e-08,"target_update_interval":1\}"#,
                                 to: "}"), #""format_version":3"#, to: #""format_version":2"#)
        let agent = try loadAgent(json: v2)
        let config = agentConfig(agent)
        XCTAssertEqual(config.normalize_observations, 0)
        XCTAssertEqual(config.target_update_interval, 1)
        // ... and a version 2 file that has them is rejected: they are unknown keys there.
        assertRejected(editing(json, #""format_version":3"#, to: #""format_version":2"#), mentioning: ["normalize_observations"])
    }

    func actionBits(_ agent: OpaquePointer, _ obs: [Float], discrete: Bool) -> [UInt32] {
        if discrete {
            var index: Int32 = -1
            assertStatus(sac_act_discrete(agent, obs, obs.count, 1, &index), SAC_OK, lastErrorMessage())
            return [UInt32(bitPattern: index)]
        }
        return deterministicAction(agent, obs).map(\.bitPattern)
    }
}
