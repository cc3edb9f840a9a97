/* state: the runtime spec's state of one container, as JSON. */
#include "berth-runtime.h"

int verb_state(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        static const struct option options[] = {
                OPTION_HELP,
                {},
        };
        int c, r;
        while ((c = getopt_long_only(argc, argv, ":h", options, NULL)) >= 0) {
                if (c != 'h')
                        return opt_error(argv, c, "state", reterr);
                usage_print("state", "<container-id>",
                            "The state command outputs current state information for the instance of a container.",
                            NULL);
                return 0;
        }
        r = args_check("state", argc, optind, 1, 1, reterr);
        if (r < 0)
                return r;
        _cleanup_json_ JsonValue *state = NULL;
        r = container_state_json(ctx, argv[optind], &state, reterr);
        if (r < 0)
                return r;
        return json_print_indented(state, 2, reterr);
}
