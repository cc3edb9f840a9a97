/* reference: content digests ("sha256:<hex>") and image references by
 * Docker's rules (distribution/reference's grammar and normalization, as
 * Docker 20.10 applies them): "busybox" is docker.io/library/busybox:latest,
 * and a first path component is a registry only if it has a '.' or a ':' or
 * is "localhost". The grammar is checked by hand rather than by regex so
 * that each error can say which part is wrong. */
#include "oci.h"

/* Inputs are echoed in messages; a fuzzer's megabyte is cut short, a
 * sha512 digest is not. */
#define ECHO_MAX 160

/* ---- digests ----------------------------------------------------------------------- */

static const struct {
        const char *name;
        size_t hex_len;
} digest_algorithms[] = {
        {"sha256", 64},
        {"sha512", 128},
};

static bool is_lower_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c) {
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* The image spec's algorithm grammar: [a-z0-9]+ ([+._-] [a-z0-9]+)*. */
static bool algorithm_is_valid(const char *s, size_t n) {
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 1; i < n; i++) {
                if (is_lower_alnum(s[i]))
                        continue;
                if (!strchr("+._-", s[i]) || !is_lower_alnum(s[i - 1]))
                        return false;
        }
        return true;
}

static int digest_error(Error *reterr, int errnum, const char *s, const char *fmt, ...) _printf_(4, 5);
static int digest_error(Error *reterr, int errnum, const char *s, const char *fmt, ...) {
        _cleanup_free_ char *why = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&why, fmt, ap);
        va_end(ap);
        if (k < 0)
                return error_set(reterr, ENOMEM, "parsing digest");
        size_t n = strlen(s);
        return error_msg(reterr, errnum, "invalid digest \"%.*s%s\": %s", (int) (n > ECHO_MAX ? ECHO_MAX : n), s,
                         n > ECHO_MAX ? "..." : "", why);
}

int oci_digest_parse(const char *s, OciDigest *ret, Error *reterr) {
        if (!s || !*s)
                return error_msg(reterr, EINVAL, "invalid digest: empty");
        const char *colon = strchr(s, ':');
        if (!colon)
                return digest_error(reterr, EINVAL, s, "missing ':' between algorithm and hex");
        size_t alg_len = (size_t) (colon - s);
        if (alg_len == 0)
                return digest_error(reterr, EINVAL, s, "missing algorithm before ':'");
        if (!algorithm_is_valid(s, alg_len))
                return digest_error(reterr, EINVAL, s, "algorithm must be lowercase letters and digits");

        size_t expected = 0;
        const char *alg = NULL;
        for (size_t i = 0; i < ELEMENTSOF(digest_algorithms); i++)
                if (strlen(digest_algorithms[i].name) == alg_len &&
                    memcmp(digest_algorithms[i].name, s, alg_len) == 0) {
                        alg = digest_algorithms[i].name;
                        expected = digest_algorithms[i].hex_len;
                }
        if (!alg)
                return digest_error(reterr, EOPNOTSUPP, s, "unsupported algorithm \"%.*s\" (sha256 or sha512)",
                                    (int) (alg_len > ECHO_MAX ? ECHO_MAX : alg_len), s);

        const char *hex = colon + 1;
        size_t hex_len = strlen(hex);
        for (size_t i = 0; i < hex_len; i++) {
                char c = hex[i];
                if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                        continue;
                if (c >= 'A' && c <= 'F')
                        return digest_error(reterr, EINVAL, s, "hex digits must be lowercase ('%c' at %zu)", c, i);
                if (c > ' ' && c < 0x7f)
                        return digest_error(reterr, EINVAL, s, "'%c' at %zu is not a hex digit", c, i);
                return digest_error(reterr, EINVAL, s, "byte 0x%02x at %zu is not a hex digit", (unsigned char) c, i);
        }
        if (hex_len != expected)
                return digest_error(reterr, EINVAL, s, "%s needs %zu hex digits, got %zu", alg, expected, hex_len);

        OciDigest d = {};
        memcpy(d.algorithm, alg, strlen(alg) + 1);
        memcpy(d.hex, hex, hex_len + 1);
        if (ret)
                *ret = d;
        return 0;
}

bool oci_digest_is_valid(const char *s) {
        return oci_digest_parse(s, NULL, NULL) >= 0;
}

bool oci_digest_is_set(const OciDigest *d) {
        return d && d->algorithm[0];
}

bool oci_digest_equal(const OciDigest *a, const OciDigest *b) {
        return a && b && strcmp(a->algorithm, b->algorithm) == 0 && strcmp(a->hex, b->hex) == 0;
}

const char *oci_digest_to_string(const OciDigest *d, char buf[static OCI_DIGEST_STRING_MAX]) {
        if (!oci_digest_is_set(d)) {
                buf[0] = '\0';
                return buf;
        }
        snprintf(buf, OCI_DIGEST_STRING_MAX, "%s:%s", d->algorithm, d->hex);
        return buf;
}

/* ---- references ---------------------------------------------------------------------- */

#define LEGACY_DEFAULT_DOMAIN "index.docker.io"
#define OFFICIAL_REPO_PREFIX  "library/"
#define TAG_MAX               128

static int ref_error(Error *reterr, const char *fmt, ...) _printf_(2, 3);
static int ref_error(Error *reterr, const char *fmt, ...) {
        _cleanup_free_ char *why = NULL;
        va_list ap;
        va_start(ap, fmt);
        int k = vasprintf(&why, fmt, ap);
        va_end(ap);
        if (k < 0)
                return error_set(reterr, ENOMEM, "parsing reference");
        return error_msg(reterr, EINVAL, "invalid reference format%s%s", *why ? ": " : "", why);
}

static int echo_len(size_t n) {
        return (int) (n > ECHO_MAX ? ECHO_MAX : n);
}

static bool is_tag_char(char c) {
        return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

bool oci_reference_tag_is_valid(const char *tag) {
        if (!tag || !tag[0] || !(is_alnum(tag[0]) || tag[0] == '_'))
                return false;
        size_t n = strlen(tag);
        if (n > TAG_MAX)
                return false;
        for (size_t i = 1; i < n; i++)
                if (!is_tag_char(tag[i]))
                        return false;
        return true;
}

/* alphanumeric ( separator alphanumeric )*, where a separator is '.', '_',
 * "__" or any run of '-'. */
static bool path_component_is_valid(const char *s, size_t n) {
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 1; i < n;) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                size_t j = i;
                if (s[i] == '.')
                        j++;
                else if (s[i] == '_')
                        j += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
                else if (s[i] == '-')
                        while (j < n && s[j] == '-')
                                j++;
                else
                        return false;
                if (j >= n || !is_lower_alnum(s[j]))
                        return false;
                i = j;
        }
        return true;
}

/* [A-Za-z0-9] ( [A-Za-z0-9-]* [A-Za-z0-9] )? */
static bool domain_component_is_valid(const char *s, size_t n) {
        if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
                return false;
        for (size_t i = 1; i + 1 < n; i++)
                if (!is_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

static bool port_is_valid(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* host [":" port], host a dotted name, an IPv4 address (which the name
 * grammar covers) or "[" IPv6 "]". */
static bool domain_is_valid(const char *d) {
        const char *port = NULL;
        if (d[0] == '[') {
                const char *close = strchr(d, ']');
                if (!close || close == d + 1)
                        return false;
                for (const char *p = d + 1; p < close; p++)
                        if (!strchr("0123456789abcdefABCDEF:", *p))
                                return false;
                if (close[1] == '\0')
                        return true;
                if (close[1] != ':')
                        return false;
                port = close + 2;
                return port_is_valid(port);
        }

        const char *colon = strchr(d, ':');
        size_t host_len = colon ? (size_t) (colon - d) : strlen(d);
        if (colon && !port_is_valid(colon + 1))
                return false;
        for (size_t i = 0; i < host_len;) {
                size_t j = i;
                while (j < host_len && d[j] != '.')
                        j++;
                if (!domain_component_is_valid(d + i, j - i))
                        return false;
                if (j == host_len)
                        return true;
                i = j + 1;
                if (i == host_len)
                        return false; /* trailing '.' */
        }
        return false;
}

static bool is_64_hex(const char *s) {
        if (strlen(s) != 64)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

static bool has_upper(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] >= 'A' && s[i] <= 'Z')
                        return true;
        return false;
}

/* Docker's splitDockerDomain: a registry needs a '.' or ':' or to be
 * "localhost"; otherwise "user/repo" would be read as registry "user". */
static bool first_component_is_domain(const char *s, size_t n) {
        if (memchr(s, '.', n) || memchr(s, ':', n))
                return true;
        return n == strlen("localhost") && memcmp(s, "localhost", n) == 0;
}

static int reference_parse(const char *s, OciReference *ref, Error *reterr) {
        size_t len = strlen(s);
        if (len == 0)
                return ref_error(reterr, "repository name must have at least one component");
        if (is_64_hex(s))
                return error_msg(reterr, EINVAL,
                                 "invalid repository name (%s), cannot specify 64-byte hexadecimal strings", s);

        const char *at = strchr(s, '@');
        size_t name_tag_len = at ? (size_t) (at - s) : len;
        if (at) {
                _cleanup_error_ Error e = {};
                if (oci_digest_parse(at + 1, NULL, &e) < 0)
                        return ref_error(reterr, "%s", e.msg);
                if (!(ref->digest = strdup(at + 1)))
                        return error_set(reterr, ENOMEM, "parsing reference");
        }

        const char *slash = memchr(s, '/', name_tag_len);
        const char *rest = s;
        if (slash && first_component_is_domain(s, (size_t) (slash - s))) {
                ref->domain = strndup(s, (size_t) (slash - s));
                rest = slash + 1;
        } else
                ref->domain = strdup(OCI_REFERENCE_DEFAULT_DOMAIN);
        if (!ref->domain)
                return error_set(reterr, ENOMEM, "parsing reference");
        size_t rest_len = name_tag_len - (size_t) (rest - s);

        /* The path has no ':', so the first one after the domain starts the tag. */
        const char *colon = memchr(rest, ':', rest_len);
        size_t path_len = colon ? (size_t) (colon - rest) : rest_len;
        if (has_upper(rest, path_len))
                return ref_error(reterr, "repository name must be lowercase");
        if (colon) {
                if (!(ref->tag = strndup(colon + 1, rest_len - path_len - 1)))
                        return error_set(reterr, ENOMEM, "parsing reference");
                if (strlen(ref->tag) > TAG_MAX)
                        return ref_error(reterr, "tag is longer than %d characters", TAG_MAX);
                if (!oci_reference_tag_is_valid(ref->tag))
                        return ref_error(reterr, "invalid tag \"%.*s\"", echo_len(strlen(ref->tag)), ref->tag);
        }

        if (!domain_is_valid(ref->domain))
                return ref_error(reterr, "invalid registry \"%.*s\"", echo_len(strlen(ref->domain)), ref->domain);
        if (strcmp(ref->domain, LEGACY_DEFAULT_DOMAIN) == 0) {
                free(ref->domain);
                if (!(ref->domain = strdup(OCI_REFERENCE_DEFAULT_DOMAIN)))
                        return error_set(reterr, ENOMEM, "parsing reference");
        }

        if (path_len == 0)
                return ref_error(reterr, "repository name must have at least one component");
        for (size_t i = 0; i < path_len;) {
                const char *end = memchr(rest + i, '/', path_len - i);
                size_t n = end ? (size_t) (end - (rest + i)) : path_len - i;
                if (!path_component_is_valid(rest + i, n))
                        return ref_error(reterr, "invalid repository name component \"%.*s\"", echo_len(n), rest + i);
                i += n + 1;
                if (end && i == path_len)
                        return ref_error(reterr, "repository name must not end with '/'");
        }

        bool official = strcmp(ref->domain, OCI_REFERENCE_DEFAULT_DOMAIN) == 0 && !memchr(rest, '/', path_len);
        ref->path =
                official ? strdup_printf(OFFICIAL_REPO_PREFIX "%.*s", (int) path_len, rest) : strndup(rest, path_len);
        if (!ref->path)
                return error_set(reterr, ENOMEM, "parsing reference");
        if (strlen(ref->domain) + 1 + strlen(ref->path) > OCI_REFERENCE_NAME_MAX)
                return error_msg(reterr, EINVAL, "repository name must not be more than %d characters",
                                 OCI_REFERENCE_NAME_MAX);

        if (!ref->tag && !ref->digest) {
                if (!(ref->tag = strdup(OCI_REFERENCE_DEFAULT_TAG)))
                        return error_set(reterr, ENOMEM, "parsing reference");
                ref->tag_implied = true;
        }
        return 0;
}

int oci_reference_parse(const char *s, OciReference **ret, Error *reterr) {
        if (!s)
                return ref_error(reterr, "repository name must have at least one component");
        OciReference *ref = calloc(1, sizeof *ref);
        if (!ref)
                return error_set(reterr, ENOMEM, "parsing reference");
        int r = reference_parse(s, ref, reterr);
        if (r < 0) {
                oci_reference_free(ref);
                return r;
        }
        *ret = ref;
        return 0;
}

OciReference *oci_reference_free(OciReference *r) {
        if (!r)
                return NULL;
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        free(r);
        return NULL;
}

static char *reference_format(const char *domain, const char *path, const OciReference *r) {
        return strdup_printf("%s%s%s%s%s%s%s", domain ? domain : "", domain ? "/" : "", path, r->tag ? ":" : "",
                             r->tag ? r->tag : "", r->digest ? "@" : "", r->digest ? r->digest : "");
}

char *oci_reference_to_string(const OciReference *r) {
        if (!r || !r->domain || !r->path)
                return NULL;
        return reference_format(r->domain, r->path, r);
}

char *oci_reference_name(const OciReference *r) {
        if (!r || !r->domain || !r->path)
                return NULL;
        return strdup_printf("%s/%s", r->domain, r->path);
}

char *oci_reference_familiar(const OciReference *r) {
        if (!r || !r->domain || !r->path)
                return NULL;
        if (strcmp(r->domain, OCI_REFERENCE_DEFAULT_DOMAIN) != 0)
                return reference_format(r->domain, r->path, r);
        const char *path = r->path;
        if (str_startswith(path, OFFICIAL_REPO_PREFIX) && !strchr(path + strlen(OFFICIAL_REPO_PREFIX), '/'))
                path += strlen(OFFICIAL_REPO_PREFIX);
        /* Docker would write docker.io/a.b/c as "a.b/c", which reads back
         * as registry a.b; the domain stays where it is needed. */
        const char *slash = strchr(path, '/');
        if (slash && first_component_is_domain(path, (size_t) (slash - path)))
                return reference_format(r->domain, r->path, r);
        return reference_format(NULL, path, r);
}
