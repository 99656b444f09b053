/** Steps that wait for the ensemble: a first quorum, a server synced with the leader, clients leaving a server. */
import { Server } from '../../model/types';
import { DRAIN_STALL_MS, PROBE_TIMEOUT_MS } from '../../model/defaults';
import { StepOf } from '../../planner/types';
import { clientsOf, isSynced } from '../observe';
import { WaitAborted } from '../wait';
import { checkReplica, leaderProbe } from './replica-check';
import { StepContext, StepRunner, waitFor } from './context';

export const runAwaitQuorum: StepRunner = async (ctx) => {
  const { desired } = ctx;
  await waitFor(ctx, 'a leader and every started server in broadcast', ctx.t.quorumMs, async () => {
    const probes = await Promise.all(desired.servers.map((s) => ctx.probe(s, PROBE_TIMEOUT_MS, 'sync')));
    const leader = probes.find((p) => p.mode === 'leader');
    const synced = probes.filter(isSynced).length;
    return { done: leader !== undefined && synced === desired.servers.length, seen: `${leader ? `leader ${leader.server.id}` : 'no leader'}, ${synced}/${desired.servers.length} synced` };
  }, 'check the servers\' logs and that their ports are free, then re-run apply');
};

/**
 * The server stopped while it was awaited (`doing`: what the wait was for): say why when a port is
 * taken, else where its log is and its last errors.
 */
export async function stoppedWhile(ctx: StepContext, s: Server, doing: string): Promise<WaitAborted> {
  const taken = await ctx.driver.takenPorts(s);
  if (taken.length > 0) {
    return new WaitAborted(`server ${s.id} stopped while waiting for it to ${doing}: ${taken.join(' and ')} ${taken.length > 1 ? 'are' : 'is'} taken by another process; free the port (or give the server other ports in the spec), then re-run apply`);
  }
  const errors = await ctx.driver.logErrors(s);
  return new WaitAborted(`server ${s.id} stopped while waiting for it to ${doing} (see ${ctx.driver.paths(s).log}); re-run apply to resume${errors ? `\nthe last error lines of its log:\n${errors}` : ''}`);
}

/** Until the server is in broadcast and at the leader's zxid of when the wait began; then its copy is checked. */
export const runAwaitSynced: StepRunner<StepOf<'await-synced'>> = async (ctx, step, snapshot) => {
  const s = step.server;
  const leader = snapshot !== null ? await leaderProbe(ctx, snapshot) : undefined;
  const target = leader !== undefined && leader.server.id !== s.id ? leader.zxid ?? null : null;
  await waitFor(ctx, `server ${s.id} to sync with the leader`, ctx.t.syncMs, async () => {
    if (!(await ctx.driver.isRunning(s))) throw await stoppedWhile(ctx, s, 'sync');
    const p = await ctx.probe(s, PROBE_TIMEOUT_MS, 'sync');
    // A leader fresh from an election reports <epoch>:0 until the first write of its epoch, while a
    // follower synced with it still shows its last write of the old epoch: broadcast says enough then.
    const freshEpoch = target !== null && (target & 0xffffffffn) === 0n;
    const caughtUp = target === null || (p.zxid !== undefined && p.zxid >= target) || freshEpoch;
    return {
      done: isSynced(p) && caughtUp,
      seen: p.reachable ? `mode ${p.mode}, peer state '${p.peerState ?? '?'}', zxid ${p.zxid !== undefined ? `0x${p.zxid.toString(16)}` : '?'}${target !== null ? ` (leader was at 0x${target.toString(16)})` : ''}` : (p.error ?? 'unreachable'),
    };
  }, `check ${ctx.driver.paths(s).log}; re-run apply to resume from where the ensemble is`);
  if (snapshot !== null) await checkReplica(ctx, s, snapshot);
};

/**
 * Clients leaving a server before it is removed. Clients do not leave by themselves (ZooKeeper's
 * clients follow no reconfig on their own); those that stay are moved when the server stops after its
 * removal, and reconnect to another server of their connect string within their session. So the drain
 * waits only while clients are leaving: it ends when none is left, when none has left for
 * DRAIN_STALL_MS, or at the drain timeout. The rollout's last look at the ensemble counts as the first
 * reading: where no client left since then, the drain is one probe.
 */
export const runDrain: StepRunner<StepOf<'drain-clients'>> = async (ctx, step) => {
  const s = step.server;
  const started = Date.now();
  const earlier = ctx.live.clientsSeen(s.id);
  let clients = earlier?.clients ?? Infinity;
  let lastFall = earlier?.at ?? started;
  let outcome: 'drained' | 'stalled' | 'timed-out' = 'timed-out';
  try {
    await waitFor(ctx, `clients to leave server ${s.id}`, ctx.t.drainMs, async () => {
      const p = await ctx.probe(s, PROBE_TIMEOUT_MS, 'mode');
      const now = clientsOf(p) ?? 0;
      if (now < clients) lastFall = Date.now();
      clients = now;
      outcome = !p.reachable || clients === 0 ? 'drained' : Date.now() - lastFall >= DRAIN_STALL_MS ? 'stalled' : 'timed-out';
      return { done: outcome !== 'timed-out', seen: `${clients} client connection(s)` };
    }, '');
  } catch {
    outcome = 'timed-out';
  }
  ctx.emit({ type: 'drain', serverId: s.id, outcome, clients: Number.isFinite(clients) ? clients : 0, ms: Date.now() - started });
  ctx.live.markDrained(s.id);
};
