/* update: changes a running container's cgroup limits, from a resources
 * document (-r FILE or -r - for stdin) or from flags. As in runc, a value
 * left out is left as it is. */
#include <ctype.h>

#include "berth-runtime.h"

/* docker/go-units RAMInBytes, which runc uses: "1024", "100m", "1.5g",
 * "2 GiB", "512kb"; binary multipliers whatever the spelling. */
static int ram_in_bytes(const char *s, int64_t *ret) {
        const char *p = s;
        if (!isdigit((unsigned char) *p))
                return -EINVAL;
        while (isdigit((unsigned char) *p))
                p++;
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                while (isdigit((unsigned char) *p))
                        p++;
        }
        _cleanup_free_ char *num = strndup(s, (size_t) (p - s));
        if (!num)
                return -ENOMEM;
        if (*p == ' ')
                p++;
        double mult = 1;
        static const char units[] = "kmgtp";
        const char *u = *p ? strchr(units, tolower((unsigned char) *p)) : NULL;
        if (u) {
                for (const char *k = units; k <= u; k++)
                        mult *= 1024;
                p++;
        }
        if (*p == 'i' || *p == 'I')
                p++;
        if (*p == 'b' || *p == 'B')
                p++;
        if (*p)
                return -EINVAL;
        errno = 0;
        double v = strtod(num, NULL) * mult;
        if (errno || v >= 9.2233720368547758e18)
                return -ERANGE;
        *ret = (int64_t) v;
        return 0;
}

typedef enum UpdateArg {
        ARG_RESOURCES = 'r',
        ARG_BLKIO_WEIGHT = 0x100,
        ARG_CPU_PERIOD,
        ARG_CPU_QUOTA,
        ARG_CPU_SHARE,
        ARG_CPU_RT_PERIOD,
        ARG_CPU_RT_RUNTIME,
        ARG_CPUSET_CPUS,
        ARG_CPUSET_MEMS,
        ARG_MEMORY,
        ARG_MEMORY_RESERVATION,
        ARG_MEMORY_SWAP,
        ARG_PIDS_LIMIT,
        ARG_KERNEL_MEMORY,
        ARG_KERNEL_MEMORY_TCP,
        ARG_L3_CACHE_SCHEMA,
        ARG_MEM_BW_SCHEMA,
} UpdateArg;

static const char update_options_text[] =
        "   --resources value, -r value  path to the file containing the resources to update or '-' to read from the "
        "standard input\n"
        "   --blkio-weight value         Specifies per cgroup weight, range is from 10 to 1000 (default: 0)\n"
        "   --cpu-period value           CPU CFS period to be used for hardcapping (in usecs). 0 to use system "
        "default\n"
        "   --cpu-quota value            CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period\n"
        "   --cpu-share value            CPU shares (relative weight vs. other containers)\n"
        "   --cpu-rt-period value        CPU realtime period to be used for hardcapping (in usecs). 0 to use system "
        "default\n"
        "   --cpu-rt-runtime value       CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period\n"
        "   --cpuset-cpus value          CPU(s) to use\n"
        "   --cpuset-mems value          Memory node(s) to use\n"
        "   --memory value               Memory limit (in bytes)\n"
        "   --memory-reservation value   Memory reservation or soft_limit (in bytes)\n"
        "   --memory-swap value          Total memory usage (memory + swap); set '-1' to enable unlimited swap\n"
        "   --pids-limit value           Maximum number of pids allowed in the container (default: 0)\n"
        "   --kernel-memory value        ignored, as in runc\n"
        "   --kernel-memory-tcp value    ignored, as in runc\n"
        "   --l3-cache-schema value      Intel RDT; not supported\n"
        "   --mem-bw-schema value        Intel RDT; not supported\n";

static OciMemory *memory_get(OciResources *r) {
        if (!r->memory)
                r->memory = calloc(1, sizeof(OciMemory));
        return r->memory;
}

static OciCpu *cpu_get(OciResources *r) {
        if (!r->cpu)
                r->cpu = calloc(1, sizeof(OciCpu));
        return r->cpu;
}

/* One flag into r; -ENOMEM or -EINVAL with reterr set. */
static int resources_set_flag(OciResources *r, UpdateArg arg, const char *name, const char *value, Error *reterr) {
        int64_t i;
        uint64_t u;
        OciMemory *m;
        OciCpu *c;

        switch (arg) {
        case ARG_BLKIO_WEIGHT:
                if (parse_uint64(value, &u) < 0 || u > UINT16_MAX)
                        return error_msg(reterr, EINVAL, "invalid value \"%s\" for flag -%s", value, name);
                if (u == 0) /* runc: 0 leaves it unchanged */
                        return 0;
                if (!r->block_io && !(r->block_io = calloc(1, sizeof(OciBlockIO))))
                        return -ENOMEM;
                r->block_io->weight = (OptU64){u, true};
                return 0;
        case ARG_PIDS_LIMIT:
                if (parse_int64(value, &i) < 0)
                        return error_msg(reterr, EINVAL, "invalid value \"%s\" for flag -%s", value, name);
                if (i == 0)
                        return 0;
                if (!r->pids && !(r->pids = calloc(1, sizeof(OciPids))))
                        return -ENOMEM;
                r->pids->limit = i;
                return 0;
        case ARG_CPU_PERIOD:
        case ARG_CPU_SHARE:
        case ARG_CPU_RT_PERIOD:
                if (parse_uint64(value, &u) < 0)
                        return error_msg(reterr, EINVAL, "invalid value for %s: \"%s\"", name, value);
                if (!(c = cpu_get(r)))
                        return -ENOMEM;
                *(arg == ARG_CPU_PERIOD  ? &c->period
                  : arg == ARG_CPU_SHARE ? &c->shares
                                         : &c->realtime_period) = (OptU64){u, true};
                return 0;
        case ARG_CPU_QUOTA:
        case ARG_CPU_RT_RUNTIME:
                if (parse_int64(value, &i) < 0)
                        return error_msg(reterr, EINVAL, "invalid value for %s: \"%s\"", name, value);
                if (!(c = cpu_get(r)))
                        return -ENOMEM;
                *(arg == ARG_CPU_QUOTA ? &c->quota : &c->realtime_runtime) = (OptI64){i, true};
                return 0;
        case ARG_CPUSET_CPUS:
        case ARG_CPUSET_MEMS: {
                if (!*value)
                        return 0;
                if (!(c = cpu_get(r)))
                        return -ENOMEM;
                char **dst = arg == ARG_CPUSET_CPUS ? &c->cpus : &c->mems;
                char *d = strdup(value);
                if (!d)
                        return -ENOMEM;
                free(*dst);
                *dst = d;
                return 0;
        }
        case ARG_MEMORY:
        case ARG_MEMORY_RESERVATION:
        case ARG_MEMORY_SWAP:
                if (strcmp(value, "-1") == 0)
                        i = -1;
                else if (ram_in_bytes(value, &i) < 0)
                        return error_msg(reterr, EINVAL, "invalid value for %s: invalid size: '%s'", name, value);
                if (!(m = memory_get(r)))
                        return -ENOMEM;
                *(arg == ARG_MEMORY               ? &m->limit
                  : arg == ARG_MEMORY_RESERVATION ? &m->reservation
                                                  : &m->swap) = (OptI64){i, true};
                return 0;
        case ARG_KERNEL_MEMORY:
        case ARG_KERNEL_MEMORY_TCP:
                if (strcmp(value, "-1") != 0 && ram_in_bytes(value, &i) < 0)
                        return error_msg(reterr, EINVAL, "invalid value for %s: invalid size: '%s'", name, value);
                log_warn("Kernel memory settings are ignored and will be removed");
                return 0;
        case ARG_L3_CACHE_SCHEMA:
        case ARG_MEM_BW_SCHEMA:
                return error_msg(reterr, EOPNOTSUPP, "--%s: Intel RDT is not supported", name);
        default:
                return error_msg(reterr, EINVAL, "unknown option %s", name);
        }
}

int verb_update(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        static const struct option options[] = {
                {"resources", required_argument, NULL, ARG_RESOURCES},
                {"blkio-weight", required_argument, NULL, ARG_BLKIO_WEIGHT},
                {"cpu-period", required_argument, NULL, ARG_CPU_PERIOD},
                {"cpu-quota", required_argument, NULL, ARG_CPU_QUOTA},
                {"cpu-share", required_argument, NULL, ARG_CPU_SHARE},
                {"cpu-rt-period", required_argument, NULL, ARG_CPU_RT_PERIOD},
                {"cpu-rt-runtime", required_argument, NULL, ARG_CPU_RT_RUNTIME},
                {"cpuset-cpus", required_argument, NULL, ARG_CPUSET_CPUS},
                {"cpuset-mems", required_argument, NULL, ARG_CPUSET_MEMS},
                {"memory", required_argument, NULL, ARG_MEMORY},
                {"memory-reservation", required_argument, NULL, ARG_MEMORY_RESERVATION},
                {"memory-swap", required_argument, NULL, ARG_MEMORY_SWAP},
                {"pids-limit", required_argument, NULL, ARG_PIDS_LIMIT},
                {"kernel-memory", required_argument, NULL, ARG_KERNEL_MEMORY},
                {"kernel-memory-tcp", required_argument, NULL, ARG_KERNEL_MEMORY_TCP},
                {"l3-cache-schema", required_argument, NULL, ARG_L3_CACHE_SCHEMA},
                {"mem-bw-schema", required_argument, NULL, ARG_MEM_BW_SCHEMA},
                OPTION_HELP,
                {},
        };
        _cleanup_(oci_resources_freep) OciResources *res = calloc(1, sizeof(OciResources));
        const char *resources_file = NULL;
        int c, idx, r;

        if (!res)
                return error_set(reterr, ENOMEM, "update");
        while ((c = getopt_long_only(argc, argv, ":r:h", options, &idx)) >= 0) {
                if (c == 'h') {
                        usage_print("update", "<container-id>",
                                    "The resources document has the shape of config.json's linux.resources;\n"
                                    "when one is given, all other options are ignored.",
                                    update_options_text);
                        return 0;
                }
                if (c == '?' || c == ':')
                        return opt_error(argv, c, "update", reterr);
                if (c == ARG_RESOURCES) {
                        resources_file = optarg;
                        continue;
                }
                /* getopt_long_only() leaves idx alone for a short option, and
                 * -r is the only one. */
                r = resources_set_flag(res, (UpdateArg) c, options[idx].name, optarg, reterr);
                if (r == -ENOMEM)
                        return error_set(reterr, ENOMEM, "update");
                if (r < 0)
                        return r;
        }
        r = args_check("update", argc, optind, 1, 1, reterr);
        if (r < 0)
                return r;

        if (resources_file) {
                _cleanup_free_ char *buf = NULL;
                size_t len;
                r = input_read(resources_file, JSON_MAX_SIZE, &buf, &len, reterr);
                if (r < 0)
                        return r;
                res = oci_resources_free(res);
                r = oci_resources_parse(buf, len, &res, reterr);
                if (r < 0)
                        return error_wrap(reterr, "%s", strcmp(resources_file, "-") == 0 ? "stdin" : resources_file);
        }
        return container_update(ctx, argv[optind], res, reterr);
}
