/* Unit tests for oci/image.c and reference.c: media types, digests, image
 * references (a table of good and bad ones), platforms and manifest
 * selection from a multi-arch index, manifests and configs read, checked
 * and written back, and the errors that name fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "oci.h"
#include "test-util.h"

#define X8(s)    s s s s s s s s
#define HEX64(c) X8(X8(c))
#define D(c)     "sha256:" HEX64(c)


/* ---- media types ------------------------------------------------------------------- */

static void test_media_types(void **state) {
        for (OciMediaType t = 0; t < _OCI_MEDIA_TYPE_MAX; t++) {
                const char *s = oci_media_type_to_string(t);
                assert_non_null(s);
                assert_int_equal(oci_media_type_from_string(s), t);
                assert_true(oci_media_type_string_is_valid(s));
        }
        assert_null(oci_media_type_to_string(_OCI_MEDIA_TYPE_MAX));
        assert_null(oci_media_type_to_string(_OCI_MEDIA_TYPE_INVALID));
        assert_int_equal(oci_media_type_from_string("application/json"), _OCI_MEDIA_TYPE_INVALID);
        assert_int_equal(oci_media_type_from_string(NULL), _OCI_MEDIA_TYPE_INVALID);

        OciMediaType t = oci_media_type_from_string("application/vnd.docker.distribution.manifest.list.v2+json");
        assert_int_equal(t, OCI_MEDIA_TYPE_DOCKER_MANIFEST_LIST);
        assert_true(oci_media_type_is_index(t));
        assert_true(oci_media_type_is_index(OCI_MEDIA_TYPE_INDEX));
        assert_false(oci_media_type_is_manifest(t));
        assert_true(oci_media_type_is_manifest(OCI_MEDIA_TYPE_MANIFEST));
        assert_true(oci_media_type_is_manifest(OCI_MEDIA_TYPE_DOCKER_MANIFEST));
        assert_false(oci_media_type_is_manifest(OCI_MEDIA_TYPE_DOCKER_MANIFEST_SCHEMA1_SIGNED));
        assert_true(oci_media_type_is_config(OCI_MEDIA_TYPE_DOCKER_CONFIG));
        assert_false(oci_media_type_is_config(OCI_MEDIA_TYPE_EMPTY));
        assert_false(oci_media_type_is_layer(OCI_MEDIA_TYPE_CONFIG));
        assert_false(oci_media_type_is_layer(_OCI_MEDIA_TYPE_INVALID));

        static const struct {
                const char *name;
                OciCompression c;
        } layers[] = {
                {"application/vnd.oci.image.layer.v1.tar", OCI_COMPRESSION_NONE},
                {"application/vnd.oci.image.layer.v1.tar+gzip", OCI_COMPRESSION_GZIP},
                {"application/vnd.oci.image.layer.v1.tar+zstd", OCI_COMPRESSION_ZSTD},
                {"application/vnd.oci.image.layer.nondistributable.v1.tar", OCI_COMPRESSION_NONE},
                {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", OCI_COMPRESSION_GZIP},
                {"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", OCI_COMPRESSION_ZSTD},
                {"application/vnd.docker.image.rootfs.diff.tar.gzip", OCI_COMPRESSION_GZIP},
                {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", OCI_COMPRESSION_GZIP},
        };
        for (size_t i = 0; i < ELEMENTSOF(layers); i++) {
                OciMediaType l = oci_media_type_from_string(layers[i].name);
                assert_true(oci_media_type_is_layer(l));
                assert_int_equal(oci_media_type_layer_compression(l), layers[i].c);
        }
        assert_int_equal(oci_media_type_layer_compression(OCI_MEDIA_TYPE_MANIFEST), _OCI_COMPRESSION_INVALID);

        for (OciCompression c = 0; c < _OCI_COMPRESSION_MAX; c++)
                assert_int_equal(oci_compression_from_string(oci_compression_to_string(c)), c);
        assert_string_equal(oci_compression_to_string(OCI_COMPRESSION_ZSTD), "zstd");
        assert_int_equal(oci_compression_from_string("xz"), _OCI_COMPRESSION_INVALID);

        assert_true(oci_media_type_string_is_valid("application/vnd.example+json"));
        assert_false(oci_media_type_string_is_valid("application"));
        assert_false(oci_media_type_string_is_valid("/json"));
        assert_false(oci_media_type_string_is_valid("application/"));
        assert_false(oci_media_type_string_is_valid("application/json; charset=utf-8"));
        assert_false(oci_media_type_string_is_valid("application/.json"));
        assert_false(oci_media_type_string_is_valid("a/b/c"));
        assert_false(oci_media_type_string_is_valid(NULL));
}

/* ---- digests ------------------------------------------------------------------------- */

static void digest_fails(const char *s, int code, const char *msg) {
        _cleanup_error_ Error e = {};
        OciDigest d = {};
        int r = oci_digest_parse(s, &d, &e);
        if (r >= 0)
                fail_msg("digest \"%s\" parsed", s);
        assert_int_equal(r, -code);
        assert_error_msg(s, &e, msg);
        assert_false(oci_digest_is_valid(s));
}

static void test_digests(void **state) {
        _cleanup_error_ Error e = {};
        OciDigest d = {};
        char buf[OCI_DIGEST_STRING_MAX];

        assert_int_equal(oci_digest_parse(D("a"), &d, &e), 0);
        assert_string_equal(d.algorithm, "sha256");
        assert_string_equal(d.hex, HEX64("a"));
        assert_string_equal(oci_digest_to_string(&d, buf), D("a"));
        assert_true(oci_digest_is_set(&d));

        OciDigest d512 = {};
        assert_int_equal(oci_digest_parse("sha512:" HEX64("0") HEX64("f"), &d512, &e), 0);
        assert_string_equal(d512.algorithm, "sha512");
        assert_int_equal(strlen(d512.hex), 128);
        assert_string_equal(oci_digest_to_string(&d512, buf), "sha512:" HEX64("0") HEX64("f"));
        assert_false(oci_digest_equal(&d, &d512));
        OciDigest d2 = {};
        assert_int_equal(oci_digest_parse(D("a"), &d2, NULL), 0);
        assert_true(oci_digest_equal(&d, &d2));

        OciDigest unset = {};
        assert_false(oci_digest_is_set(&unset));
        assert_string_equal(oci_digest_to_string(&unset, buf), "");

        digest_fails("", EINVAL, "invalid digest: empty");
        digest_fails(HEX64("a"), EINVAL, "invalid digest \"" HEX64("a") "\": missing ':' between algorithm and hex");
        digest_fails(":" HEX64("a"), EINVAL, "invalid digest \":" HEX64("a") "\": missing algorithm before ':'");
        digest_fails("SHA256:" HEX64("a"), EINVAL,
                     "invalid digest \"SHA256:" HEX64("a") "\": algorithm must be lowercase letters and digits");
        digest_fails("md5:d41d8cd98f00b204e9800998ecf8427e", EOPNOTSUPP,
                     "invalid digest \"md5:d41d8cd98f00b204e9800998ecf8427e\": unsupported algorithm \"md5\" "
                     "(sha256 or sha512)");
        digest_fails("sha256:abc", EINVAL, "invalid digest \"sha256:abc\": sha256 needs 64 hex digits, got 3");
        digest_fails(D("a") "a", EINVAL, "invalid digest \"" D("a") "a\": sha256 needs 64 hex digits, got 65");
        digest_fails("sha256:", EINVAL, "invalid digest \"sha256:\": sha256 needs 64 hex digits, got 0");
        digest_fails("sha512:" HEX64("a"), EINVAL,
                     "invalid digest \"sha512:" HEX64("a") "\": sha512 needs 128 hex digits, got 64");
        digest_fails("sha256:" X8("A") X8(X8("a")), EINVAL,
                     "invalid digest \"sha256:" X8("A") X8(X8("a")) "\": hex digits must be lowercase ('A' at 0)");
        digest_fails("sha256:abg", EINVAL, "invalid digest \"sha256:abg\": 'g' at 2 is not a hex digit");
        digest_fails("sha256:ab\n", EINVAL, "invalid digest \"sha256:ab\n\": byte 0x0a at 2 is not a hex digit");
        digest_fails("sha256:a:b", EINVAL, "invalid digest \"sha256:a:b\": ':' at 1 is not a hex digit");

        /* The well-known sums: of nothing, and of "abc". */
        OciDigest c = {};
        assert_int_equal(oci_digest_compute("", 0, &c), 0);
        assert_string_equal(oci_digest_to_string(&c, buf),
                            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        _cleanup_free_ char *s = oci_digest_compute_string("abc", 3);
        assert_string_equal(s, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_true(oci_digest_is_valid(s));
}

/* ---- references ------------------------------------------------------------------------ */

static const struct {
        const char *in;
        const char *full;     /* oci_reference_to_string */
        const char *familiar; /* oci_reference_familiar */
        const char *domain;
        const char *path;
} good_refs[] = {
        {"busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"},
        {"busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "docker.io", "library/busybox"},
        {"library/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"},
        {"docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox"},
        {"docker.io/library/busybox:musl", "docker.io/library/busybox:musl", "busybox:musl", "docker.io",
         "library/busybox"},
        {"index.docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io",
         "library/busybox"},
        {"user/repo:tag", "docker.io/user/repo:tag", "user/repo:tag", "docker.io", "user/repo"},
        {"user/repo", "docker.io/user/repo:latest", "user/repo:latest", "docker.io", "user/repo"},
        {"docker.io/user/repo", "docker.io/user/repo:latest", "user/repo:latest", "docker.io", "user/repo"},
        {"library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest", "docker.io", "library/a/b"},
        {"a/b/c/d:v1", "docker.io/a/b/c/d:v1", "a/b/c/d:v1", "docker.io", "a/b/c/d"},
        {"localhost/x", "localhost/x:latest", "localhost/x:latest", "localhost", "x"},
        {"localhost:5000/x/y:tag", "localhost:5000/x/y:tag", "localhost:5000/x/y:tag", "localhost:5000", "x/y"},
        {"127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest", "127.0.0.1:5000/busybox:latest", "127.0.0.1:5000",
         "busybox"},
        {"[::1]:5000/busybox", "[::1]:5000/busybox:latest", "[::1]:5000/busybox:latest", "[::1]:5000", "busybox"},
        {"[fe80::1]/x", "[fe80::1]/x:latest", "[fe80::1]/x:latest", "[fe80::1]", "x"},
        {"ghcr.io/owner/image:v1.2.3", "ghcr.io/owner/image:v1.2.3", "ghcr.io/owner/image:v1.2.3", "ghcr.io",
         "owner/image"},
        {"Registry.Example.COM/x", "Registry.Example.COM/x:latest", "Registry.Example.COM/x:latest",
         "Registry.Example.COM", "x"},
        {"my-registry.local:443/team/app", "my-registry.local:443/team/app:latest",
         "my-registry.local:443/team/app:latest", "my-registry.local:443", "team/app"},
        {"busybox@" D("a"), "docker.io/library/busybox@" D("a"), "busybox@" D("a"), "docker.io", "library/busybox"},
        {"busybox:1.36@" D("b"), "docker.io/library/busybox:1.36@" D("b"), "busybox:1.36@" D("b"), "docker.io",
         "library/busybox"},
        {"localhost:5000/x@" D("c"), "localhost:5000/x@" D("c"), "localhost:5000/x@" D("c"), "localhost:5000", "x"},
        {"a_b-c/e__f--g.h", "docker.io/a_b-c/e__f--g.h:latest", "a_b-c/e__f--g.h:latest", "docker.io",
         "a_b-c/e__f--g.h"},
        {"busybox:UPPER_tag.1-x", "docker.io/library/busybox:UPPER_tag.1-x", "busybox:UPPER_tag.1-x", "docker.io",
         "library/busybox"},
        {"busybox:_", "docker.io/library/busybox:_", "busybox:_", "docker.io", "library/busybox"},
        {"localhost:5000", "docker.io/library/localhost:5000", "localhost:5000", "docker.io", "library/localhost"},
        {"docker.io", "docker.io/library/docker.io:latest", "docker.io:latest", "docker.io", "library/docker.io"},
        {"0/1", "docker.io/0/1:latest", "0/1:latest", "docker.io", "0/1"},
        {"docker.io/a.b/c", "docker.io/a.b/c:latest", "docker.io/a.b/c:latest", "docker.io", "a.b/c"},
        {"docker.io/localhost/c", "docker.io/localhost/c:latest", "docker.io/localhost/c:latest", "docker.io",
         "localhost/c"},
        {"x.com/library/busybox", "x.com/library/busybox:latest", "x.com/library/busybox:latest", "x.com",
         "library/busybox"},
        {"busybox:" X8("0123456789abcdef"), "docker.io/library/busybox:" X8("0123456789abcdef"),
         "busybox:" X8("0123456789abcdef"), "docker.io", "library/busybox"},
};

static const struct {
        const char *in;
        const char *msg;
} bad_refs[] = {
        {"", "invalid reference format: repository name must have at least one component"},
        {"Busybox", "invalid reference format: repository name must be lowercase"},
        {"user/Repo:tag", "invalid reference format: repository name must be lowercase"},
        {"Foo/bar", "invalid reference format: repository name must be lowercase"},
        {"localhost:5000/X", "invalid reference format: repository name must be lowercase"},
        {HEX64("a"), "invalid repository name (" HEX64("a") "), cannot specify 64-byte hexadecimal strings"},
        {"busybox:", "invalid reference format: invalid tag \"\""},
        {"busybox:-x", "invalid reference format: invalid tag \"-x\""},
        {"busybox:.x", "invalid reference format: invalid tag \".x\""},
        {"busybox:a/b", "invalid reference format: invalid registry \"busybox:a\""},
        {"busybox:a:b", "invalid reference format: invalid tag \"a:b\""},
        {"busybox:" X8("0123456789abcdef") "x", "invalid reference format: tag is longer than 128 characters"},
        {"busybox@", "invalid reference format: invalid digest: empty"},
        {"busybox@sha256:abc", "invalid reference format: invalid digest \"sha256:abc\": sha256 needs 64 hex digits, "
                               "got 3"},
        {"busybox@md5:d41d8cd98f00b204e9800998ecf8427e",
         "invalid reference format: invalid digest \"md5:d41d8cd98f00b204e9800998ecf8427e\": unsupported algorithm "
         "\"md5\" (sha256 or sha512)"},
        {"busybox@" D("a") "@" D("b"),
         "invalid reference format: invalid digest \"" D("a") "@" D("b") "\": '@' at 64 is not a hex digit"},
        {"-busybox", "invalid reference format: invalid repository name component \"-busybox\""},
        {"busybox-", "invalid reference format: invalid repository name component \"busybox-\""},
        {"a..b", "invalid reference format: invalid repository name component \"a..b\""},
        {"a___b", "invalid reference format: invalid repository name component \"a___b\""},
        {"a/.b", "invalid reference format: invalid repository name component \".b\""},
        {"a//b", "invalid reference format: invalid repository name component \"\""},
        {"/busybox", "invalid reference format: invalid repository name component \"\""},
        {"busybox/", "invalid reference format: repository name must not end with '/'"},
        {"bus box", "invalid reference format: invalid repository name component \"bus box\""},
        {"bus$box", "invalid reference format: invalid repository name component \"bus$box\""},
        {"localhost:5000/", "invalid reference format: repository name must have at least one component"},
        {"-bad.com/x", "invalid reference format: invalid registry \"-bad.com\""},
        {"bad-.com/x", "invalid reference format: invalid registry \"bad-.com\""},
        {"bad..com/x", "invalid reference format: invalid registry \"bad..com\""},
        {"bad.com./x", "invalid reference format: invalid registry \"bad.com.\""},
        {"host:port/x", "invalid reference format: invalid registry \"host:port\""},
        {"host:/x", "invalid reference format: invalid registry \"host:\""},
        {"[::1/x", "invalid reference format: invalid registry \"[::1\""},
        {"[]:5000/x", "invalid reference format: invalid registry \"[]:5000\""},
        {"[::g]/x", "invalid reference format: invalid registry \"[::g]\""},
        {"a_b.com/x", "invalid reference format: invalid registry \"a_b.com\""},
        {"example.com/" X8(X8("abc")) "/" X8(X8("abc")), "repository name must not be more than 255 characters"},
};

static void test_references(void **state) {
        for (size_t i = 0; i < ELEMENTSOF(good_refs); i++) {
                _cleanup_error_ Error e = {};
                _cleanup_(oci_reference_freep) OciReference *r = NULL;
                if (oci_reference_parse(good_refs[i].in, &r, &e) < 0)
                        fail_msg("\"%s\": %s", good_refs[i].in, e.msg);
                _cleanup_free_ char *full = oci_reference_to_string(r);
                _cleanup_free_ char *fam = oci_reference_familiar(r);
                if (strcmp(full, good_refs[i].full) != 0 || strcmp(fam, good_refs[i].familiar) != 0)
                        fail_msg("\"%s\": got %s and %s", good_refs[i].in, full, fam);
                assert_string_equal(r->domain, good_refs[i].domain);
                assert_string_equal(r->path, good_refs[i].path);

                /* The full form reads back as itself. */
                _cleanup_(oci_reference_freep) OciReference *again = NULL;
                assert_int_equal(oci_reference_parse(full, &again, &e), 0);
                _cleanup_free_ char *full2 = oci_reference_to_string(again);
                assert_string_equal(full, full2);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad_refs); i++) {
                _cleanup_error_ Error e = {};
                OciReference *r = NULL;
                int k = oci_reference_parse(bad_refs[i].in, &r, &e);
                if (k >= 0)
                        fail_msg("\"%s\" parsed", bad_refs[i].in);
                assert_int_equal(k, -EINVAL);
                assert_null(r);
                assert_error_msg(bad_refs[i].in, &e, bad_refs[i].msg);
        }
}

static void test_reference_parts(void **state) {
        _cleanup_error_ Error e = {};
        _cleanup_(oci_reference_freep) OciReference *r = NULL;
        assert_int_equal(oci_reference_parse("busybox", &r, &e), 0);
        assert_string_equal(r->tag, "latest");
        assert_true(r->tag_implied);
        assert_null(r->digest);
        _cleanup_free_ char *name = oci_reference_name(r);
        assert_string_equal(name, "docker.io/library/busybox");

        _cleanup_(oci_reference_freep) OciReference *t = NULL;
        assert_int_equal(oci_reference_parse("busybox:latest", &t, &e), 0);
        assert_false(t->tag_implied);

        /* A digest alone gets no tag, as Docker pulls it by digest only. */
        _cleanup_(oci_reference_freep) OciReference *d = NULL;
        assert_int_equal(oci_reference_parse("localhost:5000/a/b@" D("e"), &d, &e), 0);
        assert_null(d->tag);
        assert_false(d->tag_implied);
        assert_string_equal(d->digest, D("e"));

        /* Exactly 255 is allowed. */
        char buf[300];
        snprintf(buf, sizeof buf, "x.io/%0*d", 255 - 5, 0);
        _cleanup_(oci_reference_freep) OciReference *longest = NULL;
        assert_int_equal(oci_reference_parse(buf, &longest, &e), 0);
        strcat(buf, "0");
        OciReference *too_long = NULL;
        assert_int_equal(oci_reference_parse(buf, &too_long, &e), -EINVAL);
        assert_null(too_long);
        error_clear(&e);

        /* "library/" counts against the limit too. */
        snprintf(buf, sizeof buf, "%0*d", 255 - (int) strlen("docker.io/library/"), 0);
        _cleanup_(oci_reference_freep) OciReference *official = NULL;
        assert_int_equal(oci_reference_parse(buf, &official, &e), 0);

        assert_true(oci_reference_tag_is_valid("latest"));
        assert_true(oci_reference_tag_is_valid("_x"));
        assert_false(oci_reference_tag_is_valid(""));
        assert_false(oci_reference_tag_is_valid(NULL));
        assert_false(oci_reference_tag_is_valid("-x"));
        assert_false(oci_reference_tag_is_valid("a+b"));
        assert_null(oci_reference_to_string(NULL));
        assert_null(oci_reference_free(NULL));
}

/* ---- platforms and the index ------------------------------------------------------------ */

static void test_platform_names(void **state) {
        const char *arch = NULL, *variant = NULL, *os = NULL;
        assert_int_equal(oci_platform_from_machine("x86_64", &arch, &variant), 0);
        assert_string_equal(arch, "amd64");
        assert_null(variant);
        assert_int_equal(oci_platform_from_machine("aarch64", &arch, &variant), 0);
        assert_string_equal(arch, "arm64");
        assert_string_equal(variant, "v8");
        assert_int_equal(oci_platform_from_machine("armv7l", &arch, &variant), 0);
        assert_string_equal(arch, "arm");
        assert_string_equal(variant, "v7");
        assert_int_equal(oci_platform_from_machine("armv6l", &arch, &variant), 0);
        assert_string_equal(variant, "v6");
        assert_int_equal(oci_platform_from_machine("i686", &arch, &variant), 0);
        assert_string_equal(arch, "386");
        assert_int_equal(oci_platform_from_machine("ppc64le", &arch, NULL), 0);
        assert_string_equal(arch, "ppc64le");
        assert_int_equal(oci_platform_from_machine("pdp11", &arch, NULL), -EOPNOTSUPP);
        assert_string_equal(oci_platform_normalize_arch("x86_64"), "amd64");
        assert_string_equal(oci_platform_normalize_arch("arm64"), "arm64");
        assert_string_equal(oci_platform_normalize_arch("pdp11"), "pdp11");

        assert_int_equal(oci_platform_default(&os, &arch, &variant), 0);
        assert_string_equal(os, "linux");
        assert_non_null(arch);
#if defined(__x86_64__)
        assert_string_equal(arch, "amd64");
        assert_null(variant);
#elif defined(__aarch64__)
        assert_string_equal(arch, "arm64");
#endif
}

#define ENTRY(mt, d, arch, variant_json)                                                                  \
        "{'mediaType': '" mt "', 'digest': '" D(d) "', 'size': 1234, 'platform': {'architecture': '" arch \
                                                   "', 'os': 'linux'" variant_json "}}"
#define DOCKER_MANIFEST_MT "application/vnd.docker.distribution.manifest.v2+json"
#define OCI_MANIFEST_MT    "application/vnd.oci.image.manifest.v1+json"

/* As Docker Hub serves busybox, plus the attestation BuildKit adds. */
static const char multi_arch_list[] =
        "{'schemaVersion': 2, 'mediaType': 'application/vnd.docker.distribution.manifest.list.v2+json',\n"
        " 'manifests': [\n"
        "  " ENTRY(
                DOCKER_MANIFEST_MT, "0", "amd64",
                "") ",\n"
                    "  " ENTRY(
                            DOCKER_MANIFEST_MT, "1", "arm",
                            ", 'variant': 'v5'") ",\n"
                                                 "  " ENTRY(
                                                         DOCKER_MANIFEST_MT, "2", "arm",
                                                         ", 'variant': 'v6'") ",\n"
                                                                              "  " ENTRY(
                                                                                      DOCKER_MANIFEST_MT, "3", "arm",
                                                                                      ", 'variant': 'v7'") ",\n"
                                                                                                           "  " ENTRY(
                                                                                                                   DOCKER_MANIFEST_MT,
                                                                                                                   "4",
                                                                                                                   "arm"
                                                                                                                   "64",
                                                                                                                   ", "
                                                                                                                   "'va"
                                                                                                                   "ria"
                                                                                                                   "nt'"
                                                                                                                   ": "
                                                                                                                   "'v8"
                                                                                                                   "'") ",\n"
                                                                                                                        "  " ENTRY(
                                                                                                                                DOCKER_MANIFEST_MT,
                                                                                                                                "5",
                                                                                                                                "386",
                                                                                                                                "") ",\n"
                                                                                                                                    "  " ENTRY(
                                                                                                                                            DOCKER_MANIFEST_MT,
                                                                                                                                            "6",
                                                                                                                                            "ppc64le",
                                                                                                                                            "") ",\n"
                                                                                                                                                "  {'mediaType': 'application/vnd.docker.distribution.manifest.v2+json', 'digest': '" D(
                                                                                                                                                        "7") "',\n"
                                                                                                                                                             "   'size': 527, 'platform': {'architecture': 'riscv64', 'os': 'linux', 'os.version': '',\n"
                                                                                                                                                             "   'os.features': ['x'], 'features': null}}\n"
                                                                                                                                                             " ]}";

static OciIndex *index_ok(const char *text) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        OciIndex *idx = NULL;
        if (oci_index_parse(s, strlen(s), &idx, &e) < 0)
                fail_msg("parse failed: %s", e.msg);
        return idx;
}

static void index_fails(const char *text, const char *msg) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        OciIndex *idx = NULL;
        if (oci_index_parse(s, strlen(s), &idx, &e) >= 0)
                fail_msg("parse of %s succeeded; expected \"%s\"", s, msg);
        assert_null(idx);
        assert_error_msg(s, &e, msg);
}

static char select_digit(const OciIndex *idx, const char *os, const char *arch, const char *variant) {
        _cleanup_error_ Error e = {};
        const OciDescriptor *d = NULL;
        if (oci_index_select(idx, os, arch, variant, &d, &e) < 0)
                return 0;
        return d->digest.hex[0];
}

static void test_index_select(void **state) {
        _cleanup_(oci_index_freep) OciIndex *idx = index_ok(multi_arch_list);
        assert_int_equal(idx->schema_version, 2);
        assert_int_equal(idx->manifests.n, 8);
        assert_int_equal(idx->manifests.items[0].type, OCI_MEDIA_TYPE_DOCKER_MANIFEST);
        assert_int_equal(idx->manifests.items[0].size, 1234);
        assert_string_equal(idx->manifests.items[7].platform->os_features[0], "x");

        assert_int_equal(select_digit(idx, "linux", "amd64", NULL), '0');
        assert_int_equal(select_digit(idx, "linux", "x86_64", NULL), '0');
        assert_int_equal(select_digit(idx, "linux", "arm64", NULL), '4');
        assert_int_equal(select_digit(idx, "linux", "arm64", "v8"), '4');
        assert_int_equal(select_digit(idx, "linux", "aarch64", NULL), '4');
        assert_int_equal(select_digit(idx, "linux", "arm", "v7"), '3');
        assert_int_equal(select_digit(idx, "linux", "arm", NULL), '3');
        assert_int_equal(select_digit(idx, "linux", "arm", "v6"), '2');
        assert_int_equal(select_digit(idx, "linux", "arm", "v5"), '1');
        assert_int_equal(select_digit(idx, "linux", "386", NULL), '5');
        assert_int_equal(select_digit(idx, "linux", "ppc64le", NULL), '6');
        assert_int_equal(select_digit(idx, "linux", "riscv64", NULL), '7');
        assert_int_equal(select_digit(idx, "linux", "arm64", "v9"), '4');
        assert_int_equal(select_digit(idx, "linux", "amd64", "v3"), '0');
        assert_int_equal(select_digit(idx, "linux", "ppc64le", "power9"), 0);
        assert_int_equal(select_digit(idx, "windows", "amd64", NULL), 0);

        _cleanup_error_ Error e = {};
        const OciDescriptor *d = NULL;
        assert_int_equal(oci_index_select(idx, "linux", "s390x", NULL, &d, &e), -ENOENT);
        assert_string_equal(e.msg, "no matching manifest for linux/s390x in the manifest list entries");
        assert_null(d);
        error_clear(&e);
        assert_int_equal(oci_index_select(idx, "linux", "arm", "v4", &d, &e), -ENOENT);
        assert_string_equal(e.msg, "no matching manifest for linux/arm/v4 in the manifest list entries");
}

static void test_index_select_prefers(void **state) {
        /* amd64 v3 before v2 before plain; attestations (unknown/unknown)
         * and artifacts are never picked; on a tie the first wins. */
        _cleanup_(oci_index_freep) OciIndex *idx = index_ok(
                "{'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.index.v1+json', 'manifests': [\n"
                "  " ENTRY(OCI_MANIFEST_MT, "a", "unknown",
                           "") ",\n"
                               "  " ENTRY("application/vnd.example.artifact", "b", "amd64",
                                          "") ",\n"
                                              "  " ENTRY(OCI_MANIFEST_MT, "1", "amd64",
                                                         "") ",\n"
                                                             "  " ENTRY(OCI_MANIFEST_MT, "2", "amd64",
                                                                        ", 'variant': 'v2'") ",\n"
                                                                                             "  " ENTRY(
                                                                                                     OCI_MANIFEST_MT,
                                                                                                     "3", "amd64",
                                                                                                     ", 'variant': "
                                                                                                     "'v3'") ",\n"
                                                                                                             "  " ENTRY(
                                                                                                                     OCI_MANIFEST_MT,
                                                                                                                     "4",
                                                                                                                     "a"
                                                                                                                     "r"
                                                                                                                     "m"
                                                                                                                     "6"
                                                                                                                     "4",
                                                                                                                     "") ",\n"
                                                                                                                         "  " ENTRY(
                                                                                                                                 OCI_MANIFEST_MT,
                                                                                                                                 "5",
                                                                                                                                 "arm64",
                                                                                                                                 ", 'variant': 'v8'") ",\n"
                                                                                                                                                      "  {'mediaType': '" OCI_MANIFEST_MT
                                                                                                                                                      "', 'digest': '" D(
                                                                                                                                                              "c") "', 'size': 1}\n"
                                                                                                                                                                   "]}");
        assert_int_equal(idx->manifests.items[1].type, _OCI_MEDIA_TYPE_INVALID);
        assert_int_equal(select_digit(idx, "linux", "amd64", NULL), '1');
        assert_int_equal(select_digit(idx, "linux", "amd64", "v1"), '1');
        assert_int_equal(select_digit(idx, "linux", "amd64", "v2"), '2');
        assert_int_equal(select_digit(idx, "linux", "amd64", "v4"), '3');
        assert_int_equal(select_digit(idx, "linux", "arm64", NULL), '4');
        assert_int_equal(select_digit(idx, "linux", "arm64", "v8"), '4');
        assert_int_equal(select_digit(idx, "linux", "unknown", NULL), 'a');
}

static void test_index_errors(void **state) {
        index_fails("[]", "index: expected an object, got array");
        index_fails("{", "line 1 column 1: string or '}' expected near end of file");
        index_fails("{'manifests': []}", "schemaVersion: missing required field");
        index_fails("{'schemaVersion': 1, 'manifests': []}",
                    "schemaVersion: Docker schema 1 manifests are not supported (expected 2)");
        index_fails("{'schemaVersion': 3, 'manifests': []}", "schemaVersion: expected 2, got 3");
        index_fails("{'schemaVersion': -2, 'manifests': []}", "schemaVersion: -2 is out of range (0..4294967295)");
        index_fails("{'schemaVersion': 2}", "manifests: missing required field");
        index_fails("{'schemaVersion': 2, 'mediaType': '" OCI_MANIFEST_MT "', 'manifests': []}",
                    "mediaType: \"" OCI_MANIFEST_MT "\" is not an image index or manifest list");
        index_fails("{'schemaVersion': 2, 'manifests': [], 'config': {}}", "this is an image manifest, not an index");
        index_fails("{'schemaVersion': 2, 'manifests': [" ENTRY(OCI_MANIFEST_MT, "1", "amd64",
                                                                "") ", "
                                                                    "{'mediaType': '" OCI_MANIFEST_MT
                                                                    "', 'digest': 'sha256:1234', 'size': 1}]}",
                    "manifests[1].digest: invalid digest \"sha256:1234\": sha256 needs 64 hex digits, got 4");
        index_fails("{'schemaVersion': 2, 'manifests': [{'mediaType': '" OCI_MANIFEST_MT "', 'digest': 5, 'size': 1}]}",
                    "manifests[0].digest: expected string, got integer");
        index_fails("{'schemaVersion': 2, 'manifests': [{'mediaType': '" OCI_MANIFEST_MT
                    "', 'digest': '" D("1") "', 'size': -1}]}",
                    "manifests[0].size: must not be negative, got -1");
        index_fails("{'schemaVersion': 2, 'manifests': [{'mediaType': '" OCI_MANIFEST_MT "', 'digest': '" D("1") "'}]}",
                    "manifests[0].size: missing required field");
        index_fails("{'schemaVersion': 2, 'manifests': [{'mediaType': 'nonsense', 'digest': '" D("1") "', 'size': 1}]}",
                    "manifests[0].mediaType: \"nonsense\" is not a media type (type/subtype)");
        index_fails("{'schemaVersion': 2, 'manifests': [{'mediaType': '" OCI_MANIFEST_MT
                    "', 'digest': '" D("1") "', 'size': 1, 'platform': {'os': 'linux'}}]}",
                    "manifests[0].platform.architecture: missing required field");
        index_fails("{'schemaVersion': 2, 'manifests': [], 'annotations': {'a': 1}}",
                    "annotations.a: expected string, got integer");
        index_fails("{'schemaVersion': 2, 'manifests': [], 'subject': {'mediaType': 'a/b', 'size': 1}}",
                    "subject.digest: missing required field");
}

static void test_index_build(void **state) {
        _cleanup_(oci_index_freep) OciIndex *idx = oci_index_new();
        assert_non_null(idx);
        OciDescriptor d = {
                .media_type = (char *) OCI_MANIFEST_MT,
                .size = 42,
        };
        assert_int_equal(oci_digest_parse(D("9"), &d.digest, NULL), 0);
        assert_int_equal(oci_index_add(idx, &d, "docker.io/library/busybox:latest"), 0);
        assert_int_equal(oci_index_add(idx, &d, NULL), 0);
        assert_int_equal(idx->manifests.n, 2);
        assert_int_equal(idx->manifests.items[0].type, OCI_MEDIA_TYPE_MANIFEST);
        assert_ptr_not_equal(idx->manifests.items[0].media_type, d.media_type);
        assert_int_equal(d.annotations.n, 0);

        _cleanup_free_ char *json = NULL;
        assert_int_equal(oci_index_to_json(idx, &json), 0);
        _cleanup_free_ char *expected = q(
                "{'schemaVersion':2,'mediaType':'application/vnd.oci.image.index.v1+json','manifests':["
                "{'mediaType':'" OCI_MANIFEST_MT "','digest':'" D(
                        "9") "','size':42,"
                             "'annotations':{'org.opencontainers.image.ref.name':'docker.io/library/busybox:latest'}},"
                             "{'mediaType':'" OCI_MANIFEST_MT "','digest':'" D("9") "','size':42}]}");
        assert_string_equal(json, expected);

        _cleanup_(oci_index_freep) OciIndex *back = NULL;
        _cleanup_error_ Error e = {};
        assert_int_equal(oci_index_parse(json, strlen(json), &back, &e), 0);
        assert_string_equal(strmap_get(&back->manifests.items[0].annotations, OCI_ANNOTATION_REF_NAME),
                            "docker.io/library/busybox:latest");

        /* The multi-arch list writes back as it reads. */
        _cleanup_(oci_index_freep) OciIndex *list = index_ok(multi_arch_list);
        _cleanup_free_ char *j1 = NULL, *j2 = NULL;
        assert_int_equal(oci_index_to_json(list, &j1), 0);
        _cleanup_(oci_index_freep) OciIndex *list2 = NULL;
        assert_int_equal(oci_index_parse(j1, strlen(j1), &list2, &e), 0);
        assert_int_equal(oci_index_to_json(list2, &j2), 0);
        assert_string_equal(j1, j2);
        assert_non_null(strstr(j1, "\"variant\":\"v7\""));
}

/* ---- manifests ---------------------------------------------------------------------------- */

static const char docker_manifest[] =
        "{\n"
        "   'schemaVersion': 2,\n"
        "   'mediaType': 'application/vnd.docker.distribution.manifest.v2+json',\n"
        "   'config': {\n"
        "      'mediaType': 'application/vnd.docker.container.image.v1+json',\n"
        "      'size': 1457,\n"
        "      'digest': '" D(
                "c") "'\n"
                     "   },\n"
                     "   'layers': [\n"
                     "      {\n"
                     "         'mediaType': 'application/vnd.docker.image.rootfs.diff.tar.gzip',\n"
                     "         'size': 2591575,\n"
                     "         'digest': '" D(
                             "1") "'\n"
                                  "      },\n"
                                  "      {\n"
                                  "         'mediaType': 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',\n"
                                  "         'size': 100,\n"
                                  "         'digest': '" D("2") "',\n"
                                                                "         'urls': ['https://example.com/layer']\n"
                                                                "      }\n"
                                                                "   ]\n"
                                                                "}";

static OciManifest *manifest_ok(const char *text) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        OciManifest *m = NULL;
        if (oci_manifest_parse(s, strlen(s), &m, &e) < 0)
                fail_msg("parse failed: %s", e.msg);
        return m;
}

static void manifest_fails(const char *text, int code, const char *msg) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        OciManifest *m = NULL;
        int r = oci_manifest_parse(s, strlen(s), &m, &e);
        if (r >= 0)
                fail_msg("parse of %s succeeded; expected \"%s\"", s, msg);
        assert_int_equal(r, -code);
        assert_null(m);
        assert_error_msg(s, &e, msg);
}

#define CONFIG_DESC \
        "'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': '" D("c") "', 'size': 7}"
#define LAYER(mt) "{'mediaType': '" mt "', 'digest': '" D("1") "', 'size': 10}"
#define OCI_GZIP  "application/vnd.oci.image.layer.v1.tar+gzip"

static void test_manifest_docker(void **state) {
        _cleanup_(oci_manifest_freep) OciManifest *m = manifest_ok(docker_manifest);
        assert_int_equal(m->schema_version, 2);
        assert_string_equal(m->media_type, DOCKER_MANIFEST_MT);
        assert_int_equal(m->config.type, OCI_MEDIA_TYPE_DOCKER_CONFIG);
        assert_int_equal(m->config.size, 1457);
        assert_string_equal(m->config.digest.hex, HEX64("c"));
        assert_int_equal(m->layers.n, 2);
        assert_int_equal(m->layers.items[0].type, OCI_MEDIA_TYPE_DOCKER_LAYER_TAR_GZIP);
        assert_int_equal(oci_media_type_layer_compression(m->layers.items[0].type), OCI_COMPRESSION_GZIP);
        assert_int_equal(m->layers.items[0].size, 2591575);
        assert_string_equal(m->layers.items[1].urls[0], "https://example.com/layer");
        assert_null(m->subject);
        assert_int_equal(m->annotations.n, 0);
}

static void test_manifest_round_trip(void **state) {
        _cleanup_(oci_manifest_freep) OciManifest *m = manifest_ok(
                "{'schemaVersion': 2, 'mediaType': '" OCI_MANIFEST_MT "', " CONFIG_DESC ",\n"
                " 'layers': [" LAYER(
                        OCI_GZIP) ", {'mediaType': 'application/vnd.oci.image.layer.v1.tar+zstd',\n"
                                  "   'digest': '" D(
                                          "2") "', 'size': 0, 'annotations': {'z': '1', 'a': '2'}}],\n"
                                               " 'subject': {'mediaType': '" OCI_MANIFEST_MT "', 'digest': '" D(
                                                       "3") "', 'size': 5},\n"
                                                            " 'annotations': {'org.opencontainers.image.created': "
                                                            "'2024-01-01T00:00:00Z', 'b': 'x'},\n"
                                                            " 'unknown': {'ignored': true}}");
        assert_int_equal(m->layers.items[1].type, OCI_MEDIA_TYPE_LAYER_TAR_ZSTD);
        assert_non_null(m->subject);

        _cleanup_free_ char *json = NULL;
        assert_int_equal(oci_manifest_to_json(m, &json), 0);
        _cleanup_free_ char *expected =
                q("{'schemaVersion':2,'mediaType':'" OCI_MANIFEST_MT "',"
                  "'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" D(
                          "c") "','size':7},"
                               "'layers':[{'mediaType':'" OCI_GZIP "','digest':'" D(
                                       "1") "','size':10},"
                                            "{'mediaType':'application/vnd.oci.image.layer.v1.tar+zstd','digest':'" D(
                                                    "2") "','size':0,"
                                                         "'annotations':{'a':'2','z':'1'}}],"
                                                         "'subject':{'mediaType':'" OCI_MANIFEST_MT "','digest':'" D(
                                                                 "3") "','size':5},"
                                                                      "'annotations':{'b':'x','org.opencontainers."
                                                                      "image.created':'2024-01-01T00:00:00Z'}}");
        assert_string_equal(json, expected);

        _cleanup_(oci_manifest_freep) OciManifest *back = NULL;
        _cleanup_error_ Error e = {};
        assert_int_equal(oci_manifest_parse(json, strlen(json), &back, &e), 0);
        _cleanup_free_ char *json2 = NULL;
        assert_int_equal(oci_manifest_to_json(back, &json2), 0);
        assert_string_equal(json, json2);

        /* No mediaType (OCI allows it) and no layers (FROM scratch). */
        _cleanup_(oci_manifest_freep) OciManifest *bare = manifest_ok("{'schemaVersion': 2, " CONFIG_DESC "}");
        assert_null(bare->media_type);
        assert_int_equal(bare->layers.n, 0);
        _cleanup_free_ char *bare_json = NULL;
        assert_int_equal(oci_manifest_to_json(bare, &bare_json), 0);
        _cleanup_free_ char *bare_expected =
                q("{'schemaVersion':2,'config':{'mediaType':'application/vnd.oci.image.config.v1+json','digest':'" D(
                        "c") "','size':7},'layers':[]}");
        assert_string_equal(bare_json, bare_expected);
}

static void test_manifest_errors(void **state) {
        manifest_fails("{'schemaVersion': 2, " CONFIG_DESC ", 'layers': [" LAYER(OCI_GZIP) ", " LAYER(
                               OCI_GZIP) ", " LAYER("application/vnd.example.unknown") "]}",
                       EINVAL, "layers[2].mediaType: unsupported layer media type \"application/vnd.example.unknown\"");
        manifest_fails(
                "{'schemaVersion': 2, " CONFIG_DESC
                ", 'layers': [" LAYER("application/vnd.oci.image.config.v1+json") "]}",
                EINVAL,
                "layers[0].mediaType: unsupported layer media type \"application/vnd.oci.image.config.v1+json\"");
        manifest_fails("{'schemaVersion': 2, 'config': {'mediaType': 'application/vnd.cncf.helm.config.v1+json', "
                       "'digest': '" D("c") "', 'size': 7}}",
                       EINVAL,
                       "config.mediaType: unsupported config media type \"application/vnd.cncf.helm.config.v1+json\"");
        manifest_fails("{'schemaVersion': 2}", EINVAL, "config: missing required field");
        manifest_fails("{'schemaVersion': 2, 'config': null}", EINVAL, "config: missing required field");
        manifest_fails("{'schemaVersion': 1, 'name': 'x', 'fsLayers': []}", EINVAL,
                       "schemaVersion: Docker schema 1 manifests are not supported (expected 2)");
        manifest_fails("{'schemaVersion': 2, 'mediaType': "
                       "'application/vnd.docker.distribution.manifest.list.v2+json', " CONFIG_DESC "}",
                       EINVAL,
                       "mediaType: \"application/vnd.docker.distribution.manifest.list.v2+json\" is an image index, "
                       "not a manifest");
        manifest_fails("{'schemaVersion': 2, 'mediaType': 'text/plain', " CONFIG_DESC "}", EINVAL,
                       "mediaType: unsupported manifest media type \"text/plain\"");
        manifest_fails("{'schemaVersion': 2, " CONFIG_DESC ", 'layers': [{'mediaType': '" OCI_GZIP
                       "', 'digest': '" D("1") "', 'size': 1, 'urls': ['https://ok', 'file:///etc/shadow']}]}",
                       EINVAL, "layers[0].urls[1]: \"file:///etc/shadow\" is not an http or https URL");
        manifest_fails("{'schemaVersion': 2, " CONFIG_DESC ", 'layers': [{'mediaType': '" OCI_GZIP
                       "', 'digest': '" D("1") "', 'size': -5}]}",
                       EINVAL, "layers[0].size: must not be negative, got -5");
        manifest_fails("{'schemaVersion': 2, " CONFIG_DESC ", 'layers': [{'mediaType': '" OCI_GZIP
                       "', 'digest': '" D("1") "', 'size': 1.5}]}",
                       EINVAL, "layers[0].size: expected integer, got real");
        manifest_fails("{'schemaVersion': 2, 'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', "
                       "'digest': '" D("c") "', 'size': 999999999}}",
                       EFBIG, "config.size: 999999999 is larger than the limit of 16777216 bytes");
        manifest_fails("{'schemaVersion': 2, " CONFIG_DESC ", 'layers': {}}", EINVAL,
                       "layers: expected array, got object");
        manifest_fails("{'schemaVersion': 2, " CONFIG_DESC ", 'layers': [{'mediaType': '" OCI_GZIP
                       "', 'digest': '" D("1") "', 'size': 1, 'artifactType': 'bad'}]}",
                       EINVAL, "layers[0].artifactType: \"bad\" is not a media type (type/subtype)");
}

static void test_manifest_limits(void **state) {
        /* OCI_IMAGE_MAX_LAYERS layers are fine, one more is not. */
        for (int extra = 0; extra <= 1; extra++) {
                char *text = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&text, &len);
                assert_non_null(f);
                fputs("{'schemaVersion': 2, " CONFIG_DESC ", 'layers': [", f);
                for (int i = 0; i < OCI_IMAGE_MAX_LAYERS + extra; i++)
                        fprintf(f, "%s" LAYER(OCI_GZIP), i ? ", " : "");
                fputs("]}", f);
                fclose(f);
                if (extra == 0) {
                        _cleanup_(oci_manifest_freep) OciManifest *m = manifest_ok(text);
                        assert_int_equal(m->layers.n, OCI_IMAGE_MAX_LAYERS);
                } else
                        manifest_fails(text, EINVAL, "layers: 129 layers is more than the limit of 128");
                free(text);
        }

        /* Bigger than a registry would serve. */
        size_t big = OCI_MANIFEST_MAX_SIZE + 1;
        _cleanup_free_ char *buf = malloc(big);
        assert_non_null(buf);
        memset(buf, ' ', big);
        _cleanup_error_ Error e = {};
        OciManifest *m = NULL;
        assert_int_equal(oci_manifest_parse(buf, big, &m, &e), -EFBIG);
        assert_string_equal(e.msg, "manifest is larger than the limit of 4194304 bytes");
}

/* ---- image config --------------------------------------------------------------------------- */

/* What Docker writes for a busybox-based image with a few instructions. */
static const char docker_config[] =
        "{'architecture':'amd64','config':{'Hostname':'','Domainname':'','User':'nobody','AttachStdin':false,"
        "'ExposedPorts':{'80/tcp':{},'53/udp':null},'Tty':false,"
        "'Env':['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin','A=b c'],"
        "'Cmd':['sh'],'Entrypoint':null,'Image':'sha256:" HEX64(
                "9") "',"
                     "'Volumes':{'/data':{}},'WorkingDir':'/srv','OnBuild':null,'Labels':{'maintainer':'me','a':'b'},"
                     "'StopSignal':'SIGTERM','ArgsEscaped':true,"
                     "'Healthcheck':{'Test':['CMD-SHELL','true'],'Interval':30000000000,'Timeout':5000000000,'Retries':"
                     "3},"
                     "'Shell':['/bin/sh','-c']},"
                     "'container':'abc','container_config':{'Cmd':['/bin/sh']},"
                     "'created':'2023-05-19T20:19:22.751398522Z','docker_version':'20.10.23',"
                     "'history':[{'created':'2023-05-19T20:19:22.642507942Z','created_by':'/bin/sh -c #(nop) ADD "
                     "file:x in / '},"
                     "{'created':'2023-05-19T20:19:22.751398522Z','created_by':'/bin/sh -c #(nop)  CMD "
                     "[\\'sh\\']','empty_layer':true},"
                     "{'created_by':'RUN true','comment':'buildkit.dockerfile.v0'}],"
                     "'os':'linux','rootfs':{'type':'layers','diff_ids':['" D("d") "','" D("e") "']}}";

static OciImageConfig *config_ok(const char *text) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        OciImageConfig *c = NULL;
        if (oci_image_config_parse(s, strlen(s), &c, &e) < 0)
                fail_msg("parse failed: %s", e.msg);
        return c;
}

static void config_fails(const char *text, const char *msg) {
        _cleanup_free_ char *s = q(text);
        _cleanup_error_ Error e = {};
        OciImageConfig *c = NULL;
        if (oci_image_config_parse(s, strlen(s), &c, &e) >= 0)
                fail_msg("parse of %s succeeded; expected \"%s\"", s, msg);
        assert_null(c);
        assert_error_msg(s, &e, msg);
}

static void test_config_docker(void **state) {
        _cleanup_free_ char *text = q(docker_config);
        _cleanup_error_ Error e = {};
        _cleanup_(oci_image_config_freep) OciImageConfig *c = NULL;
        assert_int_equal(oci_image_config_parse(text, strlen(text), &c, &e), 0);

        assert_string_equal(c->architecture, "amd64");
        assert_string_equal(c->os, "linux");
        assert_null(c->variant);
        assert_string_equal(c->created, "2023-05-19T20:19:22.751398522Z");
        const OciImageRunConfig *rc = &c->config;
        assert_string_equal(rc->user, "nobody");
        assert_int_equal(strv_length(rc->exposed_ports), 2);
        assert_true(strv_contains(rc->exposed_ports, "80/tcp"));
        assert_true(strv_contains(rc->exposed_ports, "53/udp"));
        assert_string_equal(rc->env[1], "A=b c");
        assert_null(rc->entrypoint);
        assert_string_equal(rc->cmd[0], "sh");
        assert_string_equal(rc->volumes[0], "/data");
        assert_string_equal(rc->working_dir, "/srv");
        assert_string_equal(strmap_get(&rc->labels, "maintainer"), "me");
        assert_string_equal(rc->stop_signal, "SIGTERM");
        assert_true(rc->args_escaped);
        assert_non_null(rc->healthcheck);
        assert_string_equal(rc->healthcheck->test[0], "CMD-SHELL");
        assert_int_equal(rc->healthcheck->interval, 30000000000LL);
        assert_int_equal(rc->healthcheck->retries, 3);
        assert_int_equal(rc->healthcheck->start_period, 0);
        assert_string_equal(rc->shell[1], "-c");
        assert_null(rc->on_build);
        assert_string_equal(c->rootfs.type, "layers");
        assert_int_equal(c->rootfs.diff_ids.n, 2);
        assert_string_equal(c->rootfs.diff_ids.items[1].hex, HEX64("e"));
        assert_int_equal(c->history.n, 3);
        assert_true(c->history.items[1].empty_layer);
        assert_string_equal(c->history.items[2].comment, "buildkit.dockerfile.v0");
        assert_null(c->history.items[2].created);
        assert_true(oci_image_config_history_matches(c));

        /* The exact bytes are kept: the image ID is their digest. */
        assert_int_equal(c->raw_len, strlen(text));
        assert_memory_equal(c->raw, text, c->raw_len);
        _cleanup_free_ char *id = oci_digest_compute_string(c->raw, c->raw_len);
        _cleanup_free_ char *id2 = oci_digest_compute_string(text, strlen(text));
        assert_string_equal(id, id2);

        /* A manifest with as many layers agrees with it, one with fewer not. */
        _cleanup_(oci_manifest_freep) OciManifest *m = manifest_ok(docker_manifest);
        assert_int_equal(oci_image_check_layers(m, c, &e), 0);
        _cleanup_(oci_manifest_freep) OciManifest *one =
                manifest_ok("{'schemaVersion': 2, " CONFIG_DESC ", 'layers': [" LAYER(OCI_GZIP) "]}");
        assert_int_equal(oci_image_check_layers(one, c, &e), -EINVAL);
        assert_string_equal(e.msg, "the manifest has 1 layers but the config's rootfs.diff_ids has 2");
}

static void test_config_round_trip(void **state) {
        _cleanup_(oci_image_config_freep) OciImageConfig *c = config_ok(docker_config);
        _cleanup_free_ char *json = NULL;
        assert_int_equal(oci_image_config_to_json(c, &json), 0);
        _cleanup_free_ char *expected =
                q("{'created':'2023-05-19T20:19:22.751398522Z','architecture':'amd64','os':'linux',"
                  "'config':{'User':'nobody','ExposedPorts':{'53/udp':{},'80/tcp':{}},"
                  "'Env':['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin','A=b c'],"
                  "'Cmd':['sh'],'Volumes':{'/data':{}},'WorkingDir':'/srv','Labels':{'a':'b','maintainer':'me'},"
                  "'StopSignal':'SIGTERM','ArgsEscaped':true,"
                  "'Healthcheck':{'Test':['CMD-SHELL','true'],'Interval':30000000000,'Timeout':5000000000,'Retries':3},"
                  "'Shell':['/bin/sh','-c']},"
                  "'rootfs':{'type':'layers','diff_ids':['" D("d") "','" D(
                          "e") "']},"
                               "'history':[{'created':'2023-05-19T20:19:22.642507942Z','created_by':'/bin/sh -c #(nop) "
                               "ADD file:x in / '},"
                               "{'created':'2023-05-19T20:19:22.751398522Z','created_by':'/bin/sh -c #(nop)  CMD "
                               "[\\'sh\\']',"
                               "'empty_layer':true},{'created_by':'RUN true','comment':'buildkit.dockerfile.v0'}]}");
        assert_string_equal(json, expected);

        _cleanup_(oci_image_config_freep) OciImageConfig *back = NULL;
        _cleanup_error_ Error e = {};
        assert_int_equal(oci_image_config_parse(json, strlen(json), &back, &e), 0);
        _cleanup_free_ char *json2 = NULL;
        assert_int_equal(oci_image_config_to_json(back, &json2), 0);
        assert_string_equal(json, json2);

        /* A config built in code, as commit will: no raw bytes, empty rootfs. */
        OciImageConfig built = {.architecture = (char *) "arm64", .variant = (char *) "v8", .os = (char *) "linux"};
        _cleanup_free_ char *built_json = NULL;
        assert_int_equal(oci_image_config_to_json(&built, &built_json), 0);
        _cleanup_free_ char *built_expected = q("{'architecture':'arm64','variant':'v8','os':'linux','config':{},"
                                                "'rootfs':{'type':'layers','diff_ids':[]}}");
        assert_string_equal(built_json, built_expected);
}

static void test_config_errors(void **state) {
        config_fails("{'architecture': 'amd64', 'os': 'linux'}", "rootfs: missing required field");
        config_fails("{'rootfs': {'diff_ids': []}}", "rootfs.type: missing required field");
        config_fails("{'rootfs': {'type': 'layer', 'diff_ids': []}}",
                     "rootfs.type: expected \"layers\", got \"layer\"");
        config_fails("{'rootfs': {'type': 'layers', 'diff_ids': ['" D("a") "', 'sha256:xyz']}}",
                     "rootfs.diff_ids[1]: invalid digest \"sha256:xyz\": 'x' at 0 is not a hex digit");
        config_fails("{'rootfs': {'type': 'layers', 'diff_ids': '" D("a") "'}}",
                     "rootfs.diff_ids: expected array, got string");
        config_fails("{'rootfs': {'type': 'layers'}, 'config': {'ExposedPorts': {'80/tcp': 'yes'}}}",
                     "config.ExposedPorts.80/tcp: expected object, got string");
        config_fails("{'rootfs': {'type': 'layers'}, 'config': {'Volumes': ['/data']}}",
                     "config.Volumes: expected object, got array");
        config_fails("{'rootfs': {'type': 'layers'}, 'config': {'Env': 'A=b'}}",
                     "config.Env: expected array, got string");
        config_fails("{'rootfs': {'type': 'layers'}, 'config': {'Labels': {'a': 1}}}",
                     "config.Labels.a: expected string, got integer");
        config_fails("{'rootfs': {'type': 'layers'}, 'config': {'Healthcheck': {'Interval': -1}}}",
                     "config.Healthcheck.Interval: must not be negative");
        config_fails("{'rootfs': {'type': 'layers'}, 'history': [{'empty_layer': 'yes'}]}",
                     "history[0].empty_layer: expected boolean, got string");
        config_fails("'layers'", "image config: expected an object, got string");

        /* Nulls are absent, as Go reads them. */
        _cleanup_(oci_image_config_freep) OciImageConfig *n =
                config_ok("{'architecture': null, 'config': null, 'rootfs': {'type': 'layers', 'diff_ids': null}, "
                          "'history': null}");
        assert_null(n->architecture);
        assert_int_equal(n->rootfs.diff_ids.n, 0);
}

static void test_config_history_mismatch(void **state) {
        /* Two non-empty history entries for one layer: parsed, reported. */
        _cleanup_(oci_image_config_freep) OciImageConfig *c =
                config_ok("{'rootfs': {'type': 'layers', 'diff_ids': ['" D(
                        "a") "']},"
                             " 'history': [{'created_by': 'a'}, {'created_by': 'b'}, {'created_by': 'c', "
                             "'empty_layer': true}]}");
        assert_false(oci_image_config_history_matches(c));

        _cleanup_(oci_image_config_freep) OciImageConfig *none =
                config_ok("{'rootfs': {'type': 'layers', 'diff_ids': ['" D("a") "', '" D("b") "']}}");
        assert_true(oci_image_config_history_matches(none));
        assert_true(oci_image_config_history_matches(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_media_types),
                cmocka_unit_test(test_digests),
                cmocka_unit_test(test_references),
                cmocka_unit_test(test_reference_parts),
                cmocka_unit_test(test_platform_names),
                cmocka_unit_test(test_index_select),
                cmocka_unit_test(test_index_select_prefers),
                cmocka_unit_test(test_index_errors),
                cmocka_unit_test(test_index_build),
                cmocka_unit_test(test_manifest_docker),
                cmocka_unit_test(test_manifest_round_trip),
                cmocka_unit_test(test_manifest_errors),
                cmocka_unit_test(test_manifest_limits),
                cmocka_unit_test(test_config_docker),
                cmocka_unit_test(test_config_round_trip),
                cmocka_unit_test(test_config_errors),
                cmocka_unit_test(test_config_history_mismatch),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
