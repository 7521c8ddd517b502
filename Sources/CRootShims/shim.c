#define _GNU_SOURCE
#include "CRootShims.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <linux/btrfs.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>

int bramble_ficlone(int destination, int source) { return ioctl(destination, FICLONE, source); }

int bramble_btrfs_snapshot(int source, int directory, const char *name) {
    struct btrfs_ioctl_vol_args_v2 arguments;
    memset(&arguments, 0, sizeof arguments);
    arguments.fd = source;
    size_t length = strlen(name);
    if (length == 0 || length > BTRFS_SUBVOL_NAME_MAX) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(arguments.name, name, length);
    return ioctl(directory, BTRFS_IOC_SNAP_CREATE_V2, &arguments);
}

long long bramble_filesystem_type(int fd) {
    struct statfs info;
    if (fstatfs(fd, &info) != 0) return -1;
    return (long long)info.f_type;
}

unsigned long long bramble_filesystem_id(int fd) {
    struct statfs info;
    if (fstatfs(fd, &info) != 0) return 0;
    unsigned long long high = (unsigned int)info.f_fsid.__val[0];
    unsigned long long low = (unsigned int)info.f_fsid.__val[1];
    return (high << 32) | low;
}

long long bramble_btrfs_magic(void) { return (long long)BTRFS_SUPER_MAGIC; }
unsigned long long bramble_btrfs_subvolume_inode(void) { return 256ULL; }
int bramble_seek_data(void) { return SEEK_DATA; }
int bramble_seek_hole(void) { return SEEK_HOLE; }
int bramble_o_tmpfile(void) { return O_TMPFILE; }
int bramble_syncfs(int fd) { return syncfs(fd); }

int bramble_rename_noreplace(int old_directory, const char *old_name, int new_directory, const char *new_name) {
    return renameat2(old_directory, old_name, new_directory, new_name, RENAME_NOREPLACE);
}

ssize_t bramble_copy_file_range(int in, off_t *in_offset, int out, off_t *out_offset, size_t length) {
    return copy_file_range(in, in_offset, out, out_offset, length, 0);
}

ssize_t bramble_flistxattr(int fd, char *list, size_t size) { return flistxattr(fd, list, size); }
ssize_t bramble_fgetxattr(int fd, const char *name, void *value, size_t size) { return fgetxattr(fd, name, value, size); }
int bramble_fsetxattr(int fd, const char *name, const void *value, size_t size) { return fsetxattr(fd, name, value, size, 0); }
ssize_t bramble_llistxattr(const char *path, char *list, size_t size) { return llistxattr(path, list, size); }
ssize_t bramble_lgetxattr(const char *path, const char *name, void *value, size_t size) { return lgetxattr(path, name, value, size); }
int bramble_lsetxattr(const char *path, const char *name, const void *value, size_t size) { return lsetxattr(path, name, value, size, 0); }

int bramble_shared_bytes(int fd, unsigned long long *shared) {
    enum { count = 256 };
    static __thread char buffer[sizeof(struct fiemap) + count * sizeof(struct fiemap_extent)];
    struct fiemap *map = (struct fiemap *)buffer;
    unsigned long long start = 0;
    for (;;) {
        memset(map, 0, sizeof(struct fiemap));
        map->fm_start = start;
        map->fm_length = FIEMAP_MAX_OFFSET - start;
        map->fm_extent_count = count;
        if (ioctl(fd, FS_IOC_FIEMAP, map) != 0) return -1;
        if (map->fm_mapped_extents == 0) return 0;
        for (unsigned int index = 0; index < map->fm_mapped_extents; index++) {
            struct fiemap_extent *extent = &map->fm_extents[index];
            if (extent->fe_flags & FIEMAP_EXTENT_SHARED) *shared += extent->fe_length;
            start = extent->fe_logical + extent->fe_length;
            if (extent->fe_flags & FIEMAP_EXTENT_LAST) return 0;
        }
    }
}
