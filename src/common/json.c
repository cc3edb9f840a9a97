/* json: jansson behind berth's names. Owns the limits on JSON from outside
 * (size, depth, duplicate keys), reading documents into typed structs
 * through dispatch tables, and building and dumping documents.
 *
 * jansson keeps integers in a long long, but Go writes uint64 fields such as
 * RLIM_INFINITY as 18446744073709551615, which jansson refuses. Before
 * parsing, such literals (in value position only) are rewritten into a
 * string that starts with a NUL byte: no string from the input can hold one,
 * because \u0000 is refused up front. Dispatch reads these markers as
 * unsigned integers, json_dump() writes them back as numbers, and everything
 * else sees neither a string nor an integer it can misuse. */
#include <inttypes.h>
#include <jansson.h>

/* jansson's json_is_* macros would expand the names json.h gives our own
 * functions. */
#undef json_is_object
#undef json_is_array
#undef json_is_string
#undef json_is_integer
#undef json_is_null

#include "json.h"

JsonValue *json_ref(JsonValue *v) {
        return json_incref(v);
}

JsonValue *json_unref(JsonValue *v) {
        json_decref(v);
        return NULL;
}

/* ---- big unsigned integers -------------------------------------------------- */

static bool parse_digits_u64(const char *s, size_t n, uint64_t *ret) {
        uint64_t v = 0;
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return false;
                unsigned d = (unsigned) (s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}

static bool json_big_uint(const json_t *v, uint64_t *ret) {
        if (!v || json_typeof(v) != JSON_STRING)
                return false;
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (n < 2 || s[0] != '\0')
                return false;
        return parse_digits_u64(s + 1, n - 1, ret);
}

/* ---- parsing ----------------------------------------------------------------- */

static int position_error(Error *reterr, const char *what, long line, long col, const char *msg) {
        bool named = what && *what;
        if (line > 0)
                return error_msg(reterr, EINVAL, "%s%sline %ld column %ld: %s", named ? what : "", named ? ": " : "",
                                 line, col, msg);
        return error_msg(reterr, EINVAL, "%s%s%s", named ? what : "", named ? ": " : "", msg);
}

/* Enforces the depth limit and the NUL rule, and rewrites big unsigned
 * literals (see the top of this file). *ret_copy stays NULL when the input
 * can be parsed as it is. */
static int json_prescan(const char *buf, size_t len, const char *what, char **ret_copy, size_t *ret_len,
                        Error *reterr) {
        char stack[JSON_MAX_DEPTH];
        size_t depth = 0, copied = 0;
        long line = 1, col = 0;
        bool in_string = false, expect_value = true;
        /* Declared in this order so that f is closed before out is freed. */
        _cleanup_free_ char *out = NULL;
        size_t out_len = 0;
        _cleanup_fclose_ FILE *f = NULL;

        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char) buf[i];
                if (c == '\n') {
                        line++;
                        col = 0;
                } else if ((c & 0xC0) != 0x80)
                        col++;

                if (in_string) {
                        if (c == '\\') {
                                if (len - i > 5 && memcmp(buf + i + 1, "u0000", 5) == 0)
                                        return position_error(reterr, what, line, col,
                                                              "\\u0000 is not allowed in strings");
                                i++;
                                col++;
                        } else if (c == '"')
                                in_string = false;
                        continue;
                }

                switch (c) {
                case '"':
                        in_string = true;
                        expect_value = false;
                        break;
                case '{':
                case '[':
                        if (depth >= JSON_MAX_DEPTH) {
                                char msg[64];
                                snprintf(msg, sizeof msg, "nested deeper than %d levels", JSON_MAX_DEPTH);
                                return position_error(reterr, what, line, col, msg);
                        }
                        stack[depth++] = (char) c;
                        expect_value = c == '[';
                        break;
                case '}':
                case ']':
                        if (depth > 0)
                                depth--;
                        expect_value = false;
                        break;
                case ':':
                        expect_value = true;
                        break;
                case ',':
                        expect_value = depth > 0 && stack[depth - 1] == '[';
                        break;
                case ' ':
                case '\t':
                case '\r':
                case '\n':
                        break;
                default:
                        if (expect_value && c >= '1' && c <= '9') {
                                size_t j = i;
                                while (j < len && buf[j] >= '0' && buf[j] <= '9')
                                        j++;
                                bool integral = j == len || (buf[j] != '.' && buf[j] != 'e' && buf[j] != 'E');
                                uint64_t u;
                                if (integral && j - i >= 19 && parse_digits_u64(buf + i, j - i, &u) &&
                                    u > (uint64_t) INT64_MAX) {
                                        if (!f && !(f = open_memstream(&out, &out_len)))
                                                return error_set(reterr, ENOMEM, "parsing %s", what ? what : "JSON");
                                        fwrite(buf + copied, 1, i - copied, f);
                                        fputs("\"\\u0000", f);
                                        fwrite(buf + i, 1, j - i, f);
                                        fputc('"', f);
                                        copied = j;
                                }
                                col += (long) (j - i - 1);
                                i = j - 1;
                        }
                        expect_value = false;
                }
        }

        if (f) {
                fwrite(buf + copied, 1, len - copied, f);
                bool failed = ferror(f) != 0;
                int r = fclose(TAKE_PTR(f));
                if (failed || r != 0)
                        return error_set(reterr, ENOMEM, "parsing %s", what ? what : "JSON");
                *ret_copy = TAKE_PTR(out);
                *ret_len = out_len;
        }
        return 0;
}

int json_parse_buf(const char *buf, size_t len, const char *what, JsonValue **ret, Error *reterr) {
        bool named = what && *what;
        if (len > JSON_MAX_SIZE)
                return error_msg(reterr, EFBIG, "%s%slarger than the limit of %u bytes", named ? what : "",
                                 named ? ": " : "", JSON_MAX_SIZE);

        _cleanup_free_ char *copy = NULL;
        size_t copy_len = 0;
        int r = json_prescan(buf, len, what, &copy, &copy_len, reterr);
        if (r < 0)
                return r;

        json_error_t err = {};
        json_t *v = json_loadb(copy ? copy : buf, copy ? copy_len : len,
                               JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
        if (!v)
                return position_error(reterr, what, err.line, err.column, err.text);
        *ret = v;
        return 0;
}

int json_read_file(const char *path, char **ret, size_t *ret_len, Error *reterr) {
        int r = read_file(path, JSON_MAX_SIZE, ret, ret_len);
        if (r == -EFBIG)
                return error_msg(reterr, EFBIG, "%s: larger than the limit of %u bytes", path, JSON_MAX_SIZE);
        if (r < 0)
                return error_set(reterr, r, "reading %s", path);
        return 0;
}

int json_parse_file(const char *path, JsonValue **ret, Error *reterr) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r = json_read_file(path, &buf, &len, reterr);
        return r < 0 ? r : json_parse_buf(buf, len, path, ret, reterr);
}

/* ---- reading raw values ------------------------------------------------------- */

bool json_is_object(const JsonValue *v) {
        return v && json_typeof(v) == JSON_OBJECT;
}

bool json_is_array(const JsonValue *v) {
        return v && json_typeof(v) == JSON_ARRAY;
}

bool json_is_string(const JsonValue *v) {
        uint64_t u;
        return v && json_typeof(v) == JSON_STRING && !json_big_uint(v, &u);
}

bool json_is_integer(const JsonValue *v) {
        return v && json_typeof(v) == JSON_INTEGER;
}

bool json_is_bool(const JsonValue *v) {
        return v && (json_typeof(v) == JSON_TRUE || json_typeof(v) == JSON_FALSE);
}

bool json_is_null(const JsonValue *v) {
        return v && json_typeof(v) == JSON_NULL;
}

const char *json_type_name(const JsonValue *v) {
        uint64_t u;
        if (!v)
                return "nothing";
        switch (json_typeof(v)) {
        case JSON_OBJECT:
                return "object";
        case JSON_ARRAY:
                return "array";
        case JSON_STRING:
                return json_big_uint(v, &u) ? "integer" : "string";
        case JSON_INTEGER:
                return "integer";
        case JSON_REAL:
                return "real";
        case JSON_TRUE:
        case JSON_FALSE:
                return "boolean";
        case JSON_NULL:
                return "null";
        }
        return "unknown";
}

JsonValue *json_obj_get(const JsonValue *o, const char *key) {
        if (!json_is_object(o) || !key)
                return NULL;
        return json_object_get(o, key);
}

size_t json_arr_len(const JsonValue *a) {
        return json_is_array(a) ? json_array_size(a) : 0;
}

JsonValue *json_arr_at(const JsonValue *a, size_t i) {
        return json_is_array(a) ? json_array_get(a, i) : NULL;
}

const char *json_str(const JsonValue *v) {
        return json_is_string(v) ? json_string_value(v) : NULL;
}

int64_t json_int(const JsonValue *v) {
        return json_is_integer(v) ? (int64_t) json_integer_value(v) : 0;
}

bool json_bool(const JsonValue *v) {
        return v && json_typeof(v) == JSON_TRUE;
}

int json_obj_foreach(const JsonValue *o, int (*f)(const char *key, JsonValue *v, void *userdata), void *userdata) {
        const char *key;
        json_t *v;
        if (!json_is_object(o))
                return -EINVAL;
        json_object_foreach((json_t *) o, key, v) {
                int r = f(key, v, userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- building -------------------------------------------------------------- */

JsonValue *json_new_object(void) {
        return json_object();
}

JsonValue *json_new_array(void) {
        return json_array();
}

JsonValue *json_new_string(const char *s) {
        return s ? json_string(s) : NULL;
}

JsonValue *json_new_int(int64_t i) {
        return json_integer((json_int_t) i);
}

JsonValue *json_new_bool(bool b) {
        return json_boolean(b);
}

JsonValue *json_new_null(void) {
        return json_null();
}

JsonValue *json_new_strv(char *const *v) {
        json_t *a = json_array();
        if (!a)
                return NULL;
        for (size_t i = 0; v && v[i]; i++)
                if (json_array_append_new(a, json_string(v[i])) < 0) {
                        json_decref(a);
                        return NULL;
                }
        return a;
}

JsonValue *json_new_strmap(const StrMap *m) {
        json_t *o = json_object();
        if (!o)
                return NULL;
        for (size_t i = 0; m && i < m->n; i++)
                if (json_object_set_new(o, m->keys[i], json_string(m->values[i])) < 0) {
                        json_decref(o);
                        return NULL;
                }
        return o;
}

int json_obj_set(JsonValue *o, const char *key, JsonValue *v) {
        if (!v)
                return -ENOMEM;
        if (!json_is_object(o) || !key) {
                json_decref(v);
                return -EINVAL;
        }
        /* json_object_set_new() drops v itself when it fails. */
        return json_object_set_new(o, key, v) < 0 ? -ENOMEM : 0;
}

/* jansson returns NULL both for no memory and for text that is not UTF-8;
 * the unchecked constructor tells the two apart. */
static int string_new(const char *s, json_t **ret) {
        json_t *v = json_string(s);
        if (!v) {
                json_t *t = json_string_nocheck(s);
                json_decref(t);
                return t ? -EINVAL : -ENOMEM;
        }
        *ret = v;
        return 0;
}

int json_obj_set_str(JsonValue *o, const char *key, const char *s) {
        json_t *v;
        if (!s)
                return 0;
        int r = string_new(s, &v);
        if (r < 0)
                return r;
        return json_obj_set(o, key, v);
}

int json_obj_set_int(JsonValue *o, const char *key, int64_t i) {
        return json_obj_set(o, key, json_integer((json_int_t) i));
}

int json_obj_set_bool(JsonValue *o, const char *key, bool b) {
        return json_obj_set(o, key, json_boolean(b));
}

int json_arr_append(JsonValue *a, JsonValue *v) {
        if (!v)
                return -ENOMEM;
        if (!json_is_array(a)) {
                json_decref(v);
                return -EINVAL;
        }
        return json_array_append_new(a, v) < 0 ? -ENOMEM : 0;
}

int json_obj_del(JsonValue *o, const char *key) {
        if (!json_is_object(o) || !key)
                return -EINVAL;
        return json_object_del(o, key) < 0 ? -ENOENT : 0;
}

/* ---- dumping --------------------------------------------------------------- */

/* Turns each "\u0000DIGITS" string back into the number it came from. Only
 * markers can start with NUL (C strings cannot hold one, parsed input may
 * not), and jansson escapes NUL as exactly \u0000. Shrinks in place. */
static void unmark_big_uints(char *s) {
        char *w = s;
        for (const char *r = s; *r;) {
                if (r[0] == '"' && strncmp(r + 1, "\\u0000", 6) == 0) {
                        r += 7;
                        while (*r && *r != '"')
                                *w++ = *r++;
                        if (*r == '"')
                                r++;
                        continue;
                }
                *w++ = *r++;
        }
        *w = '\0';
}

/* jansson indents with spaces only; one space per level, swapped for a tab,
 * gives what Go's MarshalIndent(v, "", "\t") writes (runc's config.json).
 * Strings never span lines, so leading blanks are always indentation. */
static void indent_with_tabs(char *s) {
        bool line_start = true;
        for (char *p = s; *p; p++) {
                if (*p == '\n')
                        line_start = true;
                else if (line_start && *p == ' ')
                        *p = '\t';
                else
                        line_start = false;
        }
}

char *json_dump(const JsonValue *v, unsigned flags) {
        if (!v)
                return NULL;
        size_t jf = JSON_ENCODE_ANY;
        jf |= (flags & JSON_DUMP_PRETTY) ? JSON_INDENT(1) : JSON_COMPACT;
        if (flags & JSON_DUMP_SORTED)
                jf |= JSON_SORT_KEYS;
        char *s = json_dumps(v, jf);
        if (!s)
                return NULL;
        if (strstr(s, "\\u0000"))
                unmark_big_uints(s);
        if (flags & JSON_DUMP_PRETTY)
                indent_with_tabs(s);
        return s;
}

int json_dump_file_atomic(const JsonValue *v, const char *path, unsigned flags) {
        _cleanup_free_ char *text = json_dump(v, flags);
        if (!text)
                return -ENOMEM;
        size_t len = strlen(text);
        char *nl = realloc(text, len + 2);
        if (!nl)
                return -ENOMEM;
        text = nl;
        text[len++] = '\n';
        text[len] = '\0';
        return write_file_atomic(path, text, len, 0644);
}

/* ---- dispatch ---------------------------------------------------------------- */

typedef ARRAY(void) AnyArray;
typedef ARRAY(uint32_t) U32Array;

static const size_t scalar_size[_JSON_FIELD_TYPE_MAX] = {
        [JSON_FIELD_BOOL] = sizeof(bool),      [JSON_FIELD_OPT_BOOL] = sizeof(OptBool),
        [JSON_FIELD_I32] = sizeof(int32_t),    [JSON_FIELD_U32] = sizeof(uint32_t),
        [JSON_FIELD_I64] = sizeof(int64_t),    [JSON_FIELD_U64] = sizeof(uint64_t),
        [JSON_FIELD_OPT_I64] = sizeof(OptI64), [JSON_FIELD_OPT_U64] = sizeof(OptU64),
};

char *json_path_join(const char *path, const char *name) {
        if (!path || !*path)
                return strdup(name);
        return strdup_printf("%s.%s", path, name);
}

char *json_path_index(const char *path, size_t i) {
        return strdup_printf("%s[%zu]", path ? path : "", i);
}

static int path_error(Error *reterr, const char *path, const char *fmt, ...) _printf_(3, 4);
static int path_error(Error *reterr, const char *path, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return error_set(reterr, ENOMEM, "%s", path && *path ? path : "JSON");
        if (path && *path)
                return error_msg(reterr, EINVAL, "%s: %s", path, msg);
        return error_msg(reterr, EINVAL, "%s", msg);
}

static int type_error(Error *reterr, const char *path, const char *expected, const json_t *v) {
        return path_error(reterr, path, "expected %s, got %s", expected, json_type_name(v));
}

static int read_int(const json_t *v, const char *path, int64_t min, int64_t max, int64_t *ret, Error *reterr) {
        uint64_t big;
        if (json_big_uint(v, &big))
                return path_error(reterr, path, "%" PRIu64 " is out of range (%" PRId64 "..%" PRId64 ")", big, min,
                                  max);
        if (!json_is_integer(v))
                return type_error(reterr, path, "integer", v);
        int64_t i = (int64_t) json_integer_value(v);
        if (i < min || i > max)
                return path_error(reterr, path, "%" PRId64 " is out of range (%" PRId64 "..%" PRId64 ")", i, min, max);
        *ret = i;
        return 0;
}

static int read_uint(const json_t *v, const char *path, uint64_t max, uint64_t *ret, Error *reterr) {
        uint64_t u;
        if (json_big_uint(v, &u)) {
                if (u > max)
                        return path_error(reterr, path, "%" PRIu64 " is out of range (0..%" PRIu64 ")", u, max);
                *ret = u;
                return 0;
        }
        if (!json_is_integer(v))
                return type_error(reterr, path, "integer", v);
        int64_t i = (int64_t) json_integer_value(v);
        if (i < 0 || (uint64_t) i > max)
                return path_error(reterr, path, "%" PRId64 " is out of range (0..%" PRIu64 ")", i, max);
        *ret = (uint64_t) i;
        return 0;
}

static int read_strv(const json_t *v, const char *path, char ***dst, Error *reterr) {
        if (!json_is_array(v))
                return type_error(reterr, path, "array", v);
        size_t n = json_array_size(v);
        _cleanup_strv_free_ char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return error_set(reterr, ENOMEM, "%s", path);
        for (size_t i = 0; i < n; i++) {
                const json_t *e = json_array_get(v, i);
                if (!json_is_string(e)) {
                        _cleanup_free_ char *p = json_path_index(path, i);
                        return type_error(reterr, p ? p : path, "string", e);
                }
                if (!(l[i] = strdup(json_string_value(e))))
                        return error_set(reterr, ENOMEM, "%s", path);
        }
        *dst = TAKE_PTR(l);
        return 0;
}

static int read_strmap(const json_t *v, const char *path, StrMap *dst, Error *reterr) {
        if (!json_is_object(v))
                return type_error(reterr, path, "object", v);
        size_t n = json_object_size(v);
        if (n == 0)
                return 0;
        /* Keys are unique (jansson objects are maps), so no strmap_set()
         * lookups: a map of many keys stays linear. */
        _cleanup_(strmap_clear) StrMap m = {
                .keys = calloc(n, sizeof(char *)),
                .values = calloc(n, sizeof(char *)),
        };
        if (!m.keys || !m.values)
                return error_set(reterr, ENOMEM, "%s", path);
        const char *key;
        json_t *e;
        json_object_foreach((json_t *) v, key, e) {
                if (!json_is_string(e)) {
                        _cleanup_free_ char *p = json_path_join(path, key);
                        return type_error(reterr, p ? p : path, "string", e);
                }
                char *k = strdup(key), *val = strdup(json_string_value(e));
                if (!k || !val) {
                        free(k);
                        free(val);
                        return error_set(reterr, ENOMEM, "%s", path);
                }
                m.keys[m.n] = k;
                m.values[m.n] = val;
                m.n++;
        }
        *dst = m;
        m = (StrMap){};
        return 0;
}

static int read_u32_array(const json_t *v, const char *path, U32Array *dst, Error *reterr) {
        if (!json_is_array(v))
                return type_error(reterr, path, "array", v);
        size_t n = json_array_size(v);
        if (n == 0)
                return 0;
        _cleanup_free_ uint32_t *items = calloc(n, sizeof(uint32_t));
        if (!items)
                return error_set(reterr, ENOMEM, "%s", path);
        for (size_t i = 0; i < n; i++) {
                uint64_t u;
                _cleanup_free_ char *p = json_path_index(path, i);
                if (!p)
                        return error_set(reterr, ENOMEM, "%s", path);
                int r = read_uint(json_array_get(v, i), p, UINT32_MAX, &u, reterr);
                if (r < 0)
                        return r;
                items[i] = (uint32_t) u;
        }
        dst->items = TAKE_PTR(items);
        dst->n = n;
        return 0;
}

static int read_object_array(const json_t *v, const JsonField *f, const char *path, unsigned flags, AnyArray *dst,
                             Error *reterr) {
        if (!json_is_array(v))
                return type_error(reterr, path, "array", v);
        size_t n = json_array_size(v);
        if (n == 0)
                return 0;
        /* Zeroed elements are safe to free, so the array is published
         * whole before the elements are read, and a failure half way is
         * cleaned up by json_dispatch_free() like any other field. */
        if (!(dst->items = calloc(n, f->size)))
                return error_set(reterr, ENOMEM, "%s", path);
        dst->n = n;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *p = json_path_index(path, i);
                if (!p)
                        return error_set(reterr, ENOMEM, "%s", path);
                int r = json_dispatch(json_array_get(v, i), f->sub, (char *) dst->items + i * f->size, p, flags,
                                      reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void field_free(const JsonField *f, void *dst) {
        switch (f->type) {
        case JSON_FIELD_STRING: {
                char **s = dst;
                free(*s);
                *s = NULL;
                break;
        }
        case JSON_FIELD_STRV: {
                char ***l = dst;
                *l = strv_free(*l);
                break;
        }
        case JSON_FIELD_STRMAP:
                strmap_clear(dst);
                break;
        case JSON_FIELD_U32_ARRAY: {
                U32Array *a = dst;
                free(a->items);
                *a = (U32Array){};
                break;
        }
        case JSON_FIELD_OBJECT:
                json_dispatch_free(f->sub, dst);
                break;
        case JSON_FIELD_OBJECT_PTR: {
                void **p = dst;
                if (*p) {
                        json_dispatch_free(f->sub, *p);
                        free(*p);
                        *p = NULL;
                }
                break;
        }
        case JSON_FIELD_OBJECT_ARRAY: {
                AnyArray *a = dst;
                for (size_t i = 0; i < a->n; i++)
                        json_dispatch_free(f->sub, (char *) a->items + i * f->size);
                free(a->items);
                *a = (AnyArray){};
                break;
        }
        case JSON_FIELD_CUSTOM:
                if (f->free)
                        f->free(dst);
                break;
        default:
                if ((unsigned) f->type < _JSON_FIELD_TYPE_MAX && scalar_size[f->type])
                        memset(dst, 0, scalar_size[f->type]);
        }
}

static int read_field(const JsonField *f, const json_t *v, void *dst, const char *path, unsigned flags, Error *reterr) {
        int64_t i;
        uint64_t u;
        int r;

        switch (f->type) {
        case JSON_FIELD_STRING:
                if (!json_is_string(v))
                        return type_error(reterr, path, "string", v);
                if (!(*(char **) dst = strdup(json_string_value(v))))
                        return error_set(reterr, ENOMEM, "%s", path);
                return 0;
        case JSON_FIELD_BOOL:
        case JSON_FIELD_OPT_BOOL:
                if (!json_is_bool(v))
                        return type_error(reterr, path, "boolean", v);
                if (f->type == JSON_FIELD_BOOL)
                        *(bool *) dst = json_bool(v);
                else
                        *(OptBool *) dst = (OptBool){.value = json_bool(v), .set = true};
                return 0;
        case JSON_FIELD_I32:
                if ((r = read_int(v, path, INT32_MIN, INT32_MAX, &i, reterr)) < 0)
                        return r;
                *(int32_t *) dst = (int32_t) i;
                return 0;
        case JSON_FIELD_U32:
                if ((r = read_uint(v, path, UINT32_MAX, &u, reterr)) < 0)
                        return r;
                *(uint32_t *) dst = (uint32_t) u;
                return 0;
        case JSON_FIELD_I64:
        case JSON_FIELD_OPT_I64:
                if ((r = read_int(v, path, INT64_MIN, INT64_MAX, &i, reterr)) < 0)
                        return r;
                if (f->type == JSON_FIELD_I64)
                        *(int64_t *) dst = i;
                else
                        *(OptI64 *) dst = (OptI64){.value = i, .set = true};
                return 0;
        case JSON_FIELD_U64:
        case JSON_FIELD_OPT_U64:
                if ((r = read_uint(v, path, UINT64_MAX, &u, reterr)) < 0)
                        return r;
                if (f->type == JSON_FIELD_U64)
                        *(uint64_t *) dst = u;
                else
                        *(OptU64 *) dst = (OptU64){.value = u, .set = true};
                return 0;
        case JSON_FIELD_STRV:
                return read_strv(v, path, dst, reterr);
        case JSON_FIELD_STRMAP:
                return read_strmap(v, path, dst, reterr);
        case JSON_FIELD_U32_ARRAY:
                return read_u32_array(v, path, dst, reterr);
        case JSON_FIELD_OBJECT:
                return json_dispatch(v, f->sub, dst, path, flags, reterr);
        case JSON_FIELD_OBJECT_PTR: {
                if (!json_is_object(v))
                        return type_error(reterr, path, "object", v);
                void *p = calloc(1, f->size);
                if (!p)
                        return error_set(reterr, ENOMEM, "%s", path);
                *(void **) dst = p;
                return json_dispatch(v, f->sub, p, path, flags, reterr);
        }
        case JSON_FIELD_OBJECT_ARRAY:
                return read_object_array(v, f, path, flags, dst, reterr);
        case JSON_FIELD_CUSTOM:
                if (!f->parse)
                        return path_error(reterr, path, "no parser for this field");
                return f->parse(v, dst, path, reterr);
        default:
                return path_error(reterr, path, "unknown field type %d", (int) f->type);
        }
}

static bool table_has(const JsonField *table, const char *name) {
        for (const JsonField *f = table; f->name; f++)
                if (strcmp(f->name, name) == 0)
                        return true;
        return false;
}

static int dispatch_fields(const json_t *obj, const JsonField *table, void *target, const char *path, unsigned flags,
                           Error *reterr) {
        if (!json_is_object(obj))
                return type_error(reterr, path, "object", obj);

        if (flags & JSON_DISPATCH_STRICT) {
                const char *key;
                json_t *e;
                json_object_foreach((json_t *) obj, key, e) if (!table_has(table, key)) {
                        _cleanup_free_ char *p = json_path_join(path, key);
                        return path_error(reterr, p ? p : path, "unknown field");
                }
        }

        for (const JsonField *f = table; f->name; f++) {
                const json_t *v = json_object_get(obj, f->name);
                if (v && json_typeof(v) == JSON_NULL && (f->flags & JSON_FIELD_NULLABLE))
                        v = NULL;
                if (!v && !(f->flags & JSON_FIELD_REQUIRED))
                        continue;
                _cleanup_free_ char *p = json_path_join(path, f->name);
                if (!p)
                        return error_set(reterr, ENOMEM, "%s", path);
                if (!v)
                        return path_error(reterr, p, "missing required field");
                void *dst = (char *) target + f->offset;
                /* A value already there (a default the caller set) is
                 * replaced, not leaked. */
                field_free(f, dst);
                int r = read_field(f, v, dst, p, flags, reterr);
                if (r < 0)
                        return r;
        }
        return 0;
}

int json_dispatch(const JsonValue *obj, const JsonField *table, void *target, const char *path, unsigned flags,
                  Error *reterr) {
        int r = dispatch_fields(obj, table, target, path ? path : "", flags, reterr);
        if (r < 0)
                json_dispatch_free(table, target);
        return r;
}

void json_dispatch_free(const JsonField *table, void *target) {
        if (!table || !target)
                return;
        for (const JsonField *f = table; f->name; f++)
                field_free(f, (char *) target + f->offset);
}
