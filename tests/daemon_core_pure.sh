#!/bin/sh
# daemon_core_pure.sh - the core of vigild (crmd/libvigil_crmd.a) stays behind
# its environment: no clock, timers, sleeping, randomness, environment, files,
# sockets, threads, Corosync or libqb.  Only then does the simulator, which
# links the same objects, run exactly vigild's logic.
lib="$top_builddir/crmd/libvigil_crmd.a"
io="$top_builddir/crmd/libvigild_io.a"
[ -f "$lib" ] || { echo "daemon_core_pure: $lib not built" >&2; exit 1; }
command -v nm >/dev/null 2>&1 || exit 77

forbidden='^(time|clock_gettime|gettimeofday|clock|sleep|usleep|nanosleep|rand|random|srand|getrandom|getenv|secure_getenv|open|open64|openat|creat|read|write|pread|pwrite|fopen|fopen64|fdopen|fsync|fdatasync|rename|unlink|mkdir|opendir|socket|connect|bind|poll|select|epoll_wait|fork|execve|posix_spawn|pthread_.*|cpg_.*|quorum_.*|cmap_.*|qb_.*|syslog|printf|fprintf|puts|fputs|perror|abort|exit)$'
bad=$(nm -u "$lib" | awk '{ print $NF }' | sort -u | grep -E "$forbidden")
if [ -n "$bad" ]; then
	echo "daemon_core_pure: the core calls what only its environment may:" >&2
	echo "$bad" >&2
	exit 1
fi
# The check must be able to fail: the store (disk, threads) is not pure.
if ! nm -u "$io" | awk '{ print $NF }' | grep -E "$forbidden" | grep -q -x -E 'fsync|pthread_create'; then
	echo "daemon_core_pure: no forbidden call found in libvigild_io.a either; is nm working?" >&2
	exit 1
fi
exit 0
