/* pause and resume: freeze and thaw every process of a container. */
#include "berth-runtime.h"

static int pause_or_resume(const RuntimeContext *ctx, int argc, char **argv, bool pause, Error *reterr) {
        static const struct option options[] = {
                OPTION_HELP,
                {},
        };
        const char *verb = pause ? "pause" : "resume";
        int c, r;
        while ((c = getopt_long_only(argc, argv, ":h", options, NULL)) >= 0) {
                if (c != 'h')
                        return opt_error(argv, c, verb, reterr);
                usage_print(verb, "<container-id>",
                            pause ? "The pause command suspends all processes in the instance of the container."
                                  : "The resume command resumes all processes in the instance of the container.",
                            NULL);
                return 0;
        }
        r = args_check(verb, argc, optind, 1, 1, reterr);
        if (r < 0)
                return r;
        return pause ? container_pause(ctx, argv[optind], reterr) : container_resume(ctx, argv[optind], reterr);
}

int verb_pause(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        return pause_or_resume(ctx, argc, argv, true, reterr);
}

int verb_resume(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        return pause_or_resume(ctx, argc, argv, false, reterr);
}
