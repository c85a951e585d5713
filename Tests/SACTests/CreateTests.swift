import CSac
import XCTest

/// sac_agent_create's argument and config validation, and sac_agent_destroy.
final class CreateTests: XCTestCase {
    func testCreateAcceptsTheSmallConfig() throws {
        var config = sac_config.small()
        var handle: OpaquePointer? = untouchedHandle
        assertStatus(sac_agent_create(&config, &handle), SAC_OK, lastErrorMessage())
        XCTAssertNotEqual(handle, untouchedHandle)
        XCTAssertNotNil(handle)
        sac_agent_destroy(handle)
    }

    func testCreateAcceptsBoundaryValues() throws {
        var config = sac_config.small()
        config.gamma = 0
        config.tau = 1
        config.replay_capacity = UInt64(config.batch_size)
        config.action_dim = UInt32(SAC_MAX_ACTION_DIM)
        for i in 0..<Int(SAC_MAX_ACTION_DIM) { config.setBounds(i, low: -1, high: 1) }
        config.hidden_layers = UInt32(SAC_MAX_HIDDEN_LAYERS)
        for i in 0..<Int(SAC_MAX_HIDDEN_LAYERS) { config.setHiddenSize(i, 1) }
        _ = try makeAgent(config)
        config.gamma = 1
        _ = try makeAgent(config)
    }

    func testDestroyAcceptsNull() {
        sac_agent_destroy(nil)
    }

    func testCreateRejectsNullConfig() {
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_agent_create", mentioning: ["config", "NULL"]) {
            sac_agent_create(nil, &handle)
        }
        XCTAssertEqual(handle, untouchedHandle)
    }

    func testCreateRejectsNullOut() {
        var config = sac_config.small()
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_agent_create", mentioning: ["out", "NULL"]) {
            sac_agent_create(&config, nil)
        }
    }

    func testCreateRejectsStructSizeTooSmall() {
        let size = sizeofConfigV0_1 - 4
        let memory = PatternedMemory(count: sizeofConfig)
        memory.pointer(to: sac_config.self).pointee = .small()
        memory.setStructSize(size)
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_STRUCT_SIZE, "sac_agent_create", mentioning: ["struct_size", "\(size)"]) {
            sac_agent_create(memory.pointer(to: sac_config.self), &handle)
        }
        XCTAssertEqual(handle, untouchedHandle)
    }

    func testCreateRejectsStructSizeTooLarge() {
        let size = sizeofConfig + 8
        let memory = PatternedMemory(count: size)
        memory.pointer(to: sac_config.self).pointee = .small()
        memory.setStructSize(size)
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_STRUCT_SIZE, "sac_agent_create", mentioning: ["struct_size", "\(size)"]) {
            sac_agent_create(memory.pointer(to: sac_config.self), &handle)
        }
        XCTAssertEqual(handle, untouchedHandle)
    }

    func testCreateRejectsZeroObsDim() {
        assertCreateRejects(mentioning: ["obs_dim", "0"]) { $0.obs_dim = 0 }
    }

    func testCreateRejectsZeroActionDim() {
        assertCreateRejects(mentioning: ["action_dim", "0"]) { $0.action_dim = 0 }
    }

    func testCreateRejectsActionDimAboveMaximum() {
        let tooMany = UInt32(SAC_MAX_ACTION_DIM) + 1
        assertCreateRejects(mentioning: ["action_dim", "\(tooMany)"]) { $0.action_dim = tooMany }
    }

    func testCreateRejectsZeroHiddenLayers() {
        assertCreateRejects(mentioning: ["hidden_layers", "0"]) { $0.hidden_layers = 0 }
    }

    func testCreateRejectsMoreHiddenLayersThanMaximum() {
        let tooMany = UInt32(SAC_MAX_HIDDEN_LAYERS) + 1
        assertCreateRejects(mentioning: ["hidden_layers", "\(tooMany)"]) { $0.hidden_layers = tooMany }
    }

    func testCreateRejectsZeroHiddenSize() {
        assertCreateRejects(mentioning: ["hidden_sizes[1]", "0"]) { $0.setHiddenSize(1, 0) }
    }

    func testCreateRejectsLowNotBelowHigh() {
        assertCreateRejects(mentioning: ["action_low[0]", "action_high[0]"]) { $0.setBounds(0, low: 2, high: 2) }
        assertCreateRejects(mentioning: ["action_low[0]", "action_high[0]"]) { $0.setBounds(0, low: 3, high: -3) }
        assertCreateRejects(mentioning: ["action_low[1]", "action_high[1]"]) {
            $0.action_dim = 2
            $0.setBounds(1, low: 1, high: 0.5)
        }
    }

    func testCreateRejectsNonFiniteBounds() {
        for bad: Float in [.nan, .infinity, -.infinity] {
            assertCreateRejects(mentioning: ["action_low[0]", "finite"]) { $0.setBounds(0, low: bad, high: 2) }
            assertCreateRejects(mentioning: ["action_high[0]", "finite"]) { $0.setBounds(0, low: -2, high: bad) }
            assertCreateRejects(mentioning: ["action_low[1]", "finite"]) {
                $0.action_dim = 2
                $0.setBounds(1, low: bad, high: 1)
            }
        }
    }

    func testCreateRejectsNonPositiveOrNaNLearningRates() {
        let fields: [(String, WritableKeyPath<sac_config, Float>)] =
            [("actor_lr", \.actor_lr), ("critic_lr", \.critic_lr), ("alpha_lr", \.alpha_lr)]
        for (name, field) in fields {
            for bad: Float in [0, -1e-3, .nan, .infinity] {
                assertCreateRejects(mentioning: [name]) { $0[keyPath: field] = bad }
            }
        }
    }

    func testCreateRejectsGammaOutsideUnitInterval() {
        for bad: Float in [-0.01, 1.01, .nan] {
            assertCreateRejects(mentioning: ["gamma"]) { $0.gamma = bad }
        }
    }

    func testCreateRejectsTauZeroOrAboveOne() {
        for bad: Float in [0, -0.1, 1.5, .nan] {
            assertCreateRejects(mentioning: ["tau"]) { $0.tau = bad }
        }
    }

    func testCreateRejectsZeroBatchSize() {
        assertCreateRejects(mentioning: ["batch_size", "0"]) { $0.batch_size = 0 }
    }

    func testCreateRejectsReplayCapacityBelowBatchSize() {
        assertCreateRejects(mentioning: ["replay_capacity", "7"]) { $0.replay_capacity = 7 }
    }

    func testCreateRejectsNonPositiveInitialAlpha() {
        for bad: Float in [0, -1, .infinity, -.infinity] {
            assertCreateRejects(mentioning: ["initial_alpha"]) { $0.initial_alpha = bad }
        }
    }

    /// A program compiled against the 0.1.0 header passes a shorter sac_config; the fields appended
    /// since keep their defaults, so it gets the continuous SAC it asked for.
    func testA0_1SizedConfigCreatesContinuousSACWithDefaultsForTheNewerFields() throws {
        let memory = PatternedMemory(count: sizeofConfig)
        memory.pointer(to: sac_config.self).pointee = .small()
        memory.setStructSize(sizeofConfigV0_1)
        var handle: OpaquePointer?
        assertStatus(sac_agent_create(memory.pointer(to: sac_config.self), &handle), SAC_OK, lastErrorMessage())
        defer { sac_agent_destroy(handle) }
        let config = agentConfig(try XCTUnwrap(handle))
        XCTAssertEqual(config.algorithm, Int32(SAC_ALGO_CONTINUOUS.rawValue))
        XCTAssertEqual(config.n_actions, 0)
        XCTAssertEqual(config.target_entropy_scale, 0.98)
    }

    func testCreateRejectsInfiniteTargetEntropy() {
        for bad: Float in [.infinity, -.infinity] {
            assertCreateRejects(mentioning: ["target_entropy"]) { $0.target_entropy = bad }
        }
    }

    func testCreateReportsOutOfMemoryForAReplayBufferThatCannotBeAllocated() {
        var config = sac_config.small()
        config.obs_dim = 4096
        config.replay_capacity = 1 << 34  // 2^34 x 4096 observations of 4 bytes: 256 TiB, beyond any address space
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_OUT_OF_MEMORY, "sac_agent_create", mentioning: ["replay_capacity"]) {
            sac_agent_create(&config, &handle)
        }
        XCTAssertEqual(handle, untouchedHandle)
        if handle != untouchedHandle { sac_agent_destroy(handle) }
    }

    /// sac_agent_create with the small config changed by `change` must fail with
    /// SAC_ERR_INVALID_CONFIG, name the field, and leave *out alone.
    private func assertCreateRejects(mentioning mentions: [String], file: StaticString = #filePath, line: UInt = #line,
                                     _ change: (inout sac_config) -> Void) {
        var config = sac_config.small()
        change(&config)
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_INVALID_CONFIG, "sac_agent_create", mentioning: mentions, file: file, line: line) {
            sac_agent_create(&config, &handle)
        }
        XCTAssertEqual(handle, untouchedHandle, "*out was written", file: file, line: line)
        if handle != untouchedHandle { sac_agent_destroy(handle) }
    }
}
