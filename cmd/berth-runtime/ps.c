/* ps: the container's processes, as a JSON array of pids or as the host's
 * ps(1) table cut down to the container's lines. */
#include <sys/wait.h>

#include "berth-runtime.h"

/* Bounds what we read back from ps(1). */
#define PS_OUTPUT_MAX (16u << 20)

/* Runs ps with args (argv[0] included), stdout and stderr together, and
 * returns what it printed. */
static int ps_run(char **args, char **ret, Error *reterr) {
        int pipefd[2];
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return error_set(reterr, errno, "pipe");
        _cleanup_close_ int rd = pipefd[0];
        _cleanup_close_ int wr = pipefd[1];

        pid_t pid = fork();
        if (pid < 0)
                return error_set(reterr, errno, "fork");
        if (pid == 0) {
                if (dup2(wr, STDOUT_FILENO) < 0 || dup2(wr, STDERR_FILENO) < 0)
                        _exit(127);
                execvp("ps", args);
                dprintf(STDERR_FILENO, "exec ps: %s\n", strerror(errno));
                _exit(127);
        }
        wr = safe_close(wr);

        size_t cap = 8192, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        int r = buf ? 0 : -ENOMEM;
        while (r == 0) {
                if (len == cap) {
                        if (cap >= PS_OUTPUT_MAX) {
                                r = -EFBIG;
                                break;
                        }
                        char *nb = realloc(buf, cap * 2 + 1);
                        if (!nb) {
                                r = -ENOMEM;
                                break;
                        }
                        buf = nb;
                        cap *= 2;
                }
                ssize_t n = read(rd, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        r = -errno;
                else if (n == 0)
                        break;
                else
                        len += (size_t) n;
        }
        /* Close first so that a ps still writing gets EPIPE, not a hang. */
        rd = safe_close(rd);
        int status;
        int code = wait_for_pid(pid, &status);
        if (r < 0)
                return error_set(reterr, r, "reading the output of ps");
        buf[len] = '\0';
        if (code != 0)
                return error_msg(reterr, EIO, "ps exited with status %d: %s", code, buf);
        *ret = TAKE_PTR(buf);
        return 0;
}

static int args_push(char ***v, const char *s) {
        char *d = strdup(s);
        return d ? strv_push(v, d) : -ENOMEM;
}

static bool pid_listed(const pid_t *pids, size_t n, long pid) {
        for (size_t i = 0; i < n; i++)
                if (pids[i] == pid)
                        return true;
        return false;
}

static int ps_table(const pid_t *pids, size_t n, char **ps_args, Error *reterr) {
        _cleanup_strv_free_ char **args = NULL;
        if (args_push(&args, "ps") < 0)
                return error_set(reterr, ENOMEM, "ps");
        if (!ps_args[0]) {
                if (args_push(&args, "-ef") < 0)
                        return error_set(reterr, ENOMEM, "ps");
        } else
                for (size_t i = 0; ps_args[i]; i++)
                        if (args_push(&args, ps_args[i]) < 0)
                                return error_set(reterr, ENOMEM, "ps");

        _cleanup_free_ char *out = NULL;
        int r = ps_run(args, &out, reterr);
        if (r < 0)
                return r;

        char *save = NULL;
        char *header = strtok_r(out, "\n", &save);
        if (!header)
                return error_msg(reterr, EIO, "couldn't find PID field in ps output");
        int pid_index = -1, col = 0;
        {
                _cleanup_free_ char *h = strdup(header);
                if (!h)
                        return error_set(reterr, ENOMEM, "ps");
                char *hs = NULL;
                for (char *f = strtok_r(h, " \t", &hs); f; f = strtok_r(NULL, " \t", &hs), col++)
                        if (strcmp(f, "PID") == 0) {
                                pid_index = col;
                                break;
                        }
        }
        if (pid_index < 0)
                return error_msg(reterr, EIO, "couldn't find PID field in ps output");
        puts(header);
        for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                _cleanup_free_ char *l = strdup(line);
                if (!l)
                        return error_set(reterr, ENOMEM, "ps");
                char *ls = NULL, *f = strtok_r(l, " \t", &ls);
                for (int i = 0; f && i < pid_index; i++)
                        f = strtok_r(NULL, " \t", &ls);
                int64_t pid;
                if (!f || parse_int64(f, &pid) < 0)
                        return error_msg(reterr, EIO, "unable to parse pid: %s", f ? f : "(none)");
                if (pid_listed(pids, n, (long) pid))
                        puts(line);
        }
        return 0;
}

int verb_ps(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        static const struct option options[] = {
                {"format", required_argument, NULL, 'f'},
                OPTION_HELP,
                {},
        };
        const char *format = "table";
        int c, r;
        /* "+": words after the id are ps(1)'s options, as runc passes them. */
        while ((c = getopt_long_only(argc, argv, "+:f:h", options, NULL)) >= 0) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'h':
                        usage_print("ps", "<container-id> [ps options]", NULL,
                                    "   --format value, -f value  select one of: table or json (default: \"table\")\n");
                        return 0;
                default:
                        return opt_error(argv, c, "ps", reterr);
                }
        }
        r = args_check("ps", argc, optind, 1, -1, reterr);
        if (r < 0)
                return r;
        bool json = strcmp(format, "json") == 0;
        if (!json && strcmp(format, "table") != 0)
                return error_msg(reterr, EINVAL, "invalid format option");

        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        r = container_pids(ctx, argv[optind], &pids, &n, reterr);
        if (r < 0)
                return r;
        if (!json)
                return ps_table(pids, n, argv + optind + 1, reterr);

        _cleanup_json_ JsonValue *a = json_new_array();
        if (!a)
                return error_set(reterr, ENOMEM, "ps");
        for (size_t i = 0; i < n; i++)
                if (json_arr_append(a, json_new_int(pids[i])) < 0)
                        return error_set(reterr, ENOMEM, "ps");
        return json_print(a, 0, reterr);
}
