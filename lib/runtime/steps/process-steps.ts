/** Steps that start, restart or stop server processes, or rewrite their config files (through the host driver). */
import { JOINER_BOOT_MS, PROBE_TIMEOUT_MS, REMOVED_SERVER_STOP_MS } from '../../model/defaults';
import { Server } from '../../model/types';
import { StepOf } from '../../planner/types';
import { installServerFiles, startServer } from '../server-config';
import { keptVersion } from '../where-it-runs';
import { WaitTimeout } from '../wait';
import { StepContext, StepRunner, waitFor } from './context';
import { checkTrust } from './tls-trust';
import { stoppedWhile } from './wait-steps';

type Start = StepOf<'start-initial' | 'start-member' | 'start-joiner'>;

/**
 * The version a start's files carry. A first configuration keeps the one its servers kept on disk (a
 * restart from kept data); a member rejoins with the committed one. A joiner's file carries none (0),
 * older than the committed one: ZooKeeper's learner adopts a configuration only if it is newer, and only
 * then turns the joiner, absent from it, into a non-voting follower (QuorumPeer.updateLearnerType). With
 * the committed version it would stay an observer outside every configuration, which acknowledges no
 * proposal: the reconfig that adds it would need every old voter, and one failing then stops the ensemble.
 */
async function startVersion(ctx: Parameters<StepRunner<Start>>[0], step: Start, snapshot: Parameters<StepRunner<Start>>[2]): Promise<string | null> {
  if (step.kind === 'start-initial') return keptVersion(ctx.driver, step.server, step.config);
  return step.kind === 'start-joiner' ? null : snapshot?.configVersion ?? null;
}

export const runStart: StepRunner<Start> = async (ctx, step, snapshot) => {
  const { driver, desired, auth, t } = ctx;
  const s = step.server;
  await driver.checkCanStart(s);
  await checkTrust(ctx, s, step.quorumTls ?? 0, snapshot);
  if (await driver.isRunning(s)) await driver.stop(s, t.stopMs);
  const version = await startVersion(ctx, step, snapshot);
  await installServerFiles(driver, desired, s, step.config, version, auth, step.quorumTls ?? 0);
  await startServer(driver, desired, s, auth);
  if (step.kind === 'start-joiner') await untilAnswering(ctx, s);
};

/**
 * A joiner's start ends once its JVM answers on its client port, so joiners boot one after another
 * while their syncs still overlap. Booting together on a machine that also ran members, their JVMs
 * took the leader's CPU: writers then waited up to 190 ms for an acknowledgement (the bench's scale-up
 * at the defaults, two cores). A joiner that exits first stops the rollout as in its sync wait (a start
 * again would only fail again); one that does not answer in time is left to that wait.
 */
async function untilAnswering(ctx: StepContext, s: Server): Promise<void> {
  try {
    await waitFor(ctx, `server ${s.id} to answer on its client port`, JOINER_BOOT_MS, async () => {
      if (!(await ctx.driver.isRunning(s))) throw await stoppedWhile(ctx, s, 'answer on its client port');
      const p = await ctx.probe(s, PROBE_TIMEOUT_MS, 'mode');
      return { done: p.reachable, seen: p.reachable ? `mode ${p.mode}` : (p.error ?? 'no answer') };
    }, '');
  } catch (e) {
    if (!(e instanceof WaitTimeout)) throw e;
  }
}

export const runRestart: StepRunner<StepOf<'restart-server'>> = async (ctx, step, snapshot) => {
  const { driver, desired, auth, t } = ctx;
  // A start that cannot succeed is refused while the server still runs.
  await driver.checkCanStart(step.server);
  await checkTrust(ctx, step.server, step.quorumTls ?? 0, snapshot);
  await driver.stop(step.server, t.stopMs);
  await installServerFiles(driver, desired, step.server, step.config, snapshot?.configVersion ?? null, auth, step.quorumTls ?? 0);
  await startServer(driver, desired, step.server, auth);
};

/** Static strategy: every server in the new list or still a member gets the new list (it takes effect as each restarts). */
export const runRewrite: StepRunner<StepOf<'rewrite-config'>> = async ({ driver, desired, auth }, step, snapshot) => {
  const everyone = new Map([...(snapshot?.members ?? []), ...step.config].map((s) => [s.id, desired.servers.find((d) => d.id === s.id) ?? s]));
  for (const s of everyone.values()) await installServerFiles(driver, desired, s, step.config, null, auth);
};

/**
 * A server the plan stops is out of the configuration and a write was committed without it (or, static,
 * the rest no longer list it): it holds nothing the ensemble needs. ZooKeeper 3.8 has no graceful path
 * on TERM either (its one shutdown hook writes an audit line), so its exit is not waited for.
 */
export const runStop: StepRunner<StepOf<'stop-joiner' | 'stop-server'>> = async ({ driver }, step) => {
  await driver.stop(step.server, REMOVED_SERVER_STOP_MS);
};
