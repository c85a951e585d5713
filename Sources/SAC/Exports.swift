import CSac
import SACCore

// The exported C functions of include/sac.h's basics: config and agent lifetime. Each export checks
// its arguments, converts between C and Swift types and calls the core; `@c @implementation`
// makes the compiler check every signature against the header. Nothing here may trap on caller input.

/// The Swift object behind a `sac_agent *` handle: any member of the SAC family.
typealias Agent = SACAgent

func agentObject(_ handle: OpaquePointer?) throws(SACError) -> Agent {
    let handle = try Check.notNull(handle, "agent")
    return Unmanaged<Agent>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
}

/// The agent behind `handle`, which must act with continuous action vectors.
func continuousAgent(_ handle: OpaquePointer?, instead discreteFunction: String) throws(SACError) -> Agent {
    try agent(handle, discrete: false, instead: discreteFunction)
}

/// The agent behind `handle`, which must act with action indices.
func discreteAgent(_ handle: OpaquePointer?, instead continuousFunction: String) throws(SACError) -> Agent {
    try agent(handle, discrete: true, instead: continuousFunction)
}

/// The agent behind `handle`, whose actions must be indices or not (`discrete`); an agent of the
/// other kind must use `function`.
private func agent(_ handle: OpaquePointer?, discrete: Bool, instead function: String) throws(SACError) -> Agent {
    let agent = try agentObject(handle)
    guard agent.actionSpace.isDiscrete == discrete else {
        throw SACError(.wrongAlgorithm, "the agent is \(agent.config.algorithm.cName), which acts with "
            + "\(agent.actionSpace.form): use \(function)")
    }
    return agent
}

/// Writes the first `byteCount` bytes of a versioned struct to a caller's (possibly older, shorter) copy.
func copyPrefix<T>(of value: inout T, to destination: UnsafeMutablePointer<T>, byteCount: Int) {
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
        let agent = try SACAgent.make(config: sac_config.read(config, argument: "config"))
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
        var config = sac_config(agent.config.resolved)
        config.struct_size = structSize
        copyPrefix(of: &config, to: out, byteCount: structSize)
    }
}

@c @implementation
public func sac_agent_set_threads(_ handle: OpaquePointer?, _ threads: UInt32) -> Int32 {
    reportingErrors("sac_agent_set_threads") { () throws(SACError) in
        try agentObject(handle).setThreads(Int(threads))
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

@c @implementation
public func sac_agent_obs_normalization(
    _ handle: OpaquePointer?, _ mean: UnsafeMutablePointer<Double>?, _ variance: UnsafeMutablePointer<Double>?,
    _ obsLength: Int, _ count: UnsafeMutablePointer<UInt64>?
) -> Int32 {
    reportingErrors("sac_agent_obs_normalization") { () throws(SACError) in
        let agent = try agentObject(handle)
        guard let normalizer = agent.normalizer else {
            throw SACError(.invalidArgument, "the agent does not normalise observations "
                + "(it was created with sac_config.normalize_observations = 0)")
        }
        try Check.length(obsLength, "obs_len", expected: normalizer.dimension, "obs_dim")
        mean?.update(from: normalizer.mean, count: normalizer.dimension)
        variance?.update(from: normalizer.variance, count: normalizer.dimension)
        count?.pointee = UInt64(normalizer.count)
    }
}
