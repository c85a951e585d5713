/// An agent's trained state, as its checkpoint lists it (`AgentPart`): the weights of every network
/// and every optimizer. A failed update rolls all of it back to the last `commit`; the owner restores
/// the counters and the random state, which are plain values.
struct TrainedState {
    let weights: [VersionedBuffer]
    let optimizers: [Adam]

    init(_ parts: [AgentPart]) {
        var weights: [VersionedBuffer] = []
        var optimizers: [Adam] = []
        for part in parts {
            switch part {
            case .squashedActor(let policy): weights.append(policy.network.parameterVersions)
            case .softmaxActor(let network), .network(_, let network): weights.append(network.parameterVersions)
            case .networks(_, let networks): weights += networks.map(\.parameterVersions)
            case .logAlpha(let buffer): weights.append(buffer)
            case .optimizers(let list): optimizers += list.map(\.adam)
            }
        }
        self.weights = weights
        self.optimizers = optimizers
    }

    func commit() {
        for buffer in weights { buffer.commit() }
        for optimizer in optimizers { optimizer.commit() }
    }

    func rollback() {
        for buffer in weights { buffer.rollback() }
        for optimizer in optimizers { optimizer.rollback() }
    }

    /// Whether steps write new versions (and can be rolled back) instead of overwriting in place.
    var isVersioned: Bool {
        get { !weights.contains { $0.inPlace } }
        nonmutating set {
            for buffer in weights + optimizers.flatMap({ [$0.firstMoments, $0.secondMoments] }) {
                buffer.inPlace = !newValue
            }
        }
    }
}
