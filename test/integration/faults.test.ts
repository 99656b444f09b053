/**
 * Faults during rollouts on real servers: a follower killed with -9, the joining server killed with
 * -9, a follower frozen while a joiner is added, and the handler process itself killed with -9 between steps. The next apply converges and no
 * acknowledged write is lost.
 */
import { parseEvents, RolloutEvent } from '../../lib/runtime/events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { observeEnsemble } from '../../lib/runtime/observe';
import { TestCluster } from '../support/cluster';
import { withWriter } from '../support/scenario';
import { startCli } from '../support/cli-process';
import { fourLetterWord, parseSrvr } from '../../lib/runtime/four-letter';

jest.setTimeout(300000);
const cluster = new TestCluster('itfault', 26000);
afterAll(async () => { await cluster.stopAll(); });

/**
 * Runs `zk-rollout apply` as its own process, its events on stdout; once they satisfy `when`, runs
 * `meanwhile` (the handler still alive), then kills the handler with -9.
 */
async function applyAndKillHandler(spec: string, when: (events: readonly RolloutEvent[]) => boolean, meanwhile: (pid: number) => Promise<void> = async () => {}): Promise<void> {
  let matched!: () => void;
  const seen = new Promise<void>((resolve) => { matched = resolve; });
  const cli = startCli(['apply', '--events', '-', '--desired', spec, '--base-dir', cluster.baseDir]);
  cli.child.stdout.on('data', () => { if (when(parseEvents(cli.stdout()))) matched(); });
  await Promise.race([seen, cli.exited.then(() => { throw new Error(`handler ended before it could be killed:\n${cli.stdout()}`); })]);
  await meanwhile(cli.child.pid!);
  cli.child.kill('SIGKILL');
  await cli.exited;
}

/** `zk-rollout apply` as cdktf deploy runs it, in its own process; `onOutput` sees its output as it grows. */
async function applyViaCli(spec: string, onOutput: (out: string) => void): Promise<{ code: number | null; out: string }> {
  let out = '';
  const cli = startCli(['apply', '--desired', spec, '--base-dir', cluster.baseDir, '--drain-timeout', '1', '--bake-time', '2'], {}, (chunk) => { out += chunk; onOutput(out); });
  return { code: (await cli.exited).code, out };
}

const leaderOf = async (ids: number[]) => (await observeEnsemble(ids.map((id) => ({ host: '127.0.0.1', port: 26000 + id })))).snapshot.leaderId;

test('kill -9 of a follower during a scale-up: zk-rollout apply restarts it and converges', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const leader = await leaderOf([1, 2, 3]);
  const victim = [1, 2, 3].find((id) => id !== leader)!;
  const spec = join(cluster.baseDir, 'to-1234.json');
  writeFileSync(spec, JSON.stringify(cluster.ensemble([1, 2, 3, 4])));
  // The handler runs as cdktf deploy runs it, in its own process; the follower dies while it waits
  // for the joiner to sync, so the promotion that follows meets a dead member.
  let killed: Promise<void> | null = null;
  const { missing, result } = await withWriter(cluster, [1, 2, 3, 4], [1, 2, 3, 4], () => applyViaCli(spec, (out) => {
    if (killed === null && /\] wait until server 4 is synced/.test(out)) killed = cluster.driver.kill(cluster.ensemble([victim]).servers[0]);
  }));
  expect(killed).not.toBeNull();
  expect(result.out).toMatch(new RegExp(`start member ${victim}, which is down`));
  expect(result.code).toBe(0);
  expect(missing).toEqual({});
  expect(await cluster.running()).toEqual([1, 2, 3, 4]);
});

test('kill -9 of the joining server: apply fails naming it, the next apply converges', async () => {
  const joiner = cluster.ensemble([5]).servers[0];
  const { missing } = await withWriter(cluster, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], async () => {
    await expect(cluster.apply(cluster.ensemble([1, 2, 3, 4, 5]), async (step) => {
      if (step.kind === 'await-synced' && step.serverId === 5) await cluster.driver.kill(joiner);
    })).rejects.toThrow(/server 5/);
    return cluster.apply(cluster.ensemble([1, 2, 3, 4, 5]));
  });
  expect(missing).toEqual({});
  expect(await cluster.running()).toEqual([1, 2, 3, 4, 5]);
});

test('kill -9 of the handler between steps: the next apply waits out the dead holder\'s lock and resumes', async () => {
  const spec = join(cluster.baseDir, 'to-678.json');
  writeFileSync(spec, JSON.stringify({ name: 'itfault', servers: [6, 7, 8].map((v) => cluster.server(v)), settings: { tickTime: 200, initLimit: 20, syncLimit: 10, jvmHeapMb: 128 } }));
  const { missing } = await withWriter(cluster, [1, 2, 3, 4, 5, 6, 7, 8], [6, 7, 8], async () => {
    await applyAndKillHandler(spec, (events) => events.some((e) => e.type === 'step-end' && e.n === 4));
    // The dead handler's session still holds the lock: the next apply sees its holder is gone and waits for the session to end.
    return cluster.apply(cluster.ensemble([6, 7, 8]));
  });
  expect(cluster.events.some((e) => e.type === 'notice' && e.code === 'lock-dead-holder')).toBe(true);
  expect(missing).toEqual({});
  expect(await cluster.running()).toEqual([6, 7, 8]);
});

test('kill -9 of the handler during a wait: a second apply meanwhile fails fast naming it; the next apply resumes and converges', async () => {
  const spec = join(cluster.baseDir, 'to-6789.json');
  writeFileSync(spec, JSON.stringify({ name: 'itfault', servers: [6, 7, 8, 9].map((v) => cluster.server(v)), settings: { tickTime: 200, initLimit: 20, syncLimit: 10, jvmHeapMb: 128 } }));
  const { missing } = await withWriter(cluster, [6, 7, 8, 9], [6, 7, 8, 9], async () => {
    await applyAndKillHandler(spec, (events) => events.some((e) => e.type === 'step-start' && e.step.kind === 'await-synced' && e.step.serverId === 9), async (pid) => {
      await expect(cluster.apply(cluster.ensemble([6, 7, 8, 9]))).rejects.toThrow(new RegExp(`another rollout of ensemble itfault is running: lock .* held by .*"pid":${pid}`));
    });
    return cluster.apply(cluster.ensemble([6, 7, 8, 9]));
  });
  expect(missing).toEqual({});
  expect(await cluster.running()).toEqual([6, 7, 8, 9]);
});

test('a server killed during the bake stops the rollout before anything is removed; the next apply bakes again and finishes', async () => {
  const target = [10, 11, 12];
  let killed = false;
  const { missing } = await withWriter(cluster, [6, 7, 8, 9, 10, 11, 12], target, async () => {
    await expect(cluster.executor(cluster.ensemble(target), {
      bakeMs: 4000,
      beforeStep: (step) => {
        if (step.kind === 'bake' && !killed) {
          killed = true;
          setTimeout(() => { void cluster.driver.kill(cluster.ensemble([10]).servers[0]); }, 1000);
        }
      },
    }).run()).rejects.toThrow(/bake failed .*server 10 is down.*Nothing was removed/);
    const { snapshot } = await observeEnsemble([6, 7, 8, 9, 11, 12].map((id) => ({ host: '127.0.0.1', port: 26000 + id })));
    expect(snapshot.members.map((m) => m.id).sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10, 11, 12]);
    return cluster.apply(cluster.ensemble(target));
  });
  expect(killed).toBe(true);
  expect(cluster.events.filter((e) => e.type === 'bake' && e.phase === 'passed').length).toBeGreaterThanOrEqual(1);
  expect(missing).toEqual({});
  expect(await cluster.running()).toEqual(target);
});

test('a follower frozen as a joiner is added: the add commits without it (the joiner already acknowledges proposals)', async () => {
  // Running: {10,11,12}. ZooKeeper commits the reconfig that adds 13 once a quorum of the new
  // configuration {10,11,12,13} acknowledges it: three servers. With a follower frozen that takes the
  // joiner's own acknowledgement, which it gives only as a non-voting follower (an observer gives none).
  const members = [10, 11, 12];
  await cluster.apply(cluster.ensemble(members)); // nothing to do after the test before; lets this one run alone
  const leader = await leaderOf(members);
  const srvr = async (id: number) => parseSrvr(await fourLetterWord('127.0.0.1', 26000 + id, 'srvr'));
  let frozen = 0;
  let thawedBy: 'commit' | 'fallback' | null = null;
  let joinerMode = '';
  const thaw = (by: 'commit' | 'fallback') => { if (frozen && thawedBy === null) { thawedBy = by; process.kill(frozen, 'SIGCONT'); } };
  // The writer uses the leader only, so a follower without clients can be chosen: freezing the one the
  // rollout's own session uses would stop the rollout, not test ZooKeeper's quorum.
  const { missing } = await withWriter(cluster, [leader!], [...members, 13], () => cluster.executor(cluster.ensemble([...members, 13]), {
    beforeStep: async (step) => {
      if (step.kind !== 'reconfig-add' || frozen) return;
      joinerMode = (await srvr(13)).mode;
      for (const id of members.filter((m) => m !== leader)) {
        if ((await srvr(id)).connections !== 1) continue; // 1: this srvr's own connection
        frozen = (await cluster.driver.pid(cluster.ensemble([id]).servers[0]))!;
        process.kill(frozen, 'SIGSTOP');
        // Without the joiner's acknowledgement the reconfig cannot commit while this follower is frozen.
        setTimeout(() => thaw('fallback'), 20000).unref();
        return;
      }
    },
    onEvent: (e) => { cluster.events.push(e); if (e.type === 'reconfig' && e.serverId === 13) thaw('commit'); },
  }).run().finally(() => thaw('fallback')));
  expect(frozen).toBeGreaterThan(0);
  expect(joinerMode).toBe('follower');
  expect(thawedBy).toBe('commit');
  expect(missing).toEqual({});
  expect(await cluster.running()).toEqual([...members, 13]);
});
