import CSac
import SACCore

// The exported functions that act and observe, for continuous (float action vectors) and discrete
// (action indices) agents.

/// obs_len == n·obs_dim and outputs_len == n·width, without overflow.
private func checkBatchLengths(n: Int, obsLen: Int, obsDim: Int, outputLen: Int, _ outputName: String,
                               width: Int, _ widthName: String) throws(SACError) {
    // n comes from a size_t: above Int.max it reads as negative here, and must not get further.
    guard n >= 0 else { throw SACError(.length, "n is \(UInt(bitPattern: n)), more rows than memory can hold") }
    let (obsTotal, overflow1) = n.multipliedReportingOverflow(by: obsDim)
    let (outputTotal, overflow2) = n.multipliedReportingOverflow(by: width)
    guard !overflow1, !overflow2, obsLen == obsTotal, outputLen == outputTotal else {
        throw SACError(.length, "obs_len is \(obsLen) and \(outputName) is \(outputLen), but n = \(n) "
            + "with obs_dim \(obsDim) and \(widthName) \(width) needs \(n) x \(obsDim) and \(n) x \(width)")
    }
}

/// The checks both observe functions make on the transition's observations and reward.
private func checkTransition(_ agent: Agent, obs: UnsafePointer<Float>?, obsLen: Int, reward: Float,
                             nextObs: UnsafePointer<Float>?, nextObsLen: Int) throws(SACError)
    -> (UnsafePointer<Float>, UnsafePointer<Float>)
{
    try agent.requireTrainable()
    let obs = try Check.notNull(obs, "obs")
    let nextObs = try Check.notNull(nextObs, "next_obs")
    try Check.length(obsLen, "obs_len", expected: agent.config.obsDim, "obs_dim")
    try Check.length(nextObsLen, "next_obs_len", expected: agent.config.obsDim, "obs_dim")
    try Check.finite(obs, count: obsLen, "obs")
    guard reward.isFinite else { throw SACError(.nonFinite, "reward is \(reward); inputs must be finite") }
    try Check.finite(nextObs, count: nextObsLen, "next_obs")
    return (obs, nextObs)
}

@c @implementation
public func sac_act(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ obsLen: Int, _ deterministic: Int32,
    _ action: UnsafeMutablePointer<Float>?, _ actionLen: Int
) -> Int32 {
    reportingErrors("sac_act") { () throws(SACError) in
        let agent = try continuousAgent(handle, instead: "sac_act_discrete")
        let obs = try Check.notNull(obs, "obs")
        let action = try Check.notNull(action, "action")
        try Check.length(obsLen, "obs_len", expected: agent.config.obsDim, "obs_dim")
        try Check.length(actionLen, "action_len", expected: agent.config.actionDim, "action_dim")
        try Check.finite(obs, count: obsLen, "obs")
        try agent.act(obs, rows: 1, deterministic: deterministic != 0, into: action)
    }
}

@c @implementation
public func sac_act_batch(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ n: Int, _ obsLen: Int, _ deterministic: Int32,
    _ actions: UnsafeMutablePointer<Float>?, _ actionsLen: Int
) -> Int32 {
    reportingErrors("sac_act_batch") { () throws(SACError) in
        let agent = try continuousAgent(handle, instead: "sac_act_discrete_batch")
        let obs = try Check.notNull(obs, "obs")
        let actions = try Check.notNull(actions, "actions")
        try checkBatchLengths(n: n, obsLen: obsLen, obsDim: agent.config.obsDim, outputLen: actionsLen,
                              "actions_len", width: agent.config.actionDim, "action_dim")
        try Check.finite(obs, count: obsLen, "obs")
        try agent.act(obs, rows: n, deterministic: deterministic != 0, into: actions)
    }
}

@c @implementation
public func sac_act_discrete(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ obsLen: Int, _ deterministic: Int32,
    _ action: UnsafeMutablePointer<Int32>?
) -> Int32 {
    reportingErrors("sac_act_discrete") { () throws(SACError) in
        let agent = try discreteAgent(handle, instead: "sac_act")
        let obs = try Check.notNull(obs, "obs")
        let action = try Check.notNull(action, "action")
        try Check.length(obsLen, "obs_len", expected: agent.config.obsDim, "obs_dim")
        try Check.finite(obs, count: obsLen, "obs")
        try agent.actIndices(obs, rows: 1, deterministic: deterministic != 0, into: action)
    }
}

@c @implementation
public func sac_act_discrete_batch(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ n: Int, _ obsLen: Int, _ deterministic: Int32,
    _ actions: UnsafeMutablePointer<Int32>?, _ actionsLen: Int
) -> Int32 {
    reportingErrors("sac_act_discrete_batch") { () throws(SACError) in
        let agent = try discreteAgent(handle, instead: "sac_act_batch")
        let obs = try Check.notNull(obs, "obs")
        let actions = try Check.notNull(actions, "actions")
        try checkBatchLengths(n: n, obsLen: obsLen, obsDim: agent.config.obsDim, outputLen: actionsLen,
                              "actions_len", width: 1, "one action index per row, width")
        try Check.finite(obs, count: obsLen, "obs")
        try agent.actIndices(obs, rows: n, deterministic: deterministic != 0, into: actions)
    }
}

@c @implementation
public func sac_observe(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ obsLen: Int, _ action: UnsafePointer<Float>?,
    _ actionLen: Int, _ reward: Float, _ nextObs: UnsafePointer<Float>?, _ nextObsLen: Int,
    _ terminated: Int32, _ truncated: Int32
) -> Int32 {
    reportingErrors("sac_observe") { () throws(SACError) in
        let agent = try continuousAgent(handle, instead: "sac_observe_discrete")
        let (obs, nextObs) = try checkTransition(agent, obs: obs, obsLen: obsLen, reward: reward,
                                                 nextObs: nextObs, nextObsLen: nextObsLen)
        let action = try Check.notNull(action, "action")
        try Check.length(actionLen, "action_len", expected: agent.config.actionDim, "action_dim")
        try Check.finite(action, count: actionLen, "action")
        try agent.observe(observation: obs, action: action, reward: reward, nextObservation: nextObs,
                          terminated: terminated != 0)
    }
}

@c @implementation
public func sac_observe_batch(_ handle: OpaquePointer?, _ batchPointer: UnsafePointer<sac_batch>?) -> Int32 {
    reportingErrors("sac_observe_batch") { () throws(SACError) in
        let agent = try agentObject(handle)
        let given = try CallerBatch.read(batchPointer)
        try agent.requireTrainable()
        let capacity = agent.config.replayCapacity
        try agent.observe(CallerBatch(given, for: agent, rows: 0...capacity, "the agent's replay_capacity").rows)
    }
}

@c @implementation
public func sac_observe_discrete(
    _ handle: OpaquePointer?, _ obs: UnsafePointer<Float>?, _ obsLen: Int, _ action: Int32, _ reward: Float,
    _ nextObs: UnsafePointer<Float>?, _ nextObsLen: Int, _ terminated: Int32, _ truncated: Int32
) -> Int32 {
    reportingErrors("sac_observe_discrete") { () throws(SACError) in
        let agent = try discreteAgent(handle, instead: "sac_observe")
        let (obs, nextObs) = try checkTransition(agent, obs: obs, obsLen: obsLen, reward: reward,
                                                 nextObs: nextObs, nextObsLen: nextObsLen)
        try Check.actionIndex(action, "action", count: agent.config.actionCount)
        try agent.observe(observation: obs, actionIndex: action, reward: reward, nextObservation: nextObs,
                          terminated: terminated != 0)
    }
}
