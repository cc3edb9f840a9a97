/* Helpers shared by the unit tests; include after <cmocka.h>. */
#pragma once

#include <string.h>

#include "common.h"

/* JSON with ' for " so that documents written in tests stay readable. */
static inline char *q(const char *s) {
        char *r = strdup(s);
        assert_non_null(r);
        for (char *p = r; *p; p++)
                if (*p == '\'')
                        *p = '"';
        return r;
}

/* Fails unless e carries exactly msg; doc names the input in the report. */
static inline void assert_error_msg(const char *doc, const Error *e, const char *msg) {
        if (!e->msg || strcmp(e->msg, msg) != 0)
                fail_msg("for %s\n  got      \"%s\"\n  expected \"%s\"", doc, e->msg, msg);
}
