extension Algorithm {
    /// The "algorithm" value of the JSON format.
    public var jsonName: String {
        switch self {
        case .continuous: "continuous_sac"
        case .continuousV1: "continuous_sac_v1"
        case .discrete: "discrete_sac"
        case .softQ: "soft_q_learning"
        }
    }

    public init?(jsonName: String) {
        guard let match = Self.allCases.first(where: { $0.jsonName == jsonName }) else { return nil }
        self = match
    }
}
