/** The one-line verdict of a plan and the warning banners a reviewer must not miss (pure). */
import { initialState, summarise } from '../sim-state';
import { ClusterSnapshot, Plan, Step } from '../types';
import { Banner } from './types';

/** A step that would take the current leader out of leadership: it leaves, stops, restarts or stops voting. */
function takesLeaderOut(s: Step, leaderId: number | null): boolean {
  if (leaderId === null || !('serverId' in s) || s.serverId !== leaderId) return false;
  return s.kind === 'reconfig-remove' || s.kind === 'stop-server' || s.kind === 'restart-server' || (s.kind === 'reconfig-role' && s.role === 'observer');
}

/**
 * A step that ends a leadership: the first that takes the current leader out (once removed, its stop
 * changes nothing), and every restart of it: each rolling restart restarts the leader of the moment
 * last (the executor re-plans against the new one), so each wave ends in an election.
 */
export function removesLeader(s: Step, plan: Pick<Plan, 'steps' | 'leaderId'>): boolean {
  if (!takesLeaderOut(s, plan.leaderId)) return false;
  return s.kind === 'restart-server' || plan.steps.find((x) => takesLeaderOut(x, plan.leaderId)) === s;
}

/** Failures the ensemble survives after the step: fewer while a voter restarts, whatever the configuration says. */
export const toleratesNow = (s: Pick<Step, 'toleratesAfter' | 'liveVotersAfter' | 'quorumAfter'>) => Math.max(0, Math.min(s.toleratesAfter, s.liveVotersAfter - s.quorumAfter));

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "2 add, 1 promote, 2 remove, leader hand-off"; "no change" for an empty plan. */
export function verdictOf(plan: Plan): string {
  const steps = plan.steps;
  if (plan.fromVersion === null) return `bootstrap: ${plural(plan.to.voters.length, 'voter')}${plan.to.observers.length > 0 ? `, ${plural(plan.to.observers.length, 'observer')}` : ''}`;
  const from = new Set([...plan.from.voters, ...plan.from.observers]);
  const to = new Set([...plan.to.voters, ...plan.to.observers]);
  const added = plan.strategy === 'dynamic'
    ? steps.filter((s) => s.kind === 'reconfig-add').reduce((n, s) => n + (s.kind === 'reconfig-add' ? s.servers.length : 0), 0)
    : [...to].filter((id) => !from.has(id)).length;
  const removed = plan.strategy === 'dynamic'
    ? steps.filter((s) => s.kind === 'reconfig-remove').reduce((n, s) => n + (s.kind === 'reconfig-remove' ? Math.max(1, s.servers?.length ?? 0) : 0), 0)
    : [...from].filter((id) => !to.has(id)).length;
  const promoted = steps.filter((s) => s.kind === 'reconfig-role' && s.role === 'participant').length;
  const demoted = steps.filter((s) => s.kind === 'reconfig-role' && s.role === 'observer').length;
  const restarts = steps.filter((s) => s.kind === 'restart-server').length;
  const parts = [
    added > 0 ? `${added} add` : '', promoted > 0 ? `${promoted} promote` : '', demoted > 0 ? `${demoted} demote` : '',
    removed > 0 ? `${removed} remove` : '', restarts > 0 ? plural(restarts, 'restart') : '',
    steps.some((s) => removesLeader(s, plan)) ? 'leader hand-off' : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : steps.length > 0 ? plural(steps.length, 'step') : 'no change';
}

/**
 * A banner for every step that lowers the failures the ensemble tolerates, removes or restarts the
 * leader, or leaves an even number of voters (as safe as one fewer, with one more to lose).
 */
export function bannersOf(plan: Plan, snapshot: ClusterSnapshot | null): Banner[] {
  if (snapshot === null) return [];
  const out: Banner[] = [];
  const start = summarise(initialState(plan.strategy, snapshot));
  let tolerates = toleratesNow({ toleratesAfter: start.tolerates, liveVotersAfter: start.live, quorumAfter: start.quorum });
  for (const s of plan.steps) {
    if (removesLeader(s, plan)) {
      const how = s.kind === 'restart-server' ? 'restarts' : s.kind === 'stop-server' ? 'stops' : s.kind === 'reconfig-role' ? 'demotes' : 'removes';
      out.push({ step: s.index, kind: 'leader', message: `step ${s.index} ${how} the leader (server ${plan.leaderId}): one election, and every client reconnects` });
    }
    if (toleratesNow(s) < tolerates) {
      out.push({ step: s.index, kind: 'tolerance', message: `step ${s.index} (${s.summary}) lowers the failures the ensemble tolerates from ${tolerates} to ${toleratesNow(s)}` });
    }
    const votersChanged = s.before.voters.join(',') !== s.after.voters.join(',');
    if (votersChanged && s.after.voters.length > 0 && s.after.voters.length % 2 === 0) {
      out.push({ step: s.index, kind: 'even-voters', message: `step ${s.index} leaves ${s.after.voters.length} voters, an even number: it tolerates ${s.toleratesAfter} failure(s), no more than ${s.after.voters.length - 1} voters would` });
    }
    tolerates = toleratesNow(s);
  }
  return out;
}
