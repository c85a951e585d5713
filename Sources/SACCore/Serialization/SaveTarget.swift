#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a save of a path goes: through any chain of symbolic links to the file they name (or will
/// name: a dangling link's target is created), so that saving through a link updates its target and
/// leaves the link in place; and the one temporary name that save uses next to it.
struct SaveTarget {
    /// The path as the caller gave it, for messages.
    let requested: String
    /// The file the save replaces or creates: `requested` with its symbolic links followed.
    let path: RawPath
    /// lstat of `path`; nil when there is no file there yet.
    let existing: stat?
    /// The temporary file's path, in `path`'s directory (see `temporaryName`).
    let temporary: RawPath

    /// The kernel's own limit on links followed in one path lookup (MAXSYMLINKS).
    static let maxSymbolicLinks = 40

    init(_ requested: String) throws(SACError) {
        self.requested = requested
        var path = RawPath(requested)
        var followed = 0
        var status = stat()
        var found = false
        while true {
            guard lstat(path.c, &status) == 0 else {
                guard errno == ENOENT else {
                    throw SACError(.io, "cannot inspect '\(requested)'\(Self.via(path, requested)): "
                        + String(cString: strerror(errno)))
                }
                break
            }
            guard let kind = FileKind(status), kind == .symbolicLink else {
                found = true
                break
            }
            guard followed < Self.maxSymbolicLinks else {
                throw SACError(.io, "cannot save '\(requested)': too many levels of symbolic links "
                    + "(more than \(Self.maxSymbolicLinks))")
            }
            guard let link = Self.readLink(path) else {
                throw Files.ioError("read the symbolic link", path.display)
            }
            // A relative link is relative to the directory holding it, not to the working directory.
            path = link.first == UInt8(ascii: "/") ? RawPath(bytes: link) : path.sibling(link)
            followed += 1
        }
        if found {
            let kind = FileKind(status)
            guard kind == .regular else {
                throw SACError(.io, "cannot save '\(requested)'\(Self.via(path, requested)): "
                    + "\(kind?.description ?? "Is of an unknown type"), not a regular file")
            }
        }
        existing = found ? status : nil
        guard !path.name.isEmpty else {
            throw SACError(.io, "cannot save '\(requested)': the path ends with '/', so it names a directory")
        }
        self.path = path
        let nameMax = pathconf(path.directory.c, Int32(_PC_NAME_MAX))
        temporary = path.sibling(Self.temporaryName(for: path.name, nameMax: nameMax > 0 ? nameMax : 255))
    }

    /// The error for a failed step, with the system's reason: "cannot <what> '<path>': <reason>".
    func error(_ what: String) -> SACError {
        let reason = String(cString: strerror(errno))
        return SACError(.io, "cannot \(what) '\(requested)'\(Self.via(path, requested)): \(reason)")
    }

    /// Names the final target in messages when links led to it.
    static func via(_ path: RawPath, _ requested: String) -> String {
        path == RawPath(requested) ? "" : " (through symbolic links, '\(path.display)')"
    }

    /// The temporary file of a save of `name`: ".NAME.sac-tmp-HASH", where HASH is the low 32 bits
    /// of the 64-bit FNV-1a hash of `name` in 8 lowercase hex digits, and NAME is `name` cut (at a
    /// UTF-8 character boundary) so that the whole fits in `nameMax` bytes, however long `name` is.
    ///
    /// It is the same name for every save of the same file, so that a temporary left behind by a
    /// killed writer is replaced by the next save instead of piling up: at most one can exist per
    /// target. The hash tells apart long names that were cut to the same prefix.
    static func temporaryName(for name: [UInt8], nameMax: Int = 255) -> [UInt8] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let hex = Array("0123456789abcdef".utf8)
        let digits = (0..<8).reversed().map { hex[Int((hash >> (4 * UInt64($0))) & 0xf)] }
        let suffix = Array(".sac-tmp-".utf8) + digits
        var kept = max(0, min(name.count, min(nameMax, 255) - 1 - suffix.count))
        while kept > 0 && kept < name.count && name[kept] & 0xC0 == 0x80 { kept -= 1 }
        return [UInt8(ascii: ".")] + name[..<kept] + suffix
    }

    /// The text of the symbolic link at `path`; nil with errno set on failure.
    static func readLink(_ path: RawPath) -> [UInt8]? {
        // PATH_MAX: the kernel keeps a link's text shorter than this.
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path.c, &buffer, buffer.count)
        guard count >= 0 else { return nil }
        guard count < buffer.count else {
            errno = ENAMETOOLONG
            return nil
        }
        return buffer[..<count].map { UInt8(bitPattern: $0) }
    }
}

/// A path as the bytes the kernel sees: a symbolic link's text need not be UTF-8, so paths built
/// from one are not Strings.
struct RawPath: Equatable {
    var bytes: [UInt8]

    init(_ string: String) { bytes = Array(string.utf8) }
    init(bytes: [UInt8]) { self.bytes = bytes }

    /// NUL-terminated, for the C calls.
    var c: [CChar] { bytes.map { CChar(bitPattern: $0) } + [0] }

    var display: String { String(decoding: bytes, as: UTF8.self) }

    private var lastSlash: Int? { bytes.lastIndex(of: UInt8(ascii: "/")) }

    /// The directory holding the file: "/" for a file at the root, "." for a bare name.
    var directory: RawPath {
        guard let slash = lastSlash else { return RawPath(".") }
        return slash == 0 ? RawPath("/") : RawPath(bytes: Array(bytes[..<slash]))
    }

    /// The last component; empty when the path ends with "/".
    var name: [UInt8] { lastSlash.map { Array(bytes[($0 + 1)...]) } ?? bytes }

    /// `relative` resolved in this path's directory.
    func sibling(_ relative: [UInt8]) -> RawPath {
        guard let slash = lastSlash else { return RawPath(bytes: relative) }
        return RawPath(bytes: Array(bytes[...slash]) + relative)
    }
}
