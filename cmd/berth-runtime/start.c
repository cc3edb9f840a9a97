/* start: lets a created container's process run its program. */
#include "berth-runtime.h"

int verb_start(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        static const struct option options[] = {
                OPTION_HELP,
                {},
        };
        int c, r;
        while ((c = getopt_long_only(argc, argv, ":h", options, NULL)) >= 0) {
                if (c != 'h')
                        return opt_error(argv, c, "start", reterr);
                usage_print("start", "<container-id>",
                            "The start command executes the user defined process in a created container.", NULL);
                return 0;
        }
        r = args_check("start", argc, optind, 1, 1, reterr);
        if (r < 0)
                return r;
        return container_start(ctx, argv[optind], reterr);
}
