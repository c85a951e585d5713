#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CKernels
import Synchronization

extension Files {
    /// Replaces the file at `path` with `bytes` so that the file always holds either its complete
    /// old or its complete new content, whatever happens (crash, kill -9, full disk).
    ///
    /// The bytes go to a file without a name (O_TMPFILE) in the target's directory, are flushed to
    /// disk, get the temporary name `SaveTarget.temporaryName` for the instant it takes to rename them
    /// over the target, then the directory is flushed. A writer killed before that instant leaves
    /// nothing behind (the kernel frees the unnamed file); one killed within it leaves the temporary,
    /// which the next save of the same path replaces. On a failure, the target is untouched and
    /// no temporary is left.
    ///
    /// An existing target keeps its permission bits (and its owner and group where the caller may
    /// set them); a new file gets 0666 less the umask. A symbolic link is followed to the file it
    /// names (a dangling one creates it) and stays in place. Only a regular file is replaced.
    ///
    /// Where the file system cannot make unnamed files (or `unnamedTemporary` is false), the
    /// temporary is created under its name from the start, with weaker guarantees: a writer killed
    /// during the save leaves it behind (until the next save of the path replaces it), and of two
    /// saves of one path running at the same time, one may fail.
    public static func writeAtomically(_ path: String, _ bytes: UnsafeRawBufferPointer,
                                       unnamedTemporary: Bool = true) throws(SACError) {
        guard !path.isEmpty else { throw SACError(.io, "the path is empty") }
        let target = try SaveTarget(path)
        let saved = unnamedTemporary ? try saveThroughUnnamedFile(bytes, target) : false
        if !saved { try saveThroughNamedFile(bytes, target) }
        syncDirectory(target.path.directory)
    }

    /// How often a save retries when its temporary name is taken (a leftover, or a save of the same
    /// path in another thread or process holding it for an instant).
    static let nameAttempts = 8

    /// The save through an unnamed file. False, with nothing left behind, where the file system or
    /// the kernel cannot make one or give it a name: the caller then falls back on a named file.
    static func saveThroughUnnamedFile(_ bytes: UnsafeRawBufferPointer, _ target: SaveTarget) throws(SACError) -> Bool {
        for _ in 0..<nameAttempts {
            switch try unnamedAttempt(bytes, target) {
            case .saved: return true
            case .unsupported: return false
            // Another save of this path removed our temporary name, which left our file impossible
            // to link again (the kernel allows an unnamed file one first name only): write anew.
            case .orphaned: continue
            }
        }
        throw busy(target)
    }

    enum UnnamedOutcome { case saved, unsupported, orphaned }

    static func unnamedAttempt(_ bytes: UnsafeRawBufferPointer, _ target: SaveTarget) throws(SACError) -> UnnamedOutcome {
        let fd = libsac_open_unnamed(target.path.directory.c, 0o666)
        guard fd >= 0 else {
            if [EOPNOTSUPP, EISDIR, EINVAL].contains(errno) { return .unsupported }
            throw target.error("create a temporary file for")
        }
        defer { close(fd) }
        try fill(fd, bytes, target)
        // The threads of this process name their temporaries one at a time: two saves of one path
        // would otherwise remove each other's name between link and rename, again and again (seen
        // under the address sanitizer). Only the naming and the rename are held, not the writing.
        return try temporaryNaming.withLock { _ throws(SACError) in try nameAndRename(fd, target) }
    }

    static let temporaryNaming = Mutex(())

    /// Links the written unnamed file `fd` under the temporary name and renames it over the target.
    static func nameAndRename(_ fd: Int32, _ target: SaveTarget) throws(SACError) -> UnnamedOutcome {
        let temporary = target.temporary.c
        var linked = false
        for _ in 0..<nameAttempts {
            guard libsac_link_unnamed(fd, temporary) == 0 else {
                switch errno {
                case EEXIST:
                    try removeLeftover(temporary, target)
                    continue
                case ENOENT where linked:
                    return .orphaned
                // No /proc and no privilege for AT_EMPTY_PATH, or a file system that cannot link.
                case ENOENT, EPERM, EOPNOTSUPP, EINVAL:
                    return .unsupported
                default:
                    throw target.error("name the temporary file of")
                }
            }
            linked = true
            if rename(temporary, target.path.c) == 0 {
                // rename does nothing when both names are already the same file (a concurrent save
                // of this path renamed our temporary into place): the name would stay.
                removeIfSameFile(temporary, fd)
                return .saved
            }
            // Another save of this path took the name between our link and rename: try again.
            if errno == ENOENT { continue }
            let error = target.error("replace")
            removeIfSameFile(temporary, fd)
            throw error
        }
        throw busy(target)
    }

    static func busy(_ target: SaveTarget) -> SACError {
        SACError(.io, "cannot save '\(target.requested)': other saves of the same file kept taking its temporary name")
    }

    /// The save through a temporary created under its name, exclusively (replacing a leftover).
    static func saveThroughNamedFile(_ bytes: UnsafeRawBufferPointer, _ target: SaveTarget) throws(SACError) {
        let temporary = target.temporary.c
        // An existing target's mode is set before a byte is written; until then nobody else may read.
        let mode: mode_t = target.existing == nil ? 0o666 : 0o600
        var fd: Int32 = -1
        for _ in 0..<nameAttempts where fd < 0 {
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd < 0 {
                guard errno == EEXIST else { throw target.error("create a temporary file for") }
                try removeLeftover(temporary, target)
            }
        }
        guard fd >= 0 else { throw busy(target) }
        var named = true
        defer {
            if named { removeIfSameFile(temporary, fd) }
            close(fd)
        }
        try fill(fd, bytes, target)
        guard rename(temporary, target.path.c) == 0 else {
            if errno == ENOENT {
                throw SACError(.io, "cannot replace '\(target.requested)': its temporary file was removed "
                    + "meanwhile (by another save of the same file?)")
            }
            throw target.error("replace")
        }
        named = false
    }

    /// Gives the new file the existing target's owner, group and permission bits (a new target keeps
    /// those of any new file), then the bytes, flushed to disk.
    static func fill(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, _ target: SaveTarget) throws(SACError) {
        if let existing = target.existing {
            var own = stat()
            guard fstat(fd, &own) == 0 else { throw target.error("inspect the temporary file of") }
            // Best effort, each on its own: root may set both, an owner only a group it is in. The
            // mode comes after, because a change of owner clears the set-user-ID and set-group-ID bits.
            if own.st_gid != existing.st_gid { _ = fchown(fd, uid_t.max, existing.st_gid) }
            if own.st_uid != existing.st_uid { _ = fchown(fd, existing.st_uid, gid_t.max) }
            guard fchmod(fd, existing.st_mode & 0o7777) == 0 else { throw target.error("set the permissions of") }
        }
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = write(fd, base + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written == 0 { errno = EIO }
            guard written > 0 else { throw target.error("write") }
            offset += written
        }
        guard fsync(fd) == 0 else { throw target.error("flush") }
    }

    /// Removes a file in the way of the temporary name: a killed writer's leftover.
    static func removeLeftover(_ temporary: [CChar], _ target: SaveTarget) throws(SACError) {
        guard unlink(temporary) == 0 || errno == ENOENT else {
            throw target.error("remove the leftover temporary file of")
        }
    }

    /// Unlinks `path` if it is still the file open as `fd` (and not another save's temporary).
    static func removeIfSameFile(_ path: [CChar], _ fd: Int32) {
        var named = stat(), open = stat()
        guard lstat(path, &named) == 0, fstat(fd, &open) == 0 else { return }
        if named.st_dev == open.st_dev && named.st_ino == open.st_ino { unlink(path) }
    }

    /// Makes the rename itself durable; best effort (some file systems refuse to fsync a directory).
    static func syncDirectory(_ directory: RawPath) {
        let fd = open(directory.c, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}
