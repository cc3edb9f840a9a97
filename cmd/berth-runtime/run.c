/* run: create and start in one step; attached, it waits for the container's
 * process and exits with its status. */
#include "berth-runtime.h"

int verb_run(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        CreateOptions o;
        bool detach, help;
        int r = create_options_parse(argc, argv, &o, &detach, &help, reterr);
        if (r < 0 || help)
                return r;
        int code = 0;
        r = container_run(ctx, &o, detach, &code, reterr);
        if (r < 0)
                return r;
        *ret_exit_code = detach ? 0 : code;
        return 0;
}
