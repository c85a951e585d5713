import CSac
import Foundation
import XCTest

// Helpers shared by the C ABI tests. Like everything in this target they use only the functions
// declared in sac.h, exactly as a C caller would.

/// sizeof(sac_config) and sizeof(sac_update_stats) as a C compiler sees them (the stride includes
/// any trailing padding, as C's sizeof does).
let sizeofConfig = MemoryLayout<sac_config>.stride
/// sizeof(sac_config) in the 0.1.0 header, which ended at `seed`: what an older caller passes.
let sizeofConfigV0_1 = MemoryLayout<sac_config>.offset(of: \.algorithm)!
let sizeofStats = MemoryLayout<sac_update_stats>.stride

// MARK: - Configurations

extension sac_config {
    /// sac_config_default, then the small agent used throughout the tests: obs_dim 3, action_dim 1
    /// in [-2, 2], hidden [16, 16], batch_size 8, replay_capacity 64, learning_starts 0.
    static func small(seed: UInt64 = 7) -> sac_config {
        var config = sac_config()
        let status = sac_config_default(&config, sizeofConfig)
        XCTAssertEqual(status, SAC_OK.rawValue, "sac_config_default: \(lastErrorMessage())")
        config.obs_dim = 3
        config.action_dim = 1
        config.setBounds(0, low: -2, high: 2)
        config.hidden_layers = 2
        config.setHiddenSize(0, 16)
        config.setHiddenSize(1, 16)
        config.batch_size = 8
        config.replay_capacity = 64
        config.learning_starts = 0
        config.seed = seed
        return config
    }

    /// .small() as a discrete agent of `algorithm` with `actions` actions (action_dim 0, default bounds).
    static func smallDiscrete(_ algorithm: sac_algorithm = SAC_ALGO_DISCRETE, actions: UInt32 = 3,
                              seed: UInt64 = 7) -> sac_config {
        var config = small(seed: seed)
        config.algorithm = Int32(algorithm.rawValue)
        config.action_dim = 0
        config.setBounds(0, low: -1, high: 1)
        config.n_actions = actions
        return config
    }

    var isDiscrete: Bool {
        algorithm == Int32(SAC_ALGO_DISCRETE.rawValue) || algorithm == Int32(SAC_ALGO_SOFT_Q.rawValue)
    }

    func actionLow(_ i: Int) -> Float {
        withUnsafeBytes(of: action_low) { $0.load(fromByteOffset: i * MemoryLayout<Float>.stride, as: Float.self) }
    }

    func actionHigh(_ i: Int) -> Float {
        withUnsafeBytes(of: action_high) { $0.load(fromByteOffset: i * MemoryLayout<Float>.stride, as: Float.self) }
    }

    mutating func setBounds(_ i: Int, low: Float, high: Float) {
        withUnsafeMutableBytes(of: &action_low) { $0.storeBytes(of: low, toByteOffset: i * MemoryLayout<Float>.stride, as: Float.self) }
        withUnsafeMutableBytes(of: &action_high) { $0.storeBytes(of: high, toByteOffset: i * MemoryLayout<Float>.stride, as: Float.self) }
    }

    func hiddenSize(_ i: Int) -> UInt32 {
        withUnsafeBytes(of: hidden_sizes) { $0.load(fromByteOffset: i * MemoryLayout<UInt32>.stride, as: UInt32.self) }
    }

    mutating func setHiddenSize(_ i: Int, _ size: UInt32) {
        withUnsafeMutableBytes(of: &hidden_sizes) { $0.storeBytes(of: size, toByteOffset: i * MemoryLayout<UInt32>.stride, as: UInt32.self) }
    }
}

// MARK: - Agents

extension XCTestCase {
    /// Creates an agent that is destroyed when the test ends.
    func makeAgent(_ config: sac_config = .small(), file: StaticString = #filePath, line: UInt = #line) throws -> OpaquePointer {
        var config = config
        var handle: OpaquePointer?
        let status = sac_agent_create(&config, &handle)
        assertStatus(status, SAC_OK, "sac_agent_create: \(lastErrorMessage())", file: file, line: line)
        let agent = try XCTUnwrap(handle, file: file, line: line)
        let address = UInt(bitPattern: agent)
        addTeardownBlock { sac_agent_destroy(OpaquePointer(bitPattern: address)) }
        return agent
    }

    /// Two agents from the same config (hence the same seed), for checking that a call left the
    /// random stream and the learned state alone.
    func makeTwins(_ config: sac_config = .small(), file: StaticString = #filePath, line: UInt = #line) throws -> (OpaquePointer, OpaquePointer) {
        (try makeAgent(config, file: file, line: line), try makeAgent(config, file: file, line: line))
    }
}

/// The agent's configuration as sac_agent_config reports it.
func agentConfig(_ agent: OpaquePointer, file: StaticString = #filePath, line: UInt = #line) -> sac_config {
    var config = sac_config()
    assertStatus(sac_agent_config(agent, &config, sizeofConfig), SAC_OK, "sac_agent_config", file: file, line: line)
    return config
}

/// Field-by-field equality (padding bytes excluded); floats compared bit for bit.
func assertSameConfig(_ a: sac_config, _ b: sac_config, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.struct_size, b.struct_size, "struct_size", file: file, line: line)
    XCTAssertEqual(a.obs_dim, b.obs_dim, "obs_dim", file: file, line: line)
    XCTAssertEqual(a.action_dim, b.action_dim, "action_dim", file: file, line: line)
    for i in 0..<Int(a.action_dim) {
        XCTAssertEqual(a.actionLow(i).bitPattern, b.actionLow(i).bitPattern, "action_low[\(i)]", file: file, line: line)
        XCTAssertEqual(a.actionHigh(i).bitPattern, b.actionHigh(i).bitPattern, "action_high[\(i)]", file: file, line: line)
    }
    XCTAssertEqual(a.hidden_layers, b.hidden_layers, "hidden_layers", file: file, line: line)
    for i in 0..<Int(a.hidden_layers) {
        XCTAssertEqual(a.hiddenSize(i), b.hiddenSize(i), "hidden_sizes[\(i)]", file: file, line: line)
    }
    let floats: [(String, Float, Float)] = [
        ("actor_lr", a.actor_lr, b.actor_lr), ("critic_lr", a.critic_lr, b.critic_lr),
        ("alpha_lr", a.alpha_lr, b.alpha_lr), ("gamma", a.gamma, b.gamma), ("tau", a.tau, b.tau),
        ("initial_alpha", a.initial_alpha, b.initial_alpha), ("target_entropy", a.target_entropy, b.target_entropy),
        ("target_entropy_scale", a.target_entropy_scale, b.target_entropy_scale),
        ("obs_clip", a.obs_clip, b.obs_clip), ("obs_epsilon", a.obs_epsilon, b.obs_epsilon),
    ]
    for (name, x, y) in floats {
        XCTAssertEqual(x.bitPattern, y.bitPattern, "\(name): \(x) vs \(y)", file: file, line: line)
    }
    XCTAssertEqual(a.algorithm, b.algorithm, "algorithm", file: file, line: line)
    XCTAssertEqual(a.n_actions, b.n_actions, "n_actions", file: file, line: line)
    XCTAssertEqual(a.batch_size, b.batch_size, "batch_size", file: file, line: line)
    XCTAssertEqual(a.replay_capacity, b.replay_capacity, "replay_capacity", file: file, line: line)
    XCTAssertEqual(a.learning_starts, b.learning_starts, "learning_starts", file: file, line: line)
    XCTAssertEqual(a.auto_alpha, b.auto_alpha, "auto_alpha", file: file, line: line)
    XCTAssertEqual(a.seed, b.seed, "seed", file: file, line: line)
    XCTAssertEqual(a.normalize_observations, b.normalize_observations, "normalize_observations", file: file, line: line)
    XCTAssertEqual(a.target_update_interval, b.target_update_interval, "target_update_interval", file: file, line: line)
}

/// A fixed observation of length `dim`.
func probeObservation(_ dim: Int) -> [Float] {
    (0..<dim).map { i in Float(i + 1) * (i.isMultiple(of: 2) ? 0.25 : -0.375) }
}

/// The deterministic action for `obs`.
func deterministicAction(_ agent: OpaquePointer, _ obs: [Float], file: StaticString = #filePath, line: UInt = #line) -> [Float] {
    act(agent, obs, deterministic: true, file: file, line: line)
}

/// sac_act (or, for a discrete agent, sac_act_discrete with the index as a float), asserting success.
func act(_ agent: OpaquePointer, _ obs: [Float], deterministic: Bool, file: StaticString = #filePath, line: UInt = #line) -> [Float] {
    let config = agentConfig(agent, file: file, line: line)
    if config.isDiscrete {
        var index: Int32 = -1
        let status = sac_act_discrete(agent, obs, obs.count, deterministic ? 1 : 0, &index)
        assertStatus(status, SAC_OK, "sac_act_discrete: \(lastErrorMessage())", file: file, line: line)
        return [Float(index)]
    }
    let actionDim = Int(config.action_dim)
    var action = [Float](repeating: .nan, count: actionDim)
    let status = sac_act(agent, obs, obs.count, deterministic ? 1 : 0, &action, action.count)
    assertStatus(status, SAC_OK, "sac_act: \(lastErrorMessage())", file: file, line: line)
    return action
}

/// Transition number `k` of a fixed, made-up trajectory that fits the agent's dimensions.
struct Transition {
    var obs: [Float]
    var action: [Float]
    var reward: Float
    var nextObs: [Float]
    var terminated: Bool

    init(_ k: Int, obsDim: Int, actionDim: Int) {
        let t = Float(k)
        obs = (0..<obsDim).map { i in sinf(0.3 * t + Float(i)) }
        nextObs = (0..<obsDim).map { i in sinf(0.3 * (t + 1) + Float(i)) }
        action = (0..<actionDim).map { i in cosf(0.7 * t + Float(i)) }
        reward = Float(k % 5) - 2
        terminated = k % 10 == 9
    }
}

/// Stores transitions `range` of the made-up trajectory, asserting success. A discrete agent takes
/// action k mod n_actions.
func observeTransitions(_ agent: OpaquePointer, _ range: Range<Int>, file: StaticString = #filePath, line: UInt = #line) {
    let config = agentConfig(agent, file: file, line: line)
    for k in range {
        let t = Transition(k, obsDim: Int(config.obs_dim), actionDim: Int(config.action_dim))
        let status = config.isDiscrete
            ? sac_observe_discrete(agent, t.obs, t.obs.count, Int32(k % Int(config.n_actions)), t.reward,
                                   t.nextObs, t.nextObs.count, t.terminated ? 1 : 0, 0)
            : sac_observe(agent, t.obs, t.obs.count, t.action, t.action.count, t.reward,
                          t.nextObs, t.nextObs.count, t.terminated ? 1 : 0, 0)
        assertStatus(status, SAC_OK, "sac_observe: \(lastErrorMessage())", file: file, line: line)
    }
}

// MARK: - Observable state

/// Everything a caller can observe about an agent without changing it.
struct AgentSnapshot: Equatable {
    var environmentSteps: UInt64
    var gradientSteps: UInt64
    var replaySize: UInt64
    /// Bit patterns of the deterministic action for probeObservation, so that any change shows.
    var deterministicAction: [UInt32]
}

func snapshot(_ agent: OpaquePointer, file: StaticString = #filePath, line: UInt = #line) -> AgentSnapshot {
    var environmentSteps: UInt64 = .max
    var gradientSteps: UInt64 = .max
    var replaySize: UInt64 = .max
    assertStatus(sac_agent_counters(agent, &environmentSteps, &gradientSteps), SAC_OK, "sac_agent_counters", file: file, line: line)
    assertStatus(sac_replay_size(agent, &replaySize), SAC_OK, "sac_replay_size", file: file, line: line)
    let obsDim = Int(agentConfig(agent, file: file, line: line).obs_dim)
    let action = deterministicAction(agent, probeObservation(obsDim), file: file, line: line)
    return AgentSnapshot(environmentSteps: environmentSteps, gradientSteps: gradientSteps, replaySize: replaySize,
                         deterministicAction: bits(action))
}

/// Asserts that two agents created from the same config and given the same successful calls are
/// still in the same state, random stream included: the same snapshot, the same next stochastic
/// action and, after the same transitions, the same update statistics, bit for bit.
/// This drives both agents on; call it at the end of a test.
func assertTwinsStillAgree(_ agent: OpaquePointer, _ twin: OpaquePointer, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(snapshot(agent, file: file, line: line), snapshot(twin, file: file, line: line),
                   "snapshots differ", file: file, line: line)
    let config = agentConfig(agent, file: file, line: line)
    let obs = probeObservation(Int(config.obs_dim))
    XCTAssertEqual(bits(act(agent, obs, deterministic: false, file: file, line: line)),
                   bits(act(twin, obs, deterministic: false, file: file, line: line)),
                   "next stochastic actions differ", file: file, line: line)
    // enough for one batch, and past the warm-up
    let seen = Int(snapshot(agent, file: file, line: line).environmentSteps)
    let count = max(Int(config.batch_size), Int(config.learning_starts) - seen)
    observeTransitions(agent, 1000..<(1000 + count), file: file, line: line)
    observeTransitions(twin, 1000..<(1000 + count), file: file, line: line)
    XCTAssertEqual(bits(update(agent, file: file, line: line)), bits(update(twin, file: file, line: line)),
                   "update statistics differ", file: file, line: line)
    XCTAssertEqual(snapshot(agent, file: file, line: line), snapshot(twin, file: file, line: line),
                   "snapshots differ after an update", file: file, line: line)
}

/// One sac_update step, asserting success; returns its statistics.
func update(_ agent: OpaquePointer, steps: UInt32 = 1, file: StaticString = #filePath, line: UInt = #line) -> sac_update_stats {
    var stats = sac_update_stats()
    stats.struct_size = sizeofStats
    assertStatus(sac_update(agent, steps, &stats), SAC_OK, "sac_update: \(lastErrorMessage())", file: file, line: line)
    return stats
}

func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

func bits(_ stats: sac_update_stats) -> [UInt32] {
    [stats.critic_loss, stats.actor_loss, stats.alpha, stats.alpha_loss, stats.entropy, stats.mean_q,
     stats.value_loss].map(\.bitPattern)
}

// MARK: - Statuses and errors

func lastErrorMessage() -> String { String(cString: sac_last_error()) }

func statusName(_ status: Int32) -> String { String(cString: sac_status_string(status)) }

func assertStatus(_ status: Int32, _ expected: sac_status, _ context: @autoclosure () -> String = "",
                  file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(statusName(status), statusName(expected.rawValue), context(), file: file, line: line)
    XCTAssertEqual(status, expected.rawValue, context(), file: file, line: line)
}

/// Sets this thread's sac_last_error to a message no test expects, so that a check afterwards
/// sees only what the call under test wrote.
func primeLastError() -> String {
    var config = sac_config()
    XCTAssertNotEqual(sac_config_default(&config, 1), SAC_OK.rawValue)
    return lastErrorMessage()
}

/// Runs `call`, which must fail with `expected`, and checks that sac_last_error() was written by
/// it: it starts with "<function>: " and contains each of `mentions`. Returns the message.
@discardableResult
func assertFails(_ expected: sac_status, _ function: String, mentioning mentions: [String],
                 file: StaticString = #filePath, line: UInt = #line, _ call: () -> Int32) -> String {
    let primer = primeLastError()
    assertStatus(call(), expected, "call to \(function)", file: file, line: line)
    let message = lastErrorMessage()
    XCTAssertNotEqual(message, primer, "sac_last_error() was not set", file: file, line: line)
    XCTAssertTrue(message.hasPrefix(function + ": "), "\"\(message)\" does not start with \(function)", file: file, line: line)
    for word in mentions {
        XCTAssertTrue(message.contains(word), "\"\(message)\" does not mention \(word)", file: file, line: line)
    }
    return message
}

/// assertFails, plus: the agent's observable state is the same before and after the call.
/// With a `twin` (an agent created from the same config and given the same successful calls), the
/// twin is snapshotted alongside, so that both keep receiving the same successful calls, and the
/// agent must still look exactly like it.
@discardableResult
func assertFailsLeavingAgentUnchanged(_ agent: OpaquePointer, twin: OpaquePointer? = nil, _ expected: sac_status,
                                      _ function: String, mentioning mentions: [String],
                                      file: StaticString = #filePath, line: UInt = #line, _ call: () -> Int32) -> String {
    let before = snapshot(agent, file: file, line: line)
    let twinBefore = twin.map { snapshot($0, file: file, line: line) }
    let message = assertFails(expected, function, mentioning: mentions, file: file, line: line, call)
    XCTAssertEqual(snapshot(agent, file: file, line: line), before, "the failing call changed the agent", file: file, line: line)
    if let twin, let twinBefore {
        XCTAssertEqual(twinBefore, before, "the agent and its twin differed before the call", file: file, line: line)
        XCTAssertEqual(snapshot(twin, file: file, line: line), before, "the agent and its twin differ", file: file, line: line)
    }
    return message
}

// MARK: - Caller memory

/// Caller-owned memory, like a C caller's malloc, filled with a pattern so that any write shows.
final class PatternedMemory {
    static let pattern: UInt8 = 0xA5
    let count: Int
    let raw: UnsafeMutableRawPointer

    init(count: Int) {
        self.count = count
        raw = .allocate(byteCount: count, alignment: 16)
        raw.initializeMemory(as: UInt8.self, repeating: Self.pattern, count: count)
    }

    deinit { raw.deallocate() }

    func pointer<T>(to type: T.Type) -> UnsafeMutablePointer<T> { raw.bindMemory(to: type, capacity: 1) }

    /// Writes a struct's leading `struct_size` field.
    func setStructSize(_ size: Int) { raw.storeBytes(of: size, as: Int.self) }

    /// True if no byte from `offset` on was written since the memory was filled.
    func isUntouched(from offset: Int = 0) -> Bool {
        (offset..<count).allSatisfy { raw.load(fromByteOffset: $0, as: UInt8.self) == Self.pattern }
    }
}

/// A handle value that no agent has; sac_agent_create must leave it in *out when it fails.
var untouchedHandle: OpaquePointer { OpaquePointer(bitPattern: 0x5AC0_0BAD)! }

// MARK: - JSON and files

/// sac_to_json through the two-call pattern, asserting success: the JSON text without its NUL.
func jsonBytes(_ agent: OpaquePointer, _ kind: sac_json_kind, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    var needed = 0
    assertStatus(sac_to_json(agent, Int32(kind.rawValue), nil, 0, &needed), SAC_ERR_BUFFER_TOO_SMALL,
                 "sac_to_json sizing call: \(lastErrorMessage())", file: file, line: line)
    var buffer = [CChar](repeating: 0, count: max(needed, 1))
    assertStatus(sac_to_json(agent, Int32(kind.rawValue), &buffer, buffer.count, &needed), SAC_OK,
                 "sac_to_json: \(lastErrorMessage())", file: file, line: line)
    return buffer.dropLast().map { UInt8(bitPattern: $0) }
}

extension XCTestCase {
    /// sac_from_json on `bytes`, asserting success; the agent is destroyed when the test ends.
    func loadAgent(json bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> OpaquePointer {
        var handle: OpaquePointer?
        let status = bytes.withUnsafeBytes { sac_from_json($0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count, &handle) }
        assertStatus(status, SAC_OK, "sac_from_json: \(lastErrorMessage())", file: file, line: line)
        let agent = try XCTUnwrap(handle, file: file, line: line)
        let address = UInt(bitPattern: agent)
        addTeardownBlock { sac_agent_destroy(OpaquePointer(bitPattern: address)) }
        return agent
    }

    /// A new empty directory, removed with everything in it when the test ends.
    func makeTemporaryDirectory(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sac-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }
}
