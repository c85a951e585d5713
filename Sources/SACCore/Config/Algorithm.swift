/// The members of the SAC family one library builds. Raw values are the C `sac_algorithm` codes.
public enum Algorithm: Int32, CaseIterable, Sendable {
    /// SAC-v2 (arXiv 1812.05905): twin Q critics with targets, learned temperature. The default.
    case continuous = 0
    /// SAC-v1 (arXiv 1801.01290): a state-value network V and its target; fixed temperature by default.
    case continuousV1 = 1
    /// Discrete SAC (arXiv 1910.07207): softmax policy, per-action twin Q heads, learned temperature.
    case discrete = 2
    /// Discrete soft Q-learning (arXiv 1702.08165): the Boltzmann policy of twin Q heads, fixed temperature.
    case softQ = 3

    /// Its name in the core's messages (the JSON format's names are in Serialization, the C
    /// enumerators in the shims).
    public var name: String {
        switch self {
        case .continuous: "SAC"
        case .continuousV1: "SAC-v1"
        case .discrete: "discrete SAC"
        case .softQ: "soft Q-learning"
        }
    }

    /// Discrete algorithms choose one of `n_actions` indices; continuous ones output action vectors.
    public var isDiscrete: Bool { self == .discrete || self == .softQ }

    /// Whether α is learned when the config leaves `auto_alpha` at its default: as in each paper,
    /// v2 and discrete SAC learn it, v1 and soft Q-learning keep it fixed.
    var learnsTemperatureByDefault: Bool { self == .continuous || self == .discrete }

    /// α when the config leaves `initial_alpha` at its default. A learned α starts at 1 (SB3). A fixed
    /// α is the temperature for good: v1's 0.2 is the paper's reward scale 5 (α = 1/scale); soft Q's
    /// 0.05 suits rewards of order 1 per step, where Q values grow to about 1/(1 − γ).
    var defaultInitialAlpha: Float {
        switch self {
        case .continuous, .discrete: 1
        case .continuousV1: 0.2
        case .softQ: 0.05
        }
    }
}
