import CSac

/// Drives an agent the way a caller would, on small fixed inputs: act (one row and a batch), observe,
/// update, serialise. Every call must return one of the statuses sac.h documents for it.
struct Exercise {
    /// The most transitions observed to get past a config's warm-up before updating.
    static let longestWarmUp = 256

    let agent: OpaquePointer
    let config: sac_config
    let shape: AgentShape

    init(_ agent: OpaquePointer, trainable: Bool) {
        self.agent = agent
        var config = sac_config()
        expect(sac_agent_config(agent, &config, MemoryLayout<sac_config>.stride), [SAC_OK], "sac_agent_config")
        self.config = config
        shape = AgentShape(config, trainable: trainable)
    }

    var obsDim: Int { Int(config.obs_dim) }
    var isDiscrete: Bool { shape.isDiscrete }

    /// Observations that vary by row and element, finite and of order 1.
    func observations(rows: Int, offset: Int = 0) -> [Float] {
        (0..<(rows * obsDim)).map { Float(($0 + offset) % 7) * 0.25 - 0.75 }
    }

    /// sac_act and sac_act_batch (or their discrete versions), deterministic and sampled.
    func act() {
        let obs = observations(rows: 3)
        if isDiscrete {
            var index: Int32 = -1
            var indices = [Int32](repeating: -1, count: 3)
            for deterministic: Int32 in [1, 0] {
                let one = sac_act_discrete(agent, obs, obsDim, deterministic, &index)
                expect(one, acting, "sac_act_discrete")
                let batch = sac_act_discrete_batch(agent, obs, 3, obs.count, deterministic, &indices, 3)
                expect(batch, acting, "sac_act_discrete_batch")
                if one != SAC_OK.rawValue || batch != SAC_OK.rawValue { continue }
                for i in [index] + indices where !(0..<Int32(config.n_actions)).contains(i) {
                    violated("sac_act_discrete returned action \(i) with n_actions \(config.n_actions)")
                }
            }
            return
        }
        let width = Int(config.action_dim)
        var action = [Float](repeating: 0, count: width)
        var actions = [Float](repeating: 0, count: 3 * width)
        for deterministic: Int32 in [1, 0] {
            expect(sac_act(agent, obs, obsDim, deterministic, &action, width), acting, "sac_act")
            expect(sac_act_batch(agent, obs, 3, obs.count, deterministic, &actions, actions.count), acting,
                   "sac_act_batch")
            for value in action + actions where !value.isFinite { violated("sac_act wrote \(value)") }
        }
    }

    /// One sampled action for the observation at `offset`.
    func sample(offset: Int) -> (continuous: [Float], index: Int32) {
        let obs = observations(rows: 1, offset: offset)
        if isDiscrete {
            var index: Int32 = 0
            expect(sac_act_discrete(agent, obs, obsDim, 0, &index), acting, "sac_act_discrete")
            return ([], index)
        }
        var action = [Float](repeating: 0, count: Int(config.action_dim))
        expect(sac_act(agent, obs, obsDim, 0, &action, action.count), acting, "sac_act")
        return (action, 0)
    }

    /// `count` transitions through sac_observe (or sac_observe_discrete); false for a policy-only agent.
    @discardableResult
    func observe(_ count: Int) -> Bool {
        for t in 0..<count {
            let (action, index) = sample(offset: t)
            let obs = observations(rows: 1, offset: t), next = observations(rows: 1, offset: t + 1)
            let reward = Float(t % 5) - 2, terminated: Int32 = t % 4 == 3 ? 1 : 0
            let status = isDiscrete
                ? sac_observe_discrete(agent, obs, obsDim, index, reward, next, obsDim, terminated, 0)
                : sac_observe(agent, obs, obsDim, action, action.count, reward, next, obsDim, terminated, 0)
            expect(status, shape.trainable ? [SAC_OK] : [SAC_ERR_POLICY_ONLY], isDiscrete ? "sac_observe_discrete" : "sac_observe")
            if status != SAC_OK.rawValue { return false }
        }
        return true
    }

    /// Transitions still to observe before gradient steps may start (learning_starts).
    var warmUpLeft: UInt64 {
        var (observed, steps): (UInt64, UInt64) = (0, 0)
        expect(sac_agent_counters(agent, &observed, &steps), [SAC_OK], "sac_agent_counters")
        return config.learning_starts > observed ? config.learning_starts - observed : 0
    }

    /// Enough transitions for a batch and past the warm-up, then `steps` gradient steps, when that is
    /// cheap enough; a warm-up too long to sit through must refuse the update.
    func train(steps: UInt32) {
        guard shape.trainable else {
            expect(sac_update(agent, 1, nil), [SAC_ERR_POLICY_ONLY], "sac_update")
            return
        }
        guard shape.canAffordUpdates else { return }
        var stored: UInt64 = 0
        expect(sac_replay_size(agent, &stored), [SAC_OK], "sac_replay_size")
        let warmUp = warmUpLeft
        guard warmUp <= UInt64(Self.longestWarmUp) else {
            expect(sac_update(agent, steps, nil), [SAC_ERR_NOT_READY], "sac_update during the warm-up")
            return
        }
        let missing = stored < UInt64(config.batch_size) ? UInt64(config.batch_size) - stored : 0
        if max(missing, warmUp) > 0 { observe(Int(max(missing, warmUp))) }
        var stats = sac_update_stats()
        stats.struct_size = MemoryLayout<sac_update_stats>.stride
        guarded("sac_update") { sac_update(agent, steps, &stats) }
    }

    /// One sac_update_from_batch step on up to 4 fixed transitions (a caller's own replay), when cheap.
    func trainOnBatch() {
        guard shape.trainable, shape.canAffordUpdates else { return }
        let n = min(Int(config.batch_size), 4)
        let obs = observations(rows: n), next = observations(rows: n, offset: 1)
        let rewards = (0..<n).map { Float($0) - 1 }
        let terminated = (0..<n).map { UInt8($0 == n - 1 ? 1 : 0) }
        let actions = (0..<(n * Int(config.action_dim))).map { Float($0 % 5) - 2 }  // clipped to the bounds
        let indices = (0..<n).map { Int32($0 % max(Int(config.n_actions), 1)) }
        var stats = sac_update_stats()
        stats.struct_size = MemoryLayout<sac_update_stats>.stride
        guarded("sac_update_from_batch") { obs.withUnsafeBufferPointer { obs in
            next.withUnsafeBufferPointer { next in
                rewards.withUnsafeBufferPointer { rewards in
                    terminated.withUnsafeBufferPointer { terminated in
                        actions.withUnsafeBufferPointer { actions in
                            indices.withUnsafeBufferPointer { indices in
                                var batch = sac_batch(
                                    struct_size: MemoryLayout<sac_batch>.stride, n: n, obs: obs.baseAddress,
                                    actions: isDiscrete ? nil : actions.baseAddress,
                                    action_indices: isDiscrete ? indices.baseAddress : nil, rewards: rewards.baseAddress,
                                    next_obs: next.baseAddress, terminated: terminated.baseAddress)
                                return sac_update_from_batch(agent, &batch, &stats)
                            }
                        }
                    }
                }
            }
        } }
    }

    /// Acting may refuse a network output that is not finite (a loaded policy with huge weights).
    var acting: [sac_status] { [SAC_OK, SAC_ERR_DIVERGED] }

    /// An update may diverge (files can hold rewards of 1e30), but then it must change nothing: the
    /// checkpoint is the same text before and after (sac.h, sac_update).
    func guarded(_ function: String, _ call: () -> Int32) {
        let before = json(SAC_JSON_CHECKPOINT)
        let status = call()
        expect(status, [SAC_OK, SAC_ERR_DIVERGED], function)
        if status == SAC_ERR_DIVERGED.rawValue, json(SAC_JSON_CHECKPOINT) != before {
            violated("\(function) returned SAC_ERR_DIVERGED but changed the agent")
        }
    }

    /// sac_to_json's text, or nil when the agent cannot be saved as `kind` for a documented reason
    /// (a diverged weight, or a checkpoint of a policy-only agent).
    func json(_ kind: sac_json_kind) -> [CChar]? {
        var needed = 0
        let status = sac_to_json(agent, Int32(kind.rawValue), nil, 0, &needed)
        if status == SAC_ERR_NON_FINITE.rawValue || status == SAC_ERR_POLICY_ONLY.rawValue { return nil }
        expect(status, [SAC_ERR_BUFFER_TOO_SMALL], "sac_to_json (size query)")
        var text = [CChar](repeating: 0, count: needed)
        expect(sac_to_json(agent, Int32(kind.rawValue), &text, needed, &needed), [SAC_OK], "sac_to_json")
        guard text.count == needed, text.last == 0 else { violated("sac_to_json: needed \(needed) but wrote \(text.count)") }
        text.removeLast()
        return text
    }

    /// save -> load -> save gives identical bytes (sac.h, "Weights and checkpoints").
    func checkJSONRoundTrip(_ kind: sac_json_kind) {
        guard let first = json(kind) else { return }
        var copy: OpaquePointer?
        expect(sac_from_json(first, first.count, &copy), [SAC_OK], "sac_from_json of sac_to_json's own text")
        defer { sac_agent_destroy(copy) }
        guard Exercise(copy!, trainable: shape.trainable && kind == SAC_JSON_CHECKPOINT).json(kind) == first else {
            violated("sac_to_json -> sac_from_json -> sac_to_json changed the text")
        }
    }
}

/// Aborts unless `status` is one of `allowed`.
func expect(_ status: Int32, _ allowed: [sac_status], _ function: String) {
    guard allowed.contains(where: { $0.rawValue == status }) else {
        violated("\(function) returned \(String(cString: sac_status_string(status))), expected "
                 + allowed.map { String(cString: sac_status_string($0.rawValue)) }.joined(separator: " or "))
    }
}
