#!/usr/bin/env bash
# The README's test command: unit and synth tests in one jest run, then every integration and
# end-to-end file in its own process (run-each.sh). Ends with one line totalling every file: N passed, N failed.
set -uo pipefail
cd "$(dirname "$0")/.."
# Everything the tests write to a temporary directory (servers' data and logs, synthesized stacks,
# ssh test beds) goes under one directory for this run: removed when every test passed, kept and
# named when one failed, for a look at what its servers logged.
run_tmp=$(mktemp -d -t zk-tests.XXXXXX)
chmod 755 "$run_tmp"
export TMPDIR="$run_tmp"
results=$(mktemp -d)
export ZK_TEST_RESULTS="$results"
status=0
npx jest test/unit test/constructs --json --outputFile="$results/unit.json" || status=1
bash test/integration/run-each.sh || status=1
node -e '
  const fs = require("fs"); const dir = process.argv[1];
  let passed = 0, failed = 0, suitesFailed = 0;
  for (const f of fs.readdirSync(dir)) {
    const r = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests;
    // A file that could not run at all (a compile error, a crash) counts as a failure too.
    suitesFailed += r.testResults.filter((t) => t.status === "failed" && t.assertionResults.every((a) => a.status !== "failed")).length;
  }
  process.stdout.write(`${passed} passed, ${failed + suitesFailed} failed\n`);
' "$results"
rm -rf "$results"
if [ "$status" -eq 0 ]; then rm -rf "$run_tmp"; else echo "the tests' temporary files are kept in $run_tmp"; fi
exit $status
