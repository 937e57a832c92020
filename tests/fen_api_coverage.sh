#!/bin/sh
# fen_api_coverage.sh - every public function of libvigil_fencing.a (the fen_
# symbols it defines, minus the internal helpers declared in fencing/fen_int.h)
# is called by at least one test in tests/unit/test_fen_*.c.
lib="$top_builddir/fencing/libvigil_fencing.a"
if [ ! -f "$lib" ]; then
	echo "fen_api_coverage: $lib not built" >&2
	exit 1
fi
command -v nm >/dev/null 2>&1 || exit 77

internal=$(sed -n 's/^[a-z].*[ *]\(fen_[a-z_0-9]*\)(.*/\1/p' "$top_srcdir/fencing/fen_int.h")
[ -n "$internal" ] || { echo "fen_api_coverage: no helper found in fen_int.h" >&2; exit 1; }
public=$(nm -g --defined-only "$lib" | awk '$2 == "T" && $3 ~ /^fen_/ { print $3 }' | sort -u)
[ -n "$public" ] || { echo "fen_api_coverage: no fen_ symbol in $lib" >&2; exit 1; }

missing=
for sym in $public; do
	case " $(echo $internal) " in *" $sym "*) continue ;; esac
	if ! grep -q -w "$sym" "$top_srcdir"/tests/unit/test_fen_*.c; then
		missing="$missing $sym"
	fi
done
if [ -n "$missing" ]; then
	echo "fen_api_coverage: not called by any test:$missing" >&2
	exit 1
fi
exit 0
