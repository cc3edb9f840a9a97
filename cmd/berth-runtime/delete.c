/* delete: removes a container's state and cgroup; --force kills it first. */
#include "berth-runtime.h"

int verb_delete(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        static const struct option options[] = {
                {"force", no_argument, NULL, 'f'},
                OPTION_HELP,
                {},
        };
        bool force = false;
        int c, r;
        while ((c = getopt_long_only(argc, argv, ":fh", options, NULL)) >= 0) {
                switch (c) {
                case 'f':
                        force = true;
                        break;
                case 'h':
                        usage_print("delete", "<container-id>", NULL,
                                    "   --force, -f  Forcibly deletes the container if it is still running (uses "
                                    "SIGKILL)\n");
                        return 0;
                default:
                        return opt_error(argv, c, "delete", reterr);
                }
        }
        r = args_check("delete", argc, optind, 1, 1, reterr);
        if (r < 0)
                return r;
        r = container_delete(ctx, argv[optind], force, reterr);
        /* runc: deleting what is already gone succeeds with --force, which
         * is what a shim cleaning up after a crash relies on. */
        if (r == -ENOENT && force) {
                Error e = {};
                OciStatus st;
                if (container_status_get(ctx, argv[optind], &st, &e) == -ENOENT) {
                        error_clear(&e);
                        error_clear(reterr);
                        return 0;
                }
                error_clear(&e);
        }
        return r;
}
