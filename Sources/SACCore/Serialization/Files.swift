#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes: every file libsac reads or writes goes through here.
///
/// Writing never modifies the target in place: the bytes go to a new file in the target's
/// directory, which is flushed to disk and then renamed over the target, so the target always holds
/// either its complete old or its complete new content. See `writeAtomically` for the details.
public enum Files {
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
