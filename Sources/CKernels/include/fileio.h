/* The two file-system calls behind libsac's atomic saves that Swift cannot make itself: O_TMPFILE is
 * a macro whose value differs between architectures and does not import into Swift, and linkat's
 * AT_EMPTY_PATH needs _GNU_SOURCE. Internal to libsac (the names do not start with "sac_").
 * Both return -1 with errno set on failure, like the system calls they wrap. */
#ifndef LIBSAC_FILEIO_H
#define LIBSAC_FILEIO_H

/* open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode): a regular file without a name in
 * `directory`, freed by the kernel when its last descriptor closes unless libsac_link_unnamed gave
 * it one. mode is reduced by the umask as for any new file. Where the file system or kernel does not
 * support it, fails with EOPNOTSUPP (file systems without support), EISDIR or EINVAL (kernels
 * older than 3.11); where the C library does not define O_TMPFILE, always with EOPNOTSUPP. */
int libsac_open_unnamed(const char *directory, unsigned int mode);

/* Gives the unnamed file `fd` the name `path`, which must not exist (EEXIST otherwise). Tries
 * linkat through /proc/self/fd/N with AT_SYMLINK_FOLLOW, which needs no privilege, then linkat with
 * AT_EMPTY_PATH (which needs CAP_DAC_READ_SEARCH) where /proc is not mounted. On failure errno is
 * the first attempt's reason, or the second's when /proc/self/fd/N did not exist. */
int libsac_link_unnamed(int fd, const char *path);

#endif
