/// The pieces of an agent that its JSON file carries, by top-level key, for each algorithm. Encoding,
/// decoding and the finiteness check all walk the same list, so they cannot disagree on a key.
enum AgentPart {
    /// "actor" of continuous SAC (v1, v2): a squashed-Gaussian policy network.
    case squashedActor(SquashedGaussianPolicy)
    /// "actor" of discrete SAC: a network of logits.
    case softmaxActor(MLP)
    /// An array of networks, e.g. "critics": [{layers}, {layers}].
    case networks(String, [MLP])
    /// One network, e.g. "value": {layers}.
    case network(String, MLP)
    /// "log_alpha": the temperature's one number.
    case logAlpha(VersionedBuffer)
    /// "optimizers": {name: {step, m, v}}.
    case optimizers([(name: String, adam: Adam)])

    var key: String {
        switch self {
        case .squashedActor, .softmaxActor: "actor"
        case .networks(let key, _), .network(let key, _): key
        case .logAlpha: "log_alpha"
        case .optimizers: "optimizers"
        }
    }

    /// Every float buffer of the part, with its JSON path, for the finiteness check before writing.
    var buffers: [(path: String, buffer: FloatBuffer)] {
        switch self {
        case .squashedActor(let policy): [(key, policy.network.parameters)]
        case .softmaxActor(let network), .network(_, let network): [(key, network.parameters)]
        case .networks(_, let networks): networks.enumerated().map { ("\(key)[\($0.offset)]", $0.element.parameters) }
        case .logAlpha(let buffer): [(key, buffer.current)]
        case .optimizers(let list):
            list.flatMap { [("optimizers.\($0.name).m", $0.adam.firstMoment), ("optimizers.\($0.name).v", $0.adam.secondMoment)] }
        }
    }
}
