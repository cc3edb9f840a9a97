/* File descriptors and child processes. */
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "common.h"

int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                /* Linux closes the fd even when close() reports EINTR: retrying
                 * could close an fd that another thread just got. */
                (void) close(fd);
                errno = saved;
        }
        return -1;
}

static bool fd_kept(int fd, const int *keep, size_t n_keep) {
        for (size_t i = 0; i < n_keep; i++)
                if (keep[i] == fd)
                        return true;
        return false;
}

int fds_close_from(int from, const int *keep, size_t n_keep) {
        /* close_range over the gaps between kept fds; keep[] is small. */
        int lo = from;
        for (;;) {
                int next = -1;
                for (size_t i = 0; i < n_keep; i++)
                        if (keep[i] >= lo && (next < 0 || keep[i] < next))
                                next = keep[i];
                unsigned hi = next < 0 ? ~0U : (unsigned) next - 1;
                if (next < 0 || next > lo) {
                        if (syscall(SYS_close_range, (unsigned) lo, hi, 0) < 0) {
                                if (errno != ENOSYS)
                                        return -errno;
                                goto fallback;
                        }
                }
                if (next < 0)
                        return 0;
                lo = next + 1;
        }

fallback: {
        _cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                int fd = atoi(de->d_name);
                if (de->d_name[0] == '.' || fd < from || fd == dirfd(d) || fd_kept(fd, keep, n_keep))
                        continue;
                safe_close(fd);
        }
        return 0;
}
}

int fd_set_cloexec(int fd, bool on) {
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0)
                return -errno;
        int nf = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC;
        if (nf != flags && fcntl(fd, F_SETFD, nf) < 0)
                return -errno;
        return 0;
}

int fd_set_nonblock(int fd, bool on) {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return -errno;
        int nf = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (nf != flags && fcntl(fd, F_SETFL, nf) < 0)
                return -errno;
        return 0;
}

int send_fd(int sock, int fd, const void *data, size_t len) {
        char dummy = 0;
        struct iovec iov = {
                .iov_base = len ? (void *) data : &dummy,
                .iov_len = len ? len : 1,
        };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } ctl = {};
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        if (fd >= 0) {
                msg.msg_control = ctl.buf;
                msg.msg_controllen = sizeof ctl.buf;
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        ssize_t n;
        do
                n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        return 0;
}

int recv_fd(int sock, int *ret_fd, void *data, size_t len) {
        char dummy;
        struct iovec iov = {
                .iov_base = len ? data : &dummy,
                .iov_len = len ? len : 1,
        };
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } ctl = {};
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = ctl.buf,
                .msg_controllen = sizeof ctl.buf,
        };
        ssize_t n;
        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        *ret_fd = -1;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        if (n == 0 && *ret_fd < 0)
                return -ECONNRESET;
        return (int) n;
}

int status_to_exit_code(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

int wait_for_pid(pid_t pid, int *ret_status) {
        int status;
        for (;;) {
                if (waitpid(pid, &status, __WALL) >= 0)
                        break;
                if (errno != EINTR)
                        return -errno;
        }
        if (ret_status)
                *ret_status = status;
        return status_to_exit_code(status);
}

int unix_connect(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int e = errno;
                safe_close(fd);
                return -e;
        }
        return fd;
}
