/* The error value: an errno and a message that each layer may prefix. */
#include "common.h"

static int error_setv(Error *reterr, int errnum, bool with_errno, const char *fmt, va_list ap) {
        if (errnum < 0)
                errnum = -errnum;
        if (errnum == 0)
                errnum = EIO;
        if (!reterr)
                return -errnum;

        char *msg = NULL;
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        if (msg && with_errno) {
                char *full = NULL;
                if (asprintf(&full, "%s: %s", msg, strerror(errnum)) < 0)
                        full = NULL;
                free(msg);
                msg = full;
        }
        free(reterr->msg);
        reterr->code = errnum;
        reterr->msg = msg;
        return -errnum;
}

int error_set(Error *reterr, int errnum, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = error_setv(reterr, errnum, true, fmt, ap);
        va_end(ap);
        return r;
}

int error_msg(Error *reterr, int errnum, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = error_setv(reterr, errnum, false, fmt, ap);
        va_end(ap);
        return r;
}

int error_wrap(Error *reterr, const char *fmt, ...) {
        if (!reterr)
                return -EIO;
        int code = reterr->code ? reterr->code : EIO;
        char *ctx = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&ctx, fmt, ap) < 0)
                ctx = NULL;
        va_end(ap);
        if (ctx) {
                char *full = NULL;
                if (asprintf(&full, "%s: %s", ctx, reterr->msg ? reterr->msg : strerror(code)) >= 0) {
                        free(reterr->msg);
                        reterr->msg = full;
                }
                free(ctx);
        }
        reterr->code = code;
        return -code;
}

void error_clear(Error *e) {
        if (!e)
                return;
        free(e->msg);
        e->msg = NULL;
        e->code = 0;
}
