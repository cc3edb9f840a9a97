/* features: what this build of the runtime supports, as runc prints it. */
#include "berth-runtime.h"

int verb_features(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        static const struct option options[] = {
                OPTION_HELP,
                {},
        };
        int c, r;
        while ((c = getopt_long_only(argc, argv, ":h", options, NULL)) >= 0) {
                if (c != 'h')
                        return opt_error(argv, c, "features", reterr);
                usage_print("features", "",
                            "Show the enabled features: the OCI versions, hooks, mount options, namespaces,\n"
                            "capabilities, cgroup and seccomp support of this build.",
                            NULL);
                return 0;
        }
        r = args_check("features", argc, optind, 0, 0, reterr);
        if (r < 0)
                return r;
        _cleanup_json_ JsonValue *f = NULL;
        r = runtime_features_json(&f);
        if (r < 0)
                return error_set(reterr, r, "features");
        return json_print_indented(f, 4, reterr);
}
