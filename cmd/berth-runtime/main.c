/* berth-runtime: global flags, the verb table, and the one place that turns
 * an error into a message and an exit status. containerd, podman and dockerd
 * drive this program exactly as they drive runc, so flags, messages on
 * stderr and the --log file follow runc 1.1. */
#include "berth-runtime.h"

static const Verb verbs[] = {
        {"create", verb_create, "create a container"},
        {"delete", verb_delete, "delete any resources held by the container often used with detached container"},
        {"events", verb_events,
         "display container events such as OOM notifications, cpu, memory, and IO usage statistics"},
        {"exec", verb_exec, "execute new process inside the container"},
        {"features", verb_features, "show the enabled features"},
        {"kill", verb_kill, "kill sends the specified signal (default: SIGTERM) to the container's init process"},
        {"list", verb_list, "lists containers started by berth-runtime with the given root"},
        {"pause", verb_pause, "pause suspends all processes inside the container"},
        {"ps", verb_ps, "ps displays the processes running inside a container"},
        {"resume", verb_resume, "resumes all processes that have been previously paused"},
        {"run", verb_run, "create and run a container"},
        {"spec", verb_spec, "create a new specification file"},
        {"start", verb_start, "executes the user defined process in a created container"},
        {"state", verb_state, "output the state of a container"},
        {"update", verb_update, "update container resource constraints"},
};

/* Parsed global flags (STYLE: globals only for flags and the log). */
static const char *arg_root = RUNTIME_DEFAULT_ROOT;
static const char *arg_log;
static LogFormat arg_log_format = LOG_FORMAT_TEXT;
static bool arg_debug;
static bool arg_systemd_cgroup;

static const Verb *verb_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (strcmp(verbs[i].name, name) == 0)
                        return &verbs[i];
        return NULL;
}

static void help_print(void) {
        printf("NAME:\n"
               "   " PROGRAM_NAME " - Open Container Initiative runtime\n\n"
               "USAGE:\n"
               "   " PROGRAM_NAME " [global options] command [command options] [arguments...]\n\n"
               "VERSION:\n"
               "   " BERTH_VERSION "\n\n"
               "COMMANDS:\n");
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                printf("   %-10s %s\n", verbs[i].name, verbs[i].summary);
        printf("\nGLOBAL OPTIONS:\n"
               "   --debug             enable debug logging\n"
               "   --log value         set the log file to write logs to (default is '/dev/stderr')\n"
               "   --log-format value  set the log format ('text' (default), or 'json') (default: \"text\")\n"
               "   --root value        root directory for storage of container state (this should be located in tmpfs) "
               "(default: \"" RUNTIME_DEFAULT_ROOT "\")\n"
               "   --criu value        accepted for compatibility with runc; checkpoint/restore is not supported\n"
               "   --systemd-cgroup    enable systemd cgroup support (not supported yet)\n"
               "   --rootless value    ignore cgroup permission errors ('true', 'false', or 'auto') (default: "
               "\"auto\")\n"
               "   --help, -h          show help\n"
               "   --version, -v       print the version\n");
}

static void version_print(void) {
        printf(PROGRAM_NAME " version " BERTH_VERSION "\n"
                            "spec: " OCI_VERSION "\n"
                            "libseccomp: %s\n",
               runtime_seccomp_version());
}

/* ---- shared with the verbs ----------------------------------------------- */

int opt_error(char **argv, int c, const char *verb, Error *reterr) {
        const char *arg = optind > 0 ? argv[optind - 1] : "?";
        const char *sep = verb ? ": " : "";
        verb = verb ?: "";
        if (c == ':')
                return error_msg(reterr, EINVAL, "%s%soption %s requires an argument", verb, sep, arg);
        if (optopt != 0 && (!arg || arg[0] != '-' || strlen(arg) <= 2))
                return error_msg(reterr, EINVAL, "%s%sflag provided but not defined: -%c", verb, sep, optopt);
        return error_msg(reterr, EINVAL, "%s%sflag provided but not defined: %s", verb, sep, arg);
}

int args_check(const char *verb, int argc, int optind_, int min, int max, Error *reterr) {
        int n = argc - optind_;
        if (min == max && n != min)
                return error_msg(reterr, EINVAL, "\"%s\" requires exactly %d argument(s)", verb, min);
        if (n < min)
                return error_msg(reterr, EINVAL, "\"%s\" requires a minimum of %d argument(s)", verb, min);
        if (max >= 0 && n > max)
                return error_msg(reterr, EINVAL, "\"%s\" requires a maximum of %d argument(s)", verb, max);
        return 0;
}

void usage_print(const char *verb, const char *args, const char *description, const char *options) {
        printf("NAME:\n   " PROGRAM_NAME " %s - %s\n\nUSAGE:\n   " PROGRAM_NAME " %s [command options] %s\n", verb,
               verb_find(verb) ? verb_find(verb)->summary : "", verb, args);
        if (description && *description)
                printf("\nDESCRIPTION:\n%s\n", description);
        if (options && *options)
                printf("\nOPTIONS:\n%s", options);
}

int json_print(const JsonValue *v, unsigned flags, Error *reterr) {
        _cleanup_free_ char *s = json_dump(v, flags);
        if (!s)
                return error_set(reterr, ENOMEM, "formatting JSON");
        if (puts(s) == EOF)
                return error_set(reterr, errno ? errno : EIO, "writing to stdout");
        return 0;
}

int json_print_indented(const JsonValue *v, unsigned indent, Error *reterr) {
        _cleanup_free_ char *s = json_dump(v, JSON_DUMP_PRETTY);
        if (!s)
                return error_set(reterr, ENOMEM, "formatting JSON");
        /* json_dump() indents with tabs; a tab inside a JSON string is always
         * escaped, so every raw tab is indentation. */
        size_t tabs = 0;
        for (const char *p = s; *p; p++)
                tabs += *p == '\t';
        _cleanup_free_ char *out = malloc(strlen(s) + tabs * indent + 1);
        if (!out)
                return error_set(reterr, ENOMEM, "formatting JSON");
        char *o = out;
        for (const char *p = s; *p; p++) {
                if (*p != '\t') {
                        *o++ = *p;
                        continue;
                }
                memset(o, ' ', indent);
                o += indent;
        }
        *o = '\0';
        if (puts(out) == EOF)
                return error_set(reterr, errno ? errno : EIO, "writing to stdout");
        return 0;
}

int input_read(const char *path, size_t max, char **ret, size_t *ret_len, Error *reterr) {
        if (strcmp(path, "-") != 0) {
                int r = read_file(path, max, ret, ret_len);
                if (r == -EFBIG)
                        return error_msg(reterr, EFBIG, "%s is larger than %zu bytes", path, max);
                if (r < 0)
                        return error_set(reterr, r, "reading %s", path);
                return 0;
        }
        size_t cap = 4096, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        if (!buf)
                return error_set(reterr, ENOMEM, "reading stdin");
        for (;;) {
                if (len == cap) {
                        if (cap >= max)
                                return error_msg(reterr, EFBIG, "standard input is larger than %zu bytes", max);
                        cap = cap * 2 > max ? max : cap * 2;
                        char *nb = realloc(buf, cap + 1);
                        if (!nb)
                                return error_set(reterr, ENOMEM, "reading stdin");
                        buf = nb;
                }
                ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return error_set(reterr, errno, "reading stdin");
                }
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        buf[len] = '\0';
        if (ret_len)
                *ret_len = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int container_status_get(const RuntimeContext *ctx, const char *id, OciStatus *ret, Error *reterr) {
        _cleanup_json_ JsonValue *state = NULL;
        int r = container_state_json(ctx, id, &state, reterr);
        if (r < 0)
                return r;
        const JsonValue *v = json_obj_get(state, "status");
        OciStatus s = v && json_is_string(v) ? oci_status_from_string(json_str(v)) : _OCI_STATUS_INVALID;
        if (s < 0)
                return error_msg(reterr, EIO, "container \"%s\": state has no valid status", id);
        *ret = s;
        return 0;
}

/* ---- main ------------------------------------------------------------------ */

/* Parses the global flags in front of the verb. Returns the index of the
 * verb in argv, argc when there is none, 0 for "exit 0 now" (help, version),
 * or -errno. */
static int parse_global(int argc, char **argv, Error *reterr) {
        enum {
                ARG_ROOT = 0x100,
                ARG_LOG,
                ARG_LOG_FORMAT,
                ARG_DEBUG,
                ARG_SYSTEMD_CGROUP,
                ARG_CRIU,
                ARG_ROOTLESS,
        };
        static const struct option options[] = {
                {"root", required_argument, NULL, ARG_ROOT},
                {"log", required_argument, NULL, ARG_LOG},
                {"log-format", required_argument, NULL, ARG_LOG_FORMAT},
                {"debug", no_argument, NULL, ARG_DEBUG},
                {"systemd-cgroup", no_argument, NULL, ARG_SYSTEMD_CGROUP},
                {"criu", required_argument, NULL, ARG_CRIU},
                {"rootless", required_argument, NULL, ARG_ROOTLESS},
                {"version", no_argument, NULL, 'v'},
                OPTION_HELP,
                {},
        };
        int c;
        optind = 0;
        opterr = 0;
        /* "+": the verb and its own options are not ours to permute. */
        while ((c = getopt_long_only(argc, argv, "+:hv", options, NULL)) >= 0) {
                switch (c) {
                case ARG_ROOT:
                        if (!*optarg)
                                return error_msg(reterr, EINVAL, "--root must not be empty");
                        arg_root = optarg;
                        break;
                case ARG_LOG:
                        arg_log = *optarg ? optarg : NULL;
                        break;
                case ARG_LOG_FORMAT: {
                        LogFormat f = log_format_from_string(optarg);
                        if (f < 0 && *optarg)
                                return error_msg(reterr, EINVAL, "invalid log-format: %s", optarg);
                        arg_log_format = f < 0 ? LOG_FORMAT_TEXT : f;
                        break;
                }
                case ARG_DEBUG:
                        arg_debug = true;
                        break;
                case ARG_SYSTEMD_CGROUP:
                        arg_systemd_cgroup = true;
                        break;
                case ARG_CRIU:
                        break;
                case ARG_ROOTLESS:
                        if (!strv_contains((char *const[]){"true", "false", "auto", NULL}, optarg))
                                return error_msg(reterr, EINVAL,
                                                 "invalid --rootless value %s: want true, false or auto", optarg);
                        break;
                case 'v':
                        version_print();
                        return 0;
                case 'h':
                        help_print();
                        return 0;
                default:
                        return opt_error(argv, c, NULL, reterr);
                }
        }
        return optind;
}

static void error_report(int r, const Error *e) {
        const char *msg = e->msg ? e->msg : strerror(-r);
        fprintf(stderr, PROGRAM_NAME ": %s\n", msg);
        /* containerd reads the reason of a failure from the --log file. */
        if (log_get_fd() != STDERR_FILENO)
                log_error("%s", msg);
}

static int root_absolute(const char *root, char **ret, Error *reterr) {
        if (root[0] == '/')
                *ret = path_clean(root);
        else {
                _cleanup_free_ char *cwd = get_current_dir_name();
                if (!cwd)
                        return error_set(reterr, errno, "resolving --root %s", root);
                _cleanup_free_ char *j = strdup_printf("%s/%s", cwd, root);
                *ret = j ? path_clean(j) : NULL;
        }
        return *ret ? 0 : error_set(reterr, ENOMEM, "--root");
}

int main(int argc, char **argv, char **envp) {
        _cleanup_error_ Error err = {};
        _cleanup_free_ char *root = NULL;
        const Verb *verb = NULL;
        int exit_code = 0, r;

        r = parse_global(argc, argv, &err);
        if (r == 0)
                return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
        if (r < 0)
                goto fail;
        int vi = r;
        if (vi >= argc) {
                help_print();
                return EXIT_SUCCESS;
        }
        verb = verb_find(argv[vi]);

        /* Before anything else runs: a container process that can reach
         * /proc/<pid>/exe of this program must find a sealed copy, not the
         * host's binary (CVE-2019-5736). Only the verbs that put a process
         * into a container need it. */
        if (verb && (verb->run == verb_create || verb->run == verb_run || verb->run == verb_exec)) {
                r = runtime_ensure_cloned_binary(argv, envp);
                if (r < 0) {
                        error_set(&err, r, "cloning the runtime binary");
                        goto fail;
                }
        }

        r = log_open(PROGRAM_NAME, arg_log, arg_log_format, arg_debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
        if (r < 0) {
                error_set(&err, r, "opening log file %s", arg_log);
                goto fail;
        }
        if (!verb) {
                r = error_msg(&err, EINVAL, "unknown command \"%s\"", argv[vi]);
                goto fail;
        }

        /* Only making a cgroup needs the driver; the other verbs work on what
         * create made, so a caller that always passes the flag can still
         * clean up. */
        if (arg_systemd_cgroup && (verb->run == verb_create || verb->run == verb_run)) {
                if (access("/run/systemd/system", F_OK) < 0)
                        r = error_msg(&err, EOPNOTSUPP, "systemd cgroup driver requested but systemd is not running");
                else
                        r = error_msg(&err, EOPNOTSUPP, "systemd cgroup driver is not supported yet");
                goto fail;
        }

        r = root_absolute(arg_root, &root, &err);
        if (r < 0)
                goto fail;
        const RuntimeContext ctx = {
                .root = root,
                .systemd_cgroup = arg_systemd_cgroup,
        };
        log_debug("%s: root %s", verb->name, root);

        optind = 0;
        opterr = 0;
        r = verb->run(&ctx, argc - vi, argv + vi, &exit_code, &err);
        if (r < 0)
                goto fail;
        if (fflush(stdout) != 0) {
                r = error_set(&err, errno ? errno : EIO, "writing to stdout");
                goto fail;
        }
        return exit_code;

fail:
        error_report(r, &err);
        /* runc's exec fails with 255, which no exit status of the process
         * it would have run can be confused with. */
        return verb && verb->run == verb_exec ? 255 : EXIT_FAILURE;
}
