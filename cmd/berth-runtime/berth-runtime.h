/* berth-runtime: runc's command line over src/runtime. One file per verb;
 * this header is what they share: the verb signature, option parsing that
 * behaves like runc's Go flags (-flag and --flag, --flag=value), and
 * printing. Nothing here knows how containers work. */
#pragma once

#include <getopt.h>

#include "common.h"
#include "json.h"
#include "oci.h"
#include "runtime.h"

#define PROGRAM_NAME "berth-runtime"

/* A verb gets argv starting at its own name. Returns 0 or -errno (with
 * reterr set); *ret_exit_code is the program's exit status on success
 * (run and exec pass on the container process's). */
typedef int (*VerbFunc)(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);

typedef struct Verb {
        const char *name;
        VerbFunc run;
        const char *summary;
} Verb;

int verb_create(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_start(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_run(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_state(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_kill(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_delete(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_exec(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_ps(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_list(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_pause(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_resume(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_update(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_events(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_spec(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);
int verb_features(const RuntimeContext *ctx, int argc, char **argv, int *ret_exit_code, Error *reterr);

/* create and run take the same options; run adds --detach and --keep
 * (ret_detach NULL: create). On success o's strings point into argv. */
int create_options_parse(int argc, char **argv, CreateOptions *o, bool *ret_detach, bool *ret_help, Error *reterr);

/* ---- options --------------------------------------------------------------
 * Verbs parse with getopt_long_only(), so that -flag and --flag both work as
 * in Go; main() resets optind and sets opterr = 0 before calling a verb.
 * Short option strings start with ":" so that a missing argument comes back
 * as ':'; a verb hands '?' and ':' to opt_error(). Every table has
 * OPTION_HELP. */

#define OPTION_HELP \
        { "help", no_argument, NULL, 'h' }

/* verb NULL: a global option. */
int opt_error(char **argv, int c, const char *verb, Error *reterr);

/* Checks the number of positional arguments left after the options, as
 * runc's checkArgs does. max < 0: no upper limit. */
int args_check(const char *verb, int argc, int optind_, int min, int max, Error *reterr);

/* Prints "Usage: berth-runtime VERB ARGS" and the options text to stdout. */
void usage_print(const char *verb, const char *args, const char *description, const char *options);

/* ---- output ---------------------------------------------------------------- */

/* json_dump() of v plus a newline, to stdout. */
int json_print(const JsonValue *v, unsigned flags, Error *reterr);
/* Pretty-printed with each level indented by `indent` spaces: runc prints
 * `state` with two and `features` with four. */
int json_print_indented(const JsonValue *v, unsigned indent, Error *reterr);

/* Reads all of path ("-" is stdin), at most max bytes. */
int input_read(const char *path, size_t max, char **ret, size_t *ret_len, Error *reterr);

/* Status of a container as `state` reports it; -ENOENT when it does not exist. */
int container_status_get(const RuntimeContext *ctx, const char *id, OciStatus *ret, Error *reterr);
