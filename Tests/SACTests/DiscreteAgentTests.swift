import CSac
import XCTest

/// Discrete SAC and soft Q-learning through the C ABI: config rules, acting by index, observing,
/// updating, and the clear refusal of the other kind's functions.
final class DiscreteAgentTests: XCTestCase {
    let discreteAlgorithms = [SAC_ALGO_DISCRETE, SAC_ALGO_SOFT_Q]

    // MARK: - Config

    func testDefaultsResolvePerAlgorithm() throws {
        let discrete = agentConfig(try makeAgent(.smallDiscrete(SAC_ALGO_DISCRETE, actions: 3)))
        XCTAssertEqual(discrete.auto_alpha, 1)
        XCTAssertEqual(discrete.initial_alpha, 1)
        XCTAssertEqual(discrete.target_entropy, 0.98 * logf(3))
        let softQ = agentConfig(try makeAgent(.smallDiscrete(SAC_ALGO_SOFT_Q, actions: 3)))
        XCTAssertEqual(softQ.auto_alpha, 0)
        XCTAssertEqual(softQ.initial_alpha, 0.05)
        var v1 = sac_config.small()
        v1.algorithm = Int32(SAC_ALGO_CONTINUOUS_V1.rawValue)
        let v1Resolved = agentConfig(try makeAgent(v1))
        XCTAssertEqual(v1Resolved.auto_alpha, 0)
        XCTAssertEqual(v1Resolved.initial_alpha, 0.2)
        XCTAssertEqual(v1Resolved.target_entropy, -1)
        var scaled = sac_config.smallDiscrete(actions: 4)
        scaled.target_entropy_scale = 0.5
        XCTAssertEqual(agentConfig(try makeAgent(scaled)).target_entropy, 0.5 * logf(4))
    }

    func testCreateRejectsFewerThanTwoActions() {
        for algorithm in discreteAlgorithms {
            for count: UInt32 in [0, 1, UInt32(SAC_MAX_ACTIONS) + 1] {
                assertCreateRejects(.smallDiscrete(algorithm, actions: count), mentioning: ["n_actions", "\(count)"])
            }
        }
    }

    func testCreateRejectsConfigsMixingTheKinds() {
        var discreteWithActionDim = sac_config.smallDiscrete()
        discreteWithActionDim.action_dim = 2
        assertCreateRejects(discreteWithActionDim, mentioning: ["action_dim", "n_actions"])
        var continuousWithActions = sac_config.small()
        continuousWithActions.n_actions = 4
        assertCreateRejects(continuousWithActions, mentioning: ["n_actions", "SAC_ALGO_CONTINUOUS"])
    }

    func testCreateRejectsBadAlgorithmAlphaModeAndScale() {
        var unknown = sac_config.small()
        unknown.algorithm = 7
        assertCreateRejects(unknown, mentioning: ["algorithm", "7"])
        var learnedSoftQ = sac_config.smallDiscrete(SAC_ALGO_SOFT_Q)
        learnedSoftQ.auto_alpha = 1
        assertCreateRejects(learnedSoftQ, mentioning: ["auto_alpha", "SAC_ALGO_SOFT_Q"])
        var badMode = sac_config.small()
        badMode.auto_alpha = -2
        assertCreateRejects(badMode, mentioning: ["auto_alpha", "-2"])
        for scale: Float in [0, -0.5, 1.5, .nan, .infinity] {
            var config = sac_config.smallDiscrete()
            config.target_entropy_scale = scale
            assertCreateRejects(config, mentioning: ["target_entropy_scale"])
        }
    }

    func assertCreateRejects(_ config: sac_config, mentioning mentions: [String], file: StaticString = #filePath, line: UInt = #line) {
        var config = config
        var handle: OpaquePointer? = untouchedHandle
        assertFails(SAC_ERR_INVALID_CONFIG, "sac_agent_create", mentioning: mentions, file: file, line: line) {
            sac_agent_create(&config, &handle)
        }
        XCTAssertEqual(handle, untouchedHandle, "*out was written", file: file, line: line)
    }

    // MARK: - Acting

    func testActDiscreteGivesValidIndicesAndRepeatsDeterministically() throws {
        for algorithm in discreteAlgorithms {
            var config = sac_config.smallDiscrete(algorithm, actions: 4)
            config.initial_alpha = 5  // a high temperature: an untrained policy close to uniform
            let agent = try makeAgent(config)
            let obs = probeObservation(3)
            let first = deterministicAction(agent, obs)
            for _ in 0..<5 { XCTAssertEqual(deterministicAction(agent, obs), first) }
            var seen = Set<Float>()
            for _ in 0..<400 { seen.insert(act(agent, obs, deterministic: false)[0]) }
            XCTAssertEqual(seen, [0, 1, 2, 3], "\(algorithm): stochastic actions should reach every index")
        }
    }

    func testActDiscreteBatchRowsEqualSingleDeterministicCalls() throws {
        for algorithm in discreteAlgorithms {
            let agent = try makeAgent(.smallDiscrete(algorithm, actions: 5))
            observeTransitions(agent, 0..<8)
            _ = update(agent)
            let n = 20  // more than batch_size (8): processed in chunks
            let obs = (0..<n).flatMap { k in Transition(k, obsDim: 3, actionDim: 0).obs }
            var actions = [Int32](repeating: -1, count: n)
            assertStatus(sac_act_discrete_batch(agent, obs, n, obs.count, 1, &actions, n), SAC_OK, lastErrorMessage())
            for k in 0..<n {
                XCTAssertEqual(Float(actions[k]), deterministicAction(agent, Array(obs[(3 * k)..<(3 * k + 3)]))[0], "row \(k)")
            }
            assertStatus(sac_act_discrete_batch(agent, obs, 0, 0, 1, &actions, 0), SAC_OK, "n = 0")
        }
    }

    func testActDiscreteRejectsBadInputsLeavingTheAgentUnchanged() throws {
        let (agent, twin) = try makeTwins(.smallDiscrete())
        var action: Int32 = 42
        let obs = probeObservation(3)
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NULL_ARGUMENT, "sac_act_discrete", mentioning: ["obs"]) {
            sac_act_discrete(agent, nil, 3, 0, &action)
        }
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NULL_ARGUMENT, "sac_act_discrete", mentioning: ["action"]) {
            sac_act_discrete(agent, obs, 3, 0, nil)
        }
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_LENGTH, "sac_act_discrete", mentioning: ["obs_len", "4", "3"]) {
            sac_act_discrete(agent, obs + [0], 4, 0, &action)
        }
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NON_FINITE, "sac_act_discrete", mentioning: ["obs[1]", "nan"]) {
            sac_act_discrete(agent, [0, .nan, 0], 3, 0, &action)
        }
        var actions = [Int32](repeating: 42, count: 2)
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_LENGTH, "sac_act_discrete_batch", mentioning: ["actions_len"]) {
            sac_act_discrete_batch(agent, obs + obs, 2, 6, 0, &actions, 3)
        }
        XCTAssertEqual(action, 42)
        XCTAssertEqual(actions, [42, 42])
        assertFails(SAC_ERR_NULL_ARGUMENT, "sac_act_discrete", mentioning: ["agent"]) { sac_act_discrete(nil, obs, 3, 0, &action) }
        assertTwinsStillAgree(agent, twin)
    }

    // MARK: - Observing

    func testObserveDiscreteRejectsOutOfRangeIndicesAndBadValues() throws {
        let (agent, twin) = try makeTwins(.smallDiscrete(actions: 3))
        let t = Transition(0, obsDim: 3, actionDim: 0)
        for bad: Int32 in [-1, 3, .max, .min] {
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_INVALID_ARGUMENT, "sac_observe_discrete",
                                             mentioning: ["action", "\(bad)", "0...2"]) {
                sac_observe_discrete(agent, t.obs, 3, bad, 1, t.nextObs, 3, 0, 0)
            }
        }
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NON_FINITE, "sac_observe_discrete", mentioning: ["reward"]) {
            sac_observe_discrete(agent, t.obs, 3, 1, .infinity, t.nextObs, 3, 0, 0)
        }
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_LENGTH, "sac_observe_discrete", mentioning: ["next_obs_len"]) {
            sac_observe_discrete(agent, t.obs, 3, 1, 0, t.nextObs, 2, 0, 0)
        }
        assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_NULL_ARGUMENT, "sac_observe_discrete", mentioning: ["next_obs"]) {
            sac_observe_discrete(agent, t.obs, 3, 1, 0, nil, 3, 0, 0)
        }
        assertTwinsStillAgree(agent, twin)
    }

    // MARK: - The wrong kind of function

    func testContinuousFunctionsRefuseDiscreteAgents() throws {
        for algorithm in discreteAlgorithms {
            let (agent, twin) = try makeTwins(.smallDiscrete(algorithm))
            let t = Transition(0, obsDim: 3, actionDim: 1)
            var action: [Float] = [42]
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_WRONG_ALGORITHM, "sac_act",
                                             mentioning: ["sac_act_discrete"]) {
                sac_act(agent, t.obs, 3, 1, &action, 1)
            }
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_WRONG_ALGORITHM, "sac_act_batch",
                                             mentioning: ["sac_act_discrete_batch"]) {
                sac_act_batch(agent, t.obs, 1, 3, 1, &action, 1)
            }
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_WRONG_ALGORITHM, "sac_observe",
                                             mentioning: ["sac_observe_discrete"]) {
                sac_observe(agent, t.obs, 3, t.action, 1, 0, t.nextObs, 3, 0, 0)
            }
            XCTAssertEqual(action, [42])
            assertTwinsStillAgree(agent, twin)
        }
    }

    func testDiscreteFunctionsRefuseContinuousAgents() throws {
        for algorithm in [SAC_ALGO_CONTINUOUS, SAC_ALGO_CONTINUOUS_V1] {
            var config = sac_config.small()
            config.algorithm = Int32(algorithm.rawValue)
            let (agent, twin) = try makeTwins(config)
            let t = Transition(0, obsDim: 3, actionDim: 1)
            var index: Int32 = 42
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_WRONG_ALGORITHM, "sac_act_discrete",
                                             mentioning: ["sac_act"]) {
                sac_act_discrete(agent, t.obs, 3, 1, &index)
            }
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_WRONG_ALGORITHM, "sac_act_discrete_batch",
                                             mentioning: ["sac_act_batch"]) {
                sac_act_discrete_batch(agent, t.obs, 1, 3, 1, &index, 1)
            }
            assertFailsLeavingAgentUnchanged(agent, twin: twin, SAC_ERR_WRONG_ALGORITHM, "sac_observe_discrete",
                                             mentioning: ["sac_observe"]) {
                sac_observe_discrete(agent, t.obs, 3, 0, 0, t.nextObs, 3, 0, 0)
            }
            XCTAssertEqual(index, 42)
            assertTwinsStillAgree(agent, twin)
        }
    }

    // MARK: - Learning and saving

    func testUpdatesReportWhatEachAlgorithmMeasures() throws {
        let discrete = try makeAgent(.smallDiscrete(SAC_ALGO_DISCRETE))
        observeTransitions(discrete, 0..<16)
        let stats = update(discrete, steps: 3)
        XCTAssertGreaterThan(stats.entropy, 0)
        XCTAssertLessThanOrEqual(stats.entropy, logf(3) + 1e-5, "entropy above log(n_actions)")
        XCTAssertLessThan(stats.alpha, 1, "the temperature should have moved from 1")
        XCTAssertGreaterThan(stats.critic_loss, 0)
        XCTAssertEqual(stats.value_loss, 0)

        let softQ = try makeAgent(.smallDiscrete(SAC_ALGO_SOFT_Q))
        observeTransitions(softQ, 0..<16)
        let softStats = update(softQ, steps: 3)
        XCTAssertEqual(softStats.alpha, 0.05)
        XCTAssertGreaterThan(softStats.critic_loss, 0)
        XCTAssertEqual([softStats.actor_loss, softStats.alpha_loss, softStats.entropy], [0, 0, 0])

        var v1Config = sac_config.small()
        v1Config.algorithm = Int32(SAC_ALGO_CONTINUOUS_V1.rawValue)
        let v1 = try makeAgent(v1Config)
        observeTransitions(v1, 0..<16)
        let v1Stats = update(v1, steps: 3)
        XCTAssertGreaterThan(v1Stats.value_loss, 0)
        XCTAssertEqual(v1Stats.alpha, 0.2, "v1 keeps alpha fixed by default")
        XCTAssertEqual(v1Stats.alpha_loss, 0)
    }

    /// Every algorithm: a policy file acts like the agent, and a checkpoint plus the replay file
    /// continue training bit-identically.
    func testEveryAlgorithmRoundTripsThroughJSONAndResumesBitIdentically() throws {
        var v1 = sac_config.small()
        v1.algorithm = Int32(SAC_ALGO_CONTINUOUS_V1.rawValue)
        let configs = [sac_config.small(), v1, .smallDiscrete(SAC_ALGO_DISCRETE), .smallDiscrete(SAC_ALGO_SOFT_Q)]
        let directory = try makeTemporaryDirectory()
        for config in configs {
            let agent = try makeAgent(config)
            observeTransitions(agent, 0..<20)
            _ = update(agent, steps: 4)
            let policy = try loadAgent(json: jsonBytes(agent, SAC_JSON_POLICY))
            assertSameConfig(agentConfig(policy), agentConfig(agent))
            for k in 0..<5 {
                let obs = Transition(k, obsDim: 3, actionDim: 0).obs
                XCTAssertEqual(bits(deterministicAction(policy, obs)), bits(deterministicAction(agent, obs)))
            }
            let resumed = try loadAgent(json: jsonBytes(agent, SAC_JSON_CHECKPOINT))
            let replay = directory + "/replay-\(config.algorithm).bin"
            assertStatus(sac_save_replay(agent, replay), SAC_OK, lastErrorMessage())
            assertStatus(sac_load_replay(resumed, replay), SAC_OK, lastErrorMessage())
            XCTAssertEqual(jsonBytes(resumed, SAC_JSON_CHECKPOINT), jsonBytes(agent, SAC_JSON_CHECKPOINT),
                           "save -> load -> save changed the bytes (algorithm \(config.algorithm))")
            assertTwinsStillAgree(agent, resumed)
        }
    }

    /// A discrete agent's replay stores indices; a continuous agent of the same widths must not take it.
    func testReplayFilesDoNotCrossBetweenKinds() throws {
        let discrete = try makeAgent(.smallDiscrete(actions: 2))
        observeTransitions(discrete, 0..<10)
        let path = try makeTemporaryDirectory() + "/discrete.replay"
        assertStatus(sac_save_replay(discrete, path), SAC_OK, lastErrorMessage())
        let continuous = try makeAgent()  // obs_dim 3, action_dim 1: the same record width
        assertFailsLeavingAgentUnchanged(continuous, SAC_ERR_FORMAT, "sac_load_replay", mentioning: ["n_actions", "2"]) {
            sac_load_replay(continuous, path)
        }
        let wider = try makeAgent(.smallDiscrete(actions: 3))
        assertFailsLeavingAgentUnchanged(wider, SAC_ERR_FORMAT, "sac_load_replay", mentioning: ["n_actions", "2", "3"]) {
            sac_load_replay(wider, path)
        }
    }
}
