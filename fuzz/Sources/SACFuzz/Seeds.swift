import CSac
#if canImport(Glibc)
import Glibc
#endif

// `SAC_FUZZ_SEEDS=DIR sac-fuzz` writes the seed corpus to DIR/{policy,checkpoint,replay,config} and
// exits (make fuzz-seeds; the files are committed under fuzz/seeds). Small agents (obs_dim 3,
// hidden [4] or [8, 8], batch_size 4), trained for a few steps so that every counter, Adam moment and
// the random state hold something, keep the files small and the fuzzer fast.

/// Writes every seed under `directory`.
func writeSeeds(to directory: String) {
    for kind in ["policy", "checkpoint", "replay", "config"] { mkdir("\(directory)/\(kind)", 0o755) }
    let algorithms: [(sac_algorithm, String)] = [
        (SAC_ALGO_CONTINUOUS, "continuous_sac"), (SAC_ALGO_CONTINUOUS_V1, "continuous_sac_v1"),
        (SAC_ALGO_DISCRETE, "discrete_sac"), (SAC_ALGO_SOFT_Q, "soft_q_learning"),
    ]
    for (algorithm, name) in algorithms {
        for hidden: [UInt32] in [[4], [8, 8]] {
            let label = "\(name)-h\(hidden.map(String.init).joined(separator: "x"))"
            var config = seedConfig(algorithm, hidden: hidden)
            if hidden.count == 2 {  // the larger agents carry the fields of 0.3: statistics in their files
                config.normalize_observations = 1
                config.target_update_interval = 2
            }
            save(configBytes(config, mode: 1), "\(directory)/config/\(label).bin")
            let agent = trainedAgent(&config, transitions: 10, steps: 3)
            defer { sac_agent_destroy(agent) }
            let exercise = Exercise(agent, trainable: true)
            for (kind, file) in [(SAC_JSON_POLICY, "policy"), (SAC_JSON_CHECKPOINT, "checkpoint")] {
                let text = exercise.json(kind)!.map { UInt8(bitPattern: $0) }
                save(text, "\(directory)/\(file)/\(label).json")
                if algorithm == SAC_ALGO_CONTINUOUS && hidden == [4] {
                    save(versionOne(text), "\(directory)/\(file)/\(label)-format1.json")
                }
            }
        }
    }
    // The struct of libsac 0.1 (struct_size without the fields appended in 0.2), and a raw struct_size.
    var old = seedConfig(SAC_ALGO_CONTINUOUS, hidden: [4])
    save(configBytes(old, mode: 2), "\(directory)/config/continuous_sac-h4-size0.1.bin")
    old.struct_size = MemoryLayout<sac_config>.offset(of: \.normalize_observations)!  // libsac 0.2's struct
    save(configBytes(old, mode: 0), "\(directory)/config/continuous_sac-h4-size0.2.bin")
    old.struct_size = MemoryLayout<sac_config>.stride
    save(configBytes(old, mode: 0), "\(directory)/config/continuous_sac-h4-rawsize.bin")

    // Replay files of the replay target's two agents: empty, partly filled, full after wrapping; and
    // from buffers of other capacities (8: loads every transition; 32: only the newest 16 fit).
    for discrete in [false, true] {
        let name = discrete ? "discrete" : "continuous"
        for (capacity, transitions) in [(16, 0), (16, 5), (16, 20), (8, 11), (32, 20)] {
            var config = replayAgentConfig(discrete: discrete)
            config.replay_capacity = UInt64(capacity)
            let agent = trainedAgent(&config, transitions: transitions, steps: 0)
            defer { sac_agent_destroy(agent) }
            let path = "\(directory)/replay/\(name)-capacity\(capacity)-count\(min(transitions, capacity)).replay"
            expect(sac_save_replay(agent, path), [SAC_OK], "sac_save_replay")
            printError("wrote \(path)")
        }
    }
}

func seedConfig(_ algorithm: sac_algorithm, hidden: [UInt32]) -> sac_config {
    var config = replayAgentConfig(discrete: algorithm == SAC_ALGO_DISCRETE || algorithm == SAC_ALGO_SOFT_Q)
    config.algorithm = Int32(algorithm.rawValue)
    withUnsafeMutableBytes(of: &config.action_low) { $0.storeBytes(of: Float(-2), as: Float.self) }
    withUnsafeMutableBytes(of: &config.action_high) { $0.storeBytes(of: Float(2), as: Float.self) }
    config.hidden_layers = UInt32(hidden.count)
    withUnsafeMutableBytes(of: &config.hidden_sizes) { sizes in
        for (i, size) in hidden.enumerated() { sizes.storeBytes(of: size, toByteOffset: 4 * i, as: UInt32.self) }
    }
    config.learning_starts = 2
    config.seed = UInt64(algorithm.rawValue) + 1
    return config
}

/// An agent of `config` that observed `transitions` transitions and took `steps` gradient steps.
func trainedAgent(_ config: inout sac_config, transitions: Int, steps: UInt32) -> OpaquePointer {
    var agent: OpaquePointer?
    expect(sac_agent_create(&config, &agent), [SAC_OK], "sac_agent_create (seeds)")
    let exercise = Exercise(agent!, trainable: true)
    exercise.observe(transitions)
    if steps > 0 { expect(sac_update(agent, steps, nil), [SAC_OK], "sac_update (seeds)") }
    return agent!
}

/// The config target's input: the mode byte, then the struct.
func configBytes(_ config: sac_config, mode: UInt8) -> [UInt8] {
    [mode] + withUnsafeBytes(of: config) { Array($0) }
}

/// The same file in format version 1 (libsac 0.1): none of the config keys of versions 2 and 3.
func versionOne(_ text: [UInt8]) -> [UInt8] {
    let current = String(decoding: text, as: UTF8.self)
    let removed = ["\"n_actions\":0,", ",\"target_entropy_scale\":0.98",
                   ",\"normalize_observations\":false,\"obs_clip\":10.0,\"obs_epsilon\":1e-08,\"target_update_interval\":1"]
    var version1 = current.replacing("\"format_version\":3", with: "\"format_version\":1")
    for key in removed { version1 = version1.replacing(key, with: "") }
    guard version1.utf8.count == current.utf8.count - removed.map(\.utf8.count).reduce(0, +) else {
        violated("versionOne: unexpected text \(current)")
    }
    return Array(version1.utf8)
}

func save(_ bytes: [UInt8], _ path: String) {
    write(bytes, to: path)
    printError("wrote \(path) (\(bytes.count) bytes)")
}
