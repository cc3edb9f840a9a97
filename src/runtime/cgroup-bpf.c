/* cgroup-bpf.c: cgroup v2 has no devices.allow; a BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the container's cgroup decides each open and mknod.
 * The program is written here instruction by instruction (no libbpf in the
 * runtime), from linux.resources.devices, and replaces whatever device
 * program the cgroup had. */
#include <sys/syscall.h>

#include <linux/bpf.h>

#include "cgroup.h"

/* The kernel's own instruction macros live in a header it does not export. */
#define INSN(c, d, s, o, i)        ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off)       INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm)    INSN(BPF_ALU | BPF_OP(op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src)        INSN(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV64_IMM(dst, imm)        INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JMP_IMM(op, dst, imm, off) INSN(BPF_JMP | BPF_OP(op) | BPF_K, dst, 0, off, imm)
#define JMP_REG(op, dst, src, off) INSN(BPF_JMP | BPF_OP(op) | BPF_X, dst, src, off, 0)
#define EXIT()                     INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

enum { R0, R1, R2, R3, R4, R5 };

typedef struct Program {
        struct bpf_insn *insns;
        size_t n, cap;
} Program;

static int emit(Program *p, const struct bpf_insn *insns, size_t n) {
        if (p->n + n > p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 64;
                while (cap < p->n + n)
                        cap *= 2;
                struct bpf_insn *ni = realloc(p->insns, cap * sizeof *ni);
                if (!ni)
                        return -ENOMEM;
                p->insns = ni;
                p->cap = cap;
        }
        memcpy(p->insns + p->n, insns, n * sizeof *insns);
        p->n += n;
        return 0;
}

/* One rule as a block that jumps past itself when the access does not
 * match and returns the rule's verdict when it does. Returns 1 when the
 * rule matches everything, so that earlier rules can never be reached. */
static int emit_rule(Program *p, const OciDeviceRule *rule, Error *reterr) {
        const char *type = rule->type && rule->type[0] ? rule->type : "a";
        const char *access = rule->access && rule->access[0] ? rule->access : "rwm";
        int32_t acc = 0;
        if (type[1] || !strchr("acb", type[0]))
                return error_msg(reterr, EINVAL, "device rule: bad type \"%s\"", type);
        for (const char *a = access; *a; a++)
                switch (*a) {
                case 'r':
                        acc |= BPF_DEVCG_ACC_READ;
                        break;
                case 'w':
                        acc |= BPF_DEVCG_ACC_WRITE;
                        break;
                case 'm':
                        acc |= BPF_DEVCG_ACC_MKNOD;
                        break;
                default:
                        return error_msg(reterr, EINVAL, "device rule: bad access \"%s\"", access);
                }
        if ((rule->major.set && (rule->major.value < 0 || rule->major.value > INT32_MAX)) ||
            (rule->minor.set && (rule->minor.value < 0 || rule->minor.value > INT32_MAX)))
                return error_msg(reterr, EINVAL, "device rule: bad major or minor number");

        /* "a" means every device whatever the numbers and access, as the v1
         * kernel reads it. */
        bool all = type[0] == 'a';
        bool has_type = !all, has_major = !all && rule->major.set, has_minor = !all && rule->minor.set;
        bool has_access = !all && acc != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
        int16_t skip = (int16_t) (has_type + 3 * has_access + has_major + has_minor + 2);
        struct bpf_insn b[8];
        size_t n = 0;

        /* a jump at index k of the block skips to its end: off = skip - k - 1 */
        if (has_type) {
                b[n] = JMP_IMM(BPF_JNE, R2, type[0] == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK, 0);
                b[n].off = skip - (int16_t) n - 1;
                n++;
        }
        if (has_access) {
                /* An allow rule must cover all the access asked for; a deny
                 * rule refuses if it covers any of it, as v1 does when a
                 * denied bit is taken out of an allowed exception. */
                b[n++] = MOV32_REG(R1, R3);
                b[n++] = ALU32_IMM(BPF_AND, R1, acc);
                b[n] = rule->allow ? JMP_REG(BPF_JNE, R1, R3, 0) : JMP_IMM(BPF_JEQ, R1, 0, 0);
                b[n].off = skip - (int16_t) n - 1;
                n++;
        }
        if (has_major) {
                b[n] = JMP_IMM(BPF_JNE, R4, (int32_t) rule->major.value, 0);
                b[n].off = skip - (int16_t) n - 1;
                n++;
        }
        if (has_minor) {
                b[n] = JMP_IMM(BPF_JNE, R5, (int32_t) rule->minor.value, 0);
                b[n].off = skip - (int16_t) n - 1;
                n++;
        }
        b[n++] = MOV64_IMM(R0, rule->allow ? 1 : 0);
        b[n++] = EXIT();
        if (emit(p, b, n) < 0)
                return error_set(reterr, ENOMEM, "device program");
        return !has_type && !has_access && !has_major && !has_minor;
}

int cgroup_bpf_device_program(const OciDeviceRule *rules, size_t n, struct bpf_insn **ret, size_t *ret_n,
                              Error *reterr) {
        /* struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; } */
        static const struct bpf_insn prologue[] = {
                LDX_W(R2, R1, 0), ALU32_IMM(BPF_AND, R2, 0xFFFF), /* type */
                LDX_W(R3, R1, 0), ALU32_IMM(BPF_RSH, R3, 16),     /* access */
                LDX_W(R4, R1, 4),                                 /* major */
                LDX_W(R5, R1, 8),                                 /* minor */
        };
        static const struct bpf_insn deny[] = {MOV64_IMM(R0, 0), EXIT()};
        Program p = {};
        int r = emit(&p, prologue, ELEMENTSOF(prologue));
        bool terminal = false;
        /* last to first: the first block that matches decides */
        for (size_t i = n; r >= 0 && i > 0 && !terminal; i--) {
                r = emit_rule(&p, &rules[i - 1], reterr);
                if (r < 0)
                        r = error_wrap(reterr, "linux.resources.devices[%zu]", i - 1);
                terminal = r > 0;
        }
        if (r >= 0 && !terminal && emit(&p, deny, ELEMENTSOF(deny)) < 0)
                r = error_set(reterr, ENOMEM, "device program");
        if (r < 0) {
                free(p.insns);
                return r;
        }
        *ret = p.insns;
        *ret_n = p.n;
        return 0;
}

static int bpf(int cmd, union bpf_attr *attr) {
        long r = syscall(SYS_bpf, cmd, attr, sizeof *attr);
        return r < 0 ? -errno : (int) r;
}

static int prog_load(const struct bpf_insn *insns, size_t n, Error *reterr) {
        union bpf_attr a = {
                .prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
                .insns = (uint64_t) (uintptr_t) insns,
                .insn_cnt = (uint32_t) n,
                .license = (uint64_t) (uintptr_t) "Apache",
        };
        int fd = bpf(BPF_PROG_LOAD, &a);
        if (fd >= 0)
                return fd;
        /* again with the verifier's log, for the message */
        char log[4096] = "";
        a.log_level = 1;
        a.log_buf = (uint64_t) (uintptr_t) log;
        a.log_size = sizeof log;
        int r = bpf(BPF_PROG_LOAD, &a);
        if (r >= 0)
                return r;
        log[strcspn(log, "\n")] = '\0';
        if (log[0])
                return error_msg(reterr, -r, "loading the device filter: %s (%s)", strerror(-r), log);
        return error_set(reterr, r, "loading the device filter");
}

/* The device programs attached to this cgroup itself (not inherited). */
static int prog_query(int dirfd, uint32_t *ids, uint32_t cap, uint32_t *ret_n) {
        union bpf_attr a = {
                .query.target_fd = (uint32_t) dirfd,
                .query.attach_type = BPF_CGROUP_DEVICE,
                .query.prog_ids = (uint64_t) (uintptr_t) ids,
                .query.prog_cnt = cap,
        };
        int r = bpf(BPF_PROG_QUERY, &a);
        if (r < 0)
                return r;
        *ret_n = a.query.prog_cnt < cap ? a.query.prog_cnt : cap;
        return 0;
}

static int prog_fd_by_id(uint32_t id) {
        union bpf_attr a = {.prog_id = id};
        return bpf(BPF_PROG_GET_FD_BY_ID, &a);
}

#define MAX_ATTACHED 64 /* the kernel's own limit per cgroup and type */

int cgroup_bpf_apply_devices(int dirfd, const OciDeviceRule *rules, size_t n, Error *reterr) {
        _cleanup_free_ struct bpf_insn *insns = NULL;
        size_t ninsns = 0;
        int r = cgroup_bpf_device_program(rules, n, &insns, &ninsns, reterr);
        if (r < 0)
                return r;
        _cleanup_close_ int prog = prog_load(insns, ninsns, reterr);
        if (prog < 0)
                return prog;

        uint32_t ids[MAX_ATTACHED], nids = 0;
        if ((r = prog_query(dirfd, ids, MAX_ATTACHED, &nids)) < 0)
                return error_set(reterr, r, "querying the device filters of the cgroup");

        /* One program there (ours, from create): swap it in place, so that
         * no moment runs with both or with neither. */
        if (nids == 1) {
                _cleanup_close_ int old = prog_fd_by_id(ids[0]);
                if (old >= 0) {
                        union bpf_attr a = {
                                .target_fd = (uint32_t) dirfd,
                                .attach_bpf_fd = (uint32_t) prog,
                                .attach_type = BPF_CGROUP_DEVICE,
                                .attach_flags = BPF_F_ALLOW_MULTI | BPF_F_REPLACE,
                                .replace_bpf_fd = (uint32_t) old,
                        };
                        if (bpf(BPF_PROG_ATTACH, &a) >= 0)
                                return 0;
                }
        }

        union bpf_attr a = {
                .target_fd = (uint32_t) dirfd,
                .attach_bpf_fd = (uint32_t) prog,
                .attach_type = BPF_CGROUP_DEVICE,
                .attach_flags = BPF_F_ALLOW_MULTI,
        };
        if ((r = bpf(BPF_PROG_ATTACH, &a)) < 0)
                return error_set(reterr, r, "attaching the device filter");
        /* The new one runs; now the old ones go. Each must allow an access
         * for it to pass, so until they are gone the result is never wider
         * than either. */
        for (uint32_t i = 0; i < nids; i++) {
                _cleanup_close_ int old = prog_fd_by_id(ids[i]);
                if (old < 0)
                        continue; /* gone meanwhile */
                union bpf_attr d = {
                        .target_fd = (uint32_t) dirfd,
                        .attach_bpf_fd = (uint32_t) old,
                        .attach_type = BPF_CGROUP_DEVICE,
                };
                if ((r = bpf(BPF_PROG_DETACH, &d)) < 0 && r != -ENOENT)
                        return error_set(reterr, r, "detaching the previous device filter");
        }
        return 0;
}
