/* The container's terminal: a pty from the container's own devpts instance,
 * whose master goes to the caller over --console-socket (SCM_RIGHTS), as
 * runc does, and whose slave becomes the process's stdio and /dev/console. */
#include <sys/ioctl.h>
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
