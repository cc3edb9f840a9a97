/* libFuzzer entry point for layer tarballs: the input, compressed or not, is
 * unpacked into a fresh directory that has a sentinel file beside it. Any
 * write outside that directory, a failure without a message or one that
 * leaves files behind, or a wrong blob digest stops the run. Options vary
 * with the input's length so that both whiteout forms and both device
 * policies that create nothing are covered. */
#include <sys/mman.h>
#include <sys/stat.h>

#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[128];
static int base_fd = -1;
static struct stat sentinel;

static void cleanup(void) {
        if (base[0])
                (void) rm_rf_at(AT_FDCWD, base);
}

static void setup_once(void) {
        const char *tmp = getenv("TMPDIR");
        snprintf(base, sizeof base, "%s/berth-fuzz-layer-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(base))
                abort();
        base_fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int fd = openat(base_fd, "sentinel", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (base_fd < 0 || fd < 0 || write_all(fd, "sentinel", 8) < 0 || fstat(fd, &sentinel) < 0)
                abort();
        safe_close(fd);
        atexit(cleanup);
}

static int count_entries(int dirfd, bool only_expected) {
        int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d)
                abort();
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                        if (only_expected && strcmp(de->d_name, "dest") != 0 && strcmp(de->d_name, "sentinel") != 0)
                                __builtin_trap(); /* something was made beside dest */
                        n++;
                }
        closedir(d);
        return n;
}

static void check_outside(void) {
        struct stat st;
        char buf[16] = {};
        int fd = openat(base_fd, "sentinel", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0 || read(fd, buf, sizeof buf) != 8 || memcmp(buf, "sentinel", 8) != 0 ||
            st.st_ino != sentinel.st_ino || st.st_nlink != 1 || st.st_mtim.tv_sec != sentinel.st_mtim.tv_sec ||
            st.st_mtim.tv_nsec != sentinel.st_mtim.tv_nsec || (st.st_mode & 07777) != 0644 ||
            st.st_uid != sentinel.st_uid)
                __builtin_trap();
        safe_close(fd);
        (void) count_entries(base_fd, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (base_fd < 0)
                setup_once();
        int in = memfd_create("layer", MFD_CLOEXEC);
        if (in < 0 || write_all(in, data, size) < 0 || lseek(in, 0, SEEK_SET) != 0)
                abort();
        if (mkdirat(base_fd, "dest", 0755) < 0)
                abort();
        int dest = openat(base_fd, "dest", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dest < 0)
                abort();

        StoreUnpackOptions o = {
                .whiteouts = size & 1 ? STORE_WHITEOUT_VFS : STORE_WHITEOUT_OVERLAY,
                .devices = size & 2 ? STORE_DEVICES_REFUSE : STORE_DEVICES_SKIP,
                .max_entries = 10000,
                .max_size = 64 << 20,
                .no_sync = true,
        };
        Error e = {};
        char *diff_id = NULL, *blob = NULL;
        int r = store_layer_unpack_fd(in, "fuzz", &o, dest, &diff_id, &blob, &e);
        if (r < 0) {
                /* A refusal says why, hands back nothing and leaves nothing. */
                if (!e.msg || diff_id || blob || count_entries(dest, false) != 0)
                        __builtin_trap();
        } else {
                Sha256 d;
                char *want = sha256_buf(data, size, &d) == 0 ? store_digest_format(&d) : NULL;
                if (!diff_id || !blob || !want || strcmp(blob, want) != 0)
                        __builtin_trap();
                free(want);
        }
        check_outside();
        error_clear(&e);
        free(diff_id);
        free(blob);
        safe_close(dest);
        safe_close(in);
        if (rm_rf_at(base_fd, "dest") < 0)
                abort();
        return 0;
}
