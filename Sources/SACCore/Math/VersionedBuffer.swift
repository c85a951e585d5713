/// Trained state (a network's weights, an Adam moment) that a failed gradient step can undo.
///
/// A step never overwrites the values it reads: it writes the new ones into `next`, a slot that is
/// neither `current` nor the last committed version, and then `advance`s. Any number of steps can
/// follow one another (they alternate between the two uncommitted slots), and `rollback` returns to
/// the committed version without a copy. This costs memory (three slots) instead of time: copying
/// an agent's state before each `sac_update` would cost several percent of an update, while a step
/// that writes out of place reads and writes as much as one in place (sac-bench measures the
/// difference, which comes from the caches).
///
/// `inPlace` turns the versions off (`next` is `current`, rollback does nothing): for agents that
/// never train, and for measuring what the versions cost.
public final class VersionedBuffer {
    private let slots: [FloatBuffer]
    private var currentSlot = 0
    private var committedSlot = 0
    /// The slot `current` was before the last `advance`: where the next single step writes, so that
    /// one step per call ping-pongs between two slots and keeps the third out of the caches.
    private var previousSlot = 1
    private var writesInPlace: Bool

    /// `versioned` false: one slot, always written in place.
    public init(count: Int, versioned: Bool = true) throws(SACError) {
        var slots: [FloatBuffer] = []
        for _ in 0..<(versioned ? 3 : 1) { slots.append(try FloatBuffer(count: count)) }
        self.slots = slots
        writesInPlace = !versioned
    }

    /// True: `next` is `current` and `rollback` does nothing. Always true with one slot.
    public var inPlace: Bool {
        get { writesInPlace }
        set { writesInPlace = newValue || slots.count == 1 }
    }

    public var count: Int { slots[0].count }

    /// The values in use: what forward passes read and what JSON saves and loads.
    public var current: FloatBuffer { slots[currentSlot] }

    /// Where a step writes the values that replace `current`.
    public var next: FloatBuffer { slots[nextSlot] }

    private var nextSlot: Int {
        if writesInPlace { return currentSlot }
        if currentSlot == committedSlot { return previousSlot }
        return 3 - currentSlot - committedSlot  // the one slot that is neither
    }

    /// `next` becomes the values in use.
    public func advance() {
        let next = nextSlot
        if next != currentSlot { previousSlot = currentSlot }
        currentSlot = next
    }

    /// The values in use become the version `rollback` returns to.
    public func commit() { committedSlot = currentSlot }

    /// Back to the last committed version.
    public func rollback() {
        if currentSlot != committedSlot { previousSlot = currentSlot }
        currentSlot = committedSlot
    }
}
