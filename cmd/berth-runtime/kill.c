/* kill: sends a signal to the container's init process, or with --all to
 * every process in its cgroup. */
#include <ctype.h>
#include <signal.h>

#include "berth-runtime.h"

/* A number, or a name with or without "SIG" in any case ("kill", "SIGKILL"),
 * or SIGRTMIN+n / SIGRTMAX-n, as runc's parseSignal accepts them. */
static int signal_parse(const char *s, int *ret) {
        int64_t n;
        if (parse_int64(s, &n) >= 0) {
                if (n < 0 || n >= _NSIG)
                        return -EINVAL;
                *ret = (int) n;
                return 0;
        }
        char name[32];
        size_t len = strlen(s);
        if (len == 0 || len >= sizeof name)
                return -EINVAL;
        for (size_t i = 0; i <= len; i++)
                name[i] = (char) toupper((unsigned char) s[i]);
        const char *bare = str_startswith(name, "SIG") ? name + 3 : name;

        for (int sig = 1; sig < SIGRTMIN; sig++) {
                const char *abbrev = sigabbrev_np(sig);
                if (abbrev && strcmp(abbrev, bare) == 0) {
                        *ret = sig;
                        return 0;
                }
        }
        /* Aliases that sigabbrev_np() does not return. */
        static const struct {
                const char *name;
                int sig;
        } aliases[] = {
                {"IOT", SIGIOT},
                {"POLL", SIGPOLL},
                {"CLD", SIGCHLD},
        };
        for (size_t i = 0; i < ELEMENTSOF(aliases); i++)
                if (strcmp(aliases[i].name, bare) == 0) {
                        *ret = aliases[i].sig;
                        return 0;
                }

        int base, sign;
        const char *rest;
        if (str_startswith(bare, "RTMIN")) {
                base = SIGRTMIN;
                sign = 1;
                rest = bare + 5;
        } else if (str_startswith(bare, "RTMAX")) {
                base = SIGRTMAX;
                sign = -1;
                rest = bare + 5;
        } else
                return -EINVAL;
        if (*rest == '\0') {
                *ret = base;
                return 0;
        }
        uint32_t off;
        if (*rest != (sign > 0 ? '+' : '-') || parse_uint32(rest + 1, &off) < 0 ||
            off > (uint32_t) (SIGRTMAX - SIGRTMIN))
                return -EINVAL;
        *ret = base + sign * (int) off;
        return 0;
}

int verb_kill(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        static const struct option options[] = {
                {"all", no_argument, NULL, 'a'},
                OPTION_HELP,
                {},
        };
        bool all = false;
        int c, r, sig = SIGTERM;
        while ((c = getopt_long_only(argc, argv, ":ah", options, NULL)) >= 0) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'h':
                        usage_print(
                                "kill", "<container-id> [signal]",
                                "Where \"[signal]\" is the signal to be sent to the init process (default: SIGTERM),\n"
                                "as a name with or without the SIG prefix, or a number.",
                                "   --all, -a  send the specified signal to all processes inside the container\n");
                        return 0;
                default:
                        return opt_error(argv, c, "kill", reterr);
                }
        }
        r = args_check("kill", argc, optind, 1, 2, reterr);
        if (r < 0)
                return r;
        if (optind + 1 < argc && signal_parse(argv[optind + 1], &sig) < 0)
                return error_msg(reterr, EINVAL, "unknown signal \"%s\"", argv[optind + 1]);
        return container_kill(ctx, argv[optind], sig, all, reterr);
}
