/** Turns a list of actions into numbered steps: the full server, and the membership before and after each. */
import { ClusterSnapshot, Step, StepAction, View, Violation } from './types';
import { initialState, summarise } from './sim-state';
import { applyStep } from './simulate';
import { describeAction } from './describe';
import { Ensemble, Server } from '../model/types';

/** Waits and checks that exist only to make the following step safe. */
const GUARDS = new Set<StepAction['kind']>(['await-synced', 'drain-clients', 'await-quorum', 'barrier-write', 'bake', 'backup']);

/** Whether steps of this kind are guards (what `Step.guard` says of a planned step). */
export const isGuardKind = (kind: StepAction['kind']): boolean => GUARDS.has(kind);

const everyone = (v: View) => new Set([...v.voters, ...v.observers]);

/** A joiner starts, or a server or voter appears: the growth phase (what the bake follows). */
function grows(kind: StepAction['kind'], before: View, after: View): boolean {
  return kind === 'start-joiner' || [...everyone(after)].some((id) => !everyone(before).has(id))
    || after.voters.some((id) => !before.voters.includes(id));
}

/** A drain, or a server or voter disappears: the shrink phase (what the bake precedes). */
export function shrinks(s: Step): boolean {
  return s.kind === 'drain-clients' || [...everyone(s.before)].some((id) => !everyone(s.after).has(id))
    || s.before.voters.some((id) => !s.after.voters.includes(id));
}

/** Where a server id lives: the desired spec first, then the live members, then running joiners, then what the action names. */
function locate(id: number, desired: Pick<Ensemble, 'servers'>, snapshot: ClusterSnapshot | null, action: StepAction): Server {
  const named = 'config' in action ? action.config : 'servers' in action ? action.servers ?? [] : [];
  const s = desired.servers.find((x) => x.id === id) ?? snapshot?.members.find((x) => x.id === id)
    ?? snapshot?.joiners?.find((x) => x.id === id) ?? named.find((x) => x.id === id);
  if (!s) throw new Error(`a step names server ${id}, which is neither desired, a member, nor a running joiner`);
  return s;
}

export function annotate(
  desired: Pick<Ensemble, 'strategy' | 'servers'>, snapshot: ClusterSnapshot | null, actions: readonly StepAction[],
): { steps: Step[]; violations: Violation[] } {
  const state = initialState(desired.strategy, snapshot);
  const steps: Step[] = [];
  const violations: Violation[] = [];
  actions.forEach((action, i) => {
    const before = summarise(state).view;
    violations.push(...applyStep(state, action, i + 1));
    const after = summarise(state);
    steps.push({
      ...action,
      ...('serverId' in action ? { server: locate(action.serverId, desired, snapshot, action) } : {}),
      index: i + 1,
      summary: describeAction(action),
      before,
      after: after.view,
      quorumAfter: after.quorum,
      toleratesAfter: after.tolerates,
      liveVotersAfter: after.live,
      membersAfter: [...state.members.values()].sort((a, b) => a.id - b.id),
      growth: grows(action.kind, before, after.view),
      guard: isGuardKind(action.kind),
    } as Step);
  });
  return { steps, violations };
}
