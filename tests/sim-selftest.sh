#!/bin/sh
# Plants known bugs one at a time: random mode must find each.  Proof that the
# simulator's checks can fail.
exec "$top_builddir/tests/sim/vigil-sim" selftest
