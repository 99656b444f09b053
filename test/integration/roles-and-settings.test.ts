/**
 * Real servers: an observer added, a settings change rolled through as a rolling restart
 * (observers, then followers, the leader last, one election), and the observer promoted to voter.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observeEnsemble } from '../../lib/runtime/observe';
import { TestCluster } from '../support/cluster';
import { withWriter } from '../support/scenario';

jest.setTimeout(240000);
const cluster = new TestCluster('itroles', 24000);
afterAll(async () => { await cluster.stopAll(); });

const leader = async () => (await observeEnsemble([1, 2, 3, 4].map((id) => ({ host: '127.0.0.1', port: 24000 + id })))).snapshot.leaderId;

test('an observer is added without touching the voters', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const { missing, report, result } = await withWriter(cluster, [1, 2, 3, 4], [1, 2, 3, 4], () => cluster.apply(cluster.ensemble([1, 2, 3], [4])));
  expect(missing).toEqual({});
  expect(report.acknowledged.length).toBeGreaterThan(20);
  expect(result.elections).toBe(0);
  const { snapshot } = await observeEnsemble([{ host: '127.0.0.1', port: 24001 }]);
  expect(snapshot.members.find((m) => m.id === 4)?.role).toBe('observer');
});

test('status shows each follower\'s and observer\'s lag; status --check fails when a member is down and passes again once it is back', async () => {
  const spec = join(cluster.baseDir, 'observer.json');
  writeFileSync(spec, JSON.stringify(cluster.ensemble([1, 2, 3], [4])));
  const status = (...extra: string[]) => spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'lib', 'cli', 'main.js'), 'status', '--desired', spec, '--base-dir', cluster.baseDir, ...extra], { encoding: 'utf8' });
  const healthy = status('--check', '--max-lag', '100000');
  expect(healthy.status).toBe(0);
  expect(healthy.stdout).toMatch(/^id\s+address\s+role\s+mode\s+zxid\s+behind\s+state\s+config/m);
  expect(healthy.stdout).toMatch(/^4\s+127\.0\.0\.1:24004\s+observer\s+observer\s+0x[0-9a-f]+\s+\d+\s+broadcast/m);
  expect(healthy.stdout).toMatch(/check passed: every member in broadcast and at most 100000 transactions behind the leader/);
  const current = await leader();
  const victim = [1, 2, 3].find((id) => id !== current)!;
  await cluster.driver.stop(cluster.ensemble([victim]).servers[0]);
  const failing = status('--check');
  expect(failing.status).toBe(1);
  expect(failing.stdout).toMatch(new RegExp(`check FAILED:\\n  - server ${victim} is down`));
  expect(status('--max-lag', 'lots').stderr).toMatch(/--max-lag lots: must be a whole number of transactions/);
  await cluster.apply(cluster.ensemble([1, 2, 3], [4]));
  expect(status('--check').status).toBe(0);
});

test('a settings change restarts observers, then followers, then the leader, with one election', async () => {
  const leaderBefore = await leader();
  cluster.events.length = 0;
  const { missing, result } = await withWriter(cluster, [1, 2, 3, 4], [1, 2, 3, 4], () => cluster.apply(cluster.ensemble([1, 2, 3], [4], { tickTime: 250 })));
  expect(missing).toEqual({});
  const restarts = cluster.events.flatMap((e) => (e.type === 'step-start' && e.step.kind === 'restart-server' ? [e.step.serverId!] : []));
  expect([...restarts].sort()).toEqual([1, 2, 3, 4]);
  expect(restarts[0]).toBe(4);
  expect(restarts[3]).toBe(leaderBefore);
  expect(result.elections).toBe(1);
  // Every server now runs the new settings: nothing left to restart.
  const again = await cluster.apply(cluster.ensemble([1, 2, 3], [4], { tickTime: 250 }));
  expect(again.steps).toBe(0);
});

test('the observer is promoted to a voter by reconfig', async () => {
  const { missing, result } = await withWriter(cluster, [1, 2, 3, 4], [1, 2, 3, 4], () => cluster.apply(cluster.ensemble([1, 2, 3, 4], [], { tickTime: 250 })));
  expect(missing).toEqual({});
  expect(result.elections).toBe(0);
  const { snapshot } = await observeEnsemble([{ host: '127.0.0.1', port: 24001 }]);
  expect(snapshot.members.map((m) => `${m.id}${m.role[0]}`)).toEqual(['1p', '2p', '3p', '4p']);
});
