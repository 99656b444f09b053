#!/usr/bin/env bash
# Each integration and end-to-end file in its own process: the native ZooKeeper client is loaded once
# per process and shared by every test file jest runs there, so one file's leftovers must not reach the next.
#
# The native client can also abort or segfault the whole process (a known limitation, see the README).
# Only then (exit 134 or 139, never on a failed assertion) the file is run once more, after stopping
# by pid what the crashed run left running; the crash is reported either way. After any failed
# file, what it left running is stopped the same way.
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
for f in test/integration/*.test.ts test/e2e/*.test.ts; do
  [ -e "$f" ] || continue
  since=$(date +%s%3N)
  out=()
  [ -n "${ZK_TEST_RESULTS:-}" ] && out=(--json --outputFile="$ZK_TEST_RESULTS/$(basename "$f").json")
  npx jest --runInBand --forceExit "${out[@]}" "$f"
  rc=$?
  if [ "$rc" -eq 134 ] || [ "$rc" -eq 139 ]; then
    echo "run-each: $f: the test process crashed (exit $rc) in the native ZooKeeper client; stopping what it left running and running the file once more"
    node dist/test/support/stop-leftovers.js "$since"
    npx jest --runInBand --forceExit "${out[@]}" "$f"
    rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    status=1
    # A test that ran past its timeout is abandoned by jest mid-step, and afterAll may not stop what
    # that step started: stop it here, by pid, so that it cannot disturb the next file.
    node dist/test/support/stop-leftovers.js "$since"
  fi
done
exit $status
