import CSac
import SACCore

// The exported C functions of include/sac.h. Each one checks its arguments, converts between C and
// Swift types and calls the core; `@c @implementation` makes the compiler check every signature
// against the header. Nothing here may trap on caller input.

/// The Swift object behind a `sac_agent *` handle.
typealias Agent = ContinuousSAC

func agentObject(_ handle: OpaquePointer?) throws(SACError) -> Agent {
    let handle = try Check.notNull(handle, "agent")
    return Unmanaged<Agent>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// Writes the first `byteCount` bytes of a versioned struct to a caller's (possibly older, shorter) copy.
private func copyPrefix<T>(of value: inout T, to destination: UnsafeMutablePointer<T>, byteCount: Int) {
    withUnsafeBytes(of: &value) {
        UnsafeMutableRawPointer(destination).copyMemory(from: $0.baseAddress!, byteCount: min(byteCount, $0.count))
    }
}

@c @implementation
public func sac_config_default(_ out: UnsafeMutablePointer<sac_config>?, _ structSize: Int) -> Int32 {
    reportingErrors("sac_config_default") { () throws(SACError) in
        let out = try Check.notNull(out, "out")
        try Check.structSize(structSize, "struct_size", minimum: sac_config.minimumSize, known: sac_config.knownSize)
        var defaults = sac_config(AgentConfig())
        defaults.struct_size = structSize
        copyPrefix(of: &defaults, to: out, byteCount: structSize)
    }
}

@c @implementation
public func sac_agent_create(_ config: UnsafePointer<sac_config>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
    reportingErrors("sac_agent_create") { () throws(SACError) in
        let config = try Check.notNull(config, "config")
        let out = try Check.notNull(out, "out")
        let agent = try Agent(config: sac_config.read(config, argument: "config"))
        out.pointee = OpaquePointer(Unmanaged.passRetained(agent).toOpaque())
    }
}

@c @implementation
public func sac_agent_destroy(_ handle: OpaquePointer?) {
    guard let handle else { return }
    Unmanaged<Agent>.fromOpaque(UnsafeRawPointer(handle)).release()
}

@c @implementation
public func sac_agent_config(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<sac_config>?, _ structSize: Int) -> Int32 {
    reportingErrors("sac_agent_config") { () throws(SACError) in
        let agent = try agentObject(handle)
        let out = try Check.notNull(out, "out")
        try Check.structSize(structSize, "struct_size", minimum: sac_config.minimumSize, known: sac_config.knownSize)
        var config = sac_config(agent.config)
        config.target_entropy = agent.config.resolvedTargetEntropy
        config.struct_size = structSize
        copyPrefix(of: &config, to: out, byteCount: structSize)
    }
}

@c @implementation
public func sac_act(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ obsLen: Int, _ deterministic: Int32,
    _ action: UnsafeMutablePointer<Float>?, _ actionLen: Int
) -> Int32 {
    reportingErrors("sac_act") { () throws(SACError) in
        let agent = try agentObject(handle)
        let obs = try Check.notNull(obs, "obs")
        let action = try Check.notNull(action, "action")
        try Check.length(obsLen, "obs_len", expected: agent.config.obsDim, "obs_dim")
        try Check.length(actionLen, "action_len", expected: agent.config.actionDim, "action_dim")
        try Check.finite(obs, count: obsLen, "obs")
        agent.act(obs, rows: 1, deterministic: deterministic != 0, into: action)
    }
}

@c @implementation
public func sac_act_batch(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ n: Int, _ obsLen: Int, _ deterministic: Int32,
    _ actions: UnsafeMutablePointer<Float>?, _ actionsLen: Int
) -> Int32 {
    reportingErrors("sac_act_batch") { () throws(SACError) in
        let agent = try agentObject(handle)
        let obs = try Check.notNull(obs, "obs")
        let actions = try Check.notNull(actions, "actions")
        let (obsDim, actionDim) = (agent.config.obsDim, agent.config.actionDim)
        let (obsTotal, overflow1) = n.multipliedReportingOverflow(by: obsDim)
        let (actionTotal, overflow2) = n.multipliedReportingOverflow(by: actionDim)
        guard !overflow1, !overflow2, obsLen == obsTotal, actionsLen == actionTotal else {
            throw SACError(.length, "obs_len is \(obsLen) and actions_len is \(actionsLen), but n = \(n) "
                + "with obs_dim \(obsDim) and action_dim \(actionDim) needs \(n) x \(obsDim) and \(n) x \(actionDim)")
        }
        try Check.finite(obs, count: obsLen, "obs")
        agent.act(obs, rows: n, deterministic: deterministic != 0, into: actions)
    }
}

@c @implementation
public func sac_observe(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ obsLen: Int, _ action: UnsafePointer<Float>?,
    _ actionLen: Int, _ reward: Float, _ nextObs: UnsafePointer<Float>?, _ nextObsLen: Int,
    _ terminated: Int32, _ truncated: Int32
) -> Int32 {
    reportingErrors("sac_observe") { () throws(SACError) in
        let agent = try agentObject(handle)
        try agent.requireTrainable()
        let obs = try Check.notNull(obs, "obs")
        let action = try Check.notNull(action, "action")
        let nextObs = try Check.notNull(nextObs, "next_obs")
        try Check.length(obsLen, "obs_len", expected: agent.config.obsDim, "obs_dim")
        try Check.length(actionLen, "action_len", expected: agent.config.actionDim, "action_dim")
        try Check.length(nextObsLen, "next_obs_len", expected: agent.config.obsDim, "obs_dim")
        try Check.finite(obs, count: obsLen, "obs")
        try Check.finite(action, count: actionLen, "action")
        guard reward.isFinite else { throw SACError(.nonFinite, "reward is \(reward); inputs must be finite") }
        try Check.finite(nextObs, count: nextObsLen, "next_obs")
        try agent.observe(observation: obs, action: action, reward: reward, nextObservation: nextObs,
                      terminated: terminated != 0)
    }
}

@c @implementation
public func sac_replay_size(_ handle: OpaquePointer?, _ out: UnsafeMutablePointer<UInt64>?) -> Int32 {
    reportingErrors("sac_replay_size") { () throws(SACError) in
        let agent = try agentObject(handle)
        try Check.notNull(out, "out").pointee = UInt64(agent.replay.count)
    }
}

@c @implementation
public func sac_update(_ handle: OpaquePointer?, _ gradientSteps: UInt32, _ stats: UnsafeMutablePointer<sac_update_stats>?) -> Int32 {
    reportingErrors("sac_update") { () throws(SACError) in
        let agent = try agentObject(handle)
        guard gradientSteps > 0 else { throw SACError(.invalidArgument, "gradient_steps is 0; it must be at least 1") }
        var statsSize = 0
        if let stats {
            statsSize = UnsafeRawPointer(stats).load(as: Int.self)
            try Check.structSize(statsSize, "stats->struct_size", minimum: MemoryLayout<sac_update_stats>.stride,
                                 known: MemoryLayout<sac_update_stats>.stride)
        }
        try agent.requireTrainable()
        guard agent.canUpdate else {
            throw SACError(.notReady, "the replay buffer holds \(agent.replay.count) transitions; "
                + "a gradient step needs batch_size = \(agent.config.batchSize)")
        }
        var last = UpdateStats()
        for _ in 0..<gradientSteps { last = agent.update() }
        if let stats {
            var out = sac_update_stats(
                struct_size: statsSize, critic_loss: last.criticLoss, actor_loss: last.actorLoss,
                alpha: last.alpha, alpha_loss: last.alphaLoss, entropy: last.entropy, mean_q: last.meanQ)
            copyPrefix(of: &out, to: stats, byteCount: statsSize)
        }
    }
}

@c @implementation
public func sac_agent_counters(
    _ handle: OpaquePointer?, _ environmentSteps: UnsafeMutablePointer<UInt64>?,
    _ gradientSteps: UnsafeMutablePointer<UInt64>?
) -> Int32 {
    reportingErrors("sac_agent_counters") { () throws(SACError) in
        let agent = try agentObject(handle)
        environmentSteps?.pointee = UInt64(agent.environmentSteps)
        gradientSteps?.pointee = UInt64(agent.gradientSteps)
    }
}
