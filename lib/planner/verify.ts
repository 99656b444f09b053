/**
 * The safety verifier: replays any plan (ours or hand-written) against the snapshot it starts from
 * and reports every rollout rule it breaks. It never trusts what a step says about itself.
 */
import { QUORUM_TLS_PHASES, targetPhase } from '../model/tls';
import { Ensemble } from '../model/types';
import { initialState, summarise, viewOf } from './sim-state';
import { applyStep } from './simulate';
import { ClusterSnapshot, StepAction, View, Violation } from './types';

function sameView(a: View, b: View): boolean {
  const eq = (x: readonly number[], y: readonly number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return eq(a.voters, b.voters) && eq(a.observers, b.observers);
}

function formatView(v: View): string {
  return `voters {${v.voters.join(',')}} observers {${v.observers.join(',')}}`;
}

export interface VerifyInput {
  readonly strategy: Ensemble['strategy'];
  readonly snapshot: ClusterSnapshot | null;
  readonly steps: readonly (StepAction & { readonly before?: View; readonly after?: View })[];
  /** When given, the plan must end on exactly this membership. */
  readonly desired?: Ensemble;
}

export function verifyPlan(input: VerifyInput): Violation[] {
  const state = initialState(input.strategy, input.snapshot);
  const violations: Violation[] = [];
  input.steps.forEach((step, i) => {
    const before = summarise(state).view;
    if (step.before && !sameView(step.before, before)) {
      violations.push({ rule: 'declared-view', step: i + 1, message: `step says it starts from ${formatView(step.before)} but the ensemble is at ${formatView(before)}` });
    }
    violations.push(...applyStep(state, step, i + 1));
    const after = summarise(state).view;
    if (step.after && !sameView(step.after, after)) {
      violations.push({ rule: 'declared-view', step: i + 1, message: `step says it ends at ${formatView(step.after)} but it leads to ${formatView(after)}` });
    }
  });
  if (input.desired) {
    const want = viewOf(new Map(input.desired.servers.map((s) => [s.id, s])));
    const got = summarise(state).view;
    if (!sameView(want, got)) violations.push({ rule: 'converges', step: 0, message: `the plan ends at ${formatView(got)}, not the desired ${formatView(want)}` });
    const stillRunning = [...state.running].filter((id) => !state.members.has(id));
    if (stillRunning.length > 0) violations.push({ rule: 'converges', step: 0, message: `servers ${stillRunning.join(',')} still run outside the ensemble at the end` });
    const down = want.voters.concat(want.observers).filter((id) => !state.synced.has(id));
    if (down.length > 0) violations.push({ rule: 'converges', step: 0, message: `desired servers ${down.join(',')} are not running and synced at the end` });
    const phase = targetPhase(input.desired.settings.tls);
    const otherPhase = [...state.phases].filter(([, p]) => p !== phase).map(([id]) => id);
    if (otherPhase.length > 0) violations.push({ rule: 'converges', step: 0, message: `servers ${otherPhase.join(',')} end in another quorum TLS phase than ${phase} (${QUORUM_TLS_PHASES[phase].name})` });
  }
  return violations;
}
