/** Turns a list of actions into numbered steps with the membership before and after each. */
import { ClusterSnapshot, Step, StepAction, Violation } from './types';
import { applyStep, initialState, summarise } from './simulate';
import { describeAction } from './describe';
import { Strategy } from '../model/types';

export function annotate(
  strategy: Strategy, snapshot: ClusterSnapshot | null, actions: readonly StepAction[],
): { steps: Step[]; violations: Violation[] } {
  const state = initialState(strategy, snapshot);
  const steps: Step[] = [];
  const violations: Violation[] = [];
  actions.forEach((action, i) => {
    const before = summarise(state).view;
    violations.push(...applyStep(state, action, i + 1));
    const after = summarise(state);
    steps.push({
      ...action,
      index: i + 1,
      summary: describeAction(action),
      before,
      after: after.view,
      quorumAfter: after.quorum,
      toleratesAfter: after.tolerates,
      liveVotersAfter: after.live,
    });
  });
  return { steps, violations };
}
