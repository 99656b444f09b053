/**
 * Drift on real servers: a membership changed by hand (a member added, a config version moved, a
 * reconfig made while a rollout runs) stops apply before it acts, and says what changed and what to
 * do; with --accept-drift it plans from the live ensemble instead.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server } from '../../lib/model/types';
import { AdminClient } from '../../lib/runtime/admin-client';
import { isSynced, observeEnsemble, probeServer } from '../../lib/runtime/observe';
import { installServerFiles, startServer } from '../../lib/runtime/server-config';
import { AUTH, TestCluster } from '../support/cluster';
import { startCli } from '../support/cli-process';

jest.setTimeout(240000);
const cluster = new TestCluster('itdrift', 20800);
afterAll(async () => { await cluster.stopAll(); });

const live = async () => (await observeEnsemble([1, 2, 3, 4, 5].map((id) => ({ host: '127.0.0.1', port: 20800 + id })))).snapshot;
const ids = (servers: readonly Server[]) => servers.map((s) => `${s.id}${s.role === 'observer' ? 'o' : ''}`).join(',');

/** What an operator does with zkCli: a reconfig as the superuser, outside zk-rollout. */
async function reconfigByHand(change: { joining?: Server[]; leaving?: number[] }): Promise<void> {
  const admin = await AdminClient.open({ connect: cluster.connectString([1, 2, 3]), auth: AUTH });
  try {
    await admin.reconfig(change, (await admin.committedConfig()).version);
  } finally {
    admin.close();
  }
}

/** Starts a server by hand as a joining observer and waits until it is synced. */
async function startJoinerByHand(id: number): Promise<Server> {
  const e = cluster.ensemble([1, 2, 3, id]);
  const s = e.servers.find((x) => x.id === id)!;
  const now = await live();
  await installServerFiles(cluster.driver, e, s, [...now.members, { ...s, role: 'observer' }], now.configVersion, AUTH);
  await startServer(cluster.driver, e, s, AUTH);
  for (let i = 0; i < 100 && !isSynced(await probeServer(s, 1000)); i++) await new Promise((r) => setTimeout(r, 200));
  return s;
}

test('a member added by hand: apply stops before acting and names it; with --accept-drift it plans from the live ensemble', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const s4 = await startJoinerByHand(4);
  await reconfigByHand({ joining: [{ ...s4, role: 'participant' }] });
  const before = await live();
  expect(ids(before.members)).toBe('1,2,3,4');

  await expect(cluster.apply(cluster.ensemble([1, 2, 3]))).rejects.toThrow(
    /refused: the ensemble was changed outside zk-rollout since its last change: zk-rollout left it at config version \w+ with members \{1,2,3\}.*members \{1,2,3,4\}: server 4 was added\. A plan made for the ensemble as it was is not carried out\..*--accept-drift/);
  const after = await live();
  expect(after.configVersion).toBe(before.configVersion);
  expect(await cluster.running()).toEqual([1, 2, 3, 4]);

  await cluster.executor(cluster.ensemble([1, 2, 3]), { acceptDrift: true }).run();
  expect(cluster.events.find((e) => e.type === 'notice' && e.code === 'drift-accepted')).toMatchObject({ message: expect.stringMatching(/server 4 was added/) });
  expect(ids((await live()).members)).toBe('1,2,3');
  expect(await cluster.running()).toEqual([1, 2, 3]);
});

test('a config version that moved with the same members is drift too; the next apply after accepting it needs no flag', async () => {
  await reconfigByHand({ leaving: [1] });
  await reconfigByHand({ joining: [{ ...cluster.ensemble([1]).servers[0], role: 'participant' }] });
  expect(ids((await live()).members)).toBe('1,2,3');
  await expect(cluster.apply(cluster.ensemble([1, 2, 3]))).rejects.toThrow(/changed outside zk-rollout.*: the members are the same, the version is not/);
  // As cdktf deploy would run it: the variable reaches the handler through the environment.
  const spec = join(cluster.baseDir, 'drift-123.json');
  writeFileSync(spec, JSON.stringify(cluster.ensemble([1, 2, 3])));
  let out = '';
  const cli = startCli(['apply', '--desired', spec, '--base-dir', cluster.baseDir], { ZK_ROLLOUT_ACCEPT_DRIFT: '1' }, (chunk) => { out += chunk; });
  expect((await cli.exited).code).toBe(0);
  expect(out).toMatch(/the members are the same, the version is not; planning from the live ensemble as asked \(--accept-drift\)/);
  // Accepted once, recorded: the same ensemble applies cleanly again.
  await expect(cluster.apply(cluster.ensemble([1, 2, 3]))).resolves.toMatchObject({ steps: 0 });
});

test('a reconfig by hand while a rollout runs: the rollout\'s next reconfig is not carried out, and it says why', async () => {
  let changed = false;
  await expect(cluster.apply(cluster.ensemble([1, 2, 3, 5]), async (step) => {
    if (step.kind === 'reconfig-add' && step.serverId === 5 && !changed) {
      changed = true;
      // Someone makes 5 an observer by hand between the rollout's look at the ensemble and its reconfig.
      await reconfigByHand({ joining: [{ ...cluster.ensemble([5]).servers[0], role: 'observer' }] });
    }
  })).rejects.toThrow(/refused: the ensemble's configuration changed under this rollout, not by it .*the reconfig was not applied.*--accept-drift/);
  expect(changed).toBe(true);
  // The rollout's own promotion of 5 did not happen: 5 is the observer the hand made it.
  expect(ids((await live()).members)).toBe('1,2,3,5o');
});
