/**
 * Adoption end to end with the real cdktf CLI and Terraform: a dynamic ensemble built by hand (Debian
 * layout, a service script) is declared as existing; the first `cdktf deploy` takes it over and
 * restarts nothing, the second migrates it to three new servers with a writer running on the
 * transitional connect string, and `cdktf destroy` stops what runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHostDriver } from '../../lib/hosts/local';
import { observeEnsemble } from '../../lib/runtime/observe';
import { serverAt } from '../support/cluster';
import { HandBuiltEnsemble } from '../support/hand-built';
import { spawnClean } from '../support/spawn-clean';
import { missingWrites, Writer } from '../support/writer';
import { AUTH } from '../support/cluster';

jest.setTimeout(600000);

const REPO = join(__dirname, '..', '..');
const PORT_BASE = 27500;
const project = mkdtempSync(join(tmpdir(), 'zk-e2e-adopt-'));
const driver = new LocalHostDriver({ baseDir: join(project, '.zk-local'), ensemble: 'e2e-adopt' });
const bed = new HandBuiltEnsemble({ form: 'dynamic', portBase: PORT_BASE, ids: [1, 2, 3] });

writeFileSync(join(project, 'cdktf.json'), JSON.stringify({
  language: 'typescript', app: `node ${join(REPO, 'dist', 'test', 'e2e', 'app', 'main.js')}`, projectId: 'zk-e2e-adopt', sendCrashReports: 'false',
}));

function cdktf(args: string[], members: number[]): Promise<{ code: number | null; out: string }> {
  const child = spawnClean(join(REPO, 'node_modules', '.bin', 'cdktf'), args, {
    cwd: project,
    env: {
      ...process.env, ZK_E2E_MEMBERS: members.join(','), ZK_E2E_PORT_BASE: String(PORT_BASE), ZK_E2E_NAME: 'e2e-adopt',
      ZK_E2E_EXISTING: JSON.stringify(bed.declaration()), ZK_ROLLOUT_SUPER_PASSWORD: AUTH.password!,
      CHECKPOINT_DISABLE: '1', CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1',
    },
  });
  let out = '';
  child.stdout.on('data', (d) => { out += String(d); });
  child.stderr.on('data', (d) => { out += String(d); });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

/** A failed cdktf run fails the test with the tail of what Terraform and the handler said. */
function expectSuccess(run: { code: number | null; out: string }): void {
  if (run.code !== 0) throw new Error(`cdktf exited ${run.code}:\n${run.out.slice(-1500)}`);
}

afterAll(async () => {
  for (const id of [4, 5, 6]) await driver.stop(serverAt(PORT_BASE, id) as never, 5000);
  bed.stopAll();
});

test('cdktf deploy adopts a hand-built ensemble with no restart, then migrates it to new servers with no write lost', async () => {
  bed.write();
  bed.start();
  const deadline = Date.now() + 60000;
  while ((await observeEnsemble([{ host: '127.0.0.1', port: PORT_BASE + 1 }]).then((o) => o.snapshot.leaderId, () => null)) === null) {
    if (Date.now() > deadline) throw new Error('the hand-built ensemble elected no leader');
    await new Promise((r) => setTimeout(r, 300));
  }
  const pids = [1, 2, 3].map((id) => bed.pid(id));

  const first = await cdktf(['deploy', 'e2e', '--auto-approve'], [1, 2, 3]);
  expectSuccess(first);
  expect(first.out).toMatch(/adopting the running ensemble: members \{1,2,3\} match the declaration/);
  expect([1, 2, 3].map((id) => bed.pid(id))).toEqual(pids);

  const writer = new Writer([1, 2, 3, 4, 5, 6].map((id) => `127.0.0.1:${PORT_BASE + id}`).join(','));
  await writer.start();
  const second = await cdktf(['deploy', 'e2e', '--auto-approve'], [4, 5, 6]);
  const report = await writer.stop();
  expectSuccess(second);
  expect(second.out).toMatch(/converged/);
  expect(await missingWrites([4, 5, 6].map((id) => serverAt(PORT_BASE, id) as never), report.acknowledged, writer.root)).toEqual({});
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect(bed.running()).toEqual([]);
  const live = await observeEnsemble([{ host: '127.0.0.1', port: PORT_BASE + 4 }]);
  expect(live.snapshot.members.map((m) => m.id)).toEqual([4, 5, 6]);
  expect(second.out).not.toContain(AUTH.password!);

  const down = await cdktf(['destroy', 'e2e', '--auto-approve'], [4, 5, 6]);
  expectSuccess(down);
  for (const id of [4, 5, 6]) expect(await driver.isRunning(serverAt(PORT_BASE, id) as never)).toBe(false);
});
