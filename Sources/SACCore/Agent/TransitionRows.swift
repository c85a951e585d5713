/// A caller's batch of transitions, by pointers to its rows: what `observe(_:)` stores and
/// `update(on:)` learns from. The caller has checked that every pointer covers `count` rows and that
/// every float is finite; the agent checks the actions against its action space.
public struct TransitionRows {
    public enum Actions {
        /// [count × actionDim] in environment units, for continuous agents.
        case vectors(UnsafePointer<Float>)
        /// [count] action indices, for discrete agents.
        case indices(UnsafePointer<Int32>)
    }

    public let count: Int
    public let observations: UnsafePointer<Float>
    public let actions: Actions
    public let rewards: UnsafePointer<Float>
    public let nextObservations: UnsafePointer<Float>
    /// Nonzero where the episode terminated.
    public let terminated: UnsafePointer<UInt8>

    public init(count: Int, observations: UnsafePointer<Float>, actions: Actions, rewards: UnsafePointer<Float>,
                nextObservations: UnsafePointer<Float>, terminated: UnsafePointer<UInt8>) {
        (self.count, self.observations, self.actions) = (count, observations, actions)
        (self.rewards, self.nextObservations, self.terminated) = (rewards, nextObservations, terminated)
    }
}

extension SACAgent {
    /// Stores every row in the replay buffer in row order, exactly as `count` calls of `observe`
    /// would, or none: the rows are all checked before the first is stored.
    public func observe(_ rows: TransitionRows) throws(SACError) {
        try requireTrainable()
        try check(rows.actions, count: rows.count)
        let obsDim = config.obsDim
        for r in 0..<rows.count {
            let (observation, next) = (rows.observations + r * obsDim, rows.nextObservations + r * obsDim)
            let (reward, done) = (rows.rewards[r], rows.terminated[r] != 0)
            switch rows.actions {
            case .vectors(let actions):
                try observe(observation: observation, action: actions + r * config.actionDim, reward: reward,
                            nextObservation: next, terminated: done)
            case .indices(let indices):
                try observe(observation: observation, actionIndex: indices[r], reward: reward, nextObservation: next,
                            terminated: done)
            }
        }
    }

    /// One gradient step on the rows (1...batch_size of them), copied into the batch workspace with
    /// their actions as the replay stores them; guarded as `update(steps:)`.
    @discardableResult
    public func update(on rows: TransitionRows) throws(SACError) -> UpdateStats {
        try requireTrainable()
        guard (1...config.batchSize).contains(rows.count) else {
            throw SACError(.length, "the batch has \(rows.count) rows; it must have 1...\(config.batchSize) (batch_size)")
        }
        try check(rows.actions, count: rows.count)
        let n = rows.count
        let obsCount = n * config.obsDim
        batch.size = n
        batch.observations.base.update(from: rows.observations, count: obsCount)
        batch.nextObservations.base.update(from: rows.nextObservations, count: obsCount)
        batch.rewards.base.update(from: rows.rewards, count: n)
        for r in 0..<n { batch.terminals[r] = rows.terminated[r] != 0 ? 1 : 0 }
        switch (rows.actions, actionSpace) {
        case (.vectors(let actions), .box(let box)):
            box.writePolicyRange(actions, into: batch.actions.base, rows: n)
        case (.indices(let indices), _):
            for r in 0..<n { batch.actions[r] = try actionSpace.stored(index: indices[r], "action index \(r)") }
        case (.vectors, .discrete):
            break  // `check` has thrown
        }
        return try update(on: batch)
    }

    /// The actions must be of the agent's kind, and indices in range.
    private func check(_ actions: TransitionRows.Actions, count: Int) throws(SACError) {
        switch actions {
        case .vectors:
            _ = try requireBox()
        case .indices(let indices):
            for r in 0..<count { _ = try actionSpace.stored(index: indices[r], "action index \(r)") }
        }
    }
}
