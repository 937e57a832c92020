#!/bin/sh
# policy-purity.sh - the policy engine may not touch the world.
#
# Lists the undefined symbols of libvigil_policy.a with `nm -u` and fails on
# any that is not in the allowlist below: memory, strings, number parsing,
# sorting and formatting into memory.  A clock (time, clock_gettime), I/O
# (printf, fopen, write), the environment (getenv), randomness (rand) or
# logging would make the same document give different transitions.
set -u
lib="${top_builddir:-..}/policy/libvigil_policy.a"
if [ ! -f "$lib" ]; then
	echo "policy-purity: $lib not built" >&2
	exit 1
fi
command -v nm >/dev/null 2>&1 || { echo "policy-purity: nm not found" >&2; exit 77; }

allowed='
calloc
free
malloc
realloc
memcmp
memcpy
memmove
memset
strchr
strcspn
strcmp
strdup
strlen
strncmp
strtod
strtoll
qsort
qsort_r
snprintf
vsnprintf
__snprintf_chk
__vsnprintf_chk
__memcpy_chk
__memset_chk
__stack_chk_fail
'
# vg_ symbols come from lib/ (diagnostics), which reports into caller-owned
# lists; pol_ symbols are the engine's own.  Sanitizer and compiler runtime
# symbols (__asan_*, __ubsan_*, __sanitizer_*) are instrumentation.
bad=$(nm -u "$lib" 2>/dev/null | awk '{print $NF}' | sed 's/@.*//' | sort -u |
	grep -v -e '^$' -e ':$' -e '^vg_' -e '^pol_' -e '^__asan' -e '^__ubsan' -e '^__sanitizer' \
		-e '^_GLOBAL_OFFSET_TABLE_$' |
	while read -r sym; do
		case "$allowed" in
		*"
$sym
"*) ;;
		*) echo "$sym" ;;
		esac
	done)
if [ -n "$bad" ]; then
	echo "policy-purity: the policy engine uses functions it must not:" >&2
	echo "$bad" | sed 's/^/  /' >&2
	exit 1
fi
echo "policy-purity: ok ($(nm -u "$lib" | wc -l) undefined symbols checked)"
exit 0
