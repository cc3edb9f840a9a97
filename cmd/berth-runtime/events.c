/* events: runc's event stream on stdout, one JSON object a line: the
 * container's cgroup stats every --interval and an "oom" event when the
 * kernel OOM-killed in it; ends when the container stops. --stats prints
 * one stats event and exits. */
#include <time.h>

#include "berth-runtime.h"

#define NSEC_PER_SEC UINT64_C(1000000000)
/* How often status and the OOM counter are looked at between stats. */
#define EVENTS_POLL_NSEC (NSEC_PER_SEC / 4)

/* Go's time.ParseDuration: "5s", "500ms", "1m30s", "1.5h", "100us". */
static int duration_parse(const char *s, uint64_t *ret_nsec) {
        static const struct {
                const char *unit;
                uint64_t nsec;
        } units[] = {
                /* Longer spellings first so that "ms" is not read as "m". */
                {"ns", 1},           {"us", 1000},        {"\xc2\xb5s", 1000}, /* U+00B5 micro sign */
                {"\xce\xbcs", 1000},                                           /* U+03BC Greek mu */
                {"ms", 1000000},     {"s", NSEC_PER_SEC}, {"m", 60 * NSEC_PER_SEC}, {"h", 3600 * NSEC_PER_SEC},
        };
        const char *p = s;
        double total = 0;
        if (*p == '+')
                p++;
        if (strcmp(p, "0") == 0) {
                *ret_nsec = 0;
                return 0;
        }
        if (!*p)
                return -EINVAL;
        while (*p) {
                char *end;
                if (!(*p >= '0' && *p <= '9') && *p != '.')
                        return -EINVAL;
                errno = 0;
                double v = strtod(p, &end);
                if (errno || end == p)
                        return -EINVAL;
                p = end;
                size_t i;
                for (i = 0; i < ELEMENTSOF(units); i++)
                        if (str_startswith(p, units[i].unit))
                                break;
                if (i == ELEMENTSOF(units))
                        return -EINVAL;
                p += strlen(units[i].unit);
                total += v * (double) units[i].nsec;
        }
        if (total >= 9.2e18)
                return -ERANGE;
        *ret_nsec = (uint64_t) total;
        return 0;
}

static uint64_t now_nsec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * NSEC_PER_SEC + (uint64_t) ts.tv_nsec;
}

static void sleep_nsec(uint64_t nsec) {
        struct timespec ts = {.tv_sec = (time_t) (nsec / NSEC_PER_SEC), .tv_nsec = (long) (nsec % NSEC_PER_SEC)};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* One event line; data is taken (may be NULL). Flushed at once: whoever
 * reads a pipe from us wants each event when it happens. */
static int event_print(const char *type, const char *id, JsonValue *data, Error *reterr) {
        _cleanup_json_ JsonValue *e = json_new_object();
        if (!e) {
                json_unref(data);
                return error_set(reterr, ENOMEM, "event");
        }
        if (json_obj_set_str(e, "type", type) < 0 || json_obj_set_str(e, "id", id) < 0 ||
            (data && json_obj_set(e, "data", data) < 0))
                return error_set(reterr, ENOMEM, "event");
        int r = json_print(e, 0, reterr);
        if (r < 0)
                return r;
        if (fflush(stdout) != 0)
                return error_set(reterr, errno ? errno : EIO, "writing to stdout");
        return 0;
}

static int stats_event(const RuntimeContext *ctx, const char *id, Error *reterr) {
        JsonValue *data = NULL;
        int r = container_stats(ctx, id, &data, reterr);
        if (r < 0)
                return r;
        return event_print("stats", id, data, reterr);
}

int verb_events(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        enum { ARG_INTERVAL = 0x100, ARG_STATS };
        static const struct option options[] = {
                {"interval", required_argument, NULL, ARG_INTERVAL},
                {"stats", no_argument, NULL, ARG_STATS},
                OPTION_HELP,
                {},
        };
        uint64_t interval = 5 * NSEC_PER_SEC;
        bool stats_once = false;
        int c, r;
        while ((c = getopt_long_only(argc, argv, ":h", options, NULL)) >= 0) {
                switch (c) {
                case ARG_INTERVAL:
                        if (duration_parse(optarg, &interval) < 0)
                                return error_msg(reterr, EINVAL,
                                                 "invalid value \"%s\" for flag -interval: invalid duration", optarg);
                        break;
                case ARG_STATS:
                        stats_once = true;
                        break;
                case 'h':
                        usage_print("events", "<container-id>",
                                    "The events command displays information about the container. By default the\n"
                                    "information is displayed once every 5 seconds.",
                                    "   --interval value  set the stats collection interval (default: 5s)\n"
                                    "   --stats           display the container's stats then exit\n");
                        return 0;
                default:
                        return opt_error(argv, c, "events", reterr);
                }
        }
        r = args_check("events", argc, optind, 1, 1, reterr);
        if (r < 0)
                return r;
        const char *id = argv[optind];
        if (interval == 0)
                return error_msg(reterr, EINVAL, "duration interval must be greater than 0");

        OciStatus st;
        r = container_status_get(ctx, id, &st, reterr);
        if (r < 0)
                return r;
        if (st == OCI_STATUS_STOPPED)
                return error_msg(reterr, ESRCH, "container with id %s is not running", id);
        if (stats_once)
                return stats_event(ctx, id, reterr);

        uint64_t ooms = 0;
        if (container_oom_count(ctx, id, &ooms, NULL) < 0)
                ooms = 0;
        uint64_t next_stats = now_nsec() + interval;
        for (;;) {
                uint64_t now = now_nsec();
                uint64_t wait = next_stats > now ? next_stats - now : 0;
                sleep_nsec(wait < EVENTS_POLL_NSEC ? wait : EVENTS_POLL_NSEC);

                Error e = {};
                if (container_status_get(ctx, id, &st, &e) < 0 || st == OCI_STATUS_STOPPED) {
                        /* Deleted or exited: the stream ends, as runc's does
                         * when the cgroup goes away. */
                        error_clear(&e);
                        return 0;
                }
                uint64_t n;
                if (container_oom_count(ctx, id, &n, NULL) >= 0) {
                        if (n > ooms && (r = event_print("oom", id, NULL, reterr)) < 0)
                                return r;
                        ooms = n;
                }
                if (now_nsec() >= next_stats) {
                        /* A failed sample is logged and skipped, as runc does. */
                        if (stats_event(ctx, id, &e) < 0) {
                                if (e.code == EPIPE)
                                        return error_set(reterr, EPIPE, "writing to stdout");
                                log_error("%s", e.msg ? e.msg : strerror(e.code));
                        }
                        error_clear(&e);
                        next_stats += interval;
                        if (next_stats < now_nsec())
                                next_stats = now_nsec() + interval;
                }
        }
}
