import CJSONC
import CSac

/// The size of an agent a config asks for, computed before the library allocates it.
///
/// Why: sac_agent_create (and sac_from_json, which creates the agent before it reads the weights)
/// reserves every buffer up front and initialises every weight. A legal config may ask for a lot:
/// replay_capacity up to 2^34 transitions (calloc'd: untouched pages cost no memory), hidden layers
/// of 65536 units, obs_dim up to 2^32 - 1. Creating such an agent is correct, but under the fuzzer
/// it only trips -rss_limit_mb=2048 (and libFuzzer's malloc limit, the same 2 GB for one block) or
/// -timeout=1 without finding anything. Memory alone would allow up to ~1.5 GB; time allows less:
/// the address sanitizer poisons the shadow of every freed block (an eighth of its size, written
/// page by page), about 0.5 ms per MB allocated even when the block was never touched, and every
/// weight is drawn from the random generator at creation. So the harness skips, before calling the
/// library, configs whose buffers add up to more than `maxBytes` or whose networks hold more than
/// `maxParameters` weights; the worst accepted input then runs in a few hundred milliseconds.
/// Configs with a field out of its valid range are never skipped: the library rejects them before
/// allocating anything, and those error paths are worth fuzzing.
struct AgentShape {
    static let maxBytes = 64.0 * 1_048_576
    static let maxParameters = 128.0 * 1024
    /// Gradient steps are taken only when batch_size x parameters stays below this (a few ms each).
    static let maxUpdateWork = 1.0 * 1_048_576

    var algorithm: Int32
    var obsDim: Double
    var actionDim: Double
    var actionCount: Double
    var hidden: [Double]
    var batch: Double
    var capacity: Double
    var trainable: Bool

    var isDiscrete: Bool { algorithm == Int32(SAC_ALGO_DISCRETE.rawValue) || algorithm == Int32(SAC_ALGO_SOFT_Q.rawValue) }

    /// Whether every field the sizes depend on is in the range the library accepts (if not, it refuses
    /// the config before allocating).
    var isInRange: Bool {
        (0...3).contains(algorithm) && obsDim >= 1 && obsDim <= 4_294_967_295 && actionDim <= 64 && actionCount <= 65_536
            && (1...8).contains(hidden.count) && hidden.allSatisfy { $0 >= 1 && $0 <= 65_536 }
            && batch >= 1 && batch <= 1_048_576 && capacity <= 17_179_869_184
    }

    /// The layer sizes of every network the agent holds (targets and, for policy files, critics too).
    var networks: [[Double]] {
        let out = isDiscrete ? actionCount : 1
        let critic = [isDiscrete ? obsDim : obsDim + actionDim] + hidden + [out]
        let actor = [obsDim] + hidden + [isDiscrete ? actionCount : 2 * actionDim]
        switch algorithm {
        case Int32(SAC_ALGO_SOFT_Q.rawValue): return Array(repeating: critic, count: 4)
        case Int32(SAC_ALGO_CONTINUOUS_V1.rawValue): return [actor, critic, critic, [obsDim] + hidden + [1], [obsDim] + hidden + [1]]
        default: return [actor] + Array(repeating: critic, count: 4)
        }
    }

    /// Weights of all networks, each initialised (drawn or copied) at creation.
    var parameters: Double {
        networks.reduce(0) { total, sizes in total + zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 } }
    }

    /// An upper bound of the bytes the agent allocates: per network its parameters, gradients, Adam
    /// moments, activations and back-propagation buffers and GEMM workspace; the minibatch, the
    /// per-algorithm workspaces and the replay buffer at full capacity.
    var bytes: Double {
        var floats = 0.0
        for sizes in networks {
            let p = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 + $1.1 }
            let widest = sizes.max() ?? 0
            let transposed = zip(sizes, sizes.dropFirst()).map { $0 * $1 }.max() ?? 0
            floats += 4 * p + batch * sizes.reduce(0, +) + 2 * batch * widest + transposed + 2 * 8208
        }
        let row = 2 * obsDim + (isDiscrete ? 1 : actionDim) + 2
        floats += batch * (row + 2 * (obsDim + actionDim) + 8 * (actionDim + actionCount) + 8)
        if trainable { floats += capacity * row }
        return 4 * floats
    }

    /// Whether the harness may hand this config to the library (see the type's comment).
    var isAffordable: Bool { !isInRange || (bytes <= Self.maxBytes && parameters <= Self.maxParameters) }

    /// Whether a few gradient steps are cheap enough for the 1 s budget.
    var canAffordUpdates: Bool { batch <= 32 && batch * parameters <= Self.maxUpdateWork }
}

extension AgentShape {
    /// The shape `sac_agent_create` will see for `config` (which must have a valid struct_size).
    init(_ config: sac_config, trainable: Bool = true) {
        let layers = Int(min(config.hidden_layers, 9))
        let sizes = withUnsafeBytes(of: config.hidden_sizes) { Array($0.bindMemory(to: UInt32.self)) }
        self.init(algorithm: config.algorithm, obsDim: Double(config.obs_dim), actionDim: Double(config.action_dim),
                  actionCount: Double(config.n_actions), hidden: sizes.prefix(layers).map(Double.init),
                  batch: Double(config.batch_size), capacity: Double(config.replay_capacity), trainable: trainable)
    }

    /// The shape of the agent a JSON document describes, read leniently with json-c; nil when the
    /// document or its config cannot be read this way (the library then fails before allocating).
    init?(json bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max), let tokener = json_tokener_new_ex(32) else { return nil }
        defer { json_tokener_free(tokener) }
        guard let root = json_tokener_parse_ex(tokener, bytes.baseAddress!.assumingMemoryBound(to: CChar.self),
                                               Int32(bytes.count)) else { return nil }
        defer { json_object_put(root) }
        func member(_ object: OpaquePointer?, _ key: String) -> OpaquePointer? {
            var value: OpaquePointer?
            guard json_object_get_type(object) == json_type_object, json_object_object_get_ex(object, key, &value) != 0
            else { return nil }
            return value
        }
        func integer(_ key: String, in object: OpaquePointer?) -> Double? {
            guard let value = member(object, key), json_object_get_type(value) == json_type_int else { return nil }
            return Double(json_object_get_int64(value))
        }
        func string(_ key: String) -> String? {
            guard let value = member(root, key), json_object_get_type(value) == json_type_string else { return nil }
            return String(cString: json_object_get_string(value))
        }
        let algorithms = ["continuous_sac": SAC_ALGO_CONTINUOUS, "continuous_sac_v1": SAC_ALGO_CONTINUOUS_V1,
                          "discrete_sac": SAC_ALGO_DISCRETE, "soft_q_learning": SAC_ALGO_SOFT_Q]
        let config = member(root, "config")
        guard let algorithm = string("algorithm").flatMap({ algorithms[$0] }), let kind = string("kind"),
              let obs = integer("obs_dim", in: config), let action = integer("action_dim", in: config),
              let batch = integer("batch_size", in: config), let capacity = integer("replay_capacity", in: config),
              let hiddenNode = member(config, "hidden_sizes"), json_object_get_type(hiddenNode) == json_type_array
        else { return nil }
        var hidden: [Double] = []
        for i in 0..<min(json_object_array_length(hiddenNode), 9) {
            let item = json_object_array_get_idx(hiddenNode, i)
            guard json_object_get_type(item) == json_type_int else { return nil }
            hidden.append(Double(json_object_get_int64(item)))
        }
        self.init(algorithm: Int32(algorithm.rawValue), obsDim: obs, actionDim: action,
                  actionCount: integer("n_actions", in: config) ?? 0, hidden: hidden, batch: batch,
                  capacity: capacity, trainable: kind != "policy")
    }
}
