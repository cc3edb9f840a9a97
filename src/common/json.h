/* json: the one wrapper around jansson. Incoming JSON is read into typed
 * structs through dispatch tables, so every field is validated in one place
 * and an error names the field's path; outgoing JSON is built with the
 * json_new_* / json_obj_set_* calls and dumped by the library. Nothing
 * outside common/ includes jansson.h. */
#pragma once

#include "common.h"

typedef struct json_t JsonValue;

/* Limits for JSON from outside. */
#define JSON_MAX_DEPTH 64
#define JSON_MAX_SIZE (16u << 20)

JsonValue *json_ref(JsonValue *v);
JsonValue *json_unref(JsonValue *v);
static inline void json_unrefp(JsonValue **v) { json_unref(*v); }
#define _cleanup_json_ _cleanup_(json_unrefp)

/* what names the input in error messages ("config.json"). */
int json_parse_buf(const char *buf, size_t len, const char *what, JsonValue **ret, Error *reterr);
int json_parse_file(const char *path, JsonValue **ret, Error *reterr);
/* Reads a JSON document's bytes, refusing one over JSON_MAX_SIZE by name. */
int json_read_file(const char *path, char **ret, size_t *ret_len, Error *reterr);

/* Reading raw values. */
bool json_is_object(const JsonValue *v);
bool json_is_array(const JsonValue *v);
bool json_is_string(const JsonValue *v);
bool json_is_integer(const JsonValue *v);
bool json_is_bool(const JsonValue *v);
bool json_is_null(const JsonValue *v);
const char *json_type_name(const JsonValue *v);
JsonValue *json_obj_get(const JsonValue *o, const char *key);
size_t json_arr_len(const JsonValue *a);
JsonValue *json_arr_at(const JsonValue *a, size_t i);
const char *json_str(const JsonValue *v);
int64_t json_int(const JsonValue *v);
bool json_bool(const JsonValue *v);
/* Calls f for each member, in document order; stops at the first < 0. */
int json_obj_foreach(const JsonValue *o, int (*f)(const char *key, JsonValue *v, void *userdata), void *userdata);

/* Building. The set/append calls take ownership of the value passed and
 * return -ENOMEM on failure (having freed it); a NULL string is skipped. */
JsonValue *json_new_object(void);
JsonValue *json_new_array(void);
JsonValue *json_new_string(const char *s);
JsonValue *json_new_int(int64_t i);
JsonValue *json_new_bool(bool b);
JsonValue *json_new_null(void);
JsonValue *json_new_strv(char *const *v);
JsonValue *json_new_strmap(const StrMap *m);
int json_obj_set(JsonValue *o, const char *key, JsonValue *v);
int json_obj_set_str(JsonValue *o, const char *key, const char *s);
int json_obj_set_int(JsonValue *o, const char *key, int64_t i);
int json_obj_set_bool(JsonValue *o, const char *key, bool b);
int json_arr_append(JsonValue *a, JsonValue *v);
int json_obj_del(JsonValue *o, const char *key);

enum {
        JSON_DUMP_PRETTY = 1 << 0,
        JSON_DUMP_SORTED = 1 << 1,
};
char *json_dump(const JsonValue *v, unsigned flags);
int json_dump_file_atomic(const JsonValue *v, const char *path, unsigned flags);

/* ---- dispatch tables --------------------------------------------------------
 * { "limit", JSON_FIELD_OPT_I64, offsetof(OciMemory, limit) } reads member
 * "limit" into the OptI64 at that offset. A table ends with { NULL }. */

typedef enum JsonFieldType {
        JSON_FIELD_STRING,   /* char * */
        JSON_FIELD_BOOL,     /* bool */
        JSON_FIELD_OPT_BOOL, /* struct { bool value; bool set; } = OptBool */
        JSON_FIELD_I32,      /* int32_t */
        JSON_FIELD_U32,      /* uint32_t */
        JSON_FIELD_I64,      /* int64_t */
        JSON_FIELD_U64,      /* uint64_t */
        JSON_FIELD_OPT_I64,  /* OptI64 */
        JSON_FIELD_OPT_U64,  /* OptU64 */
        JSON_FIELD_STRV,     /* char ** (NULL-terminated) */
        JSON_FIELD_STRMAP,   /* StrMap; values must be strings */
        JSON_FIELD_U32_ARRAY,/* ARRAY(uint32_t) */
        JSON_FIELD_OBJECT,   /* embedded struct, read with .sub */
        JSON_FIELD_OBJECT_PTR, /* pointer to a struct of .size, read with .sub; NULL when absent */
        JSON_FIELD_OBJECT_ARRAY, /* ARRAY(struct of .size), each read with .sub */
        JSON_FIELD_CUSTOM,   /* .parse does it; .free releases it */
        _JSON_FIELD_TYPE_MAX,
} JsonFieldType;

typedef struct OptBool {
        bool value;
        bool set;
} OptBool;

enum {
        JSON_FIELD_REQUIRED = 1 << 0,
        JSON_FIELD_NULLABLE = 1 << 1, /* null reads as absent */
};

typedef struct JsonField JsonField;
struct JsonField {
        const char *name;
        JsonFieldType type;
        size_t offset;
        unsigned flags;
        const JsonField *sub; /* OBJECT, OBJECT_PTR, OBJECT_ARRAY */
        size_t size;          /* OBJECT_PTR, OBJECT_ARRAY: sizeof the element */
        int (*parse)(const JsonValue *v, void *dst, const char *path, Error *reterr);
        void (*free)(void *dst);
};

enum {
        JSON_DISPATCH_STRICT = 1 << 0, /* unknown members are errors */
};

/* path is the dotted name of obj for messages ("linux.resources"); may be "". */
int json_dispatch(const JsonValue *obj, const JsonField *table, void *target, const char *path, unsigned flags,
                  Error *reterr);
/* Frees everything json_dispatch() may have allocated into target. */
void json_dispatch_free(const JsonField *table, void *target);
/* For custom parsers: "path.name" or "path[i]". */
char *json_path_join(const char *path, const char *name);
char *json_path_index(const char *path, size_t i);
