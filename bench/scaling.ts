/** Planning and synth cost as ensembles grow: pure planning up to 255 servers, and `cdktf synth` of an app. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnsembleSpec } from '../lib/model/validate';
import { plan } from '../lib/planner/plan';
import { snapshotFromEnsemble } from '../lib/planner/snapshot';

const spec = (ids: number[]) => parseEnsembleSpec({ name: 'big', servers: ids.map((id) => ({ id, host: `10.${id >> 8}.${id & 255}.1` })), settings: { tickTime: 2000 } });
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

function timeMs(f: () => void, repeat = 3): number {
  let best = Infinity;
  for (let i = 0; i < repeat; i++) { const t = process.hrtime.bigint(); f(); best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6); }
  return best;
}

export interface PlanTiming { readonly servers: number; readonly scenario: string; readonly steps: number; readonly ms: number }

/** Each scenario at total sizes up to 255 servers (the id range); best of three. */
export function planTimings(sizes: readonly number[] = [9, 33, 65, 129, 255]): PlanTiming[] {
  const out: PlanTiming[] = [];
  for (const n of sizes) {
    const half = Math.floor(n / 2);
    const cases: [string, number[], number[], object?][] = [
      ['migration', range(1, half), range(half + 1, Math.min(n, 2 * half))],
      ['scale-up', range(1, half), range(1, n)],
      ['scale-down', range(1, n), range(1, half)],
      ['rolling-restart', range(1, n), range(1, n), { tickTime: 3000 }],
    ];
    for (const [scenario, from, to, settings] of cases) {
      const current = snapshotFromEnsemble(spec(from));
      const desired = settings ? parseEnsembleSpec({ ...spec(to), settings }) : spec(to);
      let steps = 0;
      const ms = timeMs(() => { const r = plan(current, desired, { bakeMs: 10000 }); steps = r.ok ? r.plan.steps.length : -1; });
      out.push({ servers: n, scenario, steps, ms });
    }
  }
  return out;
}

export interface SynthTiming { readonly servers: number; readonly ms: number }

/** `cdktf synth` of a one-stack app with n servers (the CLI as users run it, Node start-up included). */
export function synthTimings(repo: string, sizes: readonly number[] = [3, 33, 129, 255]): SynthTiming[] {
  return sizes.map((n) => {
    const dir = mkdtempSync(join(tmpdir(), 'zk-bench-synth-'));
    const app = join(dir, 'app.js');
    writeFileSync(app, `
const { App, TerraformStack } = require(${JSON.stringify(join(repo, 'node_modules', 'cdktf'))});
const { ZooKeeperEnsemble } = require(${JSON.stringify(join(repo, 'dist', 'lib', 'constructs'))});
const app = new App();
const stack = new TerraformStack(app, 'big');
new ZooKeeperEnsemble(stack, 'zk', { name: 'big', servers: Array.from({ length: ${n} }, (_, i) => ({ id: i + 1, host: '10.0.' + ((i + 1) >> 8) + '.' + ((i + 1) & 255) })), sizingWarnings: false });
app.synth();
`);
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${app}`, projectId: 'bench', sendCrashReports: 'false' }));
    const t = Date.now();
    execFileSync(join(repo, 'node_modules', '.bin', 'cdktf'), ['synth'], { cwd: dir, stdio: 'ignore', env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true' } });
    return { servers: n, ms: Date.now() - t };
  });
}
