import CSac

/// The config target: the bytes as a sac_config for sac_agent_create. The first byte picks what
/// happens to struct_size (0: the fuzzer's own value; 1 and 3: sizeof(sac_config); 2: the 0.1.0
/// size, which leaves the fields appended in 0.2.0 at their defaults), and bit 2 gives the agent 2
/// threads; the rest overwrite the struct
/// from its first byte, over sac_config_default's values, so that short inputs are configs too.
/// An agent that is created must report a config (sac_agent_config) that creates an agent again;
/// it then acts and, when cheap, takes a gradient step.
func fuzzConfig(_ input: UnsafeRawBufferPointer) {
    guard let mode = input.first else { return }
    let known = MemoryLayout<sac_config>.stride
    let minimum = MemoryLayout<sac_config>.offset(of: \.algorithm)!
    var defaults = sac_config()
    expect(sac_config_default(&defaults, known), [SAC_OK], "sac_config_default")
    var config = defaults
    withUnsafeMutableBytes(of: &config) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: input.dropFirst().prefix(known))) }
    switch mode & 3 {
    case 1, 3: config.struct_size = known
    case 2: config.struct_size = minimum
    default: break
    }

    // What the library reads: struct_size bytes of the caller's struct, its defaults beyond them.
    if (minimum...known).contains(config.struct_size) {
        var effective = defaults
        withUnsafeMutableBytes(of: &effective) { target in
            withUnsafeBytes(of: config) { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0.prefix(config.struct_size))) }
        }
        let shape = AgentShape(effective)
        guard shape.isAffordable else {
            if verbose { printError("sac-fuzz: skipped: \(shape)") }
            return
        }
    }
    var agent: OpaquePointer?
    let status = sac_agent_create(&config, &agent)
    note("sac_agent_create", status)
    expect(status, [SAC_OK, SAC_ERR_INVALID_CONFIG, SAC_ERR_STRUCT_SIZE, SAC_ERR_OUT_OF_MEMORY], "sac_agent_create")
    guard status == SAC_OK.rawValue, let agent else { return }
    defer { sac_agent_destroy(agent) }

    if mode & 4 != 0 { expect(sac_agent_set_threads(agent, 2), [SAC_OK], "sac_agent_set_threads") }
    let exercise = Exercise(agent, trainable: true)
    var reported = exercise.config
    var again: OpaquePointer?
    expect(sac_agent_create(&reported, &again), [SAC_OK], "sac_agent_create of sac_agent_config's config")
    sac_agent_destroy(again)
    exercise.act()
    exercise.train(steps: 1)
    exercise.trainOnBatch()
}
