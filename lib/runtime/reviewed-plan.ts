/**
 * A reviewed plan (zk-rollout plan --pin) against the first plan of the rollout: the same steps run
 * (saying whether the ensemble moved meanwhile); other steps are refused before acting, or, with
 * replan, run and said.
 */
import { pinDifferences, pinOf } from '../planner/review/pin';
import { Pin } from '../planner/review/types';
import { ClusterSnapshot, Plan } from '../planner/types';
import { RolloutEventBody } from './events';
import { RolloutError } from './refusal';

export function checkReviewed(reviewed: { readonly pin: Pin; readonly replan: boolean }, p: Plan, snapshot: ClusterSnapshot | null, emit: (e: RolloutEventBody) => void): void {
  const { moved, steps } = pinDifferences(reviewed.pin, pinOf(p, snapshot, null, new Date()));
  const since = `computed ${reviewed.pin.computedAt} from config version ${reviewed.pin.configVersion}`;
  if (steps.length === 0) {
    emit({ type: 'notice', code: 'plan-as-reviewed', message: `the plan is the one reviewed (${since})${moved.length > 0 ? `; the ensemble moved since (${moved.join('; ')}), the plan did not` : ''}` });
    return;
  }
  if (reviewed.replan) {
    const how = moved.length > 0 ? `the ensemble moved since the review (${moved.join('; ')})` : 'the ensemble did not move: the desired spec changed since the review';
    emit({ type: 'notice', code: 'replanned', message: `the plan differs from the one reviewed; running the plan computed now, as asked: ${how}; steps ${steps.join('; ')}` });
    return;
  }
  const why = moved.length > 0 ? ['the ensemble moved since the review:', ...moved.map((m) => `  ${m}`)] : ['the ensemble did not move: the desired spec changed since the review'];
  throw new RolloutError('plan-stale', `refused: the plan differs from the one reviewed (${since})`, {
    details: [...why, 'the steps (- reviewed, + now):', ...steps.map((d) => `  ${d}`), 'nothing was changed: run zk-rollout plan again for a fresh review, or deploy with --replan (ZK_ROLLOUT_REPLAN=1) to run the plan computed now'],
  });
}
