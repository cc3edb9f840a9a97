/* spec: writes a default config.json, as runc's example spec, into a bundle. */
#include "berth-runtime.h"

int verb_spec(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        enum { ARG_ROOTLESS = 0x100 };
        static const struct option options[] = {
                {"bundle", required_argument, NULL, 'b'},
                {"rootless", no_argument, NULL, ARG_ROOTLESS},
                OPTION_HELP,
                {},
        };
        const char *bundle = NULL;
        bool rootless = false;
        int c, r;
        while ((c = getopt_long_only(argc, argv, ":b:h", options, NULL)) >= 0) {
                switch (c) {
                case 'b':
                        bundle = *optarg ? optarg : NULL;
                        break;
                case ARG_ROOTLESS:
                        rootless = true;
                        break;
                case 'h':
                        usage_print("spec", "",
                                    "The spec command creates the new specification file named \"config.json\" for\n"
                                    "the bundle.",
                                    "   --bundle value, -b value  path to the root of the bundle directory\n"
                                    "   --rootless                generate a configuration for a rootless container\n");
                        return 0;
                default:
                        return opt_error(argv, c, "spec", reterr);
                }
        }
        r = args_check("spec", argc, optind, 0, 0, reterr);
        if (r < 0)
                return r;

        _cleanup_close_ int dirfd = open(bundle ? bundle : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
                return error_set(reterr, errno, "opening bundle %s", bundle ? bundle : ".");
        _cleanup_free_ char *json = NULL;
        r = oci_spec_default_json(rootless, getuid(), getgid(), &json);
        if (r < 0)
                return error_set(reterr, r, "making the default spec");

        /* O_EXCL rather than a stat first: nothing can appear in between. */
        _cleanup_close_ int fd = openat(dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
        if (fd < 0 && errno == EEXIST)
                return error_msg(reterr, EEXIST, "File config.json exists. Remove it first");
        if (fd < 0)
                return error_set(reterr, errno, "creating config.json");
        r = write_all(fd, json, strlen(json));
        if (r < 0) {
                (void) unlinkat(dirfd, "config.json", 0);
                return error_set(reterr, r, "writing config.json");
        }
        return 0;
}
