#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes.
///
/// A write goes to a temporary file in the target's directory, is flushed to disk with fsync and
/// then renamed over the target, so readers see either the old file or the complete new one, and
/// a failure (unwritable directory, full disk) leaves an existing file intact.
public enum Files {
    static func ioError(_ what: String, _ path: String) -> SACError {
        SACError(.io, "cannot \(what) '\(path)': \(String(cString: strerror(errno)))")
    }

    public static func writeAtomically(_ path: String, _ bytes: UnsafeRawBufferPointer) throws(SACError) {
        guard !path.isEmpty else { throw SACError(.io, "the path is empty") }
        var template = Array((path + ".tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw ioError("create a temporary file next to", path) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var succeeded = false
        defer {
            if !succeeded { unlink(temporary) }
        }
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                let error = ioError("write", path)
                close(fd)
                throw error
            }
            offset += written
        }
        // mkstemp creates files readable by the owner only; give the file the usual mode.
        let umaskValue = umask(0)
        umask(umaskValue)
        fchmod(fd, 0o666 & ~umaskValue)
        guard fsync(fd) == 0 else {
            let error = ioError("flush", path)
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw ioError("close", path) }
        guard rename(temporary, path) == 0 else { throw ioError("replace", path) }
        succeeded = true
        syncDirectory(of: path)
    }

    public static func writeAtomically(_ path: String, _ text: String) throws(SACError) {
        try Array(text.utf8).withBytes { bytes throws(SACError) in try writeAtomically(path, bytes) }
    }

    /// Makes the rename itself durable; best effort (some file systems refuse to fsync a directory).
    static func syncDirectory(of path: String) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// The whole file. Refuses files larger than `limit` bytes.
    public static func read(_ path: String, limit: Int = 1 << 31) throws(SACError) -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw ioError("open", path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 {
                guard bytes.count + count <= limit else {
                    throw SACError(.format, "'\(path)' is larger than \(limit) bytes")
                }
                bytes.append(contentsOf: chunk[0..<count])
            }
            if count < chunk.count {
                guard ferror(file) == 0 else { throw ioError("read", path) }
                return bytes
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` for a body with typed throws (the standard library's is untyped).
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(SACError) -> R) throws(SACError) -> R {
        let outcome = withUnsafeBytes { bytes in Result { () throws(SACError) in try body(bytes) } }
        return try outcome.get()
    }
}
