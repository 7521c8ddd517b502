// The Linux calls `bramble roots` needs that Swift's Glibc module does not expose: the
// variadic ioctl (FICLONE, the btrfs snapshot), statfs's type and id, the extended
// attribute calls, and the _GNU_SOURCE ones (SEEK_DATA/SEEK_HOLE, O_TMPFILE, syncfs,
// renameat2, copy_file_range). Implemented in shim.c, which defines _GNU_SOURCE itself so
// this header leaves the C library's declarations as Swift's Glibc module sees them.
#ifndef BRAMBLE_CROOTSHIMS_H
#define BRAMBLE_CROOTSHIMS_H

#include <sys/types.h>

/// Shares `source`'s extents with `destination` (both open regular files on one file
/// system): ioctl_ficlone(2). 0, or -1 with errno (EOPNOTSUPP, EXDEV, EINVAL: not here).
int bramble_ficlone(int destination, int source);

/// Snapshots the btrfs subvolume open as `source` into the directory `directory` as `name`
/// (writable): BTRFS_IOC_SNAP_CREATE_V2, what `btrfs subvolume snapshot` does.
int bramble_btrfs_snapshot(int source, int directory, const char *name);

/// statfs(2)'s f_type for an open file, or -1 with errno.
long long bramble_filesystem_type(int fd);

/// statfs(2)'s f_fsid, which tells two btrfs subvolumes (each its own st_dev) of one file
/// system apart from two file systems. 0 on failure.
unsigned long long bramble_filesystem_id(int fd);

long long bramble_btrfs_magic(void);
/// A btrfs subvolume's top directory always has this inode number (BTRFS_FIRST_FREE_OBJECTID).
unsigned long long bramble_btrfs_subvolume_inode(void);

int bramble_seek_data(void);
int bramble_seek_hole(void);
int bramble_o_tmpfile(void);
int bramble_syncfs(int fd);

/// Renames without replacing: fails with EEXIST when `new_name` exists, so a create can
/// never put a fresh root over one that appeared meanwhile (renameat2(2), RENAME_NOREPLACE).
int bramble_rename_noreplace(int old_directory, const char *old_name, int new_directory, const char *new_name);

ssize_t bramble_copy_file_range(int in, off_t *in_offset, int out, off_t *out_offset, size_t length);

/// Adds to `shared` the bytes of the open regular file's extents that FIEMAP flags as shared
/// with another file (FIEMAP_EXTENT_SHARED: reflinked or snapshotted and not yet rewritten).
/// 0, or -1 with errno (EOPNOTSUPP where the file system has no FIEMAP).
int bramble_shared_bytes(int fd, unsigned long long *shared);

// xattr(7): the f* calls act on an open file, the l* ones on a name without following it.
ssize_t bramble_flistxattr(int fd, char *list, size_t size);
ssize_t bramble_fgetxattr(int fd, const char *name, void *value, size_t size);
int bramble_fsetxattr(int fd, const char *name, const void *value, size_t size);
ssize_t bramble_llistxattr(const char *path, char *list, size_t size);
ssize_t bramble_lgetxattr(const char *path, const char *name, void *value, size_t size);
int bramble_lsetxattr(const char *path, const char *name, const void *value, size_t size);

#endif
