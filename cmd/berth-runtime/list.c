/* list: the containers under --root, as ids, a table, or JSON. */
#include "berth-runtime.h"

static int summary_cmp(const void *a, const void *b) {
        return strcmp(((const ContainerSummary *) a)->id, ((const ContainerSummary *) b)->id);
}

static int member_count(const char *key, JsonValue *v, void *userdata) {
        (*(size_t *) userdata)++;
        return 0;
}

/* runc leaves "annotations" out when there are none. */
static size_t json_obj_size(const JsonValue *o) {
        size_t n = 0;
        (void) json_obj_foreach(o, member_count, &n);
        return n;
}

typedef struct Table {
        char **cells; /* rows * cols */
        size_t rows, cols;
} Table;

static void table_done(Table *t) {
        for (size_t i = 0; t->cells && i < t->rows * t->cols; i++)
                free(t->cells[i]);
        free(t->cells);
}

/* What runc's text/tabwriter (minwidth 12, padding 3, spaces) prints: every
 * column but the last as wide as its widest cell plus 3, at least 12. */
static void table_print(const Table *t) {
        for (size_t r = 0; r < t->rows; r++) {
                for (size_t c = 0; c < t->cols; c++) {
                        const char *cell = t->cells[r * t->cols + c];
                        if (c + 1 == t->cols) {
                                printf("%s\n", cell);
                                break;
                        }
                        size_t width = 12;
                        for (size_t k = 0; k < t->rows; k++) {
                                size_t w = strlen(t->cells[k * t->cols + c]) + 3;
                                if (w > width)
                                        width = w;
                        }
                        printf("%-*s", (int) width, cell);
                }
        }
}

static int list_table(const ContainerSummary *s, size_t n, Error *reterr) {
        static const char *const header[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
        _cleanup_(table_done) Table t = {.rows = n + 1, .cols = ELEMENTSOF(header)};
        t.cells = calloc(t.rows * t.cols, sizeof(char *));
        if (!t.cells)
                return error_set(reterr, ENOMEM, "list");
        for (size_t c = 0; c < t.cols; c++)
                if (!(t.cells[c] = strdup(header[c])))
                        return error_set(reterr, ENOMEM, "list");
        for (size_t i = 0; i < n; i++) {
                char **row = t.cells + (i + 1) * t.cols;
                const char *status = oci_status_to_string(s[i].status);
                row[0] = strdup(s[i].id);
                row[1] = strdup_printf("%d", s[i].status == OCI_STATUS_STOPPED ? 0 : (int) s[i].pid);
                row[2] = strdup(status ? status : "unknown");
                row[3] = strdup(s[i].bundle ? s[i].bundle : "");
                row[4] = strdup(s[i].created ? s[i].created : "");
                row[5] = strdup(s[i].owner ? s[i].owner : "");
                for (size_t c = 0; c < t.cols; c++)
                        if (!row[c])
                                return error_set(reterr, ENOMEM, "list");
        }
        table_print(&t);
        return 0;
}

/* runc's list JSON: the state of each container plus its owner; the state
 * call supplies what the summary lacks (ociVersion, rootfs, annotations). */
static int list_json(const RuntimeContext *ctx, const ContainerSummary *s, size_t n, Error *reterr) {
        if (n == 0) {
                _cleanup_json_ JsonValue *null = json_new_null();
                return null ? json_print(null, 0, reterr) : error_set(reterr, ENOMEM, "list");
        }
        _cleanup_json_ JsonValue *a = json_new_array();
        if (!a)
                return error_set(reterr, ENOMEM, "list");
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ JsonValue *state = NULL;
                /* Deleted since the listing: leave it out, as runc does. */
                if (container_state_json(ctx, s[i].id, &state, NULL) < 0)
                        continue;
                const JsonValue *version = json_obj_get(state, "ociVersion");
                const JsonValue *rootfs = json_obj_get(state, "rootfs");
                const JsonValue *annotations = json_obj_get(state, "annotations");
                const char *status = oci_status_to_string(s[i].status);
                _cleanup_json_ JsonValue *o = json_new_object();
                if (!o ||
                    json_obj_set_str(o, "ociVersion",
                                     version && json_is_string(version) ? json_str(version) : OCI_VERSION) < 0 ||
                    json_obj_set_str(o, "id", s[i].id) < 0 ||
                    json_obj_set_int(o, "pid", s[i].status == OCI_STATUS_STOPPED ? 0 : s[i].pid) < 0 ||
                    json_obj_set_str(o, "status", status ? status : "unknown") < 0 ||
                    json_obj_set_str(o, "bundle", s[i].bundle ? s[i].bundle : "") < 0 ||
                    json_obj_set_str(o, "rootfs", rootfs && json_is_string(rootfs) ? json_str(rootfs) : "") < 0 ||
                    json_obj_set_str(o, "created", s[i].created ? s[i].created : "") < 0)
                        return error_set(reterr, ENOMEM, "list");
                if (annotations && json_is_object(annotations) && json_obj_size(annotations) > 0 &&
                    json_obj_set(o, "annotations", json_ref((JsonValue *) annotations)) < 0)
                        return error_set(reterr, ENOMEM, "list");
                if (json_obj_set_str(o, "owner", s[i].owner ? s[i].owner : "") < 0 ||
                    json_arr_append(a, TAKE_PTR(o)) < 0)
                        return error_set(reterr, ENOMEM, "list");
        }
        return json_print(a, 0, reterr);
}

int verb_list(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr) {
        static const struct option options[] = {
                {"format", required_argument, NULL, 'f'},
                {"quiet", no_argument, NULL, 'q'},
                OPTION_HELP,
                {},
        };
        const char *format = "table";
        bool quiet = false;
        int c, r;
        while ((c = getopt_long_only(argc, argv, ":f:qh", options, NULL)) >= 0) {
                switch (c) {
                case 'f':
                        format = optarg;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        usage_print("list", "", "Lists the containers under the global option \"--root\".",
                                    "   --format value, -f value  select one of: table or json (default: \"table\")\n"
                                    "   --quiet, -q               display only container IDs\n");
                        return 0;
                default:
                        return opt_error(argv, c, "list", reterr);
                }
        }
        r = args_check("list", argc, optind, 0, 0, reterr);
        if (r < 0)
                return r;
        bool json = strcmp(format, "json") == 0;
        if (!quiet && !json && strcmp(format, "table") != 0)
                return error_msg(reterr, EINVAL, "invalid format option");

        ContainerSummary *s = NULL;
        size_t n = 0;
        r = container_list(ctx, &s, &n, reterr);
        if (r < 0)
                return r;
        if (n > 1)
                qsort(s, n, sizeof *s, summary_cmp);
        if (quiet)
                for (size_t i = 0; i < n; i++)
                        puts(s[i].id);
        else if (json)
                r = list_json(ctx, s, n, reterr);
        else
                r = list_table(s, n, reterr);
        container_summary_free_many(s, n);
        return r;
}
