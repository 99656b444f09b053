/** The bake in plans: after the growth phase, before the first removal, and nowhere else. */
import { plan } from '../../lib/planner/plan';
import { PlanResult } from '../../lib/planner/types';
import { ensemble, healthy } from '../support/fixtures';

const kinds = (r: PlanResult) => (r.ok ? r.plan.steps.map((s) => s.kind) : []);
const ok = (r: PlanResult) => { if (!r.ok) throw new Error(r.refusal.reason); return r.plan; };

describe('GIVEN a migration {1,2,3} -> {4,5,6}', () => {
  const from = healthy([1, 2, 3], [], 3);
  const to = ensemble([4, 5, 6]);

  test('WHEN a bake time is set THEN one hold sits after the last addition and before the first drain', () => {
    const steps = ok(plan(from, to, { bakeMs: 30000 })).steps;
    const bake = steps.findIndex((s) => s.kind === 'bake');
    expect(steps.filter((s) => s.kind === 'bake')).toHaveLength(1);
    expect(steps[bake]).toMatchObject({ kind: 'bake', holdMs: 30000 });
    expect(steps[bake].summary).toMatch(/^hold 30 s \(bake\)/);
    expect(steps[bake - 1].kind).toBe('reconfig-add');
    expect(steps[bake + 1].kind).toBe('drain-clients');
    expect(steps.slice(0, bake).some((s) => s.kind === 'drain-clients' || s.kind === 'reconfig-remove')).toBe(false);
    expect(steps.slice(bake).some((s) => s.kind === 'reconfig-add' || s.kind === 'start-joiner')).toBe(false);
  });

  test('WHEN the bake time is 0 THEN there is no hold', () => {
    expect(kinds(plan(from, to, { bakeMs: 0 }))).not.toContain('bake');
    expect(kinds(plan(from, to))).not.toContain('bake');
  });

  test('WHEN the growth already ran (a re-plan mid-rollout) THEN the hold still comes before the first removal', () => {
    const grown = healthy([1, 2, 3, 4, 5, 6], [], 3);
    expect(kinds(plan(grown, to, { bakeMs: 5000 }))).not.toContain('bake');
    const k = kinds(plan(grown, to, { bakeMs: 5000, grownAlready: true }));
    expect(k[0]).toBe('bake');
    expect(k[1]).toBe('drain-clients');
  });
});

test('a pure scale-up or scale-down has nothing to bake', () => {
  expect(kinds(plan(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3, 4, 5]), { bakeMs: 5000 }))).not.toContain('bake');
  expect(kinds(plan(healthy([1, 2, 3, 4, 5], [], 3), ensemble([1, 2, 3]), { bakeMs: 5000 }))).not.toContain('bake');
});

test('a partial replacement and the static strategy bake too', () => {
  expect(kinds(plan(healthy([1, 2, 3], [], 3), ensemble([1, 2, 4]), { bakeMs: 5000 }))).toContain('bake');
  expect(kinds(plan(healthy([1, 2, 3], [], 3, 'static'), ensemble([4, 5, 6], [], 'static'), { bakeMs: 5000 }))).toContain('bake');
});
