/* libFuzzer entry point for config.json, process.json (exec --process) and
 * resources documents (update -r): every parser of a bundle's JSON. */
#include "oci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;

        OciSpec *spec = NULL;
        Error e = {};
        if (oci_spec_parse(buf, size, &spec, &e) >= 0) {
                /* What the runtime reads first on every spec. */
                for (OciNamespaceType t = 0; t < _OCI_NS_MAX; t++)
                        (void) oci_spec_find_namespace(spec, t);
                oci_spec_free(spec);
        } else if (!e.msg || spec)
                __builtin_trap(); /* a failure must say why and hand back nothing */
        error_clear(&e);

        OciProcess *p = NULL;
        if (oci_process_parse(buf, size, &p, &e) >= 0)
                oci_process_free(p);
        else if (!e.msg || p)
                __builtin_trap();
        error_clear(&e);

        OciResources *r = NULL;
        if (oci_resources_parse(buf, size, &r, &e) >= 0)
                oci_resources_free(r);
        else if (!e.msg || r)
                __builtin_trap();
        error_clear(&e);
        return 0;
}
