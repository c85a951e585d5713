#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A fixed-size, zero-initialised array of `Float` that never reallocates.
///
/// Networks, optimizers and the replay buffer keep their state in these so that the training path
/// works on raw pointers obtained once. Allocation goes through `calloc`, so running out of memory
/// is a thrown error instead of a trap in the host process, and a large replay buffer is not
/// touched (committed) page by page until transitions are written into it.
public final class FloatBuffer {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    public init(count: Int) throws(SACError) {
        guard count >= 0, count <= Int.max / MemoryLayout<Float>.stride,
              let raw = calloc(max(count, 1), MemoryLayout<Float>.stride)
        else {
            throw SACError(.outOfMemory, "could not allocate \(count) floats")
        }
        self.count = count
        self.base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    deinit { free(base) }

    public subscript(index: Int) -> Float {
        get { base[index] }
        set { base[index] = newValue }
    }

    public func copy(from other: FloatBuffer) {
        base.update(from: other.base, count: min(count, other.count))
    }

    public func fill(_ value: Float) {
        base.update(repeating: value, count: count)
    }

    public var array: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    public func assign(_ values: [Float]) {
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: min(count, $0.count)) }
    }
}
