#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes: every file libsac reads or writes goes through here.
///
/// Reading accepts regular files only, checked on the open descriptor before a byte is read, so a
/// FIFO without a writer, a device or a directory fails at once instead of blocking or filling
/// memory, and a file's size is checked against the limit before it is read.
///
/// Writing never modifies the target in place: the bytes go to a new file in the target's
/// directory, which is flushed to disk and then renamed over the target, so the target always holds
/// either its complete old or its complete new content. See `writeAtomically` for the details.
public enum Files {
    /// The largest file `read` accepts unless told otherwise: 2147483647 bytes (2 GiB - 1), the most
    /// the JSON parser takes (json-c counts in C ints).
    public static let defaultReadLimit = Int(Int32.max)

    /// The whole file at `path`, which must be a regular file of at most `limit` bytes.
    ///
    /// Errors: `.io` when the file cannot be opened or read, is not a regular file (the message says
    /// what it is) or changes size while it is read; `.format` when it is larger than `limit`.
    public static func read(_ path: String, limit: Int = defaultReadLimit) throws(SACError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO that has no writer would otherwise block until one comes.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let error = ioError("open", path)
            var status = stat()
            // Opening a socket or an absent device fails (ENXIO) before fstat could say what it is.
            if stat(path, &status) == 0, let kind = FileKind(status), kind != .regular {
                throw notRegular("read", path, kind)
            }
            throw error
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ioError("inspect", path) }
        if let kind = FileKind(status), kind != .regular { throw notRegular("read", path, kind) }
        let size = Int(exactly: status.st_size) ?? .max
        guard size <= limit else {
            throw SACError(.format, "'\(path)' is \(size) bytes; at most \(limit) bytes can be loaded")
        }
        // Only a regular file gets here, where O_NONBLOCK means nothing; clear it all the same so
        // that no file system can answer EAGAIN.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return try readExactly(fd, size, path)
    }

    /// `size` bytes from `fd`, the size fstat reported. A file that shrinks or grows meanwhile (or
    /// a special file in /proc, whose size says 0) is an error, never a longer read or a hang.
    static func readExactly(_ fd: Int32, _ size: Int, _ path: String) throws(SACError) -> [UInt8] {
        var failure: SACError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            while initialized < size {
                let count = readSome(fd, buffer.baseAddress! + initialized, size - initialized)
                if count < 0 && errno == EINTR { continue }
                if count < 0 {
                    failure = ioError("read", path)
                    return
                }
                if count == 0 {
                    failure = SACError(.io, "cannot read '\(path)': it shrank from \(size) to \(initialized) bytes while being read")
                    return
                }
                initialized += count
            }
        }
        if let failure { throw failure }
        var extra: UInt8 = 0
        while true {
            let count = readSome(fd, &extra, 1)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw ioError("read", path) }
            if count == 0 { return bytes }
            throw SACError(.io, "cannot read '\(path)': it holds more than the \(size) bytes its size says "
                + "(it grew while being read, or it is not an ordinary file)")
        }
    }

    public static func writeAtomically(_ path: String, _ text: String) throws(SACError) {
        try Array(text.utf8).withBytes { bytes throws(SACError) in try writeAtomically(path, bytes) }
    }

    static func ioError(_ what: String, _ path: String) -> SACError {
        SACError(.io, "cannot \(what) '\(path)': \(String(cString: strerror(errno)))")
    }

    static func notRegular(_ what: String, _ path: String, _ kind: FileKind) -> SACError {
        SACError(.io, "cannot \(what) '\(path)': \(kind.description), not a regular file")
    }
}

/// read(2); a free function because inside `Files` the name means `Files.read`.
private func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// The type of a file, from its mode bits.
enum FileKind: Equatable, CustomStringConvertible {
    case regular, directory, fifo, characterDevice, blockDevice, socket, symbolicLink

    init?(_ status: stat) {
        switch status.st_mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        case S_IFLNK: self = .symbolicLink
        default: return nil
        }
    }

    /// In the style of strerror's "Is a directory".
    var description: String {
        switch self {
        case .regular: "Is a regular file"
        case .directory: "Is a directory"
        case .fifo: "Is a FIFO (named pipe)"
        case .characterDevice: "Is a character device"
        case .blockDevice: "Is a block device"
        case .socket: "Is a socket"
        case .symbolicLink: "Is a symbolic link"
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
