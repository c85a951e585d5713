import CSac
#if canImport(Glibc)
import Glibc
#endif

/// The replay target: the bytes as a replay file (docs/weights-format.md) for sac_load_replay into a
/// small agent. The harness writes the FNV-1a 64 checksum of all bytes but the last 8 into the last
/// 8, so that the fuzzer gets past it to the header and the records. The agent is continuous
/// (obs_dim 3, action_dim 2) unless the header's n_actions is nonzero (then discrete SAC with 3
/// actions); both keep 16 transitions and learn from batches of 4. A file that loads into a buffer of
/// its own capacity must save back to the same bytes; then the agent acts and takes a gradient step.
func fuzzReplay(_ input: UnsafeRawBufferPointer) {
    var bytes = Array(input)
    if bytes.count >= 8 {
        let checksum = fnv1a(bytes[..<(bytes.count - 8)])
        for k in 0..<8 { bytes[bytes.count - 8 + k] = UInt8(truncatingIfNeeded: checksum >> (8 * k)) }
    }
    let discrete = bytes.count >= 24 && bytes[20..<24].contains { $0 != 0 }
    var config = replayAgentConfig(discrete: discrete)
    var agent: OpaquePointer?
    expect(sac_agent_create(&config, &agent), [SAC_OK], "sac_agent_create (replay target)")
    defer { sac_agent_destroy(agent) }

    write(bytes, to: ReplayFiles.input)
    let status = sac_load_replay(agent, ReplayFiles.input)
    note("sac_load_replay", status)
    expect(status, [SAC_OK, SAC_ERR_FORMAT], "sac_load_replay")
    guard status == SAC_OK.rawValue, let agent else { return }

    var stored: UInt64 = 0
    expect(sac_replay_size(agent, &stored), [SAC_OK], "sac_replay_size")
    guard stored <= config.replay_capacity else { violated("sac_replay_size is \(stored) with replay_capacity 16") }
    let fileCapacity = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[24 + $1]) << (8 * $1) }
    if fileCapacity == config.replay_capacity {
        expect(sac_save_replay(agent, ReplayFiles.output), [SAC_OK], "sac_save_replay")
        guard read(ReplayFiles.output) == bytes else {
            violated("a replay file loaded into a buffer of its capacity did not save back to the same bytes")
        }
    }
    let exercise = Exercise(agent, trainable: true)
    exercise.act()
    if stored >= UInt64(config.batch_size) { exercise.guarded("sac_update") { sac_update(agent, 1, nil) } }
}

func replayAgentConfig(discrete: Bool) -> sac_config {
    var config = sac_config()
    expect(sac_config_default(&config, MemoryLayout<sac_config>.stride), [SAC_OK], "sac_config_default")
    config.obs_dim = 3
    if discrete {
        config.algorithm = Int32(SAC_ALGO_DISCRETE.rawValue)
        config.n_actions = 3
    } else {
        config.action_dim = 2
    }
    config.hidden_layers = 1
    config.hidden_sizes.0 = 8
    config.batch_size = 4
    config.replay_capacity = 16
    config.learning_starts = 0
    config.seed = 1
    return config
}

/// FNV-1a 64, as the replay format's checksum.
func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
}

/// This process's scratch files, in memory (/dev/shm) when there is one; removed at exit.
enum ReplayFiles {
    static let directory = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    static let input: String = {
        atexit { unlink(ReplayFiles.input); unlink(ReplayFiles.output) }
        return "\(directory)/sac-fuzz-\(getpid())-in.replay"
    }()
    static let output = "\(directory)/sac-fuzz-\(getpid())-out.replay"
}

func write(_ bytes: [UInt8], to path: String) {
    guard let file = fopen(path, "wb"), fwrite(bytes, 1, bytes.count, file) == bytes.count, fclose(file) == 0 else {
        violated("cannot write \(path)")
    }
}

func read(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { violated("cannot read \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while case let count = fread(&chunk, 1, chunk.count, file), count > 0 { bytes += chunk[..<count] }
    return bytes
}
