/* The container's terminal: a pty from the container's own devpts instance,
 * whose master goes to the caller over --console-socket (SCM_RIGHTS), as
 * runc does, and whose slave becomes the process's stdio and /dev/console. */
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>

#include "container.h"

int terminal_new_pty(int rootfd, int *ret_slave, Error *reterr) {
        /* Through the container's own devpts mount, so the pty belongs to
         * the container's instance and not to the host's. */
        _cleanup_close_ int master = path_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0);
        if (master < 0)
                master = path_open_in_root(rootfd, "/dev/ptmx", O_RDWR | O_NOCTTY, 0);
        if (master < 0)
                return error_set(reterr, master, "opening /dev/pts/ptmx in the container");
        int unlock = 0;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return error_set(reterr, errno, "unlocking pty");
        int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return error_set(reterr, errno, "opening pty slave");
        *ret_slave = slave;
        return TAKE_FD(master);
}

int terminal_setup_slave(int slave, const OciConsoleSize *size) {
        if (size) {
                struct winsize ws = { .ws_row = (unsigned short) size->height, .ws_col = (unsigned short) size->width };
                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return -errno;
        }
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return -errno;
        return 0;
}

int terminal_send_master(int sock, int master, Error *reterr) {
        /* runc sends the pty's name as the message body; some callers read it. */
        char name[64] = "/dev/ptmx";
        int r = send_fd(sock, master, name, strlen(name));
        if (r < 0)
                return error_set(reterr, r, "sending the pty to the console socket");
        return 0;
}

static void copy_winsize(int from, int to) {
        struct winsize ws;
        if (ioctl(from, TIOCGWINSZ, &ws) == 0)
                (void) ioctl(to, TIOCSWINSZ, &ws);
}

/* Drains what is readable from src into dst; false at EOF or error. */
static bool pump(int src, int dst) {
        char buf[16384];
        ssize_t n = read(src, buf, sizeof buf);
        if (n <= 0)
                return n < 0 && (errno == EAGAIN || errno == EINTR);
        return write_all(dst, buf, (size_t) n) >= 0;
}

int terminal_proxy_and_wait(int master, pid_t pid) {
        sigset_t set;
        sigfillset(&set);
        sigdelset(&set, SIGSEGV);
        sigdelset(&set, SIGBUS);
        sigdelset(&set, SIGILL);
        sigdelset(&set, SIGFPE);
        sigprocmask(SIG_BLOCK, &set, NULL);
        _cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

        struct termios saved;
        bool raw = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
        if (raw) {
                struct termios t = saved;
                cfmakeraw(&t);
                t.c_oflag = saved.c_oflag; /* keep \n -> \r\n on our side off: the pty does it */
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &t);
                copy_winsize(STDIN_FILENO, master);
        }
        (void) fd_set_nonblock(master, true);
        bool in_open = true;
        int code = -1;
        while (code < 0) {
                struct pollfd p[3] = {
                        { .fd = master, .events = POLLIN },
                        { .fd = sfd, .events = POLLIN },
                        { .fd = in_open ? STDIN_FILENO : -1, .events = POLLIN },
                };
                if (poll(p, 3, -1) < 0 && errno != EINTR)
                        break;
                if (p[0].revents & (POLLIN | POLLHUP))
                        (void) pump(master, STDOUT_FILENO);
                if (p[2].revents & (POLLIN | POLLHUP))
                        in_open = pump(STDIN_FILENO, master);
                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof si) == (ssize_t) sizeof si) {
                                if (si.ssi_signo == SIGWINCH)
                                        copy_winsize(STDIN_FILENO, master);
                                else if (si.ssi_signo != SIGCHLD)
                                        kill(pid, (int) si.ssi_signo);
                        }
                        int status;
                        if (waitpid(pid, &status, WNOHANG) == pid) {
                                while (pump(master, STDOUT_FILENO))
                                        ;
                                code = status_to_exit_code(status);
                        }
                }
        }
        if (raw)
                (void) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        return code < 0 ? 255 : code;
}
