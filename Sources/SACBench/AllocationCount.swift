import CAllocCounter
import SACCore

/// `sac-bench --count-allocations`: proves the hot path allocates nothing. For each algorithm, after
/// a warm-up (the runtime initialises some things lazily on first use), counts the heap allocations
/// of the whole process during 1,000 rounds of stochastic act, deterministic act, observe and update.
/// Returns the total, which must be 0.
func countHotPathAllocations(rounds: Int) throws -> Int {
    guard libsac_alloc_counter_available() != 0 else {
        print("sac-bench: allocation counting is unavailable in a sanitizer build")
        return 0
    }
    // The control: a known allocation must be seen, or a 0 below would prove nothing.
    libsac_alloc_counter_start()
    let probe = try FloatBuffer(count: 1_000 + rounds)
    let seen = libsac_alloc_counter_stop()
    guard seen > 0, probe.count > 0 else {
        print("sac-bench: the allocation counter saw no allocation for a new buffer; it is not working")
        return -1
    }
    print("control: \(seen) heap allocation(s) seen for one new buffer")
    var total = 0
    let continuous = AgentConfig(obsDim: 17, actionDim: 6)
    var v1 = continuous
    v1.algorithm = .continuousV1
    var normalizing = continuous
    normalizing.normalizeObservations = true
    normalizing.targetUpdateInterval = 2
    let cases: [(String, AgentConfig, Int)] = [
        ("SAC-v2 (17, 6)", continuous, 1), ("SAC-v2 (17, 6), 2 threads", continuous, 2), ("SAC-v1 (17, 6)", v1, 1),
        ("SAC-v2 (17, 6), normalised observations, target interval 2", normalizing, 1),
        ("discrete SAC (4 obs, 2 actions)", AgentConfig(obsDim: 4, actionCount: 2, algorithm: .discrete), 1),
        ("soft Q (4 obs, 2 actions), 2 threads", AgentConfig(obsDim: 4, actionCount: 2, algorithm: .softQ), 2),
    ]
    for (name, base, threads) in cases {
        var config = base
        config.hiddenSizes = [64, 64]
        config.batchSize = 64
        config.replayCapacity = 10_000
        config.learningStarts = 0
        let agent = try SACAgent.make(config: config)
        try agent.setThreads(threads)
        var random = RandomSource(seed: 3)
        let width = config.storedActionWidth
        let obs = try FloatBuffer(count: config.obsDim), next = try FloatBuffer(count: config.obsDim)
        let action = try FloatBuffer(count: width), greedy = try FloatBuffer(count: width)
        var index: Int32 = 0, greedyIndex: Int32 = 0
        func round() throws(SACError) {
            for i in 0..<config.obsDim { obs[i] = random.normal(); next[i] = random.normal() }
            if agent.actionSpace.isDiscrete {
                try agent.actIndices(obs.base, rows: 1, deterministic: false, into: &index)
                try agent.actIndices(obs.base, rows: 1, deterministic: true, into: &greedyIndex)
                try agent.observe(observation: obs.base, actionIndex: index, reward: random.normal(),
                                  nextObservation: next.base, terminated: false)
            } else {
                try agent.act(obs.base, rows: 1, deterministic: false, into: action.base)
                try agent.act(obs.base, rows: 1, deterministic: true, into: greedy.base)
                try agent.observe(observation: obs.base, action: action.base, reward: random.normal(),
                                  nextObservation: next.base, terminated: false)
            }
            if agent.canUpdate { try agent.update() }
        }
        for _ in 0..<(2 * config.batchSize) { try round() }
        libsac_alloc_counter_start()
        for _ in 0..<rounds { try round() }
        let count = libsac_alloc_counter_stop()
        print("heap allocations in \(rounds) x (act, act, observe, update), \(name): \(count)")
        total += count
    }
    return total
}
