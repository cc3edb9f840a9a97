/* Unit tests for common/json.c: parsing limits, dispatch of every field
 * type, error paths and messages, freeing on error, building and dumping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "json.h"
#include "test-util.h"


static JsonValue *parse_ok(const char *text) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        JsonValue *v = NULL;
        int r = json_parse_buf(s, strlen(s), "test.json", &v, &e);
        if (r < 0)
                fail_msg("parse failed: %s", e.msg);
        return v;
}

static void parse_fails(const char *text, int code, const char *msg) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        JsonValue *v = NULL;
        assert_int_equal(json_parse_buf(s, strlen(s), "test.json", &v, &e), -code);
        assert_null(v);
        assert_non_null(e.msg);
        if (msg && !strstr(e.msg, msg))
                fail_msg("message \"%s\" lacks \"%s\"", e.msg, msg);
}

/* ---- parsing ----------------------------------------------------------- */

static void test_parse_basic(void **state) {
        _cleanup_json_ JsonValue *v = parse_ok("{'a': 1, 'b': 'x', 'c': [true, null], 'd': {}}");
        assert_true(json_is_object(v));
        assert_int_equal(json_int(json_obj_get(v, "a")), 1);
        assert_string_equal(json_str(json_obj_get(v, "b")), "x");
        assert_true(json_is_array(json_obj_get(v, "c")));
        assert_int_equal(json_arr_len(json_obj_get(v, "c")), 2);
        assert_true(json_bool(json_arr_at(json_obj_get(v, "c"), 0)));
        assert_true(json_is_null(json_arr_at(json_obj_get(v, "c"), 1)));
        assert_null(json_arr_at(json_obj_get(v, "c"), 2));
        assert_null(json_obj_get(v, "missing"));
        assert_string_equal(json_type_name(json_obj_get(v, "d")), "object");
        assert_string_equal(json_type_name(json_obj_get(v, "b")), "string");
        assert_null(json_str(json_obj_get(v, "a")));
        assert_int_equal(json_int(json_obj_get(v, "b")), 0);
}

static void test_parse_syntax_error_position(void **state) {
        parse_fails("{\n  'a': 1,\n    'b' 2\n}", EINVAL, "test.json: line 3 column ");
        parse_fails("", EINVAL, "test.json: ");
        parse_fails("{'a': 1} x", EINVAL, "test.json: line 1");
        parse_fails("{'a': 1.5e}", EINVAL, "test.json: line 1");
}

static void test_parse_no_name(void **state) {
        _cleanup_error_ Error e = {};
        JsonValue *v = NULL;
        assert_int_equal(json_parse_buf("{", 1, NULL, &v, &e), -EINVAL);
        assert_true(str_startswith(e.msg, "line 1 column"));
}

static void test_parse_duplicates(void **state) {
        parse_fails("{'a': 1, 'a': 2}", EINVAL, "duplicate object key");
        parse_fails("{'x': {'a': 1, 'a': 1}}", EINVAL, "duplicate");
}

static char *nested(size_t depth, char open, char close) {
        char *s = malloc(depth * 2 + 1);
        assert_non_null(s);
        memset(s, open, depth);
        memset(s + depth, close, depth);
        s[depth * 2] = '\0';
        return s;
}

static void test_parse_depth(void **state) {
        _cleanup_error_ Error e = {};
        JsonValue *v = NULL;
        _cleanup_free_ char *ok = nested(JSON_MAX_DEPTH, '[', ']');
        assert_int_equal(json_parse_buf(ok, strlen(ok), "d", &v, &e), 0);
        v = json_unref(v);

        _cleanup_free_ char *deep = nested(JSON_MAX_DEPTH + 1, '[', ']');
        assert_int_equal(json_parse_buf(deep, strlen(deep), "d", &v, &e), -EINVAL);
        assert_string_equal(e.msg, "d: line 1 column 65: nested deeper than 64 levels");

        /* Far beyond jansson's own limit: refused before jansson recurses. */
        _cleanup_free_ char *huge = nested(100000, '[', ']');
        assert_int_equal(json_parse_buf(huge, strlen(huge), "d", &v, &e), -EINVAL);

        /* Brackets inside strings are text, not nesting. */
        _cleanup_free_ char *in_string = nested(200, '[', ']');
        _cleanup_free_ char *doc = strdup_printf("{\"s\": \"%s\\\"[\"}", in_string);
        assert_int_equal(json_parse_buf(doc, strlen(doc), "d", &v, &e), 0);
        assert_int_equal(strlen(json_str(json_obj_get(v, "s"))), 402);
        v = json_unref(v);
}

static void test_parse_size_limit(void **state) {
        _cleanup_error_ Error e = {};
        JsonValue *v = NULL;
        size_t n = JSON_MAX_SIZE + 1;
        _cleanup_free_ char *big = malloc(n);
        assert_non_null(big);
        memset(big, ' ', n);
        big[0] = '1';
        assert_int_equal(json_parse_buf(big, n, "big.json", &v, &e), -EFBIG);
        assert_string_equal(e.msg, "big.json: larger than the limit of 16777216 bytes");
        assert_int_equal(json_parse_buf(big, n - 1, "big.json", &v, &e), 0);
        assert_int_equal(json_int(v), 1);
        json_unref(v);
}

static void test_parse_nul(void **state) {
        parse_fails("{'a': 'x\\u0000y'}", EINVAL, "\\u0000 is not allowed");
        parse_fails("{'a\\u0000': 1}", EINVAL, "\\u0000 is not allowed");
        /* An escaped backslash followed by u0000 is plain text. */
        _cleanup_json_ JsonValue *v = parse_ok("{'a': 'x\\\\u0000'}");
        assert_string_equal(json_str(json_obj_get(v, "a")), "x\\u0000");
}

static void test_parse_file(void **state) {
        char dir[] = "/tmp/test-json-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *path = strdup_printf("%s/x.json", dir);
        _cleanup_error_ Error e = {};
        JsonValue *v = NULL;

        assert_int_equal(json_parse_file(path, &v, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "x.json"));

        _cleanup_json_ JsonValue *o = json_new_object();
        assert_int_equal(json_obj_set_str(o, "k", "v"), 0);
        assert_int_equal(json_dump_file_atomic(o, path, JSON_DUMP_PRETTY), 0);
        assert_int_equal(json_parse_file(path, &v, &e), 0);
        assert_string_equal(json_str(json_obj_get(v, "k")), "v");
        v = json_unref(v);

        _cleanup_free_ char *text = NULL;
        assert_int_equal(read_file(path, 4096, &text, NULL), 0);
        assert_string_equal(text, "{\n\t\"k\": \"v\"\n}\n");

        unlink(path);
        rmdir(dir);
}

/* ---- big unsigned integers --------------------------------------------- */

typedef struct Big {
        uint64_t u;
        OptU64 ou;
        int64_t i;
} Big;

static const JsonField big_fields[] = {
        {"u", JSON_FIELD_U64, offsetof(Big, u)},
        {"ou", JSON_FIELD_OPT_U64, offsetof(Big, ou)},
        {"i", JSON_FIELD_I64, offsetof(Big, i)},
        {},
};

static void test_big_uint(void **state) {
        _cleanup_error_ Error e = {};
        Big b = {};
        _cleanup_json_ JsonValue *v = parse_ok("{'u': 18446744073709551615, 'ou': 9223372036854775808, 'i': "
                                               "-9223372036854775808}");
        assert_int_equal(json_dispatch(v, big_fields, &b, "", 0, &e), 0);
        assert_true(b.u == UINT64_MAX);
        assert_true(b.ou.set && b.ou.value == (uint64_t) INT64_MAX + 1);
        assert_true(b.i == INT64_MIN);
        assert_string_equal(json_type_name(json_obj_get(v, "u")), "integer");
        assert_false(json_is_string(json_obj_get(v, "u")));
        assert_null(json_str(json_obj_get(v, "u")));

        /* Dumped back as numbers. */
        _cleanup_free_ char *text = json_dump(v, 0);
        assert_string_equal(text, "{\"u\":18446744073709551615,\"ou\":9223372036854775808,\"i\":-9223372036854775808}");

        _cleanup_json_ JsonValue *w = parse_ok("{'i': 9223372036854775808}");
        assert_int_equal(json_dispatch(w, big_fields, &b, "x", 0, &e), -EINVAL);
        assert_string_equal(e.msg,
                            "x.i: 9223372036854775808 is out of range (-9223372036854775808..9223372036854775807)");

        /* Beyond uint64, inside arrays, and in strings. */
        parse_fails("{'u': 18446744073709551616}", EINVAL, "too big");
        /* Errors after a rewrite leave nothing behind. */
        parse_fails("[18446744073709551615, 'a\\u0000']", EINVAL, "\\u0000 is not allowed");
        parse_fails("[18446744073709551615, {'a': [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]",
                    EINVAL, "nested deeper");
        parse_fails("[18446744073709551615, x]", EINVAL, "line 1 column");
        _cleanup_json_ JsonValue *a = parse_ok("[1, 18446744073709551615, '18446744073709551615', 1.5]");
        assert_string_equal(json_type_name(json_arr_at(a, 1)), "integer");
        assert_string_equal(json_str(json_arr_at(a, 2)), "18446744073709551615");
        assert_string_equal(json_type_name(json_arr_at(a, 3)), "real");
        _cleanup_free_ char *atext = json_dump(a, 0);
        assert_string_equal(atext, "[1,18446744073709551615,\"18446744073709551615\",1.5]");
}

/* ---- dispatch ------------------------------------------------------------- */

typedef struct Inner {
        char *name;
        int32_t n;
} Inner;

typedef struct Everything {
        char *s;
        bool b;
        OptBool ob;
        int32_t i32;
        uint32_t u32;
        int64_t i64;
        uint64_t u64;
        OptI64 oi64;
        OptU64 ou64;
        char **strv;
        StrMap map;
        ARRAY(uint32_t) u32s;
        Inner inner;
        Inner *ptr;
        ARRAY(Inner) list;
        char *custom;
} Everything;

static const JsonField inner_fields[] = {
        {"name", JSON_FIELD_STRING, offsetof(Inner, name), JSON_FIELD_REQUIRED},
        {"n", JSON_FIELD_I32, offsetof(Inner, n)},
        {},
};

static int parse_upper(const JsonValue *v, void *dst, const char *path, Error *reterr) {
        const char *s = json_str(v);
        if (!s)
                return error_msg(reterr, EINVAL, "%s: expected string, got %s", path, json_type_name(v));
        if (!*s)
                return error_msg(reterr, EINVAL, "%s: must not be empty", path);
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        for (char *p = c; *p; p++)
                if (*p >= 'a' && *p <= 'z')
                        *p -= 'a' - 'A';
        *(char **) dst = c;
        return 0;
}

static void free_upper(void *dst) {
        char **p = dst;
        free(*p);
        *p = NULL;
}

static const JsonField everything_fields[] = {
        {"s", JSON_FIELD_STRING, offsetof(Everything, s)},
        {"b", JSON_FIELD_BOOL, offsetof(Everything, b)},
        {"ob", JSON_FIELD_OPT_BOOL, offsetof(Everything, ob)},
        {"i32", JSON_FIELD_I32, offsetof(Everything, i32)},
        {"u32", JSON_FIELD_U32, offsetof(Everything, u32)},
        {"i64", JSON_FIELD_I64, offsetof(Everything, i64)},
        {"u64", JSON_FIELD_U64, offsetof(Everything, u64)},
        {"oi64", JSON_FIELD_OPT_I64, offsetof(Everything, oi64), JSON_FIELD_NULLABLE},
        {"ou64", JSON_FIELD_OPT_U64, offsetof(Everything, ou64)},
        {"strv", JSON_FIELD_STRV, offsetof(Everything, strv)},
        {"map", JSON_FIELD_STRMAP, offsetof(Everything, map)},
        {"u32s", JSON_FIELD_U32_ARRAY, offsetof(Everything, u32s)},
        {"inner", JSON_FIELD_OBJECT, offsetof(Everything, inner), .sub = inner_fields},
        {"ptr", JSON_FIELD_OBJECT_PTR, offsetof(Everything, ptr), JSON_FIELD_NULLABLE, .sub = inner_fields,
         .size = sizeof(Inner)},
        {"list", JSON_FIELD_OBJECT_ARRAY, offsetof(Everything, list), .sub = inner_fields, .size = sizeof(Inner)},
        {"custom", JSON_FIELD_CUSTOM, offsetof(Everything, custom), .parse = parse_upper, .free = free_upper},
        {},
};

static const char everything_doc[] =
        "{'s': 'str', 'b': true, 'ob': false, 'i32': -2147483648, 'u32': 4294967295, 'i64': -5, 'u64': 7,"
        " 'oi64': -1, 'ou64': 0, 'strv': ['a', 'b', ''], 'map': {'k1': 'v1', 'k2': ''}, 'u32s': [0, 4294967295],"
        " 'inner': {'name': 'in', 'n': 3}, 'ptr': {'name': 'p'}, 'list': [{'name': 'l0'}, {'name': 'l1', 'n': -1}],"
        " 'custom': 'shout', 'ignored': {'deep': [1, 2]}}";

static bool is_zero(const void *p, size_t n) {
        const unsigned char *c = p;
        for (size_t i = 0; i < n; i++)
                if (c[i])
                        return false;
        return true;
}

static void test_dispatch_everything(void **state) {
        _cleanup_error_ Error e = {};
        _cleanup_json_ JsonValue *v = parse_ok(everything_doc);
        Everything x = {};
        int r = json_dispatch(v, everything_fields, &x, "", 0, &e);
        if (r < 0)
                fail_msg("%s", e.msg);
        assert_string_equal(x.s, "str");
        assert_true(x.b);
        assert_true(x.ob.set);
        assert_false(x.ob.value);
        assert_true(x.i32 == INT32_MIN);
        assert_true(x.u32 == UINT32_MAX);
        assert_true(x.i64 == -5);
        assert_true(x.u64 == 7);
        assert_true(x.oi64.set && x.oi64.value == -1);
        assert_true(x.ou64.set && x.ou64.value == 0);
        assert_int_equal(strv_length(x.strv), 3);
        assert_string_equal(x.strv[2], "");
        assert_int_equal(x.map.n, 2);
        assert_string_equal(strmap_get(&x.map, "k1"), "v1");
        assert_string_equal(strmap_get(&x.map, "k2"), "");
        assert_int_equal(x.u32s.n, 2);
        assert_true(x.u32s.items[1] == UINT32_MAX);
        assert_string_equal(x.inner.name, "in");
        assert_int_equal(x.inner.n, 3);
        assert_non_null(x.ptr);
        assert_string_equal(x.ptr->name, "p");
        assert_int_equal(x.list.n, 2);
        assert_string_equal(x.list.items[1].name, "l1");
        assert_int_equal(x.list.items[1].n, -1);
        assert_string_equal(x.custom, "SHOUT");

        json_dispatch_free(everything_fields, &x);
        assert_true(is_zero(&x, sizeof x));
}

static void test_dispatch_absent_and_empty(void **state) {
        _cleanup_error_ Error e = {};
        Everything x = {};
        _cleanup_json_ JsonValue *v = parse_ok("{'strv': [], 'u32s': [], 'list': [], 'map': {}, 'oi64': null,"
                                               " 'ptr': null}");
        assert_int_equal(json_dispatch(v, everything_fields, &x, "", 0, &e), 0);
        /* An empty array is there but empty; absent is NULL. */
        assert_non_null(x.strv);
        assert_null(x.strv[0]);
        assert_int_equal(x.u32s.n, 0);
        assert_int_equal(x.list.n, 0);
        assert_int_equal(x.map.n, 0);
        assert_false(x.oi64.set);
        assert_null(x.ptr);
        assert_null(x.s);
        assert_false(x.ob.set);
        json_dispatch_free(everything_fields, &x);
}

typedef struct Case {
        const char *doc;
        const char *msg;
} Case;

static void dispatch_fails(const JsonField *table, void *target, size_t size, const char *path, unsigned flags,
                           const Case *c) {
        _cleanup_error_ Error e = {};
        _cleanup_json_ JsonValue *v = parse_ok(c->doc);
        memset(target, 0, size);
        assert_int_equal(json_dispatch(v, table, target, path, flags, &e), -EINVAL);
        assert_int_equal(e.code, EINVAL);
        assert_error_msg(c->doc, &e, c->msg);
        /* Nothing half-read is left behind for the caller. */
        assert_true(is_zero(target, size));
}

static void test_dispatch_type_errors(void **state) {
        static const Case cases[] = {
                {"{'s': 1}", "top.s: expected string, got integer"},
                {"{'b': 'yes'}", "top.b: expected boolean, got string"},
                {"{'ob': 0}", "top.ob: expected boolean, got integer"},
                {"{'i32': 1.0}", "top.i32: expected integer, got real"},
                {"{'u64': '1'}", "top.u64: expected integer, got string"},
                {"{'ou64': []}", "top.ou64: expected integer, got array"},
                {"{'strv': 'a'}", "top.strv: expected array, got string"},
                {"{'strv': ['a', 2]}", "top.strv[1]: expected string, got integer"},
                {"{'map': []}", "top.map: expected object, got array"},
                {"{'map': {'a': 'b', 'c': true}}", "top.map.c: expected string, got boolean"},
                {"{'u32s': [1, 'x']}", "top.u32s[1]: expected integer, got string"},
                {"{'inner': []}", "top.inner: expected object, got array"},
                {"{'inner': {'name': 5}}", "top.inner.name: expected string, got integer"},
                {"{'ptr': 'x'}", "top.ptr: expected object, got string"},
                {"{'list': {}}", "top.list: expected array, got object"},
                {"{'list': [{'name': 'a'}, 7]}", "top.list[1]: expected object, got integer"},
                {"{'list': [{'name': 'a'}, {'name': 'b', 'n': 'c'}]}", "top.list[1].n: expected integer, got string"},
                {"{'custom': 3}", "top.custom: expected string, got integer"},
                {"{'custom': ''}", "top.custom: must not be empty"},
                /* null where null is not allowed */
                {"{'s': null}", "top.s: expected string, got null"},
        };
        Everything x;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                dispatch_fails(everything_fields, &x, sizeof x, "top", 0, &cases[i]);
}

static void test_dispatch_range_errors(void **state) {
        static const Case cases[] = {
                {"{'i32': 2147483648}", "i32: 2147483648 is out of range (-2147483648..2147483647)"},
                {"{'i32': -2147483649}", "i32: -2147483649 is out of range (-2147483648..2147483647)"},
                {"{'u32': 4294967296}", "u32: 4294967296 is out of range (0..4294967295)"},
                {"{'u32': -1}", "u32: -1 is out of range (0..4294967295)"},
                {"{'u64': -1}", "u64: -1 is out of range (0..18446744073709551615)"},
                {"{'ou64': -9223372036854775808}",
                 "ou64: -9223372036854775808 is out of range (0..18446744073709551615)"},
                {"{'u32s': [1, -1]}", "u32s[1]: -1 is out of range (0..4294967295)"},
                {"{'u32s': [18446744073709551615]}", "u32s[0]: 18446744073709551615 is out of range (0..4294967295)"},
                {"{'inner': {'name': 'x', 'n': 99999999999}}",
                 "inner.n: 99999999999 is out of range (-2147483648..2147483647)"},
        };
        Everything x;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                dispatch_fails(everything_fields, &x, sizeof x, "", 0, &cases[i]);
}

static void test_dispatch_required(void **state) {
        static const Case cases[] = {
                {"{'inner': {}}", "inner.name: missing required field"},
                {"{'inner': {'name': null}}", "inner.name: expected string, got null"},
                {"{'ptr': {'n': 1}}", "ptr.name: missing required field"},
                {"{'list': [{'name': 'a'}, {'name': 'b'}, {}]}", "list[2].name: missing required field"},
        };
        Everything x;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                dispatch_fails(everything_fields, &x, sizeof x, "", 0, &cases[i]);

        /* REQUIRED with NULLABLE: null is absent, so missing. */
        static const JsonField t[] = {
                {"name", JSON_FIELD_STRING, offsetof(Inner, name), JSON_FIELD_REQUIRED | JSON_FIELD_NULLABLE},
                {},
        };
        Inner in;
        static const Case c = {"{'name': null}", "name: missing required field"};
        dispatch_fails(t, &in, sizeof in, NULL, 0, &c);
}

static void test_dispatch_strict(void **state) {
        _cleanup_error_ Error e = {};
        Everything x = {};
        _cleanup_json_ JsonValue *v = parse_ok("{'s': 'a', 'extra': 1}");
        assert_int_equal(json_dispatch(v, everything_fields, &x, "", 0, &e), 0);
        json_dispatch_free(everything_fields, &x);

        static const Case cases[] = {
                {"{'s': 'a', 'extra': 1}", "cfg.extra: unknown field"},
                {"{'s': 'a', 'inner': {'name': 'x', 'bogus': true}}", "cfg.inner.bogus: unknown field"},
                {"{'list': [{'name': 'x'}, {'name': 'y', 'z': 0}]}", "cfg.list[1].z: unknown field"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                dispatch_fails(everything_fields, &x, sizeof x, "cfg", JSON_DISPATCH_STRICT, &cases[i]);
}

static void test_dispatch_not_object(void **state) {
        static const Case cases[] = {
                {"[]", "expected object, got array"},
                {"'x'", "expected object, got string"},
                {"null", "expected object, got null"},
        };
        Everything x;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                dispatch_fails(everything_fields, &x, sizeof x, "", 0, &cases[i]);

        _cleanup_error_ Error e = {};
        assert_int_equal(json_dispatch(NULL, everything_fields, &x, "p", 0, &e), -EINVAL);
        assert_string_equal(e.msg, "p: expected object, got nothing");
}

/* Everything read before the failing member is freed (ASan/valgrind check
 * the "no leak" half of this). */
static void test_dispatch_free_on_error(void **state) {
        static const Case c = {
                "{'s': 'str', 'strv': ['a'], 'map': {'k': 'v'}, 'u32s': [1], 'inner': {'name': 'n'},"
                " 'ptr': {'name': 'p'}, 'list': [{'name': 'a'}, {'name': 'b', 'n': 'bad'}], 'custom': 'c'}",
                "list[1].n: expected integer, got string",
        };
        Everything x;
        dispatch_fails(everything_fields, &x, sizeof x, "", 0, &c);

        static const Case last = {
                "{'s': 'str', 'strv': ['a'], 'map': {'k': 'v'}, 'u32s': [1], 'inner': {'name': 'n'},"
                " 'ptr': {'name': 'p'}, 'list': [{'name': 'a'}], 'custom': ''}",
                "custom: must not be empty",
        };
        dispatch_fails(everything_fields, &x, sizeof x, "", 0, &last);
}

/* A value already in the target (a default) is replaced without a leak. */
static void test_dispatch_replaces_defaults(void **state) {
        _cleanup_error_ Error e = {};
        Everything x = {};
        x.s = strdup("default");
        x.strv = strv_copy((char *[]){"d", NULL});
        assert_int_equal(strmap_set(&x.map, "old", "1"), 0);
        x.ptr = calloc(1, sizeof(Inner));
        x.ptr->name = strdup("old");
        x.i32 = 42;

        _cleanup_json_ JsonValue *v =
                parse_ok("{'s': 'new', 'strv': ['n'], 'map': {'new': '2'}, 'ptr': {'name': 'x'}}");
        assert_int_equal(json_dispatch(v, everything_fields, &x, "", 0, &e), 0);
        assert_string_equal(x.s, "new");
        assert_string_equal(x.strv[0], "n");
        assert_null(strmap_get(&x.map, "old"));
        assert_string_equal(strmap_get(&x.map, "new"), "2");
        assert_string_equal(x.ptr->name, "x");
        assert_int_equal(x.i32, 42); /* absent: untouched */
        json_dispatch_free(everything_fields, &x);
        json_dispatch_free(everything_fields, &x); /* twice is harmless */
}

static void test_path_helpers(void **state) {
        _cleanup_free_ char *a = json_path_join("", "x");
        _cleanup_free_ char *b = json_path_join(NULL, "x");
        _cleanup_free_ char *c = json_path_join("a.b", "x");
        _cleanup_free_ char *d = json_path_index("a", 3);
        _cleanup_free_ char *f = json_path_index("", 0);
        assert_string_equal(a, "x");
        assert_string_equal(b, "x");
        assert_string_equal(c, "a.b.x");
        assert_string_equal(d, "a[3]");
        assert_string_equal(f, "[0]");
}

/* ---- building and dumping ---------------------------------------------------- */

static int collect(const char *key, JsonValue *v, void *userdata) {
        char *buf = userdata;
        strcat(buf, key);
        return strcmp(key, "stop") == 0 ? -ECANCELED : 0;
}

static void test_build_and_dump(void **state) {
        _cleanup_json_ JsonValue *o = json_new_object();
        assert_non_null(o);
        assert_int_equal(json_obj_set_str(o, "z", "last \"quoted\" \n"), 0);
        assert_int_equal(json_obj_set_str(o, "skipped", NULL), 0);
        assert_int_equal(json_obj_set_int(o, "a", -3), 0);
        assert_int_equal(json_obj_set_bool(o, "b", false), 0);
        assert_int_equal(json_obj_set(o, "n", json_new_null()), 0);
        assert_int_equal(json_obj_set(o, "strv", json_new_strv((char *[]){"x", "y", NULL})), 0);
        assert_int_equal(json_obj_set(o, "empty", json_new_strv(NULL)), 0);
        StrMap m = {};
        assert_int_equal(strmap_set(&m, "k", "v"), 0);
        assert_int_equal(json_obj_set(o, "map", json_new_strmap(&m)), 0);
        strmap_clear(&m);
        _cleanup_json_ JsonValue *arr = json_new_array();
        assert_int_equal(json_arr_append(arr, json_new_int(1)), 0);
        assert_int_equal(json_arr_append(arr, json_new_bool(true)), 0);
        assert_int_equal(json_arr_append(arr, json_new_string("s")), 0);
        assert_int_equal(json_obj_set(o, "arr", json_ref(arr)), 0);

        assert_null(json_obj_get(o, "skipped"));
        _cleanup_free_ char *compact = json_dump(o, 0);
        assert_string_equal(compact, "{\"z\":\"last \\\"quoted\\\" \\n\",\"a\":-3,\"b\":false,\"n\":null,"
                                     "\"strv\":[\"x\",\"y\"],\"empty\":[],\"map\":{\"k\":\"v\"},"
                                     "\"arr\":[1,true,\"s\"]}");
        _cleanup_free_ char *sorted = json_dump(o, JSON_DUMP_SORTED);
        assert_true(str_startswith(sorted, "{\"a\":-3,\"arr\":"));

        assert_int_equal(json_obj_del(o, "strv"), 0);
        assert_int_equal(json_obj_del(o, "strv"), -ENOENT);
        assert_int_equal(json_obj_del(o, "empty"), 0);
        assert_int_equal(json_obj_del(o, "map"), 0);
        assert_int_equal(json_obj_del(o, "z"), 0);
        _cleanup_free_ char *pretty = json_dump(o, JSON_DUMP_PRETTY);
        assert_string_equal(pretty, "{\n\t\"a\": -3,\n\t\"b\": false,\n\t\"n\": null,\n\t\"arr\": [\n\t\t1,\n\t\ttrue,"
                                    "\n\t\t\"s\"\n\t]\n}");

        char keys[64] = "";
        assert_int_equal(json_obj_foreach(o, collect, keys), 0);
        assert_string_equal(keys, "abnarr");
        assert_int_equal(json_obj_set_int(o, "stop", 1), 0);
        assert_int_equal(json_obj_set_int(o, "after", 1), 0);
        keys[0] = '\0';
        assert_int_equal(json_obj_foreach(o, collect, keys), -ECANCELED);
        assert_string_equal(keys, "abnarrstop");
        assert_int_equal(json_obj_foreach(arr, collect, keys), -EINVAL);

        _cleanup_free_ char *scalar = json_dump(arr, 0);
        assert_string_equal(scalar, "[1,true,\"s\"]");
        assert_null(json_dump(NULL, 0));
}

static void test_build_errors(void **state) {
        _cleanup_json_ JsonValue *o = json_new_object();
        _cleanup_json_ JsonValue *a = json_new_array();
        assert_int_equal(json_obj_set(o, "x", NULL), -ENOMEM);
        assert_int_equal(json_arr_append(a, NULL), -ENOMEM);
        /* Wrong container: the value is still consumed. */
        assert_int_equal(json_obj_set(a, "x", json_new_int(1)), -EINVAL);
        assert_int_equal(json_arr_append(o, json_new_int(1)), -EINVAL);
        /* Not UTF-8. */
        assert_int_equal(json_obj_set_str(o, "bad", "\xff\xfe"), -EINVAL);
        assert_null(json_new_string("\xc3"));
        assert_null(json_new_string(NULL));
        assert_int_equal(json_obj_del(a, "x"), -EINVAL);
        _cleanup_free_ char *text = json_dump(o, 0);
        assert_string_equal(text, "{}");
}

static void test_roundtrip_unicode(void **state) {
        _cleanup_json_ JsonValue *v = parse_ok("{'s': 'h\\u00e9llo \\ud83d\\ude00 \\t', 'k\\u00e9y': 1}");
        assert_string_equal(json_str(json_obj_get(v, "s")), "h\xc3\xa9llo \xf0\x9f\x98\x80 \t");
        assert_int_equal(json_int(json_obj_get(v, "k\xc3\xa9y")), 1);
        _cleanup_free_ char *text = json_dump(v, 0);
        assert_string_equal(text, "{\"s\":\"h\xc3\xa9llo \xf0\x9f\x98\x80 \\t\",\"k\xc3\xa9y\":1}");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_basic),
                cmocka_unit_test(test_parse_syntax_error_position),
                cmocka_unit_test(test_parse_no_name),
                cmocka_unit_test(test_parse_duplicates),
                cmocka_unit_test(test_parse_depth),
                cmocka_unit_test(test_parse_size_limit),
                cmocka_unit_test(test_parse_nul),
                cmocka_unit_test(test_parse_file),
                cmocka_unit_test(test_big_uint),
                cmocka_unit_test(test_dispatch_everything),
                cmocka_unit_test(test_dispatch_absent_and_empty),
                cmocka_unit_test(test_dispatch_type_errors),
                cmocka_unit_test(test_dispatch_range_errors),
                cmocka_unit_test(test_dispatch_required),
                cmocka_unit_test(test_dispatch_strict),
                cmocka_unit_test(test_dispatch_not_object),
                cmocka_unit_test(test_dispatch_free_on_error),
                cmocka_unit_test(test_dispatch_replaces_defaults),
                cmocka_unit_test(test_path_helpers),
                cmocka_unit_test(test_build_and_dump),
                cmocka_unit_test(test_build_errors),
                cmocka_unit_test(test_roundtrip_unicode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
