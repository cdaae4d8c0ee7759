#!/usr/bin/env bash
# tests/cli/run.sh — runs every tests/cli/test_*.sh; each test there is a
# shell function named after its behaviour, called through `t`.  Ends with
# "N passed, M failed".  $EVISA is the binary under test.
set -u
cd "$(dirname "$0")/../.."
: "${EVISA:=$PWD/build/evisa}"
: "${EVISA_SHARED:=$PWD/../shared}"
VEC=$EVISA_SHARED/vectors
export EVISA EVISA_SHARED VEC
TMP=$(mktemp -d); export TMP
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0
t() { # t NAME: runs function NAME in a subshell with errexit
  # Not inside an `if`: bash ignores errexit in a condition's whole subshell,
  # which would let every check but the last one fail silently.
  local name=$1 out rc
  out=$( set -e; "$name" 2>&1 )
  rc=$?
  if [ "$rc" -eq 0 ]; then pass=$((pass + 1))
  else fail=$((fail + 1)); echo "FAIL $name (exit $rc)"; echo "$out" | sed 's/^/    /' | tail -n 20; fi
}
# expect_exit CODE CMD...: the command must exit with CODE
expect_exit() {
  local want=$1; shift
  local got=0; "$@" || got=$?
  [ "$got" -eq "$want" ] || { echo "expected exit $want, got $got: $*"; return 1; }
}
for f in tests/cli/test_*.sh; do
  [ -e "$f" ] || continue
  # shellcheck source=/dev/null
  . "$f"
done
echo "$pass passed, $fail failed"
