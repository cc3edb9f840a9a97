/* libFuzzer entry point for what a registry or an image archive hands us:
 * the index (and Docker manifest list), the manifest and the image config,
 * plus image references and digests as a user or a Dockerfile writes them.
 * Whatever parses must write back as JSON that parses to the same JSON, and
 * a reference's normalized and familiar forms must read back as itself. */
#include "oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_failure(int r, const Error *e, const void *ret) {
        if (r >= 0)
                return;
        if (!e->msg || ret)
                __builtin_trap(); /* a failure must say why and hand back nothing */
}

static void fuzz_index(const char *buf, size_t size) {
        Error e = {};
        OciIndex *idx = NULL;
        int r = oci_index_parse(buf, size, &idx, &e);
        check_failure(r, &e, idx);
        error_clear(&e);
        if (r < 0)
                return;

        static const char *const platforms[][3] = {
                {"linux", "amd64", NULL}, {"linux", "arm64", "v8"}, {"linux", "arm", "v7"},
                {"linux", "arm", NULL},   {"linux", "386", NULL},   {"linux", "riscv64", "x"},
        };
        for (size_t i = 0; i < ELEMENTSOF(platforms); i++) {
                const OciDescriptor *d = NULL;
                r = oci_index_select(idx, platforms[i][0], platforms[i][1], platforms[i][2], &d, &e);
                if (r >= 0 && (!d || !oci_media_type_is_manifest(d->type)))
                        __builtin_trap();
                check_failure(r, &e, d);
                error_clear(&e);
        }

        char *json = NULL, *json2 = NULL;
        OciIndex *back = NULL;
        if (oci_index_to_json(idx, &json) < 0 || oci_index_parse(json, strlen(json), &back, &e) < 0 ||
            oci_index_to_json(back, &json2) < 0 || strcmp(json, json2) != 0)
                __builtin_trap();
        free(json);
        free(json2);
        oci_index_free(back);
        oci_index_free(idx);
}

static void fuzz_manifest(const char *buf, size_t size) {
        Error e = {};
        OciManifest *m = NULL;
        int r = oci_manifest_parse(buf, size, &m, &e);
        check_failure(r, &e, m);
        error_clear(&e);
        if (r < 0)
                return;
        if (m->layers.n > OCI_IMAGE_MAX_LAYERS || !oci_media_type_is_config(m->config.type))
                __builtin_trap();
        for (size_t i = 0; i < m->layers.n; i++)
                if (oci_media_type_layer_compression(m->layers.items[i].type) < 0)
                        __builtin_trap();

        char *json = NULL, *json2 = NULL;
        OciManifest *back = NULL;
        if (oci_manifest_to_json(m, &json) < 0 || oci_manifest_parse(json, strlen(json), &back, &e) < 0 ||
            oci_manifest_to_json(back, &json2) < 0 || strcmp(json, json2) != 0)
                __builtin_trap();
        free(json);
        free(json2);
        oci_manifest_free(back);
        oci_manifest_free(m);
}

static void fuzz_config(const char *buf, size_t size) {
        Error e = {};
        OciImageConfig *c = NULL;
        int r = oci_image_config_parse(buf, size, &c, &e);
        check_failure(r, &e, c);
        error_clear(&e);
        if (r < 0)
                return;
        if (c->raw_len != size || memcmp(c->raw, buf, size) != 0)
                __builtin_trap();
        (void) oci_image_config_history_matches(c);

        char *json = NULL, *json2 = NULL;
        OciImageConfig *back = NULL;
        if (oci_image_config_to_json(c, &json) < 0 || oci_image_config_parse(json, strlen(json), &back, &e) < 0 ||
            oci_image_config_to_json(back, &json2) < 0 || strcmp(json, json2) != 0)
                __builtin_trap();
        free(json);
        free(json2);
        oci_image_config_free(back);
        oci_image_config_free(c);
}

static void reparse_same(const char *s, const char *full) {
        Error e = {};
        OciReference *ref = NULL;
        if (oci_reference_parse(s, &ref, &e) < 0)
                __builtin_trap();
        char *again = oci_reference_to_string(ref);
        if (!again || strcmp(again, full) != 0)
                __builtin_trap();
        free(again);
        oci_reference_free(ref);
}

static void fuzz_reference(const char *buf, size_t size) {
        char *s = strndup(buf, size);
        if (!s)
                return;
        Error e = {};
        OciReference *ref = NULL;
        int r = oci_reference_parse(s, &ref, &e);
        check_failure(r, &e, ref);
        error_clear(&e);
        if (r >= 0) {
                char *full = oci_reference_to_string(ref);
                char *familiar = oci_reference_familiar(ref);
                char *name = oci_reference_name(ref);
                if (!full || !familiar || !name || strlen(name) > OCI_REFERENCE_NAME_MAX)
                        __builtin_trap();
                reparse_same(full, full);
                reparse_same(familiar, full);
                free(full);
                free(familiar);
                free(name);
                oci_reference_free(ref);
        }

        OciDigest d = {};
        r = oci_digest_parse(s, &d, &e);
        if (r < 0 && !e.msg)
                __builtin_trap();
        if (r >= 0) {
                char str[OCI_DIGEST_STRING_MAX];
                if (strcmp(oci_digest_to_string(&d, str), s) != 0)
                        __builtin_trap();
        }
        error_clear(&e);
        free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;
        fuzz_index(buf, size);
        fuzz_manifest(buf, size);
        fuzz_config(buf, size);
        if (size < 4096)
                fuzz_reference(buf, size);
        return 0;
}
