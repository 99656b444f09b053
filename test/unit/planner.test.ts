import { plan } from '../../lib/planner/plan';
import { verifyPlan } from '../../lib/planner/verify';
import { Plan, PlanResult, Step, stepServerId } from '../../lib/planner/types';

const configOf = (s: Step) => ('config' in s ? s.config : []);
import { ensemble, healthy, withDown } from '../support/fixtures';

function ok(result: PlanResult): Plan {
  if (!result.ok) throw new Error(`expected a plan, got refusal: ${result.refusal.reason}\n${result.refusal.details.join('\n')}`);
  return result.plan;
}

const kinds = (p: Plan) => p.steps.map((s) => `${s.kind}${stepServerId(s) !== undefined ? ` ${stepServerId(s)}` : ''}`);

describe('planner', () => {
  test('GIVEN nothing runs WHEN planning 3 voters THEN all start in one first configuration and wait for a quorum', () => {
    const p = ok(plan(null, ensemble([1, 2, 3])));
    expect(kinds(p)).toEqual(['start-initial 1', 'start-initial 2', 'start-initial 3', 'await-quorum']);
    expect(p.steps[3].after.voters).toEqual([1, 2, 3]);
    expect(p.steps[3].quorumAfter).toBe(2);
    expect(p.steps[3].toleratesAfter).toBe(1);
  });

  test('GIVEN 3 voters WHEN scaling up to 5 THEN the joiners start together as observers, and each syncs and is added alone', () => {
    const p = ok(plan(healthy([1, 2, 3]), ensemble([1, 2, 3, 4, 5])));
    expect(kinds(p)).toEqual([
      'start-joiner 4', 'start-joiner 5',
      'await-synced 4', 'reconfig-add 4',
      'await-synced 5', 'reconfig-add 5',
    ]);
    expect(configOf(p.steps[0]).find((s) => s.id === 4)?.role).toBe('observer');
    expect(configOf(p.steps[1]).map((s) => s.id)).toEqual([1, 2, 3, 5]);
    expect(p.steps[3].after.voters).toEqual([1, 2, 3, 4]);
    expect(p.steps[5].quorumAfter).toBe(3);
    expect(p.steps[5].toleratesAfter).toBe(2);
  });

  test('GIVEN a migration whose leaving follower 1 is down WHEN planning THEN 1 is removed before anything joins (a promotion needs a quorum of live voters) and the plan verifies', () => {
    const current = withDown(healthy([1, 2, 3], [], 3), 1);
    const p = ok(plan(current, ensemble([4, 5, 6])));
    expect(kinds(p).slice(0, 3)).toEqual(['reconfig-remove 1', 'barrier-write', 'start-joiner 4']);
    expect(kinds(p).filter((k) => k === 'reconfig-remove 1')).toHaveLength(1);
    expect(kinds(p)).not.toContain('stop-server 1');
    expect(verifyPlan({ strategy: 'dynamic', snapshot: current, steps: p.steps, desired: ensemble([4, 5, 6]) })).toEqual([]);
  });

  test('GIVEN 5 voters led by 5 WHEN scaling down to 3 without the leader THEN followers go first and the leader last', () => {
    const p = ok(plan(healthy([1, 2, 3, 4, 5], [], 5), ensemble([1, 2, 3])));
    expect(kinds(p)).toEqual([
      'drain-clients 4', 'reconfig-remove 4', 'barrier-write', 'stop-server 4',
      'drain-clients 5', 'reconfig-remove 5', 'barrier-write', 'stop-server 5',
    ]);
    expect(p.notes.join(' ')).toMatch(/leader 5/);
  });

  test('GIVEN {1,2,3} led by 2 WHEN migrating to {4,5,6} THEN all new servers are added before any old one leaves, leader last', () => {
    const p = ok(plan(healthy([1, 2, 3], [], 2), ensemble([4, 5, 6])));
    const k = kinds(p);
    const lastAdd = k.lastIndexOf('reconfig-add 6');
    const firstRemove = k.findIndex((x) => x.startsWith('reconfig-remove'));
    expect(lastAdd).toBeLessThan(firstRemove);
    const removals = k.filter((x) => x.startsWith('reconfig-remove'));
    expect(removals).toEqual(['reconfig-remove 1', 'reconfig-remove 3', 'reconfig-remove 2']);
    expect(p.steps[p.steps.length - 1].after).toEqual({ voters: [4, 5, 6], observers: [] });
  });

  test('GIVEN a partial replacement WHEN 3 is swapped for 4 THEN 4 joins before 3 leaves', () => {
    const p = ok(plan(healthy([1, 2, 3], [], 3), ensemble([1, 2, 4])));
    expect(kinds(p)).toEqual(['start-joiner 4', 'await-synced 4', 'reconfig-add 4', 'drain-clients 3', 'reconfig-remove 3', 'barrier-write', 'stop-server 3']);
  });

  test('GIVEN 3 voters WHEN an observer is added and later removed THEN voters never change', () => {
    const add = ok(plan(healthy([1, 2, 3]), ensemble([1, 2, 3], [7])));
    expect(kinds(add)).toEqual(['start-joiner 7', 'await-synced 7', 'reconfig-add 7']);
    expect(add.steps.every((s) => s.after.voters.join() === '1,2,3')).toBe(true);
    const remove = ok(plan(healthy([1, 2, 3], [7]), ensemble([1, 2, 3])));
    expect(kinds(remove)).toEqual(['drain-clients 7', 'reconfig-remove 7', 'barrier-write', 'stop-server 7']);
  });

  test('GIVEN an observer WHEN it should vote THEN it is promoted by reconfig; and demoted back the same way', () => {
    const up = ok(plan(healthy([1, 2, 3], [4]), ensemble([1, 2, 3, 4])));
    expect(kinds(up)).toEqual(['reconfig-role 4']);
    expect(up.steps[0].after.voters).toEqual([1, 2, 3, 4]);
    const down = ok(plan(healthy([1, 2, 3, 4], [], 3), ensemble([1, 2, 3], [4])));
    expect(kinds(down)).toEqual(['reconfig-role 4', 'barrier-write']);
  });

  test('GIVEN new settings WHEN planning THEN a rolling restart goes observers, followers, leader last', () => {
    const current = healthy([1, 2, 3], [4], 2);
    const p = ok(plan(current, ensemble([1, 2, 3], [4], 'dynamic', { tickTime: 1000 })));
    expect(kinds(p).filter((k) => k.startsWith('restart'))).toEqual(['restart-server 4', 'restart-server 1', 'restart-server 3', 'restart-server 2']);
    expect(p.steps.every((s) => s.kind !== 'restart-server' || s.reason === 'settings')).toBe(true);
  });

  test('GIVEN the live ensemble matches WHEN planning THEN the plan is empty', () => {
    const p = ok(plan(healthy([1, 2, 3]), ensemble([1, 2, 3])));
    expect(p.steps).toHaveLength(0);
  });

  test('GIVEN a desired member is down WHEN planning THEN it is started and synced first', () => {
    const p = ok(plan(withDown(healthy([1, 2, 3], [], 3), 1), ensemble([1, 2, 3, 4])));
    expect(kinds(p).slice(0, 2)).toEqual(['start-member 1', 'await-synced 1']);
  });

  test('GIVEN a voter to remove is down WHEN shrinking THEN it is removed first, without drain or stop', () => {
    const p = ok(plan(withDown(healthy([1, 2, 3, 4, 5], [], 5), 1), ensemble([2, 3, 4])));
    expect(kinds(p).slice(0, 2)).toEqual(['reconfig-remove 1', 'barrier-write']);
  });

  test('GIVEN an interrupted rollout left joiner 4 running WHEN planning THEN 4 is not started again', () => {
    const base = healthy([1, 2, 3], [], 3);
    const snap = { ...base, joiners: [ensemble([4]).servers[0]], observations: [...base.observations, { id: 4, up: true, synced: false }] };
    const p = ok(plan(snap, ensemble([1, 2, 3, 4])));
    expect(kinds(p)).toEqual(['await-synced 4', 'reconfig-add 4']);
    const back = ok(plan(snap, ensemble([1, 2, 3])));
    expect(kinds(back)).toEqual(['barrier-write', 'stop-joiner 4']);
  });

  describe('refusals', () => {
    test('no quorum live', () => {
      const r = plan(withDown(healthy([1, 2, 3]), 1, 2), ensemble([1, 2, 3, 4]));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.refusal.reason).toMatch(/no quorum: 1 of 3 voters/);
    });
    test('no leader', () => {
      const r = plan({ ...healthy([1, 2, 3]), leaderId: null }, ensemble([1, 2, 3, 4]));
      expect(!r.ok && r.refusal.reason).toMatch(/no leader/);
    });
    test('an id kept with another address', () => {
      const desired = ensemble([1, 2, 3]);
      const moved = { ...desired, servers: desired.servers.map((s) => (s.id === 2 ? { ...s, host: '127.0.0.9' } : s)) };
      const r = plan(healthy([1, 2, 3]), moved);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.refusal.details.join('\n')).toMatch(/server 2: host: id 2 is on 127\.0\.0\.1 now/);
    });
    test('a desired ensemble without voters', () => {
      const e = ensemble([1, 2, 3]);
      const r = plan(healthy([1, 2, 3]), { ...e, servers: e.servers.map((s) => ({ ...s, role: 'observer' as const })) });
      expect(!r.ok && r.refusal.reason).toMatch(/no voters/);
    });
    test('wanted voters that are down are started before 5 shrinks to 3, so it plans rather than refuses', () => {
      const p = ok(plan(withDown(healthy([1, 2, 3, 4, 5], [], 5), 2, 3), ensemble([1, 2, 3])));
      expect(kinds(p).slice(0, 4)).toEqual(['start-member 2', 'await-synced 2', 'start-member 3', 'await-synced 3']);
    });
  });

  describe('static strategy', () => {
    test('GIVEN static 3 WHEN scaling up to 4 THEN the joiner starts with the new list and the rest restart, leader last', () => {
      const p = ok(plan(healthy([1, 2, 3], [], 2, 'static'), ensemble([1, 2, 3, 4], [], 'static')));
      expect(kinds(p)).toEqual([
        'rewrite-config', 'start-joiner 4', 'await-synced 4',
        'restart-server 1', 'await-synced 1', 'restart-server 3', 'await-synced 3', 'restart-server 2', 'await-synced 2',
      ]);
      expect(configOf(p.steps[1]).map((s) => s.id)).toEqual([1, 2, 3, 4]);
    });

    test('GIVEN static {1,2,3} WHEN migrating to {4,5,6} THEN it changes one server at a time and verifies', () => {
      const current = healthy([1, 2, 3], [], 3, 'static');
      const desired = ensemble([4, 5, 6], [], 'static');
      const p = ok(plan(current, desired));
      expect(verifyPlan({ strategy: 'static', snapshot: current, steps: p.steps, desired })).toEqual([]);
      const joins = kinds(p).filter((k) => k.startsWith('start-joiner'));
      const stops = kinds(p).filter((k) => k.startsWith('stop-server'));
      expect(joins).toEqual(['start-joiner 4', 'start-joiner 5', 'start-joiner 6']);
      expect(stops).toEqual(['stop-server 1', 'stop-server 2', 'stop-server 3']);
    });

    test('GIVEN static {3,4,5,6} led by 3 WHEN 3 leaves THEN it hands off leadership, the rest restart without it, then it stops', () => {
      const p = ok(plan(healthy([3, 4, 5, 6], [], 3, 'static'), ensemble([4, 5, 6], [], 'static')));
      expect(kinds(p)).toEqual([
        'restart-server 3', 'await-synced 3', 'drain-clients 3', 'rewrite-config',
        'restart-server 4', 'await-synced 4', 'restart-server 5', 'await-synced 5', 'restart-server 6', 'await-synced 6',
        'stop-server 3',
      ]);
      expect(p.steps[0]).toMatchObject({ kind: 'restart-server', reason: 'handoff' });
    });

    test('a role change in place is refused with the way out', () => {
      const r = plan(healthy([1, 2, 3], [4], 3, 'static'), ensemble([1, 2, 3, 4], [], 'static'));
      expect(!r.ok && r.refusal.details.join()).toMatch(/new id/);
    });
  });
});
