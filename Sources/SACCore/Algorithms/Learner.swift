/// One member of the SAC family: its networks, optimizers and temperature, how it acts, and its
/// gradient step. `SACAgent` owns what every member shares (config, replay, random state, counters,
/// the minibatch) and holds one learner; only `SACAgent.make` knows which.
protocol Learner: AnyObject {
    /// How the agent acts with it.
    var policy: ActingPolicy { get }
    /// The temperature α in use.
    var alpha: Float { get }
    /// What a policy file holds: enough to act.
    var policyParts: [AgentPart] { get }
    /// What a checkpoint adds to the policy (besides counters and random state, which the agent has).
    var trainingParts: [AgentPart] { get }
    /// One gradient step on `batch`, drawing any noise from `random`; the target networks (if any)
    /// blend toward the trained ones only when `blendingTargets` (the agent's target_update_interval).
    /// Throws `.diverged` as soon as a loss or a step's new weights are not finite; the agent rolls
    /// back whatever the step changed.
    func gradientStep(on batch: TransitionBatch, blendingTargets: Bool, random: inout RandomSource) throws(SACError)
        -> UpdateStats
}

/// How a learner acts: a squashed Gaussian over continuous actions in [-1, 1], or a categorical
/// distribution over action indices.
enum ActingPolicy {
    case squashedGaussian(SquashedGaussianPolicy)
    case categorical(any CategoricalPolicy)
}

/// What one gradient step measured.
public struct UpdateStats: Equatable, Sendable {
    public var criticLoss: Float = 0
    public var actorLoss: Float = 0
    public var alpha: Float = 0
    public var alphaLoss: Float = 0
    public var entropy: Float = 0
    public var meanQ: Float = 0
    /// SAC-v1's value loss ½·mean(V(s) − v̂)²; 0 for the other algorithms.
    public var valueLoss: Float = 0
    public init() {}

    /// Every statistic must be finite, or the step has diverged.
    func checkFinite() throws(SACError) {
        try Divergence.check(criticLoss, "critic_loss")  // one by one: an array here would allocate
        try Divergence.check(actorLoss, "actor_loss")
        try Divergence.check(alpha, "alpha")
        try Divergence.check(alphaLoss, "alpha_loss")
        try Divergence.check(entropy, "entropy")
        try Divergence.check(meanQ, "mean_q")
        try Divergence.check(valueLoss, "value_loss")
    }
}
