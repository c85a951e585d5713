import CSac
import SACCore

extension Algorithm {
    /// The C enumerator, for messages.
    var cName: String {
        switch self {
        case .continuous: "SAC_ALGO_CONTINUOUS"
        case .continuousV1: "SAC_ALGO_CONTINUOUS_V1"
        case .discrete: "SAC_ALGO_DISCRETE"
        case .softQ: "SAC_ALGO_SOFT_Q"
        }
    }
}

extension ConfigNaming {
    /// Messages about a caller's `sac_config`: its fields and the C enumerators.
    static let c = ConfigNaming(fieldPrefix: "sac_config.") { $0.cName }
}

/// Conversions between the C `sac_config` and the core's `AgentConfig`.
extension sac_config {
    /// sizeof(sac_config) as this library's header declares it.
    static let knownSize = MemoryLayout<sac_config>.stride
    /// The size of the first published sac_config (0.1.0, which ended at `seed`); callers may never pass less.
    static let minimumSize = MemoryLayout<sac_config>.offset(of: \.algorithm)!

    init(_ config: AgentConfig) {
        self.init()
        struct_size = Self.knownSize
        obs_dim = UInt32(config.obsDim)
        action_dim = UInt32(config.actionDim)
        withFloats(&action_low) { low in
            withFloats(&action_high) { high in
                for i in 0..<Int(SAC_MAX_ACTION_DIM) {
                    let inRange = i < config.actionDim
                    low[i] = inRange ? config.low(i) : -1
                    high[i] = inRange ? config.high(i) : 1
                }
            }
        }
        hidden_layers = UInt32(config.hiddenSizes.count)
        withUInt32s(&hidden_sizes) { sizes in
            for i in 0..<Int(SAC_MAX_HIDDEN_LAYERS) {
                sizes[i] = UInt32(i < config.hiddenSizes.count ? config.hiddenSizes[i] : 256)
            }
        }
        actor_lr = config.actorLearningRate
        critic_lr = config.criticLearningRate
        alpha_lr = config.alphaLearningRate
        gamma = config.gamma
        tau = config.tau
        batch_size = UInt32(config.batchSize)
        replay_capacity = UInt64(config.replayCapacity)
        learning_starts = UInt64(config.learningStarts)
        initial_alpha = config.initialAlpha ?? .nan
        auto_alpha = config.autoAlpha.map { $0 ? 1 : 0 } ?? SAC_AUTO_ALPHA_DEFAULT
        target_entropy = config.targetEntropy ?? .nan
        seed = config.seed
        algorithm = config.algorithm.rawValue
        n_actions = UInt32(config.actionCount)
        target_entropy_scale = config.targetEntropyScale
        normalize_observations = config.normalizeObservations ? 1 : 0
        obs_clip = config.observationClip
        obs_epsilon = config.observationEpsilon
        target_update_interval = UInt32(config.targetUpdateInterval)
    }

    /// Reads a caller's config of `struct_size` bytes; fields it does not have keep their defaults.
    static func read(_ pointer: UnsafePointer<sac_config>, argument: String) throws(SACError) -> AgentConfig {
        // Read only the size field: the caller's struct may be shorter than ours.
        let size = UnsafeRawPointer(pointer).load(as: Int.self)
        try Check.structSize(size, "\(argument)->struct_size", minimum: minimumSize, known: knownSize)
        var c = sac_config(AgentConfig())
        withUnsafeMutableBytes(of: &c) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: size)) }
        return try c.agentConfig()
    }

    func agentConfig() throws(SACError) -> AgentConfig {
        var config = AgentConfig(obsDim: Int(obs_dim), actionDim: Int(action_dim))
        guard let algorithm = Algorithm(rawValue: self.algorithm) else {
            throw SACError(.invalidConfig, "sac_config.algorithm is \(self.algorithm); expected SAC_ALGO_CONTINUOUS (0), "
                + "SAC_ALGO_CONTINUOUS_V1 (1), SAC_ALGO_DISCRETE (2) or SAC_ALGO_SOFT_Q (3)")
        }
        config.algorithm = algorithm
        config.actionCount = Int(n_actions)
        config.targetEntropyScale = target_entropy_scale
        // The arrays hold SAC_MAX_* entries, the core's limits (ConfigTests checks that they agree):
        // read no further than they go.
        let layers = Int(hidden_layers)
        guard (1...Int(SAC_MAX_HIDDEN_LAYERS)).contains(layers) else {
            throw SACError(.invalidConfig,
                           "sac_config.hidden_layers is \(layers); it must be in \(AgentConfig.Limits.hiddenLayers)")
        }
        guard config.actionDim <= Int(SAC_MAX_ACTION_DIM) else {
            throw SACError(.invalidConfig,
                           "sac_config.action_dim is \(config.actionDim); it must be in \(AgentConfig.Limits.actionDim)")
        }
        var copy = self
        withFloats(&copy.action_low) { config.actionLow = Array($0.prefix(config.actionDim)) }
        withFloats(&copy.action_high) { config.actionHigh = Array($0.prefix(config.actionDim)) }
        withUInt32s(&copy.hidden_sizes) { config.hiddenSizes = $0.prefix(layers).map { Int($0) } }
        config.actorLearningRate = actor_lr
        config.criticLearningRate = critic_lr
        config.alphaLearningRate = alpha_lr
        config.gamma = gamma
        config.tau = tau
        config.batchSize = Int(batch_size)
        config.replayCapacity = Int(clamping: replay_capacity)
        config.learningStarts = Int(clamping: learning_starts)
        config.initialAlpha = initial_alpha.isNaN ? nil : initial_alpha
        // 0.1.0 documented "nonzero: learn", so any positive value still means learn.
        switch auto_alpha {
        case SAC_AUTO_ALPHA_DEFAULT: config.autoAlpha = nil
        case 0...: config.autoAlpha = auto_alpha > 0
        default:
            throw SACError(.invalidConfig, "sac_config.auto_alpha is \(auto_alpha); expected 1 (learn alpha), "
                + "0 (keep it fixed) or SAC_AUTO_ALPHA_DEFAULT (-1, the algorithm's default)")
        }
        config.targetEntropy = target_entropy.isNaN ? nil : target_entropy
        config.seed = seed
        guard normalize_observations == 0 || normalize_observations == 1 else {
            throw SACError(.invalidConfig, "sac_config.normalize_observations is \(normalize_observations); "
                + "expected 0 (off) or 1 (on)")
        }
        config.normalizeObservations = normalize_observations == 1
        config.observationClip = obs_clip
        config.observationEpsilon = obs_epsilon
        config.targetUpdateInterval = Int(target_update_interval)
        try config.validate(naming: .c)
        return config
    }
}

/// Views a fixed-size C array (imported as a homogeneous tuple) as a buffer.
private func withFloats<T, R>(_ tuple: inout T, _ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
    withUnsafeMutableBytes(of: &tuple) { body($0.bindMemory(to: Float.self)) }
}

private func withUInt32s<T, R>(_ tuple: inout T, _ body: (UnsafeMutableBufferPointer<UInt32>) -> R) -> R {
    withUnsafeMutableBytes(of: &tuple) { body($0.bindMemory(to: UInt32.self)) }
}
