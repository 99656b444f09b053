/** What the executor runs between two looks at the ensemble: the guards, the step, and a start's sync wait. */
import { guardedPrefix } from '../../lib/runtime/executor';
import { plan } from '../../lib/planner/plan';
import { Plan, PlanResult, stepServerId } from '../../lib/planner/types';
import { ensemble, healthy, withDown } from '../support/fixtures';

const ok = (r: PlanResult): Plan => { if (!r.ok) throw new Error(r.refusal.reason); return r.plan; };
const kinds = (p: Plan) => guardedPrefix(p.steps).map((s) => `${s.kind}${stepServerId(s) !== undefined ? ` ${stepServerId(s)}` : ''}`);

describe('the batch between two looks', () => {
  test('GIVEN a rolling restart THEN a restart runs with its sync wait, so every restart is checked before the next', () => {
    const live = { ...healthy([1, 2, 3], [], 3), observations: healthy([1, 2, 3], [], 3).observations.map((o) => ({ ...o, settingsHash: 'old' })) };
    expect(kinds(ok(plan(live, ensemble([1, 2, 3]))))).toEqual(['restart-server 1', 'await-synced 1']);
  });

  test('GIVEN a joiner THEN its start runs with its sync wait, and its promotion waits for the next look', () => {
    expect(kinds(ok(plan(healthy([1, 2, 3]), ensemble([1, 2, 3, 4]))))).toEqual(['start-joiner 4', 'await-synced 4']);
  });

  test('GIVEN a member down THEN its start runs with its sync wait', () => {
    expect(kinds(ok(plan(withDown(healthy([1, 2, 3]), 1), ensemble([1, 2, 3]))))).toEqual(['start-member 1', 'await-synced 1']);
  });

  test('GIVEN a removal THEN the drain guard runs with the reconfig, and nothing after it', () => {
    expect(kinds(ok(plan(healthy([1, 2, 3, 4, 5], [], 5), ensemble([1, 2, 3, 4]))))).toEqual(['drain-clients 5', 'reconfig-remove 5']);
  });
});
