/// Everything that defines an agent; the Swift mirror of `sac_config`.
/// The defaults here are the single source of the C API's `sac_config_default`.
public struct AgentConfig: Equatable, Sendable {
    public static let maxActionDim = 64
    public static let maxHiddenLayers = 8

    public var obsDim = 0
    public var actionDim = 0
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
    public var initialAlpha: Float = 1
    public var autoAlpha = true
    /// nil means −actionDim.
    public var targetEntropy: Float?
    public var seed: UInt64 = 0

    public init() {}

    public init(obsDim: Int, actionDim: Int) {
        self.obsDim = obsDim
        self.actionDim = actionDim
    }

    public var resolvedTargetEntropy: Float { targetEntropy ?? -Float(actionDim) }

    public func low(_ i: Int) -> Float { actionLow.isEmpty ? -1 : actionLow[i] }
    public func high(_ i: Int) -> Float { actionHigh.isEmpty ? 1 : actionHigh[i] }

    /// Checks every field; the error message names the C field (`sac_config.<name>`) and its value.
    public func validate() throws(SACError) {
        func fail(_ message: String) -> SACError { SACError(.invalidConfig, "sac_config." + message) }
        guard obsDim >= 1 else { throw fail("obs_dim is \(obsDim); it must be at least 1") }
        guard (1...Self.maxActionDim).contains(actionDim) else {
            throw fail("action_dim is \(actionDim); it must be in 1...\(Self.maxActionDim)")
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
        where !(rate.isFinite && rate > 0) {
            throw fail("\(name) is \(rate); it must be a positive finite number")
        }
        guard gamma >= 0, gamma <= 1 else { throw fail("gamma is \(gamma); it must be in [0, 1]") }
        guard tau > 0, tau <= 1 else { throw fail("tau is \(tau); it must be in (0, 1]") }
        guard batchSize >= 1, batchSize <= 1 << 20 else {
            throw fail("batch_size is \(batchSize); it must be in 1...\(1 << 20)")
        }
        guard replayCapacity >= batchSize, replayCapacity <= 1 << 34 else {
            throw fail("replay_capacity is \(replayCapacity); it must be at least batch_size (\(batchSize)) and at most 2^34")
        }
        guard learningStarts >= 0 else { throw fail("learning_starts is \(learningStarts); it must be >= 0") }
        guard initialAlpha.isFinite, initialAlpha > 0 else {
            throw fail("initial_alpha is \(initialAlpha); it must be a positive finite number")
        }
        if let targetEntropy, !targetEntropy.isFinite {
            throw fail("target_entropy is \(targetEntropy); it must be finite (or NaN for the default -action_dim)")
        }
    }
}
