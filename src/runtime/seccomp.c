/* seccomp: linux.seccomp compiled once, in the runtime, by libseccomp into a
 * BPF program that runc's ENOSYS stub precedes; the program is kept as a
 * sock_fprog so that the container's process loads it with one syscall and
 * needs neither libseccomp nor the heap. */
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <seccomp.h>

#include "runtime.h"
#include "seccomp-filter.h"

struct SeccompFilter {
        unsigned long flags;    /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
        struct sock_fprog prog; /* .filter points at insns */
        struct sock_filter insns[];
};

static bool streq_ptr(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static inline void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

/* ---- names -------------------------------------------------------------- */

typedef enum SeccompAction {
        SECCOMP_ACTION_KILL,
        SECCOMP_ACTION_KILL_PROCESS,
        SECCOMP_ACTION_KILL_THREAD,
        SECCOMP_ACTION_TRAP,
        SECCOMP_ACTION_ERRNO,
        SECCOMP_ACTION_TRACE,
        SECCOMP_ACTION_ALLOW,
        SECCOMP_ACTION_LOG,
        SECCOMP_ACTION_NOTIFY,
        _SECCOMP_ACTION_MAX,
        _SECCOMP_ACTION_INVALID = -EINVAL,
} SeccompAction;

static const char *const seccomp_action_table[_SECCOMP_ACTION_MAX] = {
        [SECCOMP_ACTION_KILL] = "SCMP_ACT_KILL",
        [SECCOMP_ACTION_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
        [SECCOMP_ACTION_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
        [SECCOMP_ACTION_TRAP] = "SCMP_ACT_TRAP",
        [SECCOMP_ACTION_ERRNO] = "SCMP_ACT_ERRNO",
        [SECCOMP_ACTION_TRACE] = "SCMP_ACT_TRACE",
        [SECCOMP_ACTION_ALLOW] = "SCMP_ACT_ALLOW",
        [SECCOMP_ACTION_LOG] = "SCMP_ACT_LOG",
        [SECCOMP_ACTION_NOTIFY] = "SCMP_ACT_NOTIFY",
};

static SeccompAction seccomp_action_from_string(const char *s) {
        for (int a = 0; a < _SECCOMP_ACTION_MAX; a++)
                if (streq_ptr(s, seccomp_action_table[a]))
                        return a;
        return _SECCOMP_ACTION_INVALID;
}

static uint32_t seccomp_action_value(SeccompAction a, uint16_t data) {
        switch (a) {
        case SECCOMP_ACTION_KILL:
                return SCMP_ACT_KILL;
        case SECCOMP_ACTION_KILL_PROCESS:
                return SCMP_ACT_KILL_PROCESS;
        case SECCOMP_ACTION_KILL_THREAD:
                return SCMP_ACT_KILL_THREAD;
        case SECCOMP_ACTION_TRAP:
                return SCMP_ACT_TRAP;
        case SECCOMP_ACTION_ERRNO:
                return SCMP_ACT_ERRNO(data);
        case SECCOMP_ACTION_TRACE:
                return SCMP_ACT_TRACE(data);
        case SECCOMP_ACTION_ALLOW:
                return SCMP_ACT_ALLOW;
        case SECCOMP_ACTION_LOG:
                return SCMP_ACT_LOG;
        case SECCOMP_ACTION_NOTIFY:
        default:
                return SCMP_ACT_NOTIFY;
        }
}

/* Keyed by libseccomp's own enum: the value is what seccomp_rule_add takes. */
static const char *const seccomp_op_table[_SCMP_CMP_MAX] = {
        [SCMP_CMP_NE] = "SCMP_CMP_NE",
        [SCMP_CMP_LT] = "SCMP_CMP_LT",
        [SCMP_CMP_LE] = "SCMP_CMP_LE",
        [SCMP_CMP_EQ] = "SCMP_CMP_EQ",
        [SCMP_CMP_GE] = "SCMP_CMP_GE",
        [SCMP_CMP_GT] = "SCMP_CMP_GT",
        [SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static int seccomp_op_from_string(const char *s) {
        for (int op = _SCMP_CMP_MIN + 1; op < _SCMP_CMP_MAX; op++)
                if (streq_ptr(s, seccomp_op_table[op]))
                        return op;
        return -EINVAL;
}

/* The OCI name and libseccomp's; the latter may be unknown to an older
 * libseccomp, which is then an error of its own. */
static const struct {
        const char *oci;
        const char *scmp;
} seccomp_arch_table[] = {
        {"SCMP_ARCH_X86", "x86"},
        {"SCMP_ARCH_X86_64", "x86_64"},
        {"SCMP_ARCH_X32", "x32"},
        {"SCMP_ARCH_ARM", "arm"},
        {"SCMP_ARCH_AARCH64", "aarch64"},
        {"SCMP_ARCH_MIPS", "mips"},
        {"SCMP_ARCH_MIPS64", "mips64"},
        {"SCMP_ARCH_MIPS64N32", "mips64n32"},
        {"SCMP_ARCH_MIPSEL", "mipsel"},
        {"SCMP_ARCH_MIPSEL64", "mipsel64"},
        {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
        {"SCMP_ARCH_PPC", "ppc"},
        {"SCMP_ARCH_PPC64", "ppc64"},
        {"SCMP_ARCH_PPC64LE", "ppc64le"},
        {"SCMP_ARCH_S390", "s390"},
        {"SCMP_ARCH_S390X", "s390x"},
        {"SCMP_ARCH_PARISC", "parisc"},
        {"SCMP_ARCH_PARISC64", "parisc64"},
        {"SCMP_ARCH_RISCV64", "riscv64"},
        {"SCMP_ARCH_LOONGARCH64", "loongarch64"},
        {"SCMP_ARCH_M68K", "m68k"},
        {"SCMP_ARCH_SH", "sh"},
        {"SCMP_ARCH_SHEB", "sheb"},
};

static const struct {
        const char *name;
        unsigned long value;
} seccomp_flag_table[] = {
        {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
        {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
        {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
        {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};

#define SECCOMP_ARG_MAX 6
#define X32_SYSCALL_BIT 0x40000000U

/* ---- actions -------------------------------------------------------------- */

static bool seccomp_action_takes_errno(SeccompAction a) {
        return a == SECCOMP_ACTION_ERRNO || a == SECCOMP_ACTION_TRACE;
}

/* field is "linux.seccomp.syscalls[3]" or "linux.seccomp"; the members named
 * in messages differ between the two (action/defaultAction). */
static int action_parse(const char *field, bool is_default, const char *name, const OptU64 *errno_ret,
                        SeccompAction *ret_kind, uint32_t *ret_value, Error *reterr) {
        const char *action_key = is_default ? "defaultAction" : "action";
        const char *errno_key = is_default ? "defaultErrnoRet" : "errnoRet";
        if (!name)
                return error_msg(reterr, EINVAL, "%s.%s: missing", field, action_key);
        SeccompAction a = seccomp_action_from_string(name);
        if (a < 0)
                return error_msg(reterr, EINVAL, "%s.%s: unknown action \"%s\"", field, action_key, name);
        uint16_t data = EPERM;
        if (errno_ret->set) {
                if (!seccomp_action_takes_errno(a))
                        return error_msg(reterr, EINVAL,
                                         "%s.%s: %s takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)", field,
                                         errno_key, name);
                /* The kernel keeps 16 bits of return data. */
                if (errno_ret->value > UINT16_MAX)
                        return error_msg(reterr, ERANGE, "%s.%s: %" PRIu64 " is out of range (0-65535)", field,
                                         errno_key, errno_ret->value);
                data = (uint16_t) errno_ret->value;
        }
        *ret_kind = a;
        *ret_value = seccomp_action_value(a, data);
        return 0;
}

/* ---- the ENOSYS stub ------------------------------------------------------
 * With a deny-by-default profile, a syscall the profile's author never heard
 * of gets the default action, typically EPERM; libc then reports the error
 * instead of falling back to an older syscall (clone3 -> clone, faccessat2 ->
 * faccessat, statx -> fstatat). Like runc, we answer ENOSYS for every syscall
 * numbered above the largest one the profile names, per architecture. The
 * stub runs before libseccomp's program and either returns ENOSYS or jumps to
 * its first instruction; BPF jumps are relative, so libseccomp's program
 * needs no patching. */

#define STUB_ARCH_MAX 32
#define STUB_MAX      256

enum {
        LABEL_NEXT = -1, /* fall through */
        LABEL_ENOSYS,
        LABEL_FILTER,
        _LABEL_FIXED,
};
#define LABEL_SECTION(i) (_LABEL_FIXED + 2 * (i))
#define LABEL_X32(i)     (_LABEL_FIXED + 2 * (i) + 1)

typedef struct StubArch {
        uint32_t audit;  /* AUDIT_ARCH_* as the kernel reports it */
        int64_t max;     /* largest syscall number named, -1: none */
        int64_t max_x32; /* AUDIT_ARCH_X86_64 only: the same for the x32 ABI */
} StubArch;

typedef struct Stub {
        struct sock_filter insn[STUB_MAX];
        int target[STUB_MAX][2]; /* jt, jf labels (ja: [0]) */
        int pos[_LABEL_FIXED + 2 * STUB_ARCH_MAX];
        size_t n;
        bool overflow;
} Stub;

static void stub_emit(Stub *s, uint16_t code, uint32_t k, int jt, int jf) {
        if (s->n >= STUB_MAX) {
                s->overflow = true;
                return;
        }
        s->insn[s->n] = (struct sock_filter){.code = code, .k = k};
        s->target[s->n][0] = jt;
        s->target[s->n][1] = jf;
        s->n++;
}

static void stub_label(Stub *s, int label) {
        s->pos[label] = (int) s->n;
}

static int stub_offset(const Stub *s, size_t at, int label, uint32_t *ret) {
        if (label == LABEL_NEXT) {
                *ret = 0;
                return 0;
        }
        int to = s->pos[label];
        if (to <= (int) at)
                return -EINVAL;
        *ret = (uint32_t) (to - (int) at - 1);
        return 0;
}

static int stub_resolve(Stub *s) {
        if (s->overflow)
                return -E2BIG;
        for (size_t i = 0; i < s->n; i++) {
                struct sock_filter *f = &s->insn[i];
                if (BPF_CLASS(f->code) != BPF_JMP)
                        continue;
                uint32_t jt, jf;
                if (stub_offset(s, i, s->target[i][0], &jt) < 0 || stub_offset(s, i, s->target[i][1], &jf) < 0)
                        return -EINVAL;
                if (BPF_OP(f->code) == BPF_JA) {
                        f->k = jt;
                        continue;
                }
                if (jt > UINT8_MAX || jf > UINT8_MAX)
                        return -E2BIG;
                f->jt = (uint8_t) jt;
                f->jf = (uint8_t) jf;
        }
        return 0;
}

static int stub_build(const StubArch *arches, size_t n_arches, Stub *s) {
        *s = (Stub){};
        for (size_t i = 0; i < ELEMENTSOF(s->pos); i++)
                s->pos[i] = -1;

        stub_emit(s, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), LABEL_NEXT, LABEL_NEXT);
        for (size_t i = 0; i < n_arches; i++)
                stub_emit(s, BPF_JMP | BPF_JEQ | BPF_K, arches[i].audit, LABEL_SECTION(i), LABEL_NEXT);
        stub_emit(s, BPF_JMP | BPF_JA, 0, LABEL_FILTER, LABEL_NEXT);

        for (size_t i = 0; i < n_arches; i++) {
                const StubArch *a = &arches[i];
                stub_label(s, LABEL_SECTION(i));
                stub_emit(s, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), LABEL_NEXT, LABEL_NEXT);
                /* s390 multiplexes syscalls numbered above 255 through
                 * setup (0), and a number unknown to the kernel stays 0
                 * there; setup itself has been gone for decades. */
                if (a->audit == AUDIT_ARCH_S390 || a->audit == AUDIT_ARCH_S390X)
                        stub_emit(s, BPF_JMP | BPF_JEQ | BPF_K, 0, LABEL_ENOSYS, LABEL_NEXT);
                if (a->audit == AUDIT_ARCH_X86_64)
                        stub_emit(s, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, LABEL_X32(i), LABEL_NEXT);
                if (a->max >= 0)
                        stub_emit(s, BPF_JMP | BPF_JGT | BPF_K, (uint32_t) a->max, LABEL_ENOSYS, LABEL_NEXT);
                stub_emit(s, BPF_JMP | BPF_JA, 0, LABEL_FILTER, LABEL_NEXT);
                if (a->audit == AUDIT_ARCH_X86_64) {
                        stub_label(s, LABEL_X32(i));
                        if (a->max_x32 >= 0)
                                stub_emit(s, BPF_JMP | BPF_JGT | BPF_K, (uint32_t) a->max_x32, LABEL_ENOSYS,
                                          LABEL_NEXT);
                        stub_emit(s, BPF_JMP | BPF_JA, 0, LABEL_FILTER, LABEL_NEXT);
                }
        }
        stub_label(s, LABEL_ENOSYS);
        stub_emit(s, BPF_RET | BPF_K, SCMP_ACT_ERRNO(ENOSYS), LABEL_NEXT, LABEL_NEXT);
        stub_label(s, LABEL_FILTER);
        return stub_resolve(s);
}

/* The architectures in the filter, each with the largest syscall number
 * named in the profile for it. x32 shares x86_64's AUDIT_ARCH and marks its
 * syscalls with a bit instead. */
typedef struct ArchSet {
        uint32_t tokens[STUB_ARCH_MAX]; /* libseccomp's SCMP_ARCH_* */
        int64_t max[STUB_ARCH_MAX];
        size_t n;
} ArchSet;

static void arch_set_add(ArchSet *set, uint32_t token) {
        for (size_t i = 0; i < set->n; i++)
                if (set->tokens[i] == token)
                        return;
        if (set->n < STUB_ARCH_MAX) {
                set->tokens[set->n] = token;
                set->max[set->n] = -1;
                set->n++;
        }
}

static void arch_set_note_syscall(ArchSet *set, const char *name) {
        for (size_t i = 0; i < set->n; i++) {
                /* Negative numbers are libseccomp's pseudo-syscalls
                 * (socketcall-multiplexed calls), not in the kernel's table. */
                int nr = seccomp_syscall_resolve_name_arch(set->tokens[i], name);
                if (nr >= 0 && nr > set->max[i])
                        set->max[i] = nr;
        }
}

static size_t arch_set_to_stub(const ArchSet *set, StubArch ret[static STUB_ARCH_MAX]) {
        size_t n = 0;
        for (size_t i = 0; i < set->n; i++) {
                if (set->max[i] < 0)
                        continue;
                bool x32 = set->tokens[i] == SCMP_ARCH_X32;
                uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : set->tokens[i];
                size_t j;
                for (j = 0; j < n; j++)
                        if (ret[j].audit == audit)
                                break;
                if (j == n) {
                        ret[n++] = (StubArch){.audit = audit, .max = -1, .max_x32 = -1};
                }
                if (x32)
                        ret[j].max_x32 = set->max[i];
                else
                        ret[j].max = set->max[i];
        }
        return n;
}

/* ---- compiling ------------------------------------------------------------ */

/* A NULL program fails with EFAULT only once the flags have been accepted;
 * libseccomp probes the same way. */
static int kernel_check_filter_flags(unsigned long flags) {
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) == 0)
                return -EIO;
        return errno == EFAULT ? 0 : -errno;
}

static int flags_parse(const OciSeccomp *s, bool listener, unsigned long *ret, Error *reterr) {
        unsigned long flags = 0;
        for (size_t i = 0; s->flags && s->flags[i]; i++) {
                const char *name = s->flags[i];
                unsigned long v = 0;
                for (size_t j = 0; j < ELEMENTSOF(seccomp_flag_table); j++)
                        if (streq_ptr(name, seccomp_flag_table[j].name))
                                v = seccomp_flag_table[j].value;
                if (v == 0)
                        return error_msg(reterr, EINVAL, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, name);
                /* Only notifications can be waited for; without a listener
                 * the kernel would refuse the flag. */
                if (v == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !listener) {
                        log_debug("seccomp: %s ignored: no SCMP_ACT_NOTIFY rule", name);
                        continue;
                }
                /* The process is single-threaded when it loads the filter, so
                 * TSYNC has nothing to do; the kernel refuses TSYNC with a
                 * listener before 5.7 (TSYNC_ESRCH), so leave it out then. */
                if (v == SECCOMP_FILTER_FLAG_TSYNC && listener)
                        continue;
                unsigned long probe =
                        v | (v == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0);
                int r = kernel_check_filter_flags(probe);
                if (r < 0)
                        return error_set(reterr, r, "linux.seccomp.flags[%zu]: %s is not supported by this kernel", i,
                                         name);
                flags |= v;
        }
        if (listener) {
                int r = kernel_check_filter_flags(SECCOMP_FILTER_FLAG_NEW_LISTENER);
                if (r < 0)
                        return error_set(reterr, r,
                                         "linux.seccomp: SCMP_ACT_NOTIFY needs seccomp user notification, which this "
                                         "kernel lacks");
                flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
        }
        *ret = flags;
        return 0;
}

static int arches_add(scmp_filter_ctx ctx, const OciSeccomp *s, ArchSet *set, Error *reterr) {
        arch_set_add(set, seccomp_arch_native());
        for (size_t i = 0; s->architectures && s->architectures[i]; i++) {
                const char *name = s->architectures[i];
                const char *scmp = NULL;
                for (size_t j = 0; j < ELEMENTSOF(seccomp_arch_table); j++)
                        if (streq_ptr(name, seccomp_arch_table[j].oci))
                                scmp = seccomp_arch_table[j].scmp;
                if (!scmp)
                        return error_msg(reterr, EINVAL,
                                         "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i, name);
                uint32_t token = seccomp_arch_resolve_name(scmp);
                if (token == 0) {
                        const struct scmp_version *v = seccomp_version();
                        return error_msg(reterr, EOPNOTSUPP,
                                         "linux.seccomp.architectures[%zu]: %s is not supported by libseccomp %u.%u.%u",
                                         i, name, v->major, v->minor, v->micro);
                }
                int r = seccomp_arch_add(ctx, token);
                if (r == -EDOM)
                        return error_msg(reterr, EINVAL,
                                         "linux.seccomp.architectures[%zu]: %s cannot share a filter with this host's "
                                         "architecture (the byte order differs)",
                                         i, name);
                if (r < 0 && r != -EEXIST)
                        return error_set(reterr, r, "linux.seccomp.architectures[%zu]: adding %s", i, name);
                arch_set_add(set, token);
        }
        return 0;
}

static struct scmp_arg_cmp arg_cmp(const OciSeccompArg *a) {
        /* For MASKED_EQ libseccomp takes (mask, datum), and the spec's value
         * is the mask and valueTwo the datum (runc and crun read it so). */
        return (struct scmp_arg_cmp){
                .arg = a->index,
                .op = seccomp_op_from_string(a->op),
                .datum_a = a->value,
                .datum_b = a->value_two,
        };
}

/* Validates the arguments; *ret_split tells whether two of them test the
 * same index, which libseccomp refuses in one rule: runc then adds one rule
 * per condition (any of them matches), and so do we. */
static int args_check(const OciSeccompSyscall *sc, size_t i, bool *ret_split, Error *reterr) {
        unsigned count[SECCOMP_ARG_MAX] = {};
        bool split = false;
        for (size_t k = 0; k < sc->args.n; k++) {
                const OciSeccompArg *a = &sc->args.items[k];
                if (a->index >= SECCOMP_ARG_MAX)
                        return error_msg(reterr, EINVAL,
                                         "linux.seccomp.syscalls[%zu].args[%zu].index: %" PRIu32
                                         " is out of range (0-5)",
                                         i, k, a->index);
                if (!a->op)
                        return error_msg(reterr, EINVAL, "linux.seccomp.syscalls[%zu].args[%zu].op: missing", i, k);
                if (seccomp_op_from_string(a->op) < 0)
                        return error_msg(reterr, EINVAL,
                                         "linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator \"%s\"", i, k,
                                         a->op);
                if (++count[a->index] > 1)
                        split = true;
        }
        *ret_split = split;
        return 0;
}

static int rule_add(scmp_filter_ctx ctx, const OciSeccompSyscall *sc, uint32_t action, int nr, bool split,
                    size_t *n_rules) {
        int r;
        if (sc->args.n == 0) {
                r = seccomp_rule_add_array(ctx, action, nr, 0, NULL);
                *n_rules += r >= 0;
                return r;
        }
        if (split) {
                for (size_t k = 0; k < sc->args.n; k++) {
                        struct scmp_arg_cmp c = arg_cmp(&sc->args.items[k]);
                        if ((r = seccomp_rule_add_array(ctx, action, nr, 1, &c)) < 0)
                                return r;
                        (*n_rules)++;
                }
                return 0;
        }
        struct scmp_arg_cmp c[SECCOMP_ARG_MAX];
        for (size_t k = 0; k < sc->args.n; k++)
                c[k] = arg_cmp(&sc->args.items[k]);
        r = seccomp_rule_add_array(ctx, action, nr, (unsigned) sc->args.n, c);
        *n_rules += r >= 0;
        return r;
}

static int syscalls_add(scmp_filter_ctx ctx, const OciSeccomp *s, uint32_t default_action, ArchSet *set,
                        bool *ret_listener, size_t *ret_n_rules, Error *reterr) {
        bool listener = false;
        size_t n_rules = 0;
        for (size_t i = 0; i < s->syscalls.n; i++) {
                const OciSeccompSyscall *sc = &s->syscalls.items[i];
                char field[48];
                snprintf(field, sizeof field, "linux.seccomp.syscalls[%zu]", i);
                SeccompAction kind;
                uint32_t action;
                bool split = false;
                int r = action_parse(field, false, sc->action, &sc->errno_ret, &kind, &action, reterr);
                if (r < 0)
                        return r;
                if ((r = args_check(sc, i, &split, reterr)) < 0)
                        return r;
                if (!sc->names || !sc->names[0])
                        return error_msg(reterr, EINVAL, "%s.names: must name at least one syscall", field);
                listener = listener || kind == SECCOMP_ACTION_NOTIFY;

                for (size_t j = 0; sc->names[j]; j++) {
                        const char *name = sc->names[j];
                        /* The container's process passes the listener on
                         * with sendmsg once the filter is loaded; sent to the
                         * agent, that call would wait for itself (runc's
                         * equivalent refuses write). */
                        if (kind == SECCOMP_ACTION_NOTIFY && streq_ptr(name, "sendmsg"))
                                return error_msg(reterr, EINVAL,
                                                 "%s: SCMP_ACT_NOTIFY cannot be used for sendmsg: the runtime needs it "
                                                 "to hand the listener to the agent",
                                                 field);
                        arch_set_note_syscall(set, name);
                        /* libseccomp refuses a rule that repeats the default. */
                        if (action == default_action)
                                continue;
                        int nr = seccomp_syscall_resolve_name(name);
                        if (nr == __NR_SCMP_ERROR) {
                                log_debug("seccomp: %s.names[%zu]: unknown syscall \"%s\" skipped", field, j, name);
                                continue;
                        }
                        if ((r = rule_add(ctx, sc, action, nr, split, &n_rules)) < 0)
                                return error_set(reterr, r, "%s: adding the rule for \"%s\"", field, name);
                }
        }
        *ret_listener = listener;
        *ret_n_rules = n_rules;
        return 0;
}

/* libseccomp 2.5 exports only to an fd. */
static int export_bpf(scmp_filter_ctx ctx, const Stub *stub, unsigned long flags, SeccompFilter **ret, Error *reterr) {
        _cleanup_close_ int fd = memfd_create("berth-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return error_set(reterr, errno, "linux.seccomp: creating a memfd for the BPF program");
        int r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return error_set(reterr, r, "linux.seccomp: exporting the BPF program");
        struct stat st;
        if (fstat(fd, &st) < 0)
                return error_set(reterr, errno, "linux.seccomp: reading the BPF program");
        size_t size = (size_t) st.st_size;
        if (size == 0 || size % sizeof(struct sock_filter) != 0)
                return error_msg(reterr, EIO, "linux.seccomp: libseccomp exported a %zu-byte program", size);
        size_t n_stub = stub ? stub->n : 0;
        size_t n = n_stub + size / sizeof(struct sock_filter);
        if (n > BPF_MAXINSNS)
                return error_msg(reterr, E2BIG,
                                 "linux.seccomp: the filter compiles to %zu instructions, more than the kernel's %d", n,
                                 BPF_MAXINSNS);

        _cleanup_free_ SeccompFilter *f = malloc(offsetof(SeccompFilter, insns) + n * sizeof(struct sock_filter));
        if (!f)
                return error_set(reterr, ENOMEM, "linux.seccomp");
        if (n_stub)
                memcpy(f->insns, stub->insn, n_stub * sizeof(struct sock_filter));
        if (lseek(fd, 0, SEEK_SET) < 0)
                return error_set(reterr, errno, "linux.seccomp: reading the BPF program");
        r = read_all(fd, f->insns + n_stub, size);
        if (r < 0)
                return error_set(reterr, r, "linux.seccomp: reading the BPF program");
        if ((size_t) r != size)
                return error_msg(reterr, EIO, "linux.seccomp: short read of the BPF program");
        f->flags = flags;
        f->prog = (struct sock_fprog){.len = (unsigned short) n, .filter = f->insns};
        *ret = TAKE_PTR(f);
        return 0;
}

/* optimize: a binary search over syscall numbers instead of libseccomp's
 * linear chain. For Docker's profile on x86_64 it makes compiling ~40%
 * slower (about +3.5 ms) and loading faster (the kernel emulates the filter
 * for every syscall number to fill its action cache: 0.24 instead of 0.6 ms).
 * Worth it when the result is cached, not when it is compiled per start. */
static int filter_compile(const OciSeccomp *s, bool optimize, SeccompFilter **ret, Error *reterr) {
        SeccompAction default_kind;
        uint32_t default_action;
        int r = action_parse("linux.seccomp", true, s->default_action, &s->default_errno_ret, &default_kind,
                             &default_action, reterr);
        if (r < 0)
                return r;
        /* Every syscall, sendmsg included, would wait for an agent that has
         * no listener yet (runc refuses it too). */
        if (default_kind == SECCOMP_ACTION_NOTIFY)
                return error_msg(reterr, EINVAL,
                                 "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(default_action);
        if (!ctx)
                return error_msg(reterr, EOPNOTSUPP, "linux.seccomp.defaultAction: %s is not supported by this kernel",
                                 s->default_action);

        ArchSet set = {};
        if ((r = arches_add(ctx, s, &set, reterr)) < 0)
                return r;
        bool listener = false;
        size_t n_rules = 0;
        if ((r = syscalls_add(ctx, s, default_action, &set, &listener, &n_rules, reterr)) < 0)
                return r;
        if (listener && (!s->listener_path || !s->listener_path[0]))
                return error_msg(reterr, EINVAL,
                                 "linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
        unsigned long flags = 0;
        if ((r = flags_parse(s, listener, &flags, reterr)) < 0)
                return r;

        /* Short filters gain nothing, and libseccomp up to 2.5.4 misbehaves
         * with the tree on an empty filter (runc's threshold). */
        if (optimize && n_rules > 32 && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
                log_debug("seccomp: binary tree optimization unavailable: %s", strerror(-r));

        /* Permissive defaults already let new syscalls through; a tracer is
         * expected to handle them itself (runc's reasoning). */
        bool want_stub = default_kind != SECCOMP_ACTION_ALLOW && default_kind != SECCOMP_ACTION_LOG &&
                         default_kind != SECCOMP_ACTION_TRACE && default_action != SCMP_ACT_ERRNO(ENOSYS);
        _cleanup_free_ Stub *stub = NULL;
        if (want_stub) {
                StubArch arches[STUB_ARCH_MAX];
                size_t n = arch_set_to_stub(&set, arches);
                if (n > 0) {
                        stub = malloc(sizeof *stub);
                        if (!stub)
                                return error_set(reterr, ENOMEM, "linux.seccomp");
                        if ((r = stub_build(arches, n, stub)) < 0)
                                return error_set(reterr, r, "linux.seccomp: building the ENOSYS stub");
                }
        }
        return export_bpf(ctx, stub, flags, ret, reterr);
}

int seccomp_filter_prepare(const OciSeccomp *s, SeccompFilter **ret, Error *reterr) {
        return filter_compile(s, false, ret, reterr);
}

/* ---- the cache --------------------------------------------------------------
 * Compiling Docker's profile for x86_64, x86 and x32 takes libseccomp about
 * 10 ms, more than the rest of a container start; crun keeps compiled
 * filters for the same reason. An entry holds its whole key, which is
 * compared byte for byte, so a hash collision or a stale entry costs a
 * compile, never the wrong filter. The key covers everything the program
 * depends on: the profile, this executable, libseccomp's version, and the
 * kernel (flag and action probes). Entries go into CACHE_SLOTS files picked
 * by hash, which bounds the directory without any eviction logic. */

#define CACHE_SLOTS 64
#define CACHE_MAGIC "BSECCMP1"

typedef struct CacheHeader {
        char magic[8];
        uint64_t key_len;
        uint64_t n_insns;
        uint64_t flags;
        uint64_t checksum; /* of key and program: catches torn writes */
} CacheHeader;

typedef struct Buf {
        uint8_t *data;
        size_t len, cap;
        bool oom;
} Buf;

static void buf_put(Buf *b, const void *p, size_t n) {
        if (b->oom)
                return;
        if (b->len + n > b->cap) {
                size_t cap = b->cap ? b->cap : 4096;
                while (cap < b->len + n)
                        cap *= 2;
                uint8_t *d = realloc(b->data, cap);
                if (!d) {
                        b->oom = true;
                        return;
                }
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
}

static void buf_u64(Buf *b, uint64_t v) {
        buf_put(b, &v, sizeof v);
}

static void buf_str(Buf *b, const char *s) {
        if (!s) {
                buf_u64(b, UINT64_MAX);
                return;
        }
        size_t n = strlen(s);
        buf_u64(b, n);
        buf_put(b, s, n);
}

static void buf_strv(Buf *b, char *const *v) {
        size_t n = strv_length(v);
        buf_u64(b, n);
        for (size_t i = 0; i < n; i++)
                buf_str(b, v[i]);
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
        const uint8_t *c = p;
        for (size_t i = 0; i < n; i++)
                h = (h ^ c[i]) * 0x100000001b3ULL;
        return h;
}
#define FNV_OFFSET 0xcbf29ce484222325ULL

static int cache_key(const OciSeccomp *s, Buf *b) {
        struct stat exe;
        struct utsname u;
        if (stat("/proc/self/exe", &exe) < 0 || uname(&u) < 0)
                return -errno;
        const struct scmp_version *v = seccomp_version();
        buf_put(b, CACHE_MAGIC, sizeof CACHE_MAGIC);
        buf_u64(b, exe.st_dev), buf_u64(b, exe.st_ino), buf_u64(b, (uint64_t) exe.st_size);
        buf_u64(b, (uint64_t) exe.st_mtim.tv_sec), buf_u64(b, (uint64_t) exe.st_mtim.tv_nsec);
        buf_u64(b, v->major), buf_u64(b, v->minor), buf_u64(b, v->micro);
        buf_str(b, u.release), buf_str(b, u.version), buf_str(b, u.machine);

        buf_str(b, s->default_action);
        buf_u64(b, s->default_errno_ret.set), buf_u64(b, s->default_errno_ret.value);
        buf_strv(b, s->architectures);
        buf_strv(b, s->flags);
        buf_u64(b, s->listener_path && s->listener_path[0]);
        buf_u64(b, s->syscalls.n);
        for (size_t i = 0; i < s->syscalls.n; i++) {
                const OciSeccompSyscall *sc = &s->syscalls.items[i];
                buf_strv(b, sc->names);
                buf_str(b, sc->action);
                buf_u64(b, sc->errno_ret.set), buf_u64(b, sc->errno_ret.value);
                buf_u64(b, sc->args.n);
                for (size_t k = 0; k < sc->args.n; k++) {
                        const OciSeccompArg *a = &sc->args.items[k];
                        buf_u64(b, a->index), buf_u64(b, a->value), buf_u64(b, a->value_two);
                        buf_str(b, a->op);
                }
        }
        return b->oom ? -ENOMEM : 0;
}

static uint64_t cache_checksum(const void *key, size_t key_len, const void *insns, size_t n_insns) {
        return fnv1a(fnv1a(FNV_OFFSET, key, key_len), insns, n_insns * sizeof(struct sock_filter));
}

static int cache_load(int dirfd, const char *slot, const Buf *key, SeccompFilter **ret) {
        _cleanup_close_ int fd = openat(dirfd, slot, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        /* Only what we wrote ourselves is worth reading. */
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 0022))
                return -EPERM;
        CacheHeader h;
        int r = read_all(fd, &h, sizeof h);
        if (r < 0)
                return r;
        if ((size_t) r != sizeof h || memcmp(h.magic, CACHE_MAGIC, sizeof h.magic) != 0 || h.key_len != key->len ||
            h.n_insns == 0 || h.n_insns > BPF_MAXINSNS ||
            (uint64_t) st.st_size != sizeof h + h.key_len + h.n_insns * sizeof(struct sock_filter))
                return -EBADMSG;
        _cleanup_free_ uint8_t *stored = malloc(key->len);
        _cleanup_free_ SeccompFilter *f =
                malloc(offsetof(SeccompFilter, insns) + h.n_insns * sizeof(struct sock_filter));
        if (!stored || !f)
                return -ENOMEM;
        r = read_all(fd, stored, key->len);
        if (r < 0)
                return r;
        if ((size_t) r != key->len || memcmp(stored, key->data, key->len) != 0)
                return -ESTALE;
        size_t size = h.n_insns * sizeof(struct sock_filter);
        r = read_all(fd, f->insns, size);
        if (r < 0)
                return r;
        if ((size_t) r != size || cache_checksum(stored, key->len, f->insns, h.n_insns) != h.checksum)
                return -EBADMSG;
        f->flags = h.flags;
        f->prog = (struct sock_fprog){.len = (unsigned short) h.n_insns, .filter = f->insns};
        *ret = TAKE_PTR(f);
        return 0;
}

static int cache_store(int dirfd, const char *slot, const Buf *key, const SeccompFilter *f) {
        CacheHeader h = {
                .key_len = key->len,
                .n_insns = f->prog.len,
                .flags = f->flags,
                .checksum = cache_checksum(key->data, key->len, f->insns, f->prog.len),
        };
        memcpy(h.magic, CACHE_MAGIC, sizeof h.magic);
        char tmp[64];
        static unsigned counter;
        snprintf(tmp, sizeof tmp, ".%s.%d.%u", slot, (int) getpid(), counter++);
        int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        /* No fsync: the checksum rejects an entry that a crash tore, and the
         * cache normally lives on tmpfs under /run anyway. */
        int r = write_all(fd, &h, sizeof h);
        if (r >= 0)
                r = write_all(fd, key->data, key->len);
        if (r >= 0)
                r = write_all(fd, f->insns, f->prog.len * sizeof(struct sock_filter));
        safe_close(fd);
        if (r >= 0 && renameat(dirfd, tmp, dirfd, slot) < 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dirfd, tmp, 0);
        return r;
}

int seccomp_filter_prepare_cached(const OciSeccomp *s, int cache_dirfd, SeccompFilter **ret, Error *reterr) {
        if (cache_dirfd < 0)
                return seccomp_filter_prepare(s, ret, reterr);
        Buf key = {};
        int r = cache_key(s, &key);
        if (r < 0) {
                free(key.data);
                return seccomp_filter_prepare(s, ret, reterr);
        }
        char slot[32];
        snprintf(slot, sizeof slot, "seccomp-%02x", (unsigned) (fnv1a(FNV_OFFSET, key.data, key.len) % CACHE_SLOTS));
        r = cache_load(cache_dirfd, slot, &key, ret);
        if (r >= 0) {
                free(key.data);
                return 0;
        }
        if (r != -ENOENT)
                log_debug("seccomp: cache entry %s not used: %s", slot, strerror(-r));
        r = filter_compile(s, true, ret, reterr);
        if (r >= 0) {
                int q = cache_store(cache_dirfd, slot, &key, *ret);
                if (q < 0)
                        log_debug("seccomp: cannot store cache entry %s: %s", slot, strerror(-q));
        }
        free(key.data);
        return r;
}

SeccompFilter *seccomp_filter_free(SeccompFilter *f) {
        free(f);
        return NULL;
}

bool seccomp_filter_wants_listener(const SeccompFilter *f) {
        return f && (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
}

const struct sock_fprog *seccomp_filter_program(const SeccompFilter *f) {
        return &f->prog;
}

/* ---- in the container's process ------------------------------------------ */

int seccomp_filter_load(const SeccompFilter *f, int *ret_listener_fd) {
        *ret_listener_fd = -1;
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->flags, &f->prog);
        if (r < 0 && errno == ENOSYS && f->flags == 0)
                r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &f->prog, 0, 0);
        if (r < 0)
                return -errno;
        if (f->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
                *ret_listener_fd = (int) r;
        return 0;
}

int seccomp_send_listener(const char *listener_path, int listener_fd, const char *state_json, Error *reterr) {
        _cleanup_close_ int sock = unix_connect(listener_path);
        if (sock < 0)
                return error_set(reterr, sock, "connecting to the seccomp agent at %s", listener_path);
        int r = send_fd(sock, listener_fd, state_json, strlen(state_json));
        if (r < 0)
                return error_set(reterr, r, "sending the seccomp listener to %s", listener_path);
        return 0;
}

const char *runtime_seccomp_version(void) {
        static char buf[32];
        const struct scmp_version *v = seccomp_version();
        snprintf(buf, sizeof buf, "%u.%u.%u", v->major, v->minor, v->micro);
        return buf;
}
