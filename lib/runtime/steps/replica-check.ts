/**
 * ZooKeeper 3.8 can bring a server up to date with a DIFF that lacks older transactions (seen here
 * when a server that joined with a snapshot becomes leader and an empty joiner syncs from it;
 * ZOOKEEPER-4352). That server then serves a partial copy, and as a voter could later lead with it.
 * ZooKeeper notices on the next write, when the server's tree digest stops matching the leader's:
 * so write once, wait until the server has applied the write, and read its mismatch count.
 */
import { adoptedServers } from '../../model/existing';
import { PROBE_TIMEOUT_MS } from '../../model/defaults';
import { Server } from '../../model/types';
import { ClusterSnapshot } from '../../planner/types';
import { ServerProbe } from '../observe';
import { NotReady, RolloutError } from '../refusal';
import { StepContext, waitFor } from './context';

/** Non-voters reset and re-synced at most this often in one rollout, against a sync that keeps failing. */
const MAX_RESYNCS = 3;

export const barrierPath = (ensemble: string) => `/zk-rollout/barrier/${ensemble}`;

/** The leader's `srvr`: the one the snapshot names when it still leads, else whichever server now does. */
export async function leaderProbe(ctx: StepContext, snapshot: ClusterSnapshot): Promise<ServerProbe | undefined> {
  const named = snapshot.members.find((m) => m.id === snapshot.leaderId);
  const first = named ? await ctx.probe(named, PROBE_TIMEOUT_MS, 'mode') : undefined;
  if (first?.mode === 'leader') return first;
  const everyone = new Map([...snapshot.members, ...ctx.desired.servers].map((m) => [m.id, m]));
  return (await Promise.all([...everyone.values()].map((m) => ctx.probe(m, PROBE_TIMEOUT_MS, 'mode')))).find((p) => p.mode === 'leader');
}

export async function checkReplica(ctx: StepContext, s: Server, snapshot: ClusterSnapshot): Promise<void> {
  const { desired, driver } = ctx;
  await ctx.session.write(barrierPath(desired.name));
  const leader = await leaderProbe(ctx, snapshot);
  let mismatches = 0;
  await waitFor(ctx, `server ${s.id} to apply a check write`, ctx.t.syncMs, async () => {
    const p = await ctx.probe(s, PROBE_TIMEOUT_MS, 'sync');
    mismatches = p.digestMismatches ?? 0;
    return { done: leader?.zxid === undefined || (p.zxid !== undefined && p.zxid >= leader.zxid), seen: `zxid ${p.zxid !== undefined ? `0x${p.zxid.toString(16)}` : '?'}` };
  }, `check ${driver.paths(s).log}; re-run apply`);
  if (mismatches === 0) return;
  const voter = snapshot.members.some((m) => m.id === s.id && m.role === 'participant');
  const what = `server ${s.id}'s copy of the data differs from the leader's: ZooKeeper reported ${mismatches} digest mismatch(es) on it, the sign of an incomplete sync (ZOOKEEPER-4352 in 3.8)`;
  // A server zk-rollout did not create keeps its files: it is never reset (its data may be the only copy).
  const adopted = adoptedServers(desired).some((a) => a.id === s.id);
  if (!voter && !adopted && ctx.resyncs < MAX_RESYNCS) {
    ctx.resyncs++;
    ctx.emit({ type: 'notice', code: 'replica-reset', message: `${what}; it does not vote: stopping it and deleting its files, so that it starts again and syncs afresh` });
    await driver.stop(s, ctx.t.stopMs);
    await driver.deleteFiles(s);
    throw new NotReady(`server ${s.id} had an incomplete copy of the data and was reset`);
  }
  throw new RolloutError('incomplete-copy', `refused: ${what}. ${voter || adopted
    ? `${voter ? 'It votes' : 'zk-rollout did not create it, so it does not reset it'}, and its copy must not be trusted: stop it, delete its data directory (${driver.paths(s).dataDir}) so that it syncs afresh, start it, and check zk_digest_mismatches_count in its mntr output before re-running apply.`
    : `It was reset and re-synced ${MAX_RESYNCS} times and the copy was incomplete each time: let the ensemble take more writes (the leader's in-memory log then reaches further back) or restart the leader, then re-run apply.`}`);
}
