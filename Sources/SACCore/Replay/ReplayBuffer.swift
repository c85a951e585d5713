/// A ring buffer of transitions (s, a, r, s', terminated) with uniform sampling.
///
/// Actions are stored in the policy's [-1, 1] range. Storage is allocated once at full capacity
/// (untouched pages cost nothing until written); `add` and `sample` allocate nothing.
public final class ReplayBuffer {
    public let capacity: Int
    public let obsDim: Int
    public let actionDim: Int
    let observations: FloatBuffer
    let actions: FloatBuffer
    let rewards: FloatBuffer
    let nextObservations: FloatBuffer
    let terminals: FloatBuffer
    /// Number of stored transitions (≤ capacity) and the slot the next one goes to.
    public private(set) var count = 0
    public private(set) var nextSlot = 0

    public init(capacity: Int, obsDim: Int, actionDim: Int) throws(SACError) {
        self.capacity = capacity
        self.obsDim = obsDim
        self.actionDim = actionDim
        let rowFloats = 2 * obsDim + actionDim + 2
        let (total, overflow) = capacity.multipliedReportingOverflow(by: rowFloats)
        let failure = SACError(.outOfMemory, "the replay buffer (replay_capacity \(capacity) x "
            + "\(rowFloats) floats per transition) could not be allocated")
        guard !overflow, total <= Int.max / MemoryLayout<Float>.stride else { throw failure }
        do {
            observations = try FloatBuffer(count: capacity * obsDim)
            nextObservations = try FloatBuffer(count: capacity * obsDim)
            actions = try FloatBuffer(count: capacity * actionDim)
            rewards = try FloatBuffer(count: capacity)
            terminals = try FloatBuffer(count: capacity)
        } catch {
            throw failure
        }
    }

    /// Stores one transition; `action` is already in [-1, 1].
    public func add(observation: UnsafePointer<Float>, action: UnsafePointer<Float>, reward: Float,
                    nextObservation: UnsafePointer<Float>, terminated: Bool) {
        let slot = nextSlot
        (observations.base + slot * obsDim).update(from: observation, count: obsDim)
        (nextObservations.base + slot * obsDim).update(from: nextObservation, count: obsDim)
        (actions.base + slot * actionDim).update(from: action, count: actionDim)
        rewards[slot] = reward
        terminals[slot] = terminated ? 1 : 0
        nextSlot = (slot + 1) % capacity
        count = min(count + 1, capacity)
    }

    /// Sets the fill state after the slots were written directly (by `ReplayFile`).
    func restore(count: Int, nextSlot: Int) {
        self.count = count
        self.nextSlot = nextSlot
    }

    /// Fills `batch` with `batch.size` transitions drawn uniformly with replacement.
    public func sample(into batch: TransitionBatch, random: inout RandomSource) {
        for r in 0..<batch.size {
            let slot = random.index(below: count)
            copy(slot: slot, into: batch, row: r)
        }
    }

    func copy(slot: Int, into batch: TransitionBatch, row r: Int) {
        (batch.observations.base + r * obsDim).update(from: observations.base + slot * obsDim, count: obsDim)
        (batch.nextObservations.base + r * obsDim)
            .update(from: nextObservations.base + slot * obsDim, count: obsDim)
        (batch.actions.base + r * actionDim).update(from: actions.base + slot * actionDim, count: actionDim)
        batch.rewards[r] = rewards[slot]
        batch.terminals[r] = terminals[slot]
    }
}

/// A preallocated minibatch of transitions, row-major.
public final class TransitionBatch {
    /// Rows allocated.
    public let capacity: Int
    /// Rows in use (at most `capacity`): a caller's batch may be smaller than the agent's batch_size.
    public var size: Int
    public let observations: FloatBuffer
    public let actions: FloatBuffer
    public let rewards: FloatBuffer
    public let nextObservations: FloatBuffer
    /// 1 where the transition ended in a terminal state, else 0.
    public let terminals: FloatBuffer

    public init(size: Int, obsDim: Int, actionDim: Int) throws(SACError) {
        capacity = size
        self.size = size
        observations = try FloatBuffer(count: size * obsDim)
        actions = try FloatBuffer(count: size * actionDim)
        rewards = try FloatBuffer(count: size)
        nextObservations = try FloatBuffer(count: size * obsDim)
        terminals = try FloatBuffer(count: size)
    }
}
