/// What an agent's actions are, and the one home of their conversions: a continuous action is given
/// and returned in environment units and stored in the policy's [-1, 1]; a discrete action is an
/// index, stored in the replay as its exact float (a count below 2^24 is exact in a Float).
public enum ActionSpace: Sendable, Equatable {
    /// Continuous actions, per dimension between `low` and `high`.
    case box(ActionBox)
    /// One of `count` actions, by index.
    case discrete(count: Int)

    init(_ config: AgentConfig) {
        if config.algorithm.isDiscrete {
            self = .discrete(count: config.actionCount)
        } else {
            let dimensions = 0..<config.actionDim
            self = .box(ActionBox(low: dimensions.map(config.low), high: dimensions.map(config.high)))
        }
    }

    public var isDiscrete: Bool {
        if case .discrete = self { true } else { false }
    }

    /// How the caller's actions are given, for messages.
    public var form: String { isDiscrete ? "action indices" : "float action vectors" }

    /// An action index as the replay stores it; throws unless it is in 0..<count.
    func stored(index: Int32, _ name: String) throws(SACError) -> Float {
        guard case .discrete(let count) = self else {
            throw SACError(.wrongAlgorithm, "\(name) is an action index, but this agent acts with float action vectors")
        }
        guard index >= 0, Int(index) < count else {
            throw SACError(.invalidArgument, "\(name) is \(index); it must be an action index in 0...\(count - 1)")
        }
        return Float(index)
    }
}

/// Per-dimension bounds of continuous actions, in environment units.
public struct ActionBox: Sendable, Equatable {
    public let low: [Float]
    public let high: [Float]

    public var dimension: Int { low.count }

    /// A policy action in [-1, 1] to environment units, clipped to the bounds.
    @inline(__always)
    func toEnvironment(_ normalized: Float, _ i: Int) -> Float {
        let (lo, hi) = (low[i], high[i])
        return min(max(lo + (normalized + 1) * 0.5 * (hi - lo), lo), hi)
    }

    /// Environment units to the policy's [-1, 1], clipped as environments clip.
    @inline(__always)
    func toPolicyRange(_ action: Float, _ i: Int) -> Float {
        let (lo, hi) = (low[i], high[i])
        return min(max(2 * (action - lo) / (hi - lo) - 1, -1), 1)
    }

    /// `rows` actions in environment units to the policy's [-1, 1], as the replay stores them.
    func writePolicyRange(_ actions: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, rows: Int) {
        for k in 0..<(rows * dimension) { output[k] = toPolicyRange(actions[k], k % dimension) }
    }
}
