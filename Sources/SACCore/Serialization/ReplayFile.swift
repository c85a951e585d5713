/// The replay buffer as a compact binary file (JSON is the wrong format for millions of transitions).
///
/// Layout, all little-endian:
///
///     offset  size  field
///     0       8     magic "SACRPLY\0"
///     8       4     format version (1)
///     12      4     obs_dim
///     16      4     action_dim
///     20      4     n_actions of a discrete agent (its actions are indices); 0 for continuous agents
///     24      8     capacity of the saving buffer
///     32      8     count: transitions stored
///     40      8     next_slot: where the saving buffer would write next
///     48      ...   count records, in slot order 0..<count, each
///                   obs[obs_dim] action[action_dim] reward next_obs[obs_dim] terminated (float32);
///                   a continuous action is in [-1, 1], a discrete one is the index (action_dim 1)
///     end-8   8     FNV-1a 64 checksum of every preceding byte
///
/// Loading into a buffer of the same capacity restores the slots exactly (so sampling, and training,
/// continue bit-identically); into another capacity, the newest transitions are kept in order.
public enum ReplayFile {
    static let magic: [UInt8] = Array("SACRPLY".utf8) + [0]
    static let version: UInt32 = 1
    static let headerSize = 48

    /// `actionCount` is the agent's n_actions (0 for continuous agents).
    public static func encode(_ replay: ReplayBuffer, actionCount: Int) -> [UInt8] {
        let (o, a) = (replay.obsDim, replay.actionDim)
        var bytes = magic
        bytes.reserveCapacity(headerSize + replay.count * (2 * o + a + 2) * 4 + 8)
        append(version, to: &bytes)
        append(UInt32(o), to: &bytes)
        append(UInt32(a), to: &bytes)
        append(UInt32(actionCount), to: &bytes)
        append(UInt64(replay.capacity), to: &bytes)
        append(UInt64(replay.count), to: &bytes)
        append(UInt64(replay.nextSlot), to: &bytes)
        for slot in 0..<replay.count {
            for i in 0..<o { append(replay.observations[slot * o + i].bitPattern, to: &bytes) }
            for i in 0..<a { append(replay.actions[slot * a + i].bitPattern, to: &bytes) }
            append(replay.rewards[slot].bitPattern, to: &bytes)
            for i in 0..<o { append(replay.nextObservations[slot * o + i].bitPattern, to: &bytes) }
            append(replay.terminals[slot].bitPattern, to: &bytes)
        }
        append(fnv1a(bytes[...]), to: &bytes)
        return bytes
    }

    /// Validates the whole file before touching `replay`, so a corrupt file changes nothing.
    /// `actionCount` is the agent's n_actions (0 for continuous agents); the file's must match.
    public static func decode(_ bytes: [UInt8], into replay: ReplayBuffer, actionCount: Int) throws(SACError) {
        func fail(_ message: String) -> SACError { SACError(.format, "replay file: \(message)") }
        guard bytes.count >= headerSize + 8 else { throw fail("\(bytes.count) bytes is too short for a replay file") }
        guard Array(bytes[0..<8]) == magic else { throw fail("not a libsac replay file (bad magic)") }
        let stored = read(UInt64.self, bytes, bytes.count - 8)
        guard fnv1a(bytes[0..<(bytes.count - 8)]) == stored else { throw fail("checksum mismatch (corrupt or truncated)") }
        let fileVersion = read(UInt32.self, bytes, 8)
        guard fileVersion == version else { throw fail("format version \(fileVersion) is not supported (this library reads \(version))") }
        let (o, a) = (Int(read(UInt32.self, bytes, 12)), Int(read(UInt32.self, bytes, 16)))
        guard o == replay.obsDim, a == replay.actionDim else {
            throw fail("dimensions (obs_dim \(o), action_dim \(a)) differ from the agent's (\(replay.obsDim), \(replay.actionDim))")
        }
        let fileActionCount = Int(read(UInt32.self, bytes, 20))
        guard fileActionCount == actionCount else {
            throw fail("n_actions is \(fileActionCount) (0: continuous) but the agent's is \(actionCount)")
        }
        let capacity = read(UInt64.self, bytes, 24), count = read(UInt64.self, bytes, 32)
        let nextSlot = read(UInt64.self, bytes, 40)
        let record = (2 * o + a + 2) * 4
        // In UInt64 until every value is known to fit: a header is anyone's to write, and an Int
        // conversion or a product that overflows would trap, killing the host process.
        let allowed = AgentConfig.Limits.replayCapacity
        guard capacity >= UInt64(allowed.lowerBound), capacity <= UInt64(allowed.upperBound) else {
            throw fail("capacity \(capacity) is outside \(allowed) (replay_capacity's range)")
        }
        let payload = UInt64(bytes.count - headerSize - 8)
        guard count <= capacity, nextSlot < capacity, count == capacity || nextSlot == count,
              count <= payload / UInt64(record), count * UInt64(record) == payload
        else { throw fail("inconsistent header (capacity \(capacity), count \(count), next_slot \(nextSlot), \(bytes.count) bytes)") }

        let n = Int(count)
        for r in 0..<n {
            let base = headerSize + r * record
            for k in 0..<(record / 4) {
                let value = Float(bitPattern: read(UInt32.self, bytes, base + 4 * k))
                guard value.isFinite else { throw fail("record \(r) holds \(value)") }
                if k >= o && k < o + a {
                    if actionCount == 0, abs(value) > 1 { throw fail("record \(r): action \(value) is outside [-1, 1]") }
                    if actionCount > 0, !(value >= 0 && value < Float(actionCount) && value.rounded(.towardZero) == value) {
                        throw fail("record \(r): action \(value) is not an index in 0...\(actionCount - 1)")
                    }
                }
                if k == record / 4 - 1 && value != 0 && value != 1 { throw fail("record \(r): terminated is \(value)") }
            }
        }

        // Everything is valid: only now does the agent's buffer change.
        var records: [(Int, Int)] = []  // (file record, destination slot)
        if Int(capacity) == replay.capacity {
            records = (0..<n).map { ($0, $0) }
            replay.restore(count: n, nextSlot: Int(nextSlot))
        } else {
            // Chronological order: oldest is at next_slot when the saving buffer was full.
            let oldest = n == Int(capacity) ? Int(nextSlot) : 0
            let kept = min(n, replay.capacity)
            records = (0..<kept).map { ((oldest + n - kept + $0) % max(n, 1), $0) }
            replay.restore(count: kept, nextSlot: kept % replay.capacity)
        }
        for (source, slot) in records {
            var offset = headerSize + source * record
            func next() -> Float {
                defer { offset += 4 }
                return Float(bitPattern: read(UInt32.self, bytes, offset))
            }
            for i in 0..<o { replay.observations[slot * o + i] = next() }
            for i in 0..<a { replay.actions[slot * a + i] = next() }
            replay.rewards[slot] = next()
            for i in 0..<o { replay.nextObservations[slot * o + i] = next() }
            replay.terminals[slot] = next()
        }
    }

    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func read<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], _ offset: Int) -> T {
        var value: T = 0
        for k in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + k]) << (8 * k) }
        return value
    }

    static func fnv1a(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}
