/* common: what every subsystem of berth stands on — the error value, logging,
 * cleanup attributes, strings and string vectors, fds and processes, safe
 * path resolution inside a root, sha256, and the one wrapper around jansson.
 * Nothing here includes another berth header. */
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* ---- cleanup and ownership ---------------------------------------------- */

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define TAKE_PTR(p)                    \
        ({                             \
                typeof(p) _tp = (p);   \
                (p) = NULL;            \
                _tp;                   \
        })
#define TAKE_FD(fd)                    \
        ({                             \
                int _tfd = (fd);       \
                (fd) = -1;             \
                _tfd;                  \
        })

int safe_close(int fd); /* never retries on EINTR; returns -1 */
char **strv_free(char **v);
size_t strv_length(char *const *v);
char **strv_copy(char *const *v);
bool strv_contains(char *const *v, const char *s);
int strv_push(char ***v, char *s); /* takes s; -ENOMEM leaves s freed */

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) safe_close(*fd); }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }
static inline void closedirp(DIR **d) { if (*d) closedir(*d); }
static inline void strv_freep(char ***v) { strv_free(*v); }

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)
#define _cleanup_closedir_ _cleanup_(closedirp)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

/* ---- errors ---------------------------------------------------------------
 * Fallible functions return >= 0 on success and -errno on failure. Where a
 * person needs the reason they also take `Error *reterr` last; error_set()
 * fills it and returns the same -errno so that `return error_set(...)` reads
 * naturally. Each layer may prefix context with error_wrap(). */

typedef struct Error {
        int code;  /* positive errno */
        char *msg; /* owned */
} Error;

/* "<fmt>: <strerror(errnum)>"; errnum may be given positive or negative. */
int error_set(Error *reterr, int errnum, const char *fmt, ...) _printf_(3, 4);
/* "<fmt>" alone, for errors whose cause is the input, not the system. */
int error_msg(Error *reterr, int errnum, const char *fmt, ...) _printf_(3, 4);
/* Prefixes context: "<fmt>: <previous message>"; returns -code. */
int error_wrap(Error *reterr, const char *fmt, ...) _printf_(2, 3);
void error_clear(Error *e);
static inline void error_clearp(Error *e) { error_clear(e); }
#define _cleanup_error_ _cleanup_(error_clearp)

/* ---- logging --------------------------------------------------------------
 * Library code logs at debug only; programs log once, at the top. Text or
 * runc's JSON lines ({"level","msg","time"}), which containerd reads. */

typedef enum LogLevel {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARN,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
        _LOG_LEVEL_MAX,
        _LOG_LEVEL_INVALID = -EINVAL,
} LogLevel;

typedef enum LogFormat {
        LOG_FORMAT_TEXT,
        LOG_FORMAT_JSON,
        _LOG_FORMAT_MAX,
        _LOG_FORMAT_INVALID = -EINVAL,
} LogFormat;

const char *log_level_to_string(LogLevel l);
LogLevel log_level_from_string(const char *s);
const char *log_format_to_string(LogFormat f);
LogFormat log_format_from_string(const char *s);

/* path NULL means stderr. The program name prefixes text lines. */
int log_open(const char *program, const char *path, LogFormat format, LogLevel level);
void log_set_fd(int fd); /* log to an already open fd (takes it) */
int log_get_fd(void);
bool log_enabled(LogLevel level);
void log_msg(LogLevel level, const char *fmt, ...) _printf_(2, 3);
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                              \
        do {                                                        \
                if (log_enabled(LOG_LEVEL_DEBUG))                   \
                        log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);      \
        } while (0)

/* ---- strings and files --------------------------------------------------- */

char *strdup_printf(const char *fmt, ...) _printf_(1, 2);
/* "2026-11-23T21:06:00.123456789Z", UTC, as runc and docker write times. */
void time_now_rfc3339(char buf[static 64]);
bool str_startswith(const char *s, const char *prefix);
int parse_int64(const char *s, int64_t *ret);
int parse_uint64(const char *s, uint64_t *ret);
int parse_uint32(const char *s, uint32_t *ret);

int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
static inline int read_file(const char *path, size_t max, char **ret, size_t *ret_len) {
        return read_file_at(AT_FDCWD, path, max, ret, ret_len);
}
/* Writes all of buf to an existing file (O_WRONLY, no create/truncate). */
int write_file_at(int dirfd, const char *path, const char *buf, size_t len);
/* Creates path atomically: temp file in the same dir, fsync, rename. */
int write_file_atomic(const char *path, const char *buf, size_t len, mode_t mode);
int write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len); /* returns bytes read, 0 at EOF */
int mkdir_p(const char *path, mode_t mode);
/* Reads a passwd(5) file without NSS (the runtime is static and the file is
 * often the container's): name and/or home of uid; -ENOENT if absent. */
int passwd_lookup_uid(const char *path, uid_t uid, char **ret_name, char **ret_home);
int rm_rf_at(int dirfd, const char *name); /* never crosses mount points */

/* ---- fds and processes --------------------------------------------------- */

/* Closes every fd >= from except those listed (close_range, with a
 * /proc/self/fd fallback). */
int fds_close_from(int from, const int *keep, size_t n_keep);
int fd_set_cloexec(int fd, bool on);
int fd_set_nonblock(int fd, bool on);
int unix_connect(const char *path); /* SOCK_STREAM, close-on-exec */
int send_fd(int sock, int fd, const void *data, size_t len);
int recv_fd(int sock, int *ret_fd, void *data, size_t len);
/* waitpid that retries on EINTR; returns the exit code, or 128+signal. */
int wait_for_pid(pid_t pid, int *ret_status);
int status_to_exit_code(int status);

/* ---- paths inside a root -------------------------------------------------
 * Every path that comes from a container or image is resolved with these:
 * openat2(RESOLVE_IN_ROOT) where the kernel has it, else a component walk
 * that treats symlinks and ".." as the kernel would inside a chroot. */

int path_open_in_root(int rootfd, const char *path, int flags, mode_t mode);
/* Creates the missing directories of path inside root (mode each) and
 * returns an O_PATH|O_DIRECTORY fd of the last one. */
int path_mkdir_in_root(int rootfd, const char *path, mode_t mode);
/* Like the above for the parent, then creates the last component as an empty
 * file if nothing is there; returns an O_PATH fd of what is there. */
int path_mkfile_in_root(int rootfd, const char *path, mode_t mode);
/* For tests: forget whether openat2 worked, so the next call probes again. */
void path_reset_openat2_probe(void);
bool path_has_openat2(void);
/* Lexically cleans "a//b/./c/../d" to "a/b/d"; ".." never climbs above "/". */
char *path_clean(const char *path);
const char *fd_proc_path(int fd, char buf[static 32]); /* "/proc/self/fd/N" */

/* ---- sha256 ---------------------------------------------------------------- */

typedef struct Sha256 {
        uint8_t bytes[32];
} Sha256;
int sha256_buf(const void *buf, size_t len, Sha256 *ret);
void sha256_hex(const Sha256 *d, char ret[static 65]);

/* ---- string maps ----------------------------------------------------------- */

typedef struct StrMap {
        char **keys;
        char **values;
        size_t n;
} StrMap;
const char *strmap_get(const StrMap *m, const char *key);
int strmap_set(StrMap *m, const char *key, const char *value);
void strmap_clear(StrMap *m);

/* Optional numbers, where absent differs from zero. */
typedef struct OptI64 {
        int64_t value;
        bool set;
} OptI64;
typedef struct OptU64 {
        uint64_t value;
        bool set;
} OptU64;

#define ARRAY(T)           \
        struct {           \
                T *items;  \
                size_t n;  \
        }
