import CSac
import SACCore
import XCTest

/// sac_config_default and sac_agent_config.
final class ConfigTests: XCTestCase {
    /// The header's array capacities are the core's limits: the bridge reads no further than the
    /// arrays go, and accepts everything the core does.
    func testTheHeaderArraysHoldTheCoreLimits() {
        XCTAssertEqual(Int(SAC_MAX_ACTION_DIM), AgentConfig.Limits.actionDim.upperBound)
        XCTAssertEqual(Int(SAC_MAX_HIDDEN_LAYERS), AgentConfig.Limits.hiddenLayers.upperBound)
    }

    func testConfigDefaultFillsDocumentedDefaults() {
        var config = sac_config()
        assertStatus(sac_config_default(&config, sizeofConfig), SAC_OK)
        XCTAssertEqual(config.struct_size, sizeofConfig)
        XCTAssertEqual(config.obs_dim, 0)
        XCTAssertEqual(config.action_dim, 0)
        for i in 0..<Int(SAC_MAX_ACTION_DIM) {
            XCTAssertEqual(config.actionLow(i), -1, "action_low[\(i)]")
            XCTAssertEqual(config.actionHigh(i), 1, "action_high[\(i)]")
        }
        XCTAssertEqual(config.hidden_layers, 2)
        for i in 0..<Int(SAC_MAX_HIDDEN_LAYERS) {
            XCTAssertEqual(config.hiddenSize(i), 256, "hidden_sizes[\(i)]")
        }
        XCTAssertEqual(config.actor_lr, 3e-4)
        XCTAssertEqual(config.critic_lr, 3e-4)
        XCTAssertEqual(config.alpha_lr, 3e-4)
        XCTAssertEqual(config.gamma, 0.99)
        XCTAssertEqual(config.tau, 0.005)
        XCTAssertEqual(config.batch_size, 256)
        XCTAssertEqual(config.replay_capacity, 1_000_000)
        XCTAssertEqual(config.learning_starts, 100)
        XCTAssertTrue(config.initial_alpha.isNaN, "initial_alpha is \(config.initial_alpha)")
        XCTAssertEqual(config.auto_alpha, SAC_AUTO_ALPHA_DEFAULT)
        XCTAssertTrue(config.target_entropy.isNaN, "target_entropy is \(config.target_entropy)")
        XCTAssertEqual(config.seed, 0)
        XCTAssertEqual(config.algorithm, Int32(SAC_ALGO_CONTINUOUS.rawValue))
        XCTAssertEqual(config.n_actions, 0)
        XCTAssertEqual(config.target_entropy_scale, 0.98)
        XCTAssertEqual(config.normalize_observations, 0)
        XCTAssertEqual(config.obs_clip, 10)
        XCTAssertEqual(config.obs_epsilon, 1e-8)
        XCTAssertEqual(config.target_update_interval, 1)
    }

    func testConfigDefaultRejectsNullOut() {
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_config_default", mentioning: ["out", "NULL"]) {
            sac_config_default(nil, sizeofConfig)
        }
    }

    func testConfigDefaultRejectsStructSizeSmallerThanTheHeaders() {
        for size in [0, MemoryLayout<Int>.size, sizeofConfigV0_1 - 4] {
            let memory = PatternedMemory(count: sizeofConfig)
            assertFails(SAC_ERR_STRUCT_SIZE, "sac_config_default", mentioning: ["struct_size", "\(size)"]) {
                sac_config_default(memory.pointer(to: sac_config.self), size)
            }
            XCTAssertTrue(memory.isUntouched(), "struct_size \(size) wrote to *out")
        }
    }

    func testConfigDefaultRejectsStructSizeLargerThanTheLibraryKnows() {
        let size = sizeofConfig + 8
        let memory = PatternedMemory(count: size)
        assertFails(SAC_ERR_STRUCT_SIZE, "sac_config_default", mentioning: ["struct_size", "\(size)"]) {
            sac_config_default(memory.pointer(to: sac_config.self), size)
        }
        XCTAssertTrue(memory.isUntouched())
    }

    func testAgentConfigRoundTripsTheCreatedConfig() throws {
        var config = sac_config.small(seed: 42)
        config.obs_dim = 5
        config.action_dim = 2
        config.setBounds(0, low: 0, high: 10)
        config.setBounds(1, low: -3, high: -1)
        config.hidden_layers = 3
        config.setHiddenSize(0, 12)
        config.setHiddenSize(1, 7)
        config.setHiddenSize(2, 9)
        config.actor_lr = 1e-3
        config.critic_lr = 2e-3
        config.alpha_lr = 5e-4
        config.gamma = 0.95
        config.tau = 0.02
        config.batch_size = 4
        config.replay_capacity = 100
        config.learning_starts = 10
        config.initial_alpha = 0.2
        config.auto_alpha = 0
        config.target_entropy = -1.5
        let agent = try makeAgent(config)

        let copy = agentConfig(agent)
        assertSameConfig(copy, config)
    }

    func testAgentConfigResolvesNaNTargetEntropyToMinusActionDim() throws {
        var config = sac_config.small()
        config.action_dim = 2
        config.setBounds(1, low: -1, high: 1)
        XCTAssertTrue(config.target_entropy.isNaN)
        let agent = try makeAgent(config)
        XCTAssertEqual(agentConfig(agent).target_entropy, -2)
    }

    func testAgentKeepsItsOwnCopyOfTheConfig() throws {
        var config = sac_config.small()
        let agent = try makeAgent(config)
        config.obs_dim = 9
        config.gamma = 0.5
        config.setBounds(0, low: 5, high: 6)
        let copy = agentConfig(agent)
        XCTAssertEqual(copy.obs_dim, 3)
        XCTAssertEqual(copy.gamma, sac_config.small().gamma)
        XCTAssertEqual(copy.actionLow(0), -2)
        XCTAssertEqual(copy.actionHigh(0), 2)
    }

    func testAgentConfigRejectsNullAgent() {
        let memory = PatternedMemory(count: sizeofConfig)
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_agent_config", mentioning: ["agent", "NULL"]) {
            sac_agent_config(nil, memory.pointer(to: sac_config.self), sizeofConfig)
        }
        XCTAssertTrue(memory.isUntouched())
    }

    func testAgentConfigRejectsNullOut() throws {
        let agent = try makeAgent()
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_NULL_ARGUMENT, "sac_agent_config", mentioning: ["out", "NULL"]) {
            sac_agent_config(agent, nil, sizeofConfig)
        }
    }

    func testAgentConfigRejectsStructSizeTooSmall() throws {
        let agent = try makeAgent()
        let size = sizeofConfigV0_1 - 4
        let memory = PatternedMemory(count: sizeofConfig)
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_STRUCT_SIZE, "sac_agent_config", mentioning: ["struct_size", "\(size)"]) {
            sac_agent_config(agent, memory.pointer(to: sac_config.self), size)
        }
        XCTAssertTrue(memory.isUntouched())
    }

    func testAgentConfigRejectsStructSizeTooLarge() throws {
        let agent = try makeAgent()
        let size = sizeofConfig + 8
        let memory = PatternedMemory(count: size)
        assertFailsLeavingAgentUnchanged(agent, SAC_ERR_STRUCT_SIZE, "sac_agent_config", mentioning: ["struct_size", "\(size)"]) {
            sac_agent_config(agent, memory.pointer(to: sac_config.self), size)
        }
        XCTAssertTrue(memory.isUntouched())
    }
}
