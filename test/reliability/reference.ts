/**
 * A fault-free run of each scenario on real servers, recording the steps the handler actually takes
 * (re-plans add waits a one-shot plan does not show, such as a promoted server re-syncing). The
 * matrix's points are these steps: `node dist/test/reliability/reference.js [port-base]`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Step } from '../../lib/planner/types';
import { TestCluster } from '../support/cluster';
import { MATRIX_BAKE_SECONDS, REFERENCE_FILE, referenceStep, ReferenceStep, SCENARIO_DEFS, scenarioEnsembles, SCENARIOS } from './cells';

async function reference(portBase: number): Promise<Record<string, ReferenceStep[]>> {
  const out: Record<string, ReferenceStep[]> = {};
  for (const name of SCENARIOS) {
    const cluster = new TestCluster('rel', portBase);
    const def = SCENARIO_DEFS[name];
    const { start, desired } = scenarioEnsembles(def, 'rel', portBase);
    cluster.ensemble([...new Set([...def.start, ...def.desired])]);
    try {
      await cluster.executor(start, { bakeMs: 0 }).run();
      const steps: Step[] = [];
      await cluster.executor(desired, {
        bakeMs: MATRIX_BAKE_SECONDS * 1000, timeouts: { drainMs: 1000 },
        beforeStep: (s) => { steps.push(s); },
      }).run();
      out[name] = steps.map(referenceStep);
      process.stdout.write(`${name}: ${steps.length} steps\n`);
    } finally {
      await cluster.stopAll();
    }
  }
  return out;
}

if (require.main === module) {
  reference(Number(process.argv[2] ?? 30000)).then((r) => {
    mkdirSync(join(REFERENCE_FILE, '..'), { recursive: true });
    writeFileSync(REFERENCE_FILE, `${JSON.stringify(r, null, 1)}\n`);
    process.exit(0);
  }).catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
}
