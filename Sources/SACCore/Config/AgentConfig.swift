#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything that defines an agent; the Swift mirror of `sac_config`.
/// The defaults here are the single source of the C API's `sac_config_default`.
public struct AgentConfig: Equatable, Sendable {
    /// The ranges of the config's integer fields and limits of its numbers: the one table that
    /// validation, the JSON reader and the C bridge use.
    public enum Limits {
        public static let obsDim = 1...(1 << 30)
        public static let actionDim = 1...64
        public static let actionCount = 2...65_536
        public static let hiddenLayers = 1...8
        public static let hiddenSize = 1...65_536
        public static let batchSize = 1...(1 << 20)
        /// At least batch_size, too; 2^34 transitions is past any machine's memory.
        public static let replayCapacity = 1...(1 << 34)
        public static let learningStarts = 0...Int.max
        /// The C field is a uint32.
        public static let targetUpdateInterval = 1...Int(UInt32.max)
        /// Adam learning rates above 1 move a weight by more than 1 per step: only divergence lies there.
        public static let maxLearningRate: Float = 1
        /// The largest α: its logarithm, which a learned temperature steps, must map back to a finite α.
        public static let maxInitialAlpha: Float = 1e38
    }

    public var algorithm = Algorithm.continuous
    public var obsDim = 0
    /// Continuous algorithms: the action vector's length. Discrete ones leave it 0.
    public var actionDim = 0
    /// Discrete algorithms: the number of actions (n_actions). Continuous ones leave it 0.
    public var actionCount = 0
    /// Per-dimension action bounds in environment units; empty means [-1, 1] for every dimension.
    public var actionLow: [Float] = []
    public var actionHigh: [Float] = []
    public var hiddenSizes: [Int] = [256, 256]
    public var actorLearningRate: Float = 3e-4
    public var criticLearningRate: Float = 3e-4
    public var alphaLearningRate: Float = 3e-4
    public var gamma: Float = 0.99
    public var tau: Float = 0.005
    public var batchSize = 256
    public var replayCapacity = 1_000_000
    public var learningStarts = 100
    /// nil: the algorithm's default (`Algorithm.defaultInitialAlpha`).
    public var initialAlpha: Float?
    /// nil: the algorithm's default (learned for v2 and discrete SAC, fixed for v1 and soft Q).
    public var autoAlpha: Bool?
    /// nil: −actionDim (continuous) or targetEntropyScale · log(actionCount) (discrete).
    public var targetEntropy: Float?
    /// Discrete SAC's default target entropy as a fraction of the maximum entropy log(actionCount).
    public var targetEntropyScale: Float = 0.98
    public var seed: UInt64 = 0
    /// Normalise observations with their running mean and variance, inside the agent (and its files):
    /// clip((x − mean) / sqrt(var + observationEpsilon), ±observationClip).
    public var normalizeObservations = false
    public var observationClip: Float = 10
    public var observationEpsilon: Float = 1e-8
    /// Blend the target networks toward the trained ones every this many gradient steps.
    public var targetUpdateInterval = 1

    public init() {}

    public init(obsDim: Int, actionDim: Int) {
        self.obsDim = obsDim
        self.actionDim = actionDim
    }

    public init(obsDim: Int, actionCount: Int, algorithm: Algorithm = .discrete) {
        self.algorithm = algorithm
        self.obsDim = obsDim
        self.actionCount = actionCount
    }

    public var resolvedTargetEntropy: Float {
        if let targetEntropy { return targetEntropy }
        return algorithm.isDiscrete ? targetEntropyScale * logf(Float(actionCount)) : -Float(actionDim)
    }

    public var resolvedAutoAlpha: Bool { autoAlpha ?? algorithm.learnsTemperatureByDefault }
    public var resolvedInitialAlpha: Float { initialAlpha ?? algorithm.defaultInitialAlpha }

    /// This config with every algorithm-dependent default written out, as agents report and save it.
    public var resolved: AgentConfig {
        var copy = self
        copy.autoAlpha = resolvedAutoAlpha
        copy.initialAlpha = resolvedInitialAlpha
        copy.targetEntropy = resolvedTargetEntropy
        return copy
    }

    /// The largest entropy a policy can have: log(n_actions) for discrete actions, and for actions in
    /// [-1, 1]^action_dim (the squashed Gaussian's range) that of the uniform distribution, action_dim·log 2.
    /// Rounded up a little, so that the float of log(n) itself passes.
    public var maxEntropy: Float {
        let exact = algorithm.isDiscrete ? logf(Float(actionCount)) : Float(actionDim) * logf(2)
        return exact.nextUp
    }

    /// Floats per action in the replay buffer: the action vector, or one index for discrete agents.
    public var storedActionWidth: Int { algorithm.isDiscrete ? 1 : actionDim }

    public func low(_ i: Int) -> Float { actionLow.isEmpty ? -1 : actionLow[i] }
    public func high(_ i: Int) -> Float { actionHigh.isEmpty ? 1 : actionHigh[i] }

    /// Checks every field; the message names the field as `naming` spells it, and its value.
    public func validate(naming: ConfigNaming = .plain) throws(SACError) {
        func fail(_ message: String) -> SACError { SACError(.invalidConfig, naming.fieldPrefix + message) }
        let name = naming.algorithmName(algorithm)
        guard Limits.obsDim.contains(obsDim) else {
            throw fail("obs_dim is \(obsDim); it must be in \(Limits.obsDim)")
        }
        if algorithm.isDiscrete {
            guard Limits.actionCount.contains(actionCount) else {
                throw fail("n_actions is \(actionCount); \(name) needs \(Limits.actionCount) actions")
            }
            guard actionDim == 0 else {
                throw fail("action_dim is \(actionDim); \(name) picks one of n_actions, so leave action_dim at 0")
            }
        } else {
            guard actionCount == 0 else {
                throw fail("n_actions is \(actionCount); it is for discrete algorithms only, so leave it at 0 for \(name)")
            }
            guard Limits.actionDim.contains(actionDim) else {
                throw fail("action_dim is \(actionDim); it must be in \(Limits.actionDim)")
            }
        }
        for i in 0..<actionDim {
            let (lo, hi) = (low(i), high(i))
            guard lo.isFinite, hi.isFinite else {
                throw fail("action_low[\(i)] and action_high[\(i)] must be finite; got \(lo) and \(hi)")
            }
            guard lo < hi else {
                throw fail("action_low[\(i)] (\(lo)) must be less than action_high[\(i)] (\(hi))")
            }
        }
        guard Limits.hiddenLayers.contains(hiddenSizes.count) else {
            throw fail("hidden_layers is \(hiddenSizes.count); it must be in \(Limits.hiddenLayers)")
        }
        for (i, size) in hiddenSizes.enumerated() where !Limits.hiddenSize.contains(size) {
            throw fail("hidden_sizes[\(i)] is \(size); it must be in \(Limits.hiddenSize)")
        }
        for (field, rate) in [("actor_lr", actorLearningRate), ("critic_lr", criticLearningRate),
                             ("alpha_lr", alphaLearningRate)]
        where !(rate > 0 && rate <= Limits.maxLearningRate) {
            throw fail("\(field) is \(rate); it must be in (0, \(Limits.maxLearningRate)]")
        }
        guard gamma >= 0, gamma <= 1 else { throw fail("gamma is \(gamma); it must be in [0, 1]") }
        guard tau > 0, tau <= 1 else { throw fail("tau is \(tau); it must be in (0, 1]") }
        guard Limits.batchSize.contains(batchSize) else {
            throw fail("batch_size is \(batchSize); it must be in \(Limits.batchSize)")
        }
        guard replayCapacity >= batchSize, replayCapacity <= Limits.replayCapacity.upperBound else {
            throw fail("replay_capacity is \(replayCapacity); it must be at least batch_size (\(batchSize)) and at most 2^34")
        }
        guard Limits.learningStarts.contains(learningStarts) else { throw fail("learning_starts is \(learningStarts); it must be >= 0") }
        if let initialAlpha, !(initialAlpha > 0 && initialAlpha <= Limits.maxInitialAlpha) {
            throw fail("initial_alpha is \(initialAlpha); it must be in (0, \(Limits.maxInitialAlpha)] "
                + "(or NaN for the algorithm's default)")
        }
        if algorithm == .softQ, autoAlpha == true {
            throw fail("auto_alpha is 1, but \(name) keeps alpha fixed: set auto_alpha to 0 or -1 (the default)")
        }
        if let targetEntropy, !(targetEntropy.isFinite && targetEntropy <= maxEntropy) {
            throw fail("target_entropy is \(targetEntropy); it must be finite and at most \(maxEntropy), the largest "
                + "entropy a policy of \(algorithm.isDiscrete ? "\(actionCount) actions" : "\(actionDim) action dimensions") "
                + "can have (above it alpha grows without bound) (or NaN for the algorithm's default)")
        }
        guard targetEntropyScale.isFinite, targetEntropyScale > 0, targetEntropyScale <= 1 else {
            throw fail("target_entropy_scale is \(targetEntropyScale); it must be in (0, 1]")
        }
        guard observationClip.isFinite, observationClip > 0 else {
            throw fail("obs_clip is \(observationClip); it must be finite and positive")
        }
        guard observationEpsilon.isFinite, observationEpsilon > 0 else {
            throw fail("obs_epsilon is \(observationEpsilon); it must be finite and positive")
        }
        guard Limits.targetUpdateInterval.contains(targetUpdateInterval) else {
            throw fail("target_update_interval is \(targetUpdateInterval); it must be in \(Limits.targetUpdateInterval)")
        }
    }
}

/// How validation messages name fields and algorithms: plainly (the field names every binding and
/// the JSON format share, and `Algorithm.name`), or as a binding spells them (the C bridge prefixes
/// `sac_config.` and names `SAC_ALGO_*`).
public struct ConfigNaming: Sendable {
    public let fieldPrefix: String
    public let algorithmName: @Sendable (Algorithm) -> String

    public init(fieldPrefix: String, algorithmName: @escaping @Sendable (Algorithm) -> String) {
        (self.fieldPrefix, self.algorithmName) = (fieldPrefix, algorithmName)
    }

    public static let plain = ConfigNaming(fieldPrefix: "") { $0.name }
}
