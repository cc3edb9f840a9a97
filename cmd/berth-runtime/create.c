/* create: sets a container up from a bundle; its process waits for start.
 * Also the option parser that run shares. */
#include "berth-runtime.h"

static const char create_options_text[] =
        "   --bundle value, -b value  path to the root of the bundle directory, defaults to the current directory\n"
        "   --console-socket value    path to an AF_UNIX socket which will receive a file descriptor referencing the "
        "master end of the console's pseudoterminal\n"
        "   --pid-file value          specify the file to write the process id to\n"
        "   --no-pivot                do not use pivot root to jail process inside rootfs.  This should be used "
        "whenever the rootfs is on top of a ramdisk\n"
        "   --no-new-keyring          do not create a new session keyring for the container.  This will cause the "
        "container to inherit the calling processes session key\n"
        "   --preserve-fds value      Pass N additional file descriptors to the container (stdio + N in total) "
        "(default: 0)\n";

static const char run_options_text[] =
        "   --detach, -d              detach from the container's process\n"
        "   --keep                    do not delete the container after it exits\n"
        "   --no-subreaper            accepted for compatibility with runc; has no effect\n";

int create_options_parse(int argc, char **argv, CreateOptions *o, bool *ret_detach, bool *ret_help, Error *reterr) {
        enum {
                ARG_CONSOLE_SOCKET = 0x100,
                ARG_PID_FILE,
                ARG_NO_PIVOT,
                ARG_NO_NEW_KEYRING,
                ARG_PRESERVE_FDS,
                ARG_KEEP,
                ARG_NO_SUBREAPER,
        };
        static const struct option create_opts[] = {
                {"bundle", required_argument, NULL, 'b'},
                {"console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET},
                {"pid-file", required_argument, NULL, ARG_PID_FILE},
                {"no-pivot", no_argument, NULL, ARG_NO_PIVOT},
                {"no-new-keyring", no_argument, NULL, ARG_NO_NEW_KEYRING},
                {"preserve-fds", required_argument, NULL, ARG_PRESERVE_FDS},
                OPTION_HELP,
                {},
        };
        static const struct option run_opts[] = {
                {"bundle", required_argument, NULL, 'b'},
                {"console-socket", required_argument, NULL, ARG_CONSOLE_SOCKET},
                {"pid-file", required_argument, NULL, ARG_PID_FILE},
                {"no-pivot", no_argument, NULL, ARG_NO_PIVOT},
                {"no-new-keyring", no_argument, NULL, ARG_NO_NEW_KEYRING},
                {"preserve-fds", required_argument, NULL, ARG_PRESERVE_FDS},
                {"detach", no_argument, NULL, 'd'},
                {"keep", no_argument, NULL, ARG_KEEP},
                {"no-subreaper", no_argument, NULL, ARG_NO_SUBREAPER},
                OPTION_HELP,
                {},
        };
        const bool is_run = ret_detach != NULL;
        const char *verb = is_run ? "run" : "create";
        bool detach = false;
        int c, r;

        *o = (CreateOptions){};
        *ret_help = false;
        while ((c = getopt_long_only(argc, argv, is_run ? ":b:dh" : ":b:h", is_run ? run_opts : create_opts, NULL)) >=
               0) {
                switch (c) {
                case 'b':
                        o->bundle = *optarg ? optarg : NULL;
                        break;
                case ARG_CONSOLE_SOCKET:
                        o->console_socket = *optarg ? optarg : NULL;
                        break;
                case ARG_PID_FILE:
                        o->pid_file = *optarg ? optarg : NULL;
                        break;
                case ARG_NO_PIVOT:
                        o->no_pivot = true;
                        break;
                case ARG_NO_NEW_KEYRING:
                        o->no_new_keyring = true;
                        break;
                case ARG_PRESERVE_FDS: {
                        uint32_t n;
                        r = parse_uint32(optarg, &n);
                        /* fds 3..3+N-1 must fit an int and leave room. */
                        if (r < 0 || n > 65536)
                                return error_msg(reterr, EINVAL, "invalid value \"%s\" for flag -preserve-fds", optarg);
                        o->preserve_fds = n;
                        break;
                }
                case 'd':
                        detach = true;
                        break;
                case ARG_KEEP:
                        o->keep = true;
                        break;
                case ARG_NO_SUBREAPER:
                        break;
                case 'h':
                        usage_print(
                                verb, "<container-id>",
                                is_run ? "The run command creates an instance of a container for a bundle and starts "
                                         "it."
                                       : "The create command creates an instance of a container for a bundle. The\n"
                                         "bundle is a directory with a specification file named \"config.json\" and a\n"
                                         "root filesystem.",
                                create_options_text);
                        if (is_run)
                                fputs(run_options_text, stdout);
                        *ret_help = true;
                        return 0;
                default:
                        return opt_error(argv, c, verb, reterr);
                }
        }
        r = args_check(verb, argc, optind, 1, 1, reterr);
        if (r < 0)
                return r;
        o->id = argv[optind];
        if (ret_detach)
                *ret_detach = detach;
        return 0;
}

int verb_create(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        CreateOptions o;
        bool help;
        int r = create_options_parse(argc, argv, &o, NULL, &help, reterr);
        if (r < 0 || help)
                return r;
        r = container_create(ctx, &o, reterr);
        if (r < 0)
                return r;
        *ret_exit_code = 0;
        return 0;
}
