/* The state directory: <root>/<id>/ holds state.json (what later commands
 * need: pid and its start time, bundle, cgroup), config.json (the spec as it
 * was at create, for hooks and exec), and exec.fifo while the container
 * waits for start. The status is derived, never stored. */
#include <sys/stat.h>
#include <time.h>

#include "container.h"

static int parse_cgroup(const JsonValue *v, void *dst, const char *path, Error *reterr) {
        *(JsonValue **) dst = json_ref((JsonValue *) v);
        return 0;
}

static void free_cgroup(void *dst) {
        *(JsonValue **) dst = json_unref(*(JsonValue **) dst);
}

static const JsonField state_fields[] = {
        { "id", JSON_FIELD_STRING, offsetof(ContainerState, id), JSON_FIELD_REQUIRED },
        { "pid", JSON_FIELD_I32, offsetof(ContainerState, pid), JSON_FIELD_REQUIRED },
        { "pidStart", JSON_FIELD_U64, offsetof(ContainerState, pid_start) },
        { "bundle", JSON_FIELD_STRING, offsetof(ContainerState, bundle) },
        { "rootfs", JSON_FIELD_STRING, offsetof(ContainerState, rootfs) },
        { "created", JSON_FIELD_STRING, offsetof(ContainerState, created) },
        { "owner", JSON_FIELD_STRING, offsetof(ContainerState, owner) },
        { "annotations", JSON_FIELD_STRMAP, offsetof(ContainerState, annotations) },
        { "cgroup", JSON_FIELD_CUSTOM, offsetof(ContainerState, cgroup), 0, .parse = parse_cgroup, .free = free_cgroup },
        { "systemdCgroup", JSON_FIELD_BOOL, offsetof(ContainerState, systemd_cgroup) },
        {},
};

ContainerState *container_state_free(ContainerState *s) {
        if (!s)
                return NULL;
        json_dispatch_free(state_fields, s);
        free(s);
        return NULL;
}

int state_root_open(const RuntimeContext *ctx, Error *reterr) {
        int r = mkdir_p(ctx->root, 0711);
        if (r < 0)
                return error_set(reterr, r, "creating state directory %s", ctx->root);
        int fd = open(ctx->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set(reterr, errno, "opening state directory %s", ctx->root);
        return fd;
}

int state_save(int dirfd, const ContainerState *s, Error *reterr) {
        _cleanup_json_ JsonValue *o = json_new_object();
        if (!o || json_obj_set_str(o, "id", s->id) < 0 || json_obj_set_int(o, "pid", s->pid) < 0 ||
            json_obj_set_int(o, "pidStart", (int64_t) s->pid_start) < 0 || json_obj_set_str(o, "bundle", s->bundle) < 0 ||
            json_obj_set_str(o, "rootfs", s->rootfs) < 0 || json_obj_set_str(o, "created", s->created) < 0 ||
            json_obj_set_str(o, "owner", s->owner) < 0 ||
            json_obj_set(o, "annotations", json_new_strmap(&s->annotations)) < 0 ||
            (s->cgroup && json_obj_set(o, "cgroup", json_ref(s->cgroup)) < 0) ||
            json_obj_set_bool(o, "systemdCgroup", s->systemd_cgroup) < 0)
                return error_set(reterr, ENOMEM, "state");
        _cleanup_free_ char *text = json_dump(o, 0);
        if (!text)
                return error_set(reterr, ENOMEM, "state");
        /* /run is tmpfs and the state dies with the machine: rename alone
         * gives readers all or nothing; fsync would only cost time. */
        _cleanup_close_ int fd = openat(dirfd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return error_set(reterr, errno, "writing state.json");
        int r = write_all(fd, text, strlen(text));
        if (r >= 0 && renameat(dirfd, "state.json.tmp", dirfd, "state.json") < 0)
                r = -errno;
        if (r < 0)
                return error_set(reterr, r, "writing state.json");
        return 0;
}

int state_load(const RuntimeContext *ctx, const char *id, ContainerState **ret, int *ret_dirfd, Error *reterr) {
        int r = container_id_validate(id, reterr);
        if (r < 0)
                return r;
        _cleanup_close_ int root = open(ctx->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int dir = root < 0 ? -1 : openat(root, id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir < 0) {
                if (errno == ENOENT)
                        return error_msg(reterr, ENOENT, "container \"%s\" does not exist", id);
                return error_set(reterr, errno, "opening the state of container \"%s\"", id);
        }
        _cleanup_free_ char *buf = NULL;
        size_t len;
        r = read_file_at(dir, "state.json", 1 << 20, &buf, &len);
        if (r == -ENOENT)
                /* create is still in progress, or died before saving */
                return error_msg(reterr, ENOENT, "container \"%s\" does not exist", id);
        if (r < 0)
                return error_set(reterr, r, "reading the state of container \"%s\"", id);
        _cleanup_json_ JsonValue *v = NULL;
        if ((r = json_parse_buf(buf, len, "state.json", &v, reterr)) < 0)
                return r;
        ContainerState *s = calloc(1, sizeof *s);
        if (!s)
                return error_set(reterr, ENOMEM, "state");
        if ((r = json_dispatch(v, state_fields, s, "", 0, reterr)) < 0) {
                free(s);
                return error_wrap(reterr, "state of container \"%s\"", id);
        }
        *ret = s;
        if (ret_dirfd)
                *ret_dirfd = TAKE_FD(dir);
        return 0;
}

int state_load_spec(int dirfd, OciSpec **ret, Error *reterr) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d/config.json", dirfd);
        return oci_spec_load(path, ret, reterr);
}

int state_load_status(const RuntimeContext *ctx, const char *id, ContainerState **ret, int *ret_dirfd,
                      OciStatus *ret_status, Error *reterr) {
        int r = state_load(ctx, id, ret, ret_dirfd, reterr);
        if (r >= 0)
                *ret_status = state_status(*ret, *ret_dirfd);
        return r;
}

int pid_start_time(pid_t pid, uint64_t *ret) {
        char path[64];
        _cleanup_free_ char *buf = NULL;
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        int r = read_file(path, 4096, &buf, NULL);
        if (r < 0)
                return r;
        /* comm may hold spaces and parens: fields count from the last ')'. */
        char *p = strrchr(buf, ')');
        if (!p || p[1] != ' ')
                return -EINVAL;
        char state = p[2];
        if (state == 'Z' || state == 'X')
                return -ESRCH;
        p += 2;
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return -EINVAL;
                p++;
        }
        *ret = strtoull(p, NULL, 10);
        return 0;
}

bool pid_is_alive(pid_t pid, uint64_t start_time) {
        uint64_t t;
        if (pid <= 0 || pid_start_time(pid, &t) < 0)
                return false;
        return start_time == 0 || t == start_time;
}

OciStatus state_status(const ContainerState *s, int dirfd) {
        if (!pid_is_alive(s->pid, s->pid_start))
                return OCI_STATUS_STOPPED;
        if (faccessat(dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return OCI_STATUS_CREATED;
        if (s->cgroup) {
                _cleanup_(cgroup_manager_freep) CgroupManager *m = NULL;
                bool frozen = false;
                if (cgroup_manager_deserialize(s->cgroup, &m, NULL) >= 0 && cgroup_manager_is_frozen(m, &frozen) >= 0 &&
                    frozen)
                        return OCI_STATUS_PAUSED;
        }
        return OCI_STATUS_RUNNING;
}


JsonValue *state_to_oci_json(const ContainerState *s, OciStatus status) {
        JsonValue *o = json_new_object();
        if (!o || json_obj_set_str(o, "ociVersion", OCI_VERSION) < 0 || json_obj_set_str(o, "id", s->id) < 0 ||
            json_obj_set_int(o, "pid", status == OCI_STATUS_STOPPED ? 0 : s->pid) < 0 ||
            json_obj_set_str(o, "status", oci_status_to_string(status)) < 0 ||
            json_obj_set_str(o, "bundle", s->bundle) < 0 || json_obj_set_str(o, "rootfs", s->rootfs) < 0 ||
            json_obj_set_str(o, "created", s->created) < 0 || json_obj_set_str(o, "owner", s->owner ? s->owner : "") < 0 ||
            (s->annotations.n && json_obj_set(o, "annotations", json_new_strmap(&s->annotations)) < 0))
                return json_unref(o);
        return o;
}

char *listener_state_json(const ContainerState *s, OciStatus status, const OciSeccomp *sec) {
        _cleanup_json_ JsonValue *o = json_new_object();
        JsonValue *fds = json_new_array();
        if (!o || !fds || json_arr_append(fds, json_new_string("seccompFd")) < 0 ||
            json_obj_set_str(o, "ociVersion", OCI_VERSION) < 0 || json_obj_set(o, "fds", fds) < 0 ||
            json_obj_set_int(o, "pid", s->pid) < 0 || json_obj_set_str(o, "metadata", sec->listener_metadata) < 0 ||
            json_obj_set(o, "state", state_to_oci_json(s, status)) < 0)
                return NULL;
        return json_dump(o, 0);
}

int seccomp_cache_open(const RuntimeContext *ctx) {
        _cleanup_close_ int root = open(ctx->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return -1;
        if (mkdirat(root, "seccomp-cache", 0700) < 0 && errno != EEXIST)
                return -1;
        return openat(root, "seccomp-cache", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}
