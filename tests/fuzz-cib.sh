#!/bin/sh
# fuzz-cib.sh - builds tests/fuzz/fuzz_cib.c with clang's libFuzzer, ASan and
# UBSan against the lib/ sources, and fuzzes the reader for a short while
# (FUZZ_SECONDS, default 20) from a seed corpus: tests/data/valid, the small
# documents in tests/fuzz/corpus.  Fails on any crash, leak, timeout or
# round-trip mismatch (the target aborts).  Skips (77) without clang or
# libFuzzer.
set -u
seconds=${FUZZ_SECONDS:-20}
CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null 2>&1 || { echo "fuzz-cib: no clang: skipped"; exit 77; }
command -v pkg-config >/dev/null 2>&1 || { echo "fuzz-cib: no pkg-config: skipped"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Does this clang have libFuzzer?
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$tmp/probe.c"
"$CLANG" -fsanitize=fuzzer "$tmp/probe.c" -o "$tmp/probe" >/dev/null 2>&1 ||
	{ echo "fuzz-cib: $CLANG has no libFuzzer: skipped"; exit 77; }

lib="$top_srcdir/lib"
schema_c="$top_builddir/lib/cib_schema_data.c"
[ -f "$schema_c" ] || { echo "fuzz-cib: $schema_c is missing (build lib/ first)"; exit 1; }
# -O1 keeps the build quick; the sanitizers catch what matters.
if ! "$CLANG" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$top_builddir" -I"$lib" $(pkg-config --cflags libxml-2.0) \
	"$top_srcdir/tests/fuzz/fuzz_cib.c" "$lib/cib.c" "$lib/cib_read.c" "$lib/cib_check.c" \
	"$lib/cib_write.c" "$lib/cib_spec.c" "$lib/strmap.c" "$lib/diag.c" "$schema_c" \
	$(pkg-config --libs libxml-2.0) -o "$tmp/fuzz_cib" 2>"$tmp/build.log"; then
	cat "$tmp/build.log"
	echo "fuzz-cib: the fuzz target does not build"
	exit 1
fi

mkdir "$tmp/corpus" "$tmp/seeds"
cp "$top_srcdir"/tests/fuzz/corpus/*.xml "$tmp/seeds/"
for f in "$top_srcdir"/tests/data/valid/*.xml; do
	[ -f "$f" ] && cp "$f" "$tmp/seeds/"
done
echo "fuzz-cib: $(ls "$tmp/seeds" | wc -l) seeds, ${seconds}s"
cd "$tmp" || exit 1
ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	./fuzz_cib -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	-dict="$top_srcdir/tests/fuzz/cib.dict" -print_final_stats=1 \
	-artifact_prefix="$tmp/" corpus seeds >fuzz.log 2>&1
rc=$?
tail -n 25 fuzz.log
if [ "$rc" != 0 ]; then
	for a in "$tmp"/crash-* "$tmp"/leak-* "$tmp"/timeout-* "$tmp"/oom-*; do
		[ -f "$a" ] || continue
		echo "fuzz-cib: input that fails ($a), base64:"
		base64 "$a" | head -n 40
	done
	echo "fuzz-cib: FAILED (exit $rc)"
	exit 1
fi
echo "fuzz-cib: no crash in ${seconds}s"
