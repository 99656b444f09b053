#!/usr/bin/env bash
# Each integration and end-to-end file in its own process: the native ZooKeeper client is loaded once
# per process and shared by every test file jest runs there, so one file's leftovers must not reach the next.
set -euo pipefail
cd "$(dirname "$0")/../.."
status=0
for f in test/integration/*.test.ts test/e2e/*.test.ts; do
  [ -e "$f" ] || continue
  npx jest --runInBand --forceExit "$f" || status=1
done
exit $status
