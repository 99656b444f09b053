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

  test('GIVEN a joiner THEN it starts alone, and its sync wait and promotion wait for the next look', () => {
    expect(kinds(ok(plan(healthy([1, 2, 3]), ensemble([1, 2, 3, 4]))))).toEqual(['start-joiner 4']);
  });

  test('GIVEN three joiners THEN they start as one batch', () => {
    expect(kinds(ok(plan(healthy([1, 2, 3]), ensemble([4, 5, 6]))))).toEqual(['start-joiner 4', 'start-joiner 5', 'start-joiner 6']);
  });

  test('GIVEN joiners already running THEN the first one\'s sync wait runs with its promotion', () => {
    const running = { ...healthy([1, 2, 3]), joiners: ensemble([4, 5]).servers, observations: [...healthy([1, 2, 3]).observations, { id: 4, up: true, synced: true }, { id: 5, up: true, synced: false }] };
    expect(kinds(ok(plan(running, ensemble([1, 2, 3, 4, 5]))))).toEqual(['await-synced 4', 'reconfig-add 4']);
  });

  test('GIVEN a member down THEN its start runs with its sync wait', () => {
    expect(kinds(ok(plan(withDown(healthy([1, 2, 3]), 1), ensemble([1, 2, 3]))))).toEqual(['start-member 1', 'await-synced 1']);
  });

  test('GIVEN a removal THEN the drain guard runs with the reconfig, and nothing after it', () => {
    expect(kinds(ok(plan(healthy([1, 2, 3, 4, 5], [], 5), ensemble([1, 2, 3, 4]))))).toEqual(['drain-clients 5', 'reconfig-remove 5']);
  });
});
