/** The review around a plan (pure): verdict, banners, servers, impact, rollback, pin. */
import { DRAIN_STALL_MS } from '../../lib/model/defaults';
import { pinDifferences, pinOf, stepDiff } from '../../lib/planner/review/pin';
import { verdictOf } from '../../lib/planner/review/verdict';
import { preflightStatus } from '../../lib/planner/review/types';
import { plan } from '../../lib/planner/plan';
import { snapshotReceivers } from '../../lib/runtime/review-facts';
import { stepServerId } from '../../lib/planner/types';
import { ensemble, healthy } from '../support/fixtures';
import { facts, REVIEW_TIME, reviewOf, SCENARIOS } from '../support/review-fixtures';

const okPlan = (r: ReturnType<typeof plan>) => { if (!r.ok) throw new Error(r.refusal.reason); return r.plan; };

describe('the verdict line', () => {
  test.each([
    ['migration', '3 add, 3 remove, leader hand-off'],
    ['scale-down-with-leader', '2 remove, leader hand-off'],
    ['observer-add', '1 add'],
    ['static-strategy', '2 add, 7 restarts, leader hand-off'],
    ['tls-phases', '9 restarts, leader hand-off'],
  ])('GIVEN a %s THEN it reads "%s"', (name, line) => {
    expect(SCENARIOS[name]().verdict).toBe(line);
  });

  test('GIVEN an observer promoted and a voter demoted THEN both are named', () => {
    const p = okPlan(plan(healthy([1, 2, 3], [4], 3), ensemble([1, 2, 4], [3]), {}));
    expect(verdictOf(p)).toBe('1 promote, 1 demote, leader hand-off');
  });

  test('GIVEN nothing to do THEN "no change"', () => {
    expect(verdictOf(okPlan(plan(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3]))))).toBe('no change');
  });
});

describe('the banners', () => {
  test('GIVEN a migration THEN one caution for the leader\'s removal, warnings for even voters and for the tolerance lost', () => {
    const r = SCENARIOS.migration();
    const steps = okPlan(r.plan).steps;
    const leader = r.banners.filter((b) => b.kind === 'leader');
    expect(leader).toHaveLength(1);
    expect(steps[leader[0].step - 1]).toMatchObject({ kind: 'reconfig-remove', serverId: 3 });
    expect(r.banners.filter((b) => b.kind === 'even-voters').map((b) => steps[b.step - 1].after.voters.length)).toEqual([4, 6, 4]);
    const lowered = r.banners.filter((b) => b.kind === 'tolerance');
    expect(lowered.map((b) => [steps[b.step - 1].kind, steps[b.step - 1].toleratesAfter])).toEqual([['reconfig-remove', 1]]);
  });

  test('GIVEN a settings restart wave THEN every restart lowers the tolerance and the leader\'s ends the wave in an election', () => {
    const r = SCENARIOS['tls-phases']();
    const steps = okPlan(r.plan).steps;
    expect(r.banners.filter((b) => b.kind === 'tolerance')).toHaveLength(9);
    expect(r.banners.filter((b) => b.kind === 'leader').map((b) => stepServerId(steps[b.step - 1]))).toEqual([3, 3, 3]);
    expect(r.impact!.elections).toBe(3);
  });
});

describe('the servers table', () => {
  test('GIVEN a migration THEN the old servers are removed, the new added, the leader marked, the facts kept', () => {
    const rows = SCENARIOS.migration().servers;
    expect(rows.map((s) => [s.id, s.change, s.leader, s.facts?.clients ?? null])).toEqual([
      [1, 'removed', false, 4], [2, 'removed', false, 3], [3, 'removed', true, 5], [4, 'added', false, null], [5, 'added', false, null], [6, 'added', false, null],
    ]);
  });

  test('GIVEN a TLS switch THEN every server is changed (restarted), none added or removed', () => {
    expect(SCENARIOS['tls-phases']().servers.map((s) => s.change)).toEqual(['changed', 'changed', 'changed']);
  });
});

describe('the impact', () => {
  test('GIVEN a migration with 4, 3 and 5 clients on the old servers THEN the reconnects count them, and every client at the leader\'s removal', () => {
    const i = SCENARIOS.migration().impact!;
    expect(i.elections).toBe(1);
    // Server 1's 4 and server 2's 3 clients at their removals; at the leader's removal all that are left: 12 in this count.
    expect(i.reconnects).toBe(4 + 3 + 12);
    // The bake (10 s) and three drains are in it (clients stay, so each ends once none has left for
    // DRAIN_STALL_MS, not at the 5 s drain timeout); the whole is the steps' sum.
    const steps = okPlan(SCENARIOS.migration().plan).steps;
    const of = (kind: string) => i.steps.filter((x) => steps[x.step - 1].kind === kind).map((x) => x.estimateMs);
    expect(of('drain-clients')).toEqual([DRAIN_STALL_MS, DRAIN_STALL_MS, DRAIN_STALL_MS]);
    expect(of('bake')).toEqual([10000]);
    expect(i.estimateMs).toBe(i.steps.reduce((n, x) => n + x.estimateMs, 0));
  });

  test('GIVEN no live facts THEN the reconnects are unknown, and the estimate still counts the steps', () => {
    const r = reviewOf(healthy([1, 2, 3], [], 3), ensemble([2, 3, 4]), null);
    expect(r.impact!.reconnects).toBeNull();
    expect(reviewOf(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3, 4]), null).impact!.reconnects).toBe(0);
    expect(r.impact!.estimateMs).toBeGreaterThan(1000);
  });
});

describe('where snapshots land (the disk check)', () => {
  test.each([
    ['migration', [4, 5, 6]],
    ['scale-down-with-leader', [1, 2, 3]],
    ['observer-add', [4]],
    ['tls-phases', [1, 2, 3]],
  ])('GIVEN a %s THEN servers %j receive a full snapshot', (name, ids) => {
    expect(snapshotReceivers(okPlan(SCENARIOS[name]().plan)).map((s) => s.id)).toEqual(ids);
  });

  test('GIVEN an observer promoted THEN it syncs again, a snapshot, and its clients reconnect', () => {
    const r = reviewOf(healthy([1, 2, 3], [4], 3), ensemble([1, 2, 3, 4]), facts([1, 2, 3, 4], { 4: 6 }));
    expect(snapshotReceivers(okPlan(r.plan)).map((s) => s.id)).toEqual([4]);
    expect(r.impact!.reconnects).toBe(6);
  });
});

describe('the rollback', () => {
  test('GIVEN a migration THEN the rollback plan goes from the new servers back to the old ones, with the same safety', () => {
    const back = SCENARIOS.migration().rollback!;
    expect(back.command).toBe('git revert <this change> && cdktf deploy prod');
    const p = okPlan(back.plan);
    expect(p.from.voters).toEqual([4, 5, 6]);
    expect(p.to.voters).toEqual([1, 2, 3]);
    expect(p.steps.map((s) => s.kind)).toContain('backup');
  });

  test('GIVEN nothing to do THEN no rollback', () => {
    expect(reviewOf(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3]), facts([1, 2, 3])).rollback).toBeNull();
  });
});

describe('the pin', () => {
  const p = okPlan(plan(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3, 4]), { bakeMs: 10000, backup: true }));

  test('GIVEN the same ensemble and plan THEN no difference, whatever the zxid and the bake', () => {
    const reviewed = pinOf(p, healthy([1, 2, 3], [], 3), '0x100000001', REVIEW_TIME);
    const now = pinOf(okPlan(plan(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3, 4]), { bakeMs: 0 })), healthy([1, 2, 3], [], 3), null, new Date());
    expect(reviewed.actions).toEqual(['start server 4 as a joining observer with {1,2,3,4o}', 'reconfig: add server 4 as participant']);
    expect(pinDifferences(reviewed, now)).toEqual({ moved: [], steps: [] });
  });

  test('GIVEN a new leader elected and the same steps THEN it moved, and the steps are the ones reviewed', () => {
    const reviewed = pinOf(p, healthy([1, 2, 3], [], 3), null, REVIEW_TIME);
    const now = pinOf(okPlan(plan(healthy([1, 2, 3], [], 2), ensemble([1, 2, 3, 4]))), healthy([1, 2, 3], [], 2), null, new Date());
    expect(pinDifferences(reviewed, now)).toEqual({ moved: ['leader 3 when reviewed, 2 now'], steps: [] });
  });

  test('GIVEN the ensemble moved (a new config version, another leader, another plan) THEN each difference is named, and the steps diffed', () => {
    const reviewed = pinOf(p, { ...healthy([1, 2, 3], [], 3), configVersion: '100000003' }, null, REVIEW_TIME);
    const movedSnapshot = { ...healthy([1, 2, 3, 5], [], 2), configVersion: '100000009' };
    const moved = okPlan(plan(movedSnapshot, ensemble([1, 2, 3, 4])));
    const d = pinDifferences(reviewed, pinOf(moved, movedSnapshot, null, new Date()));
    expect(d.moved[0]).toBe('config version 100000003 when reviewed, 100000009 now');
    expect(d.moved[1]).toMatch(/^members \{1:participant@127\.0\.0\.1:20001, .*\} when reviewed, \{.*5:participant@127\.0\.0\.1:20005\} now$/);
    expect(d.moved[2]).toBe('leader 3 when reviewed, 2 now');
    expect(d.steps).toContain('+ reconfig: remove server 5');
  });

  test('stepDiff marks what went and what came, keeping the common steps', () => {
    expect(stepDiff(['a', 'b', 'c'], ['a', 'x', 'c', 'd'])).toEqual(['- b', '+ x', '+ d']);
    expect(stepDiff([], [])).toEqual([]);
  });
});

describe('the preflight status', () => {
  test('the worst line decides', () => {
    expect(preflightStatus(null)).toBeNull();
    expect(preflightStatus([{ check: 'lock', status: 'pass', message: '' }])).toBe('pass');
    expect(preflightStatus([{ check: 'lock', status: 'warn', message: '' }, { check: 'drift', status: 'pass', message: '' }])).toBe('warn');
    expect(preflightStatus([{ check: 'lock', status: 'warn', message: '' }, { check: 'drift', status: 'fail', message: '' }])).toBe('fail');
  });
});
