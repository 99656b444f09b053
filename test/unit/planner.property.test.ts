/**
 * Property tests over random memberships: every plan the planner returns converges on the desired
 * membership and passes the safety verifier, from healthy and partly failed ensembles alike.
 */
import fc from 'fast-check';
import { plan } from '../../lib/planner/plan';
import { verifyPlan } from '../../lib/planner/verify';
import { ClusterSnapshot } from '../../lib/planner/types';
import { quorumSize } from '../../lib/model/quorum';
import { Strategy } from '../../lib/model/types';
import { ensemble, healthy, withDown } from '../support/fixtures';

interface Case {
  current: { voters: number[]; observers: number[]; leaderIndex: number; down: number[] };
  desired: { voters: number[]; observers: number[]; tickTime: number };
}

/** Disjoint voter/observer id sets drawn from a small pool so that overlap and disjointness both occur. */
const membership = (maxVoters: number) => fc.uniqueArray(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: maxVoters + 3 })
  .chain((ids) => fc.integer({ min: 1, max: Math.min(maxVoters, ids.length) }).map((v) => ({ voters: ids.slice(0, v).sort((a, b) => a - b), observers: ids.slice(v).sort((a, b) => a - b) })));

const caseArb: fc.Arbitrary<Case> = fc.record({
  current: membership(9).chain((m) => fc.record({
    voters: fc.constant(m.voters),
    observers: fc.constant(m.observers),
    leaderIndex: fc.nat({ max: m.voters.length - 1 }),
    down: fc.subarray([...m.voters, ...m.observers]),
  })),
  desired: membership(9).chain((m) => fc.record({ voters: fc.constant(m.voters), observers: fc.constant(m.observers), tickTime: fc.constantFrom(2000, 1000) })),
});

function snapshotOf(c: Case['current'], strategy: Strategy): ClusterSnapshot {
  const leaderId = c.voters[c.leaderIndex];
  const down = c.down.filter((id) => id !== leaderId); // the leader is up by definition
  return withDown(healthy(c.voters, c.observers, leaderId, strategy), ...down);
}

const liveQuorum = (c: Case['current']) => {
  const leaderId = c.voters[c.leaderIndex];
  const up = c.voters.filter((v) => v === leaderId || !c.down.includes(v)).length;
  return up >= quorumSize(c.voters.length);
};

describe('planner properties', () => {
  test('dynamic: with a live quorum, every plan converges and passes the verifier', () => {
    fc.assert(fc.property(caseArb, (c) => {
      fc.pre(liveQuorum(c.current));
      const snapshot = snapshotOf(c.current, 'dynamic');
      const desired = ensemble(c.desired.voters, c.desired.observers, 'dynamic', { tickTime: c.desired.tickTime });
      const result = plan(snapshot, desired);
      const restartsNeeded = c.desired.tickTime !== 2000 && c.desired.voters.some((v) => c.current.voters.includes(v) || c.current.observers.includes(v));
      if (!result.ok && restartsNeeded && c.desired.voters.length < 3) {
        // A rolling restart of fewer than 3 voters would lose the quorum: refusing is the right answer.
        expect(result.refusal.reason).toMatch(/rolling restart/);
        return;
      }
      if (!result.ok) throw new Error(`refused: ${result.refusal.reason}\n${result.refusal.details.join('\n')}`);
      expect(verifyPlan({ strategy: 'dynamic', snapshot, steps: result.plan.steps, desired })).toEqual([]);
      // Voting membership never changes by more than one server per step.
      for (const s of result.plan.steps) {
        const diff = s.before.voters.filter((v) => !s.after.voters.includes(v)).length + s.after.voters.filter((v) => !s.before.voters.includes(v)).length;
        expect(diff).toBeLessThanOrEqual(1);
      }
    }), { numRuns: 1000 });
  });

  test('without a live quorum the planner refuses and says so', () => {
    fc.assert(fc.property(caseArb, (c) => {
      fc.pre(!liveQuorum(c.current));
      const result = plan(snapshotOf(c.current, 'dynamic'), ensemble(c.desired.voters, c.desired.observers));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.refusal.reason).toMatch(/no quorum/);
    }), { numRuns: 200 });
  });

  test('static: from a healthy ensemble of 3+ voters to another of 3+ voters, the plan converges and verifies', () => {
    const healthyCase = caseArb.filter((c) => c.current.voters.length >= 3 && c.desired.voters.length >= 3);
    fc.assert(fc.property(healthyCase, (c) => {
      const snapshot = healthy(c.current.voters, [], c.current.voters[c.current.leaderIndex], 'static');
      const desired = ensemble(c.desired.voters, [], 'static', { tickTime: c.desired.tickTime });
      const result = plan(snapshot, desired);
      if (!result.ok) throw new Error(`refused: ${result.refusal.reason}\n${result.refusal.details.join('\n')}`);
      expect(verifyPlan({ strategy: 'static', snapshot, steps: result.plan.steps, desired })).toEqual([]);
    }), { numRuns: 200 });
  });

  test('static, any start: a plan is either verified or a refusal with reasons', () => {
    fc.assert(fc.property(caseArb, (c) => {
      fc.pre(liveQuorum(c.current));
      const snapshot = snapshotOf({ ...c.current, observers: [] }, 'static');
      const desired = ensemble(c.desired.voters, [], 'static');
      const result = plan(snapshot, desired);
      if (result.ok) expect(verifyPlan({ strategy: 'static', snapshot, steps: result.plan.steps, desired })).toEqual([]);
      else expect(result.refusal.details.length).toBeGreaterThan(0);
    }), { numRuns: 200 });
  });

  test('planning is deterministic', () => {
    fc.assert(fc.property(caseArb, (c) => {
      fc.pre(liveQuorum(c.current));
      const snapshot = snapshotOf(c.current, 'dynamic');
      const desired = ensemble(c.desired.voters, c.desired.observers);
      expect(JSON.stringify(plan(snapshot, desired))).toBe(JSON.stringify(plan(snapshot, desired)));
    }), { numRuns: 100 });
  });
});
