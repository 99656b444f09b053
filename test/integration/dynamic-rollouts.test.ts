/**
 * Real ZooKeeper 3.8 servers on loopback, one ensemble carried through bootstrap, scale-up,
 * scale-down with the leader removed, and migration to disjoint hosts, with a writer running
 * throughout each change. Every acknowledged write must be on every final server.
 */
import { fourLetterWord } from '../../lib/runtime/four-letter';
import { observeEnsemble } from '../../lib/runtime/observe';
import { TestCluster } from '../support/cluster';
import { withWriter as withWriterOn } from '../support/with-writer';

jest.setTimeout(240000);

const cluster = new TestCluster('itdyn', 21000);

afterAll(async () => {
  require('node:fs').writeFileSync(`${cluster.baseDir}/rollout.log`, cluster.lines.join('\n'));
  await cluster.stopAll();
});

async function leaderOf(ids: number[]): Promise<number | null> {
  const { snapshot } = await observeEnsemble(ids.map((id) => ({ host: '127.0.0.1', port: 21000 + id })));
  return snapshot.leaderId;
}

const withWriter = <T>(connectIds: number[], finalIds: number[], change: () => Promise<T>) => withWriterOn(cluster, connectIds, finalIds, change);

test('bootstrap 3 voters', async () => {
  const summary = await cluster.apply(cluster.ensemble([1, 2, 3]));
  expect(summary.finalMembers.map((m) => m.id)).toEqual([1, 2, 3]);
  expect(await cluster.running()).toEqual([1, 2, 3]);
  expect(await leaderOf([1, 2, 3])).not.toBeNull();
});

test('scale-up 3 -> 5: no write lost, no election, the joiners booted one after another', async () => {
  // When joiner 5 starts, joiner 4's JVM already answers (booting together they took the leader's CPU).
  const answeredBefore5: boolean[] = [];
  const { report, missing, result } = await withWriter([1, 2, 3, 4, 5], [1, 2, 3, 4, 5], () => cluster.apply(cluster.ensemble([1, 2, 3, 4, 5]), async (step) => {
    if (step.kind === 'start-joiner' && step.serverId === 5) answeredBefore5.push(await fourLetterWord('127.0.0.1', 21004, 'srvr', 1000).then(() => true, () => false));
  }));
  expect(answeredBefore5).toEqual([true]);
  expect(missing).toEqual({});
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect((result as { elections: number }).elections).toBe(0);
  expect(await cluster.running()).toEqual([1, 2, 3, 4, 5]);
});

test('scale-down 5 -> 3 with the leader among the removed: no write lost', async () => {
  const leader = (await leaderOf([1, 2, 3, 4, 5]))!;
  const keep = [1, 2, 3, 4, 5].filter((id) => id !== leader).slice(0, 3);
  const { missing, report } = await withWriter([1, 2, 3, 4, 5], keep, () => cluster.apply(cluster.ensemble(keep)));
  expect(missing).toEqual({});
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect(await cluster.running()).toEqual(keep);
  expect(cluster.events.some((e) => e.type === 'step-start' && e.step.kind === 'reconfig-remove' && e.step.serverId === leader)).toBe(true);
});

test('migration to disjoint servers {6,7,8}: no write lost', async () => {
  const before = await cluster.running();
  const { missing, report } = await withWriter([...before, 6, 7, 8], [6, 7, 8], () => cluster.apply(cluster.ensemble([6, 7, 8])));
  expect(missing).toEqual({});
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect(await cluster.running()).toEqual([6, 7, 8]);
});

describe('the zk-rollout CLI against the live ensemble', () => {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const { writeFileSync } = require('node:fs') as typeof import('node:fs');
  const run = (args: string[]) => spawnSync(process.execPath, [require('node:path').join(__dirname, '..', '..', 'dist', 'lib', 'cli', 'main.js'), ...args], {
    encoding: 'utf8', env: { ...process.env, ZK_ROLLOUT_SUPER_PASSWORD: 'integration-secret' },
  });
  const specFile = (voters: number[]) => {
    const path = `${cluster.baseDir}/spec-${voters.join('')}.json`;
    writeFileSync(path, JSON.stringify({ name: 'itdyn', servers: voters.map((v) => cluster.server(v)), settings: { tickTime: 200, initLimit: 20, syncLimit: 10, jvmHeapMb: 128 } }));
    return path;
  };

  test('plan from a live address: nothing to do when live matches, a scale-up plan otherwise', () => {
    const same = run(['plan', '--current', '127.0.0.1:21006', '--desired', specFile([6, 7, 8])]);
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/from config version [0-9a-f]+, leader [678]/);
    expect(same.stdout).toMatch(/nothing to do/);
    const grow = run(['plan', '--current', '127.0.0.1:21007', '--desired', specFile([6, 7, 8, 9]), '--format', 'markdown']);
    expect(grow.stdout).toMatch(/\| 1 \| start server 9 as a joining observer/);
  });

  test('status lists every member with its mode; verify reads the canary back from each', () => {
    const status = run(['status', '--desired', specFile([6, 7, 8]), '--base-dir', cluster.baseDir]);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/^6 +127\.0\.0\.1:21006 +participant +(leader|follower) +0x[0-9a-f]+ +\d+ +(broadcast|leading) +[0-9a-f]+ +yes/m);
    expect(status.stdout.split('\n').filter((l) => /^[678] /.test(l))).toHaveLength(3);
    const verify = run(['verify', '--desired', specFile([6, 7, 8]), '--base-dir', cluster.baseDir]);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/verified: the canary write is on all 3 members/);
  });
});
