/* sha256 over libcrypto. */
#include <openssl/evp.h>

#include "common.h"

int sha256_buf(const void *buf, size_t len, Sha256 *ret) {
        unsigned int n = 0;
        if (EVP_Digest(buf, len, ret->bytes, &n, EVP_sha256(), NULL) != 1 || n != sizeof ret->bytes)
                return -EIO;
        return 0;
}

void sha256_hex(const Sha256 *d, char ret[static 65]) {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < sizeof d->bytes; i++) {
                ret[2 * i] = hex[d->bytes[i] >> 4];
                ret[2 * i + 1] = hex[d->bytes[i] & 15];
        }
        ret[64] = '\0';
}
