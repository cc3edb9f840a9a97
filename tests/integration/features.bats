#!/usr/bin/env bats
# features: what the runtime supports, as JSON.

load helpers

@test "features: OCI version range and the lists runc prints" {
	run runtime features
	[ "$status" -eq 0 ]
	jq -e '(.ociVersionMin | startswith("1.")) and (.ociVersionMax | startswith("1."))
		and (.hooks | index("prestart") != null and index("poststop") != null)
		and (.mountOptions | index("bind") != null and index("ro") != null)
		and (.linux.namespaces | index("pid") != null and index("mount") != null and index("user") != null)
		and (.linux.capabilities | index("CAP_SYS_ADMIN") != null)
		and (.linux.cgroup | type == "object")
		and (.linux.seccomp.enabled | type == "boolean")' <<<"$output"
}

@test "features: pretty-printed, one member a line" {
	run runtime features
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "{" ]
	[[ ${lines[1]} == ' '*'"'* ]]
	[ "${#lines[@]}" -gt 10 ]
}

@test "features: takes no arguments" {
	run runtime features extra
	[ "$status" -eq 1 ]
}
