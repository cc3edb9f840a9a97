/* `features`: what this build and this host support, in the shape runc
 * prints, so that engines can ask before they use a field. */
#include <sys/stat.h>

#include "container.h"

int runtime_features_json(JsonValue **ret) {
        _cleanup_json_ JsonValue *o = json_new_object();
        JsonValue *hooks = json_new_array(), *mopts = json_new_array(), *linux_ = json_new_object();
        JsonValue *ns = json_new_array(), *caps = json_new_array(), *cg = json_new_object(), *sec = json_new_object();
        JsonValue *aa = json_new_object(), *se = json_new_object(), *ann = json_new_object();
        bool ok = o && hooks && mopts && linux_ && ns && caps && cg && sec && aa && se && ann;
        for (int k = 0; ok && k < _OCI_HOOK_KIND_MAX; k++)
                ok = json_arr_append(hooks, json_new_string(oci_hook_kind_to_string(k))) >= 0;
        ok = ok && mount_option_names(mopts) >= 0;
        for (int t = 0; ok && t < _OCI_NS_MAX; t++)
                ok = json_arr_append(ns, json_new_string(oci_ns_type_to_string(t))) >= 0;
        for (int c = 0; ok && c <= cap_last_cap() && cap_to_name(c); c++)
                ok = json_arr_append(caps, json_new_string(cap_to_name(c))) >= 0;
        CgroupMode mode = CGROUP_MODE_V2;
        (void) cgroup_mode_detect(&mode);
        ok = ok && json_obj_set_bool(cg, "v1", true) >= 0 && json_obj_set_bool(cg, "v2", true) >= 0 &&
             json_obj_set_bool(cg, "systemd", false) >= 0 && json_obj_set_bool(cg, "systemdUser", false) >= 0 &&
             json_obj_set_bool(sec, "enabled", true) >= 0 &&
             json_obj_set_bool(aa, "enabled", access("/sys/kernel/security/apparmor", F_OK) == 0) >= 0 &&
             json_obj_set_bool(se, "enabled", access("/sys/fs/selinux/enforce", F_OK) == 0) >= 0 &&
             json_obj_set_str(ann, "org.opencontainers.runtime-spec.features.cgroup.mode", cgroup_mode_to_string(mode)) >= 0;
        if (ok) {
                ok = json_obj_set(linux_, "namespaces", TAKE_PTR(ns)) >= 0 &&
                     json_obj_set(linux_, "capabilities", TAKE_PTR(caps)) >= 0 &&
                     json_obj_set(linux_, "cgroup", TAKE_PTR(cg)) >= 0 && json_obj_set(linux_, "seccomp", TAKE_PTR(sec)) >= 0 &&
                     json_obj_set(linux_, "apparmor", TAKE_PTR(aa)) >= 0 && json_obj_set(linux_, "selinux", TAKE_PTR(se)) >= 0 &&
                     json_obj_set_str(o, "ociVersionMin", "1.0.0") >= 0 && json_obj_set_str(o, "ociVersionMax", OCI_VERSION) >= 0 &&
                     json_obj_set(o, "hooks", TAKE_PTR(hooks)) >= 0 && json_obj_set(o, "mountOptions", TAKE_PTR(mopts)) >= 0 &&
                     json_obj_set(o, "linux", TAKE_PTR(linux_)) >= 0 && json_obj_set(o, "annotations", TAKE_PTR(ann)) >= 0;
        }
        json_unref(hooks), json_unref(mopts), json_unref(linux_), json_unref(ns), json_unref(caps);
        json_unref(cg), json_unref(sec), json_unref(aa), json_unref(se), json_unref(ann);
        if (!ok)
                return -ENOMEM;
        *ret = TAKE_PTR(o);
        return 0;
}
