/**
 * The review on real servers: `zk-rollout plan` against a live ensemble reads each server's clients,
 * lag and data, and its preflight passes, warns and fails as the ensemble is (a held lock, a frozen
 * follower, drift, a wrong password); a reviewed plan is run as reviewed, refused when the ensemble
 * moved, and run anew with --replan. The reconfig check is asked of real leaders, changing nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server } from '../../lib/model/types';
import { Review } from '../../lib/planner/review/types';
import { AdminClient } from '../../lib/runtime/admin-client';
import { isSynced, observeEnsemble, probeServer } from '../../lib/runtime/observe';
import { LOCK_ROOT } from '../../lib/runtime/rollout-lock';
import { installServerFiles, startServer } from '../../lib/runtime/server-config';
import { AUTH, TestCluster } from '../support/cluster';
import { startCli } from '../support/cli-process';
import { HandBuiltEnsemble } from '../support/hand-built';
import { Writer } from '../support/writer';

jest.setTimeout(300000);
const BASE = 19600;
const cluster = new TestCluster('itreview', BASE);
const hand = new HandBuiltEnsemble({ form: 'static', portBase: 19900, ids: [1, 2, 3] });
afterAll(async () => { await cluster.stopAll(); hand.stopAll(); });

const seeds = cluster.connectString([1, 2, 3, 4, 5]);
const live = async () => (await observeEnsemble([1, 2, 3, 4, 5].map((id) => ({ host: '127.0.0.1', port: BASE + id })))).snapshot;
const memberIds = async () => (await live()).members.map((m) => m.id).sort((a, b) => a - b);

function spec(ids: number[]): string {
  const path = join(cluster.baseDir, `spec-${ids.join('')}.json`);
  writeFileSync(path, JSON.stringify(cluster.ensemble(ids)));
  return path;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const p = startCli(args, env);
  const { code } = await p.exited;
  return { code, out: p.stdout() + p.stderr() };
}

async function review(ids: number[], extra: string[] = [], env: Record<string, string> = {}): Promise<{ code: number | null; review: Review & { ok: boolean }; out: string }> {
  const r = await cli(['plan', '--desired', spec(ids), '--current', seeds, '--format', 'json', '--base-dir', cluster.baseDir, ...extra], env);
  try {
    const json = JSON.parse(r.out) as { ok: boolean; review: Review };
    return { code: r.code, review: { ...json.review, ok: json.ok }, out: r.out };
  } catch {
    throw new Error(`plan printed no JSON (exit ${r.code}):\n${r.out}`);
  }
}

const line = (r: Review, check: string) => r.preflight!.find((l) => l.check === check)!;

test('a healthy ensemble with a client: every preflight line passes, each server shows its clients, lag and data, and plan exits 0', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const writer = new Writer(cluster.connectString([1]));
  await writer.start();
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const r = await review([1, 2, 3, 4]);
    expect(r.code).toBe(0);
    expect(r.review.preflight!.map((l) => [l.check, l.status])).toEqual([
      ['voters', 'pass'], ['digests', 'pass'], ['reconfig', 'pass'], ['credentials', 'pass'], ['lock', 'pass'], ['drift', 'pass'], ['disk', 'pass'],
    ]);
    expect(line(r.review, 'disk').message).toMatch(/server 4 [\d.]+ GiB free/);
    const one = r.review.servers.find((s) => s.id === 1)!;
    expect(one.facts!.clients).toBeGreaterThanOrEqual(1);
    expect(one.facts!.dataBytes).toBeGreaterThan(0);
    expect(r.review.servers.filter((s) => s.id <= 3).every((s) => s.facts?.behind !== undefined)).toBe(true);
    expect(r.review.verdict).toBe('1 add');
    expect(r.review.pin!.zxid).toMatch(/^0x[0-9a-f]+$/);
    const md = await cli(['plan', '--desired', spec([1, 2, 3, 4]), '--current', seeds, '--format', 'markdown', '--base-dir', cluster.baseDir]);
    expect(md.out).toMatch(/^<!-- zk-rollout-review: ensemble itreview -->/);
    expect(md.out).toContain('**preflight passed**');
  } finally {
    await writer.stop();
  }
});

test('a held lock and a frozen follower: the lock line names the holder and fails, the voters line names the follower, plan exits 4 and nothing changes', async () => {
  const snapshot = await live();
  const follower = snapshot.members.find((m) => m.id !== snapshot.leaderId)!;
  // The lock's session stays off the follower that is frozen: there its pings would stop and the
  // leader would expire the session, and the lock with it, while the plan runs.
  const admin = await AdminClient.open({ connect: cluster.connectString([1, 2, 3].filter((id) => id !== follower.id)), auth: AUTH, superuserOnly: true });
  const pid = (await cluster.driver.pid(follower))!;
  try {
    await admin.ensurePath(LOCK_ROOT);
    await admin.create(`${LOCK_ROOT}/itreview`, JSON.stringify({ host: 'ci-7', pid: 4242, rollout: 'another-rollout', since: '2026-11-26T10:00:00.000Z' }), 1);
    process.kill(pid, 'SIGSTOP');
    const r = await review([1, 2, 3, 4]);
    expect(r.code).toBe(4);
    expect(line(r.review, 'lock')).toEqual({ check: 'lock', status: 'fail', message: '/zk-rollout/locks/itreview is held by process 4242 on ci-7 (rollout another-rollout) since 2026-11-26T10:00:00.000Z: another rollout is running' });
    expect(line(r.review, 'voters').status).toBe('warn');
    expect(line(r.review, 'voters').message).toContain(`server ${follower.id} is down`);
  } finally {
    process.kill(pid, 'SIGCONT');
    admin.close();
  }
  expect(await memberIds()).toEqual([1, 2, 3]);
});

test('a reviewed plan: deploy runs it as reviewed, refuses it once the ensemble moved, and runs the new plan with --replan', async () => {
  // Wait for the lock of the last test's session to be gone.
  for (let i = 0; i < 50 && (await review([1, 2, 3, 4])).code !== 0; i++) await new Promise((r) => setTimeout(r, 500));
  const pins = join(cluster.baseDir, 'pins.json');
  expect((await review([1, 2, 3, 4], ['--pin', pins])).code).toBe(0);
  const asReviewed = await cli(['apply', '--desired', spec([1, 2, 3, 4]), '--base-dir', cluster.baseDir, '--bake-time', '0', '--reviewed-plan', pins]);
  expect(asReviewed.out).toMatch(/the plan is the one reviewed/);
  expect(asReviewed.code).toBe(0);
  expect(await memberIds()).toEqual([1, 2, 3, 4]);

  // Reviewed: add server 5. Then the ensemble moves (server 4 leaves) before the deploy.
  const pins5 = join(cluster.baseDir, 'pins5.json');
  expect((await review([1, 2, 3, 4, 5], ['--pin', pins5])).code).toBe(0);
  expect((await cli(['apply', '--desired', spec([1, 2, 3]), '--base-dir', cluster.baseDir, '--bake-time', '0', '--skip-backup'])).code).toBe(0);
  const stale = await cli(['apply', '--desired', spec([1, 2, 3, 4, 5]), '--base-dir', cluster.baseDir, '--bake-time', '0', '--reviewed-plan', pins5]);
  expect(stale.code).not.toBe(0);
  expect(stale.out).toMatch(/refused: the plan differs from the one reviewed/);
  expect(stale.out).toMatch(/the ensemble moved since the review:\n\s+- \s*config version \w+ when reviewed, \w+ now/);
  expect(stale.out).toMatch(/\+ start server 4 as a joining observer/);
  expect(await memberIds()).toEqual([1, 2, 3]);

  const replanned = await cli(['apply', '--desired', spec([1, 2, 3, 4, 5]), '--base-dir', cluster.baseDir, '--bake-time', '0', '--reviewed-plan', pins5, '--replan']);
  expect(replanned.out).toMatch(/the plan differs from the one reviewed; running the plan computed now, as asked: the ensemble moved since the review \(config version \w+ when reviewed, \w+ now/);
  expect(replanned.code).toBe(0);
  expect(await memberIds()).toEqual([1, 2, 3, 4, 5]);

  // A reviewed plan of another ensemble is no review of this one.
  writeFileSync(pins, JSON.stringify({ scope: 'stack x', pins: {} }));
  const other = await cli(['apply', '--desired', spec([1, 2, 3, 4, 5]), '--base-dir', cluster.baseDir, '--reviewed-plan', pins]);
  expect(other.out).toMatch(/has no plan for ensemble itreview .*nothing was changed/);
  expect(other.code).not.toBe(0);
});

test('drift since the last deploy and a wrong password: both fail the preflight, naming what changed and whose password', async () => {
  // What an operator does with zkCli: server 6 started by hand and added by reconfig.
  const e = cluster.ensemble([1, 2, 3, 4, 5, 6]);
  const s6 = e.servers.find((x) => x.id === 6)!;
  const now = await live();
  await installServerFiles(cluster.driver, e, s6, [...now.members, { ...s6, role: 'observer' }], now.configVersion, AUTH);
  await startServer(cluster.driver, e, s6, AUTH);
  for (let i = 0; i < 100 && !isSynced(await probeServer(s6, 1000)); i++) await new Promise((r) => setTimeout(r, 200));
  const admin = await AdminClient.open({ connect: cluster.connectString([1, 2, 3]), auth: AUTH });
  try {
    await admin.reconfig({ joining: [s6 as Server] }, (await admin.committedConfig()).version);
  } finally {
    admin.close();
  }
  const r = await review([1, 2, 3, 4, 5, 6]);
  expect(r.code).toBe(4);
  expect(line(r.review, 'drift').status).toBe('fail');
  expect(line(r.review, 'drift').message).toMatch(/with members \{1,2,3,4,5\}.*it is now at version \w+ with members \{1,2,3,4,5,6\}: server 6 was added/);

  const wrong = await review([1, 2, 3, 4, 5, 6], [], { ZK_ROLLOUT_SUPER_PASSWORD: 'not-the-password' });
  expect(line(wrong.review, 'credentials')).toMatchObject({ status: 'fail', message: expect.stringMatching(/the superuser password is not the one zk-rollout's znodes were made with/) });
  const none = await review([1, 2, 3, 4, 5, 6], [], { ZK_ROLLOUT_SUPER_PASSWORD: '' });
  expect(line(none.review, 'credentials')).toMatchObject({ status: 'warn', message: expect.stringMatching(/^not checked: no superuser password given/) });
});

test('whether reconfig is enabled is asked of the leader and changes nothing: yes on zk-rollout\'s ensemble, no on a hand-built static one', async () => {
  hand.write();
  hand.start();
  const handSeeds = [1, 2, 3].map((id) => ({ host: '127.0.0.1', port: 19900 + id }));
  for (let i = 0; i < 120; i++) {
    const ok = await observeEnsemble(handSeeds).then(({ snapshot }) => snapshot.leaderId !== null && snapshot.observations.every((o) => o.synced)).catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const ask = async (connect: string) => {
    const admin = await AdminClient.open({ connect, auth: AUTH });
    try {
      const before = (await admin.committedConfig()).version;
      const enabled = await admin.reconfigEnabled();
      return { enabled, unchanged: (await admin.committedConfig()).version === before };
    } finally {
      admin.close();
    }
  };
  expect(await ask(cluster.connectString([1, 2, 3]))).toEqual({ enabled: true, unchanged: true });
  expect(await ask(handSeeds.map((s) => `${s.host}:${s.port}`).join(','))).toEqual({ enabled: false, unchanged: true });
});
