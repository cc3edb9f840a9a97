/* exec: runs another process in a running container, described either by a
 * process.json (--process) or by the container's own process with the
 * command line's flags laid over it, as runc does. */
#include "berth-runtime.h"

typedef struct ExecArgs {
        const char *process_file;
        const char *cwd;
        char **env;  /* borrowed from argv */
        char **caps; /* borrowed from argv */
        const char *user;
        ARRAY(uint32_t) additional_gids;
        const char *process_label;
        const char *apparmor;
        bool tty;
        bool no_new_privs;
        bool ignore_paused;
        ExecOptions o;
} ExecArgs;

static void exec_args_done(ExecArgs *a) {
        free(a->env);
        free(a->caps);
        free(a->additional_gids.items);
}

/* A vector of pointers into argv; its strings are not ours to free. */
static int ptrv_push(char ***v, char *s) {
        size_t n = strv_length(*v);
        char **c = realloc(*v, (n + 2) * sizeof(char *));
        if (!c)
                return -ENOMEM;
        c[n] = s;
        c[n + 1] = NULL;
        *v = c;
        return 0;
}

static int strv_push_dup(char ***v, const char *s) {
        char *d = strdup(s);
        return d ? strv_push(v, d) : -ENOMEM;
}

static int str_replace_dup(char **dst, const char *s) {
        char *d = strdup(s);
        if (!d)
                return -ENOMEM;
        free(*dst);
        *dst = d;
        return 0;
}

/* "-g 10 -g 20" and "-g 10,20" both add gids. */
static int gids_parse(const char *s, ExecArgs *a, Error *reterr) {
        _cleanup_free_ char *copy = strdup(s);
        if (!copy)
                return error_set(reterr, ENOMEM, "--additional-gids");
        char *save = NULL;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                uint32_t gid;
                if (parse_uint32(tok, &gid) < 0)
                        return error_msg(reterr, EINVAL, "additional-gids must be a positive number: \"%s\"", tok);
                uint32_t *n = realloc(a->additional_gids.items, (a->additional_gids.n + 1) * sizeof(uint32_t));
                if (!n)
                        return error_set(reterr, ENOMEM, "--additional-gids");
                a->additional_gids.items = n;
                n[a->additional_gids.n++] = gid;
        }
        return 0;
}

/* "KEY=value" replaces KEY's entry or is appended. */
static int env_set(char ***env, const char *kv) {
        const char *eq = strchr(kv, '=');
        size_t klen = eq ? (size_t) (eq - kv) : strlen(kv);
        for (size_t i = 0; *env && (*env)[i]; i++) {
                const char *e = (*env)[i];
                if (strncmp(e, kv, klen) == 0 && (e[klen] == '=' || e[klen] == '\0'))
                        return str_replace_dup(&(*env)[i], kv);
        }
        return strv_push_dup(env, kv);
}

static int cap_add(char ***set, const char *cap) {
        if (strv_contains(*set, cap))
                return 0;
        return strv_push_dup(set, cap);
}

/* runc's getProcess: args, cwd, env, user, caps, tty, no-new-privs, labels
 * from the flags; everything else from the container's config. */
static int process_from_flags(const RuntimeContext *ctx, const char *id, const ExecArgs *a, char **args,
                              OciProcess **ret, Error *reterr) {
        _cleanup_(oci_process_freep) OciProcess *p = NULL;
        int r = container_process_template(ctx, id, &p, reterr);
        if (r < 0)
                return r;

        char **nargs = strv_copy(args);
        if (!nargs)
                return error_set(reterr, ENOMEM, "exec arguments");
        strv_free(p->args);
        p->args = nargs;
        if (a->cwd && str_replace_dup(&p->cwd, a->cwd) < 0)
                return error_set(reterr, ENOMEM, "--cwd");
        if (a->apparmor && str_replace_dup(&p->apparmor_profile, a->apparmor) < 0)
                return error_set(reterr, ENOMEM, "--apparmor");
        if (a->process_label && str_replace_dup(&p->selinux_label, a->process_label) < 0)
                return error_set(reterr, ENOMEM, "--process-label");
        for (size_t i = 0; a->env && a->env[i]; i++)
                if (env_set(&p->env, a->env[i]) < 0)
                        return error_set(reterr, ENOMEM, "--env");

        if (a->caps && a->caps[0]) {
                if (!p->capabilities && !(p->capabilities = calloc(1, sizeof(OciCapabilities))))
                        return error_set(reterr, ENOMEM, "--cap");
                OciCapabilities *c = p->capabilities;
                for (size_t i = 0; a->caps[i]; i++) {
                        /* Ambient needs the bit in inheritable, which --cap does
                         * not add: only where the spec already has inheritable
                         * bits (runc does the same). */
                        if (cap_add(&c->bounding, a->caps[i]) < 0 || cap_add(&c->effective, a->caps[i]) < 0 ||
                            cap_add(&c->permitted, a->caps[i]) < 0 ||
                            (c->inheritable && cap_add(&c->ambient, a->caps[i]) < 0))
                                return error_set(reterr, ENOMEM, "--cap");
                }
        }

        /* A terminal only when asked for: the container's init may have one,
         * its exec'd processes need their own console socket. */
        p->terminal = a->tty;
        if (a->no_new_privs)
                p->no_new_privileges = true;

        if (a->user) {
                const char *colon = strchr(a->user, ':');
                _cleanup_free_ char *uid_s = colon ? strndup(a->user, (size_t) (colon - a->user)) : strdup(a->user);
                if (!uid_s)
                        return error_set(reterr, ENOMEM, "--user");
                uint32_t uid, gid;
                if (parse_uint32(uid_s, &uid) < 0)
                        return error_msg(reterr, EINVAL, "parsing %s as int for uid failed", uid_s);
                if (colon) {
                        if (parse_uint32(colon + 1, &gid) < 0)
                                return error_msg(reterr, EINVAL, "parsing %s as int for gid failed", colon + 1);
                        p->user.gid = gid;
                }
                p->user.uid = uid;
        }
        if (a->additional_gids.n > 0) {
                size_t n = p->user.additional_gids.n + a->additional_gids.n;
                uint32_t *g = realloc(p->user.additional_gids.items, n * sizeof(uint32_t));
                if (!g)
                        return error_set(reterr, ENOMEM, "--additional-gids");
                memcpy(g + p->user.additional_gids.n, a->additional_gids.items,
                       a->additional_gids.n * sizeof(uint32_t));
                p->user.additional_gids.items = g;
                p->user.additional_gids.n = n;
        }
        *ret = TAKE_PTR(p);
        return 0;
}

static int process_from_file(const char *path, OciProcess **ret, Error *reterr) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        int r = input_read(path, JSON_MAX_SIZE, &buf, &len, reterr);
        if (r < 0)
                return r;
        r = oci_process_parse(buf, len, ret, reterr);
        if (r < 0)
                return error_wrap(reterr, "%s", path);
        return 0;
}

static const char exec_options_text[] =
        "   --console-socket value             path to an AF_UNIX socket which will receive a file descriptor "
        "referencing the master end of the console's pseudoterminal\n"
        "   --cwd value                        current working directory in the container\n"
        "   --env value, -e value              set environment variables\n"
        "   --tty, -t                          allocate a pseudo-TTY\n"
        "   --user value, -u value             UID (format: <uid>[:<gid>])\n"
        "   --additional-gids value, -g value  additional gids\n"
        "   --process value, -p value          path to the process.json\n"
        "   --detach, -d                       detach from the container's process\n"
        "   --pid-file value                   specify the file to write the process id to\n"
        "   --process-label value              set the asm process label for the process commonly used with selinux\n"
        "   --apparmor value                   set the apparmor profile for the process\n"
        "   --no-new-privs                     set the no new privileges value for the process\n"
        "   --cap value, -c value              add a capability to the bounding set for the process\n"
        "   --preserve-fds value               Pass N additional file descriptors to the container (stdio + N in "
        "total) (default: 0)\n"
        "   --ignore-paused                    allow exec in a paused container\n";

int verb_exec(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        enum {
                ARG_CONSOLE_SOCKET = 0x100,
                ARG_CWD,
                ARG_PID_FILE,
                ARG_PROCESS_LABEL,
                ARG_APPARMOR,
                ARG_NO_NEW_PRIVS,
                ARG_PRESERVE_FDS,
                ARG_IGNORE_PAUSED,
                ARG_CGROUP,
                ARG_NO_SUBREAPER,
        };
        static const struct option options[] = {
                {"console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET},
                {"cwd", required_argument, NULL, ARG_CWD},
                {"env", required_argument, NULL, 'e'},
                {"tty", no_argument, NULL, 't'},
                {"user", required_argument, NULL, 'u'},
                {"additional-gids", required_argument, NULL, 'g'},
                {"process", required_argument, NULL, 'p'},
                {"detach", no_argument, NULL, 'd'},
                {"pid-file", required_argument, NULL, ARG_PID_FILE},
                {"process-label", required_argument, NULL, ARG_PROCESS_LABEL},
                {"apparmor", required_argument, NULL, ARG_APPARMOR},
                {"no-new-privs", no_argument, NULL, ARG_NO_NEW_PRIVS},
                {"cap", required_argument, NULL, 'c'},
                {"preserve-fds", required_argument, NULL, ARG_PRESERVE_FDS},
                {"ignore-paused", no_argument, NULL, ARG_IGNORE_PAUSED},
                {"cgroup", required_argument, NULL, ARG_CGROUP},
                {"no-subreaper", no_argument, NULL, ARG_NO_SUBREAPER},
                OPTION_HELP,
                {},
        };
        _cleanup_(exec_args_done) ExecArgs a = {};
        int c, r;

        /* "+": the words after the id are the command and its own flags. */
        while ((c = getopt_long_only(argc, argv, "+:e:tu:g:p:dc:h", options, NULL)) >= 0) {
                switch (c) {
                case ARG_CONSOLE_SOCKET:
                        a.o.console_socket = *optarg ? optarg : NULL;
                        break;
                case ARG_CWD:
                        a.cwd = *optarg ? optarg : NULL;
                        break;
                case 'e':
                        if (ptrv_push(&a.env, optarg) < 0)
                                return error_set(reterr, ENOMEM, "--env");
                        break;
                case 't':
                        a.tty = true;
                        break;
                case 'u':
                        a.user = *optarg ? optarg : NULL;
                        break;
                case 'g':
                        if ((r = gids_parse(optarg, &a, reterr)) < 0)
                                return r;
                        break;
                case 'p':
                        a.process_file = *optarg ? optarg : NULL;
                        break;
                case 'd':
                        a.o.detach = true;
                        break;
                case ARG_PID_FILE:
                        a.o.pid_file = *optarg ? optarg : NULL;
                        break;
                case ARG_PROCESS_LABEL:
                        a.process_label = *optarg ? optarg : NULL;
                        break;
                case ARG_APPARMOR:
                        a.apparmor = *optarg ? optarg : NULL;
                        break;
                case ARG_NO_NEW_PRIVS:
                        a.no_new_privs = true;
                        break;
                case 'c':
                        if (ptrv_push(&a.caps, optarg) < 0)
                                return error_set(reterr, ENOMEM, "--cap");
                        break;
                case ARG_PRESERVE_FDS: {
                        uint32_t n;
                        if (parse_uint32(optarg, &n) < 0 || n > 65536)
                                return error_msg(reterr, EINVAL, "invalid value \"%s\" for flag -preserve-fds", optarg);
                        a.o.preserve_fds = n;
                        break;
                }
                case ARG_IGNORE_PAUSED:
                        a.ignore_paused = true;
                        break;
                case ARG_CGROUP:
                        return error_msg(reterr, EOPNOTSUPP, "exec --cgroup is not supported");
                case ARG_NO_SUBREAPER:
                        break;
                case 'h':
                        usage_print("exec",
                                    "<container-id> <command> [command options]  || -p process.json <container-id>",
                                    "Where \"<container-id>\" is the name for the instance of the container and\n"
                                    "\"<command>\" is the command to be executed in the container.",
                                    exec_options_text);
                        return 0;
                default:
                        return opt_error(argv, c, "exec", reterr);
                }
        }
        r = args_check("exec", argc, optind, 1, -1, reterr);
        if (r < 0)
                return r;
        const char *id = argv[optind];
        if (!a.process_file && argc - optind < 2)
                return error_msg(reterr, EINVAL, "exec: process args cannot be empty");

        OciStatus st;
        r = container_status_get(ctx, id, &st, reterr);
        if (r < 0)
                return r;
        if (st == OCI_STATUS_STOPPED)
                return error_msg(reterr, EBUSY, "cannot exec in a stopped container");
        if (st == OCI_STATUS_PAUSED && !a.ignore_paused)
                return error_msg(reterr, EBUSY, "cannot exec in a paused container (use --ignore-paused to override)");

        _cleanup_(oci_process_freep) OciProcess *p = NULL;
        if (a.process_file)
                r = process_from_file(a.process_file, &p, reterr);
        else
                r = process_from_flags(ctx, id, &a, argv + optind + 1, &p, reterr);
        if (r < 0)
                return r;
        if (!p->args || !p->args[0])
                return error_msg(reterr, EINVAL, "exec: process args cannot be empty");

        int code = 0;
        r = container_exec(ctx, id, p, &a.o, &code, reterr);
        if (r < 0)
                return r;
        *ret_exit_code = a.o.detach ? 0 : code;
        return 0;
}
