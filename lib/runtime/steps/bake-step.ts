/**
 * The hold between growth and shrink: every second the ensemble must keep its leader (no election),
 * every staying member up and synced, and serve a client write. The first failure stops the rollout
 * before anything is removed.
 */
import { Server } from '../../model/types';
import { ClusterSnapshot, StepOf } from '../../planner/types';
import { NotReady, RolloutError } from '../refusal';
import { sleep, WaitAborted } from '../wait';
import { StepContext, StepRunner, waitFor } from './context';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The members the bake judges: those the desired ensemble keeps (a leaving member that is down says nothing about the new ones). */
function staying(ctx: StepContext, snap: ClusterSnapshot | null): readonly Server[] {
  return (snap?.members ?? []).filter((m) => ctx.desired.servers.some((d) => d.id === m.id));
}

/** Until every staying member is synced with a leader (a server promoted a moment ago re-syncs); a member down ends the wait. */
async function untilSynced(ctx: StepContext): Promise<number | null> {
  let leader: number | null = null;
  await waitFor(ctx, 'every member synced before the bake', ctx.t.syncMs, async () => {
    const snap = await ctx.live.snapshot();
    const keep = staying(ctx, snap);
    const down = keep.filter((m) => !snap!.observations.find((o) => o.id === m.id)?.up).map((m) => m.id);
    if (down.length > 0) throw new WaitAborted(down.map((id) => `server ${id} is down`).join('; '));
    const lagging = keep.filter((m) => !snap!.observations.find((o) => o.id === m.id)?.synced).map((m) => m.id);
    leader = snap?.leaderId ?? null;
    return { done: snap !== null && leader !== null && lagging.length === 0, seen: leader === null ? 'no leader' : `not synced: ${lagging.join(', ') || 'none'}` };
  }, 'check the servers\' logs (zk-rollout status), then re-run apply');
  return leader;
}

/** What is wrong with the ensemble now, for the bake; empty when healthy. */
async function problems(ctx: StepContext, snap: ClusterSnapshot | null, leader: number | null): Promise<string[]> {
  const found: string[] = [];
  if (!snap || snap.leaderId === null) found.push('no leader');
  else if (snap.leaderId !== leader) found.push(`the leader changed from ${leader} to ${snap.leaderId} (an election)`);
  for (const m of staying(ctx, snap)) {
    const o = snap!.observations.find((x) => x.id === m.id);
    if (!o?.up) found.push(`server ${m.id} is down`);
    else if (!o.synced) found.push(`server ${m.id} is not synced`);
  }
  if (found.length > 0) return found;
  try {
    await ctx.session.write(`/zk-rollout/bake/${ctx.desired.name}`);
  } catch (e) {
    found.push(`a client write failed, also on a new session (${(e as Error).message})`);
  }
  return found;
}

export const runBake: StepRunner<StepOf<'bake'>> = async (ctx, step) => {
  const holdMs = step.holdMs;
  let leader: number | null;
  try {
    leader = await untilSynced(ctx);
  } catch (e) {
    // Not a failed bake: the plan was made before a member went down; the next plan starts it again, then bakes.
    if (e instanceof WaitAborted) throw new NotReady(`${e.message} before the bake began`);
    throw e;
  }
  const started = Date.now();
  const every = Math.max(1000, Math.ceil(holdMs / 5000) * 1000);
  let lastReport = started;
  ctx.emit({ type: 'bake', phase: 'start', holdMs, elapsedMs: 0, leader, members: 0 });
  for (;;) {
    const snap = await ctx.live.snapshot();
    const found = await problems(ctx, snap, leader);
    const elapsed = Date.now() - started;
    if (found.length > 0) {
      throw new RolloutError('bake-failed', `bake failed after ${secs(elapsed)} of ${secs(holdMs)}: ${found.join('; ')}. Nothing was removed: the old and new servers are all still members. `
        + 'Find out why (zk-rollout status, the servers\' logs), then re-run apply to bake again and continue, or deploy the previous membership to go back.');
    }
    const members = snap!.members.length;
    if (elapsed >= holdMs) { ctx.emit({ type: 'bake', phase: 'passed', holdMs, elapsedMs: elapsed, leader, members }); return; }
    if (Date.now() - lastReport >= every) { lastReport = Date.now(); ctx.emit({ type: 'bake', phase: 'progress', holdMs, elapsedMs: elapsed, leader, members }); }
    await sleep(Math.min(1000, holdMs - elapsed));
  }
};
