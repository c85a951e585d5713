// sac-bench: measures libsac's core on this machine.
//
//   sac-bench [--json] [--quick] [--threads N] [--hidden H] [--batch B] [--cut-critic-products]
//             [--kernel avx512|avx2|portable]
//   sac-bench --count-allocations   heap allocations on the hot path (expects 0; exit status 1 if not)
//
// Reports one core's peak FMA rate at each vector width the CPU has, the GEMM kernel's GFLOP/s on
// 256×256×256 (and OpenBLAS's, when the machine has libopenblas0, as a yardstick); gradient updates
// per second (batch 256, hidden [256, 256], unless --batch and --hidden say otherwise) of SAC-v2 at
// (obs, act) = (3, 1), (17, 6) and (376, 17), with the FLOP rate that implies as a fraction of the
// GEMM's and of the threads' cores' peak (the ceiling); of SAC-v1 at (17, 6), and of discrete SAC
// and soft Q-learning at (4 obs, 2 actions); the act latency in microseconds (one observation, and
// act_batch of 64; and at (17, 6) the p50, p99, p99.9 and maximum of 1,000,000 single calls);
// environment steps per second of a training loop on the built-in Pendulum; the time to save and
// load a JSON checkpoint at (17, 6); and the peak resident memory. Each figure is the best of
// several timed repeats, since the machine's cores are shared with other work and the best run is
// the least disturbed one.
import CPeak
import SACCore

#if canImport(Glibc)
import Glibc
#endif

struct Options {
    var json = false
    var quick = false
    var countAllocations = false
    var threads = 1
    var hidden = 256
    var batch = 256
    var compute = Compute()

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--threads":
                guard let value = rest.popFirst().flatMap({ Int($0) }), (1...NetworkRunner.maxThreads).contains(value) else {
                    print("sac-bench: --threads takes 1 to \(NetworkRunner.maxThreads)")
                    exit(2)
                }
                threads = value
            case "--kernel":
                let names = GEMM.availableKernels.map { "\($0)" }
                guard let name = rest.popFirst(), let kernel = GEMM.availableKernels.first(where: { "\($0)" == name }) else {
                    print("sac-bench: --kernel takes one of this CPU's GEMM kernels: \(names.joined(separator: ", "))")
                    exit(2)
                }
                compute.kernel = kernel
            case "--hidden", "--batch":
                guard let value = rest.popFirst().flatMap({ Int($0) }), (1...4096).contains(value) else {
                    print("sac-bench: \(argument) takes a size from 1 to 4096")
                    exit(2)
                }
                if argument == "--hidden" { hidden = value } else { batch = value }
            case "--cut-critic-products": compute.criticsCutFromThreads = 2
            case "--json": json = true
            case "--quick": quick = true
            case "--count-allocations": countAllocations = true
            case "-h", "--help":
                print("usage: sac-bench [--json] [--quick] [--threads N] [--hidden H] [--batch B] [--cut-critic-products] [--kernel NAME] | --count-allocations\n"
                    + "  --threads N          gradient steps on N threads, 1 to 64 (with 2, the second runs one critic\n"
                    + "                       of each pair and half of the actor's products; with more, large\n"
                    + "                       products are cut between all of them)\n"
                    + "  --hidden H, --batch B\n"
                    + "                       two hidden layers of H units and batches of B rows (default 256, 256)\n"
                    + "  --cut-critic-products\n"
                    + "                       on 2 threads too, run the critics one after the other with each\n"
                    + "                       product cut between the threads (as from 3 threads on), to see how\n"
                    + "                       cut products scale\n"
                    + "  --kernel NAME        the GEMM kernel: avx512, avx2 or portable (default: the fastest this\n"
                    + "                       CPU has), to see what a CPU without the faster ones would get\n"
                    + "  --json               print one JSON object instead of a table\n"
                    + "  --quick              a few iterations only (a smoke test, not a measurement)\n"
                    + "  --count-allocations  count heap allocations in 1,000 rounds of act, act, observe and\n"
                    + "                       update for each algorithm; exit status 1 unless there are none")
                exit(0)
            default:
                print("sac-bench: unknown option \(argument) (try --help)")
                exit(2)
            }
        }
    }
}

/// The fastest of `repeats` timed runs of `body`, in seconds.
func bestOf<E: Error>(_ repeats: Int, _ body: () throws(E) -> Void) throws(E) -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return best
}

/// An agent of `config` (replay 100,000, no warm-up) whose buffer holds 10,000 random transitions.
func makeAgent(_ config: AgentConfig, compute: Compute = options.compute) throws -> SACAgent {
    var config = config
    config.hiddenSizes = [options.hidden, options.hidden]
    config.batchSize = options.batch
    config.replayCapacity = 100_000
    config.learningStarts = 0
    let agent = try SACAgent.make(config: config, compute: compute)
    try agent.setThreads(compute.flopCounter == nil ? options.threads : 1)  // the counter is not thread-safe
    var random = RandomSource(seed: 1)
    let (obsDim, width) = (config.obsDim, config.storedActionWidth)
    var obs = [Float](repeating: 0, count: obsDim), next = obs
    var action = [Float](repeating: 0, count: width)
    for _ in 0..<10_000 {
        for i in 0..<obsDim { obs[i] = random.normal(); next[i] = random.normal() }
        if config.algorithm.isDiscrete {
            try agent.observe(observation: obs, actionIndex: Int32(random.index(below: config.actionCount)),
                              reward: random.normal(), nextObservation: next, terminated: false)
        } else {
            for i in 0..<width { action[i] = random.uniform(-1, 1) }
            try agent.observe(observation: obs, action: action, reward: random.normal(), nextObservation: next,
                              terminated: false)
        }
    }
    return agent
}

func makeAgent(obsDim: Int, actionDim: Int, algorithm: Algorithm = .continuous) throws -> SACAgent {
    var config = AgentConfig(obsDim: obsDim, actionDim: actionDim)
    config.algorithm = algorithm
    return try makeAgent(config)
}

struct Row {
    let name: String
    let value: Double
    let unit: String
    let key: String
}

let options = Options(CommandLine.arguments)
if options.countAllocations {
    exit(try countHotPathAllocations(rounds: 1_000) == 0 ? 0 : 1)
}
let repeats = options.quick ? 1 : 5
var rows: [Row] = []
var gemmGflops = 0.0

// One core's peak for each vector width the CPU has; the fractions below use the one that the GEMM
// kernel in use runs on (on some CPUs AVX-512 doubles AVX2's peak, on others it matches it).
var peakGflops = 0.0
for (isa, label) in [(LIBSAC_PEAK_AVX512, "AVX-512"), (LIBSAC_PEAK_AVX2, "AVX2/FMA")] where libsac_peak_has(isa) != 0 {
    let peak = measurePeak(isa, quick: options.quick, repeats: repeats)
    rows.append(Row(name: "FMA peak, one core (\(label), \(peak.chains) chains)", value: peak.gflops, unit: "GFLOP/s",
                    key: "peak_gflops_per_core_\(isa == LIBSAC_PEAK_AVX512 ? "avx512" : "avx2")"))
    if peakGflops == 0 || isa == peakISA(of: options.compute.kernel) { peakGflops = peak.gflops }
}

// GEMM kernel throughput on the size that dominates an update, and OpenBLAS's on the same product
// when the machine has it (a yardstick only: libsac does not use it).
do {
    let n = 256
    let a = try FloatBuffer(count: n * n), b = try FloatBuffer(count: n * n), c = try FloatBuffer(count: n * n)
    let workspace = try GEMM.Workspace(maxTransposed: 0, kernel: options.compute.kernel)
    var random = RandomSource(seed: 2)
    for i in 0..<(n * n) { a[i] = random.normal(); b[i] = random.normal() }
    let calls = options.quick ? 2 : 50
    let flops = 2 * Double(n * n * n) * Double(calls)
    let time = bestOf(repeats) { for _ in 0..<calls { GEMM.multiply(a.base, b.base, into: c.base, m: n, n: n, k: n, workspace: workspace) } }
    gemmGflops = flops / time / 1e9
    rows.append(Row(name: "GEMM 256x256x256 (\(options.compute.kernel) kernel)", value: gemmGflops, unit: "GFLOP/s", key: "gemm_gflops"))
    if peakGflops > 0 {
        rows.append(Row(name: "  as a fraction of one core's peak", value: gemmGflops / peakGflops, unit: "", key: "gemm_peak_fraction"))
    }
    if let openBLAS = OpenBLAS.load(matching: options.compute.kernel) {
        let blasTime = bestOf(repeats) { for _ in 0..<calls { openBLAS.multiply(a.base, b.base, into: c.base, n: n) } }
        let blasGflops = flops / blasTime / 1e9
        rows.append(Row(name: "OpenBLAS sgemm 256x256x256 (\(openBLAS.core), 1 thread)", value: blasGflops, unit: "GFLOP/s",
                        key: "openblas_gflops"))
        rows.append(Row(name: "  libsac's GEMM / OpenBLAS's", value: gemmGflops / blasGflops, unit: "", key: "gemm_openblas_ratio"))
    }
}

/// Gradient updates per second of `agent`, the best of the repeats.
func updateRate(_ agent: SACAgent) throws(SACError) -> Double {
    let updates = options.quick ? 2 : 40
    try agent.update()
    let time = try bestOf(repeats) { () throws(SACError) in for _ in 0..<updates { try agent.update() } }
    return Double(updates) / time
}

/// The arithmetic of one update: the FLOPs of its matrix products, counted as it runs.
func flopsPerUpdate(_ config: AgentConfig) throws -> Int {
    var compute = options.compute
    let counter = FlopCounter()
    compute.flopCounter = counter
    try makeAgent(config, compute: compute).update()
    return counter.flops
}

for (obsDim, actionDim) in [(3, 1), (17, 6), (376, 17)] {
    let agent = try makeAgent(obsDim: obsDim, actionDim: actionDim)
    let rate = try updateRate(agent)
    rows.append(Row(name: "updates/s (\(obsDim), \(actionDim))", value: rate,
                    unit: "updates/s", key: "updates_per_second_\(obsDim)_\(actionDim)"))
    let gflops = Double(try flopsPerUpdate(agent.config)) * rate / 1e9
    rows.append(Row(name: "  update arithmetic rate (\(obsDim), \(actionDim))", value: gflops, unit: "GFLOP/s",
                    key: "update_gflops_\(obsDim)_\(actionDim)"))
    rows.append(Row(name: "  as a fraction of the GEMM's", value: gflops / gemmGflops, unit: "",
                    key: "update_gemm_fraction_\(obsDim)_\(actionDim)"))
    // The ceiling: every thread's core at its FMA peak, doing nothing but this update's products
    // (no row on a CPU without vector FMA, where there is no peak to measure).
    if peakGflops > 0 {
        rows.append(Row(name: "  as a fraction of \(options.threads) core(s)' peak", value: gflops / (peakGflops * Double(options.threads)),
                        unit: "", key: "update_peak_fraction_\(obsDim)_\(actionDim)"))
    }
    guard obsDim < 100 else { continue }

    let obs = [Float](repeating: 0.1, count: obsDim)
    var action = [Float](repeating: 0, count: actionDim)
    let calls = options.quick ? 10 : 20_000
    for (deterministic, label) in [(true, "deterministic"), (false, "stochastic")] {
        let time = try bestOf(repeats) { () throws(SACError) in
            for _ in 0..<calls { try agent.act(obs, rows: 1, deterministic: deterministic, into: &action) }
        }
        rows.append(Row(name: "act latency (\(obsDim), \(actionDim)) \(label)", value: time / Double(calls) * 1e6,
                        unit: "µs", key: "act_us_\(obsDim)_\(actionDim)_\(label)"))
    }
    if obsDim == 17 {
        let calls = options.quick ? 1_000 : 1_000_000
        let latency = try LatencyPercentiles(calls: calls) { () throws(SACError) in
            try agent.act(obs, rows: 1, deterministic: true, into: &action)
        }
        for (label, value, key) in [("p50", latency.p50, "p50"), ("p99", latency.p99, "p99"), ("p99.9", latency.p999, "p999"),
                                    ("max", latency.max, "max")] {
            rows.append(Row(name: "  \(label) of \(calls) single deterministic acts", value: value, unit: "µs",
                            key: "act_\(key)_us_\(obsDim)_\(actionDim)"))
        }
    }
    let batch = 64
    let batchObs = [Float](repeating: 0.1, count: batch * obsDim)
    var batchActions = [Float](repeating: 0, count: batch * actionDim)
    let batchCalls = options.quick ? 2 : 2_000
    let batchTime = try bestOf(repeats) { () throws(SACError) in
        for _ in 0..<batchCalls { try agent.act(batchObs, rows: batch, deterministic: true, into: &batchActions) }
    }
    rows.append(Row(name: "act_batch of 64 (\(obsDim), \(actionDim)) deterministic", value: batchTime / Double(batchCalls) * 1e6,
                    unit: "µs", key: "act_batch64_us_\(obsDim)_\(actionDim)"))
}

// A full training loop on the built-in Pendulum: act, environment step, observe, one update.
do {
    var config = AgentConfig(obsDim: 3, actionDim: 1)
    config.hiddenSizes = [options.hidden, options.hidden]
    config.batchSize = options.batch
    config.actionLow = [-2]
    config.actionHigh = [2]
    config.learningStarts = 0
    let agent = try SACAgent.make(config: config, compute: options.compute)
    try agent.setThreads(options.threads)
    var loop = try TrainingLoop(environment: Pendulum(), agent: agent, environmentSeed: 5)
    try loop.train(steps: config.batchSize + 1)  // until updates run on every step
    let steps = options.quick ? 2 : 200
    let time = try bestOf(repeats) { () throws(SACError) in try loop.train(steps: steps) }
    rows.append(Row(name: "train loop on Pendulum, 1 update per step", value: Double(steps) / time,
                    unit: "env steps/s", key: "pendulum_env_steps_per_second"))
}

// The rest of the family at the same network and batch sizes.
rows.append(Row(name: "updates/s SAC-v1 (17, 6)", value: try updateRate(try makeAgent(obsDim: 17, actionDim: 6, algorithm: .continuousV1)),
                unit: "updates/s", key: "updates_per_second_v1_17_6"))
for (algorithm, label, key) in [(Algorithm.discrete, "discrete SAC", "discrete"), (.softQ, "soft Q", "soft_q")] {
    let agent = try makeAgent(AgentConfig(obsDim: 4, actionCount: 2, algorithm: algorithm))
    rows.append(Row(name: "updates/s \(label) (4 obs, 2 actions)", value: try updateRate(agent),
                    unit: "updates/s", key: "updates_per_second_\(key)_4_2"))
}

// The divergence guard's cost: what keeping the previous version of the weights for a rollback costs,
// against the same agent writing its steps in place. (Both check losses and new weights for
// NaN/inf: those checks ride on values already in registers and cannot be switched off.) Timed in
// alternation, so that both see the same machine.
do {
    let guarded = try makeAgent(obsDim: 17, actionDim: 6)
    let unguarded = try makeAgent(obsDim: 17, actionDim: 6)
    unguarded.guardsDivergence = false
    var (on, off) = (0.0, 0.0)
    for _ in 0..<(options.quick ? 1 : 5) {
        on = max(on, try updateRate(guarded))
        off = max(off, try updateRate(unguarded))
    }
    rows.append(Row(name: "updates/s (17, 6), steps in place (no rollback)", value: off, unit: "updates/s",
                    key: "updates_per_second_17_6_in_place"))
    rows.append(Row(name: "  the divergence guard's cost, 1 - guarded/in place", value: 1 - on / off, unit: "",
                    key: "divergence_guard_cost_17_6"))
}

// Checkpoint save (JSON encode + atomic file write) and load (file read + strict parse) at (17, 6).
do {
    let agent = try makeAgent(obsDim: 17, actionDim: 6)
    try agent.update()
    let path = "/tmp/sac-bench-checkpoint-\(getpid()).json"
    defer { unlink(path) }
    let saveRepeats = options.quick ? 1 : 3
    let save = try bestOf(saveRepeats) { () throws(SACError) in
        try Files.writeAtomically(path, AgentJSON.encode(agent, kind: .checkpoint))
    }
    let load = try bestOf(saveRepeats) { () throws(SACError) in
        _ = try Files.read(path).withBytes { bytes throws(SACError) in try AgentJSON.decode(bytes) }
    }
    let size = try Files.read(path).count
    rows.append(Row(name: "checkpoint save (17, 6), \(size / 1_000_000) MB", value: save * 1000, unit: "ms", key: "checkpoint_save_ms_17_6"))
    rows.append(Row(name: "checkpoint load (17, 6)", value: load * 1000, unit: "ms", key: "checkpoint_load_ms_17_6"))
}

// The high-water mark of resident memory over the whole run (Linux reports kilobytes).
var usage = rusage()
getrusage(RUSAGE_SELF.rawValue, &usage)
rows.append(Row(name: "peak resident memory", value: Double(usage.ru_maxrss) / 1024, unit: "MiB", key: "peak_rss_mib"))

if options.json {
    let fields = ["  \"threads\": \(options.threads)", "  \"hidden\": \(options.hidden)", "  \"batch\": \(options.batch)"] + rows.map { "  \"\($0.key)\": \(($0.value * 1000).rounded() / 1000)" }
    print("{\n" + fields.joined(separator: ",\n") + "\n}")
} else {
    print("sac-bench: batch \(options.batch), hidden [\(options.hidden), \(options.hidden)], \(options.threads) thread(s), best of \(repeats)\(options.quick ? " (quick: not a measurement)" : "")")
    for row in rows {
        let value = row.value >= 100 ? String(Int(row.value.rounded())) : String((row.value * 100).rounded() / 100)
        print(row.name.rightPadded(52) + value.leftPadded(10) + " " + row.unit)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
    func rightPadded(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
