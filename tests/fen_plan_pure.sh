#!/bin/sh
# fen_plan_pure.sh - the fencing planner stays pure: fencing/fen_plan.c may call
# memory, string, regex and formatting functions, the pure document helpers of
# fen_util.c and vg_diags_add - no I/O, clock, randomness or environment.  Every
# daemon, simulator and tool must get the same plan from the same document.
obj="$top_builddir/fencing/libvigil_fencing_a-fen_plan.o"
if [ ! -f "$obj" ]; then
	echo "fen_plan_pure: $obj not built" >&2
	exit 1
fi
command -v nm >/dev/null 2>&1 || exit 77

allowed='^(__errno_location|calloc|malloc|realloc|free|memchr|memcpy|memset|memcmp|qsort|regcomp|regexec|regfree|snprintf|strcasecmp|strncasecmp|strchr|strcmp|strcspn|strdup|strndup|strlen|strncmp|strtol|vg_diags_add|fen_bool|fen_duration_ms|fen_nvsets_get|fen_strdup_null|_GLOBAL_OFFSET_TABLE_|__stack_chk_fail|__(asan|ubsan|sanitizer)_.*)$'
bad=$(nm -u "$obj" | awk '{ print $NF }' | grep -v -E "$allowed")
if [ -n "$bad" ]; then
	echo "fen_plan_pure: fencing/fen_plan.c calls what a pure planner must not:" >&2
	echo "$bad" >&2
	exit 1
fi
# The check itself must be able to fail: the runner is not pure.
run_obj="$top_builddir/fencing/libvigil_fencing_a-fen_run.o"
if ! nm -u "$run_obj" | awk '{ print $NF }' | grep -v -E "$allowed" | grep -q -x posix_spawn; then
	echo "fen_plan_pure: the check found no impure call in fen_run.o either; is nm working?" >&2
	exit 1
fi
exit 0
