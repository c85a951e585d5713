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
    public static let maxActionDim = 64
    public static let maxHiddenLayers = 8
    public static let maxActionCount = 65_536
    public static let maxReplayCapacity = 1 << 34
    /// Adam learning rates above 1 move a weight by more than 1 per step: only divergence lies there.
    public static let maxLearningRate: Float = 1
    /// The largest α: its logarithm, which a learned temperature steps, must map back to a finite α.
    public static let maxInitialAlpha: Float = 1e38

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

    /// Checks every field; the error message names the C field (`sac_config.<name>`) and its value.
    public func validate() throws(SACError) {
        func fail(_ message: String) -> SACError { SACError(.invalidConfig, "sac_config." + message) }
        guard obsDim >= 1 else { throw fail("obs_dim is \(obsDim); it must be at least 1") }
        if algorithm.isDiscrete {
            guard actionCount >= 2, actionCount <= Self.maxActionCount else {
                throw fail("n_actions is \(actionCount); \(algorithm.cName) needs 2...\(Self.maxActionCount) actions")
            }
            guard actionDim == 0 else {
                throw fail("action_dim is \(actionDim); \(algorithm.cName) picks one of n_actions, so leave action_dim at 0")
            }
        } else {
            guard actionCount == 0 else {
                throw fail("n_actions is \(actionCount); it is for discrete algorithms only, so leave it at 0 for \(algorithm.cName)")
            }
            guard (1...Self.maxActionDim).contains(actionDim) else {
                throw fail("action_dim is \(actionDim); it must be in 1...\(Self.maxActionDim)")
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
        guard (1...Self.maxHiddenLayers).contains(hiddenSizes.count) else {
            throw fail("hidden_layers is \(hiddenSizes.count); it must be in 1...\(Self.maxHiddenLayers)")
        }
        for (i, size) in hiddenSizes.enumerated() where !(1...65_536).contains(size) {
            throw fail("hidden_sizes[\(i)] is \(size); it must be in 1...65536")
        }
        for (name, rate) in [("actor_lr", actorLearningRate), ("critic_lr", criticLearningRate),
                             ("alpha_lr", alphaLearningRate)]
        where !(rate > 0 && rate <= Self.maxLearningRate) {
            throw fail("\(name) is \(rate); it must be in (0, \(Self.maxLearningRate)]")
        }
        guard gamma >= 0, gamma <= 1 else { throw fail("gamma is \(gamma); it must be in [0, 1]") }
        guard tau > 0, tau <= 1 else { throw fail("tau is \(tau); it must be in (0, 1]") }
        guard batchSize >= 1, batchSize <= 1 << 20 else {
            throw fail("batch_size is \(batchSize); it must be in 1...\(1 << 20)")
        }
        guard replayCapacity >= batchSize, replayCapacity <= Self.maxReplayCapacity else {
            throw fail("replay_capacity is \(replayCapacity); it must be at least batch_size (\(batchSize)) and at most 2^34")
        }
        guard learningStarts >= 0 else { throw fail("learning_starts is \(learningStarts); it must be >= 0") }
        if let initialAlpha, !(initialAlpha > 0 && initialAlpha <= Self.maxInitialAlpha) {
            throw fail("initial_alpha is \(initialAlpha); it must be in (0, \(Self.maxInitialAlpha)] "
                + "(or NaN for the algorithm's default)")
        }
        if algorithm == .softQ, autoAlpha == true {
            throw fail("auto_alpha is 1, but SAC_ALGO_SOFT_Q keeps alpha fixed: set auto_alpha to 0 or -1 (the default)")
        }
        if let targetEntropy, !(targetEntropy.isFinite && targetEntropy <= maxEntropy) {
            throw fail("target_entropy is \(targetEntropy); it must be finite and at most \(maxEntropy), the largest "
                + "entropy a policy of \(algorithm.isDiscrete ? "\(actionCount) actions" : "\(actionDim) action dimensions") "
                + "can have (above it alpha grows without bound) (or NaN for the algorithm's default)")
        }
        guard targetEntropyScale.isFinite, targetEntropyScale > 0, targetEntropyScale <= 1 else {
            throw fail("target_entropy_scale is \(targetEntropyScale); it must be in (0, 1]")
        }
    }
}
