/** The verifier must reject unsafe plans, including the runbook's own. Each test names the rule it expects. */
import { quorumsIntersect } from '../../lib/model/quorum';
import { verifyPlan } from '../../lib/planner/verify';
import { StepAction } from '../../lib/planner/types';
import { Server } from '../../lib/model/types';
import { ensemble, healthy, withDown } from '../support/fixtures';

const srv = (id: number, role: Server['role'] = 'participant'): Server => ({ ...ensemble([id]).servers[0], role });
const cfg = (voters: number[], observers: number[] = []) => [...voters.map((v) => srv(v)), ...observers.map((o) => srv(o, 'observer'))];
const rules = (steps: StepAction[], current = healthy([1, 2, 3], [], 3), strategy: 'dynamic' | 'static' = 'dynamic') =>
  verifyPlan({ strategy, snapshot: current, steps }).map((v) => v.rule);

const join = (id: number, voters: number[], observers: number[] = []): StepAction[] => [
  { kind: 'start-joiner', serverId: id, config: cfg(voters, [...observers, id]) },
  { kind: 'await-synced', serverId: id },
];

describe('safety verifier', () => {
  test('quorum intersection arithmetic', () => {
    expect(quorumsIntersect([1, 2, 3], [1, 2, 3, 4])).toBe(true);
    expect(quorumsIntersect([1, 2, 3, 4], [1, 2, 3])).toBe(true);
    expect(quorumsIntersect([1, 2, 3], [3, 4, 5])).toBe(false);
    expect(quorumsIntersect([1, 2, 3], [1, 4, 5])).toBe(false);
    expect(quorumsIntersect([1, 2], [2, 3])).toBe(true);
    expect(quorumsIntersect([1, 2, 3, 4], [1, 2, 5, 6])).toBe(false);
  });

  test('the runbook flip: new servers as observers, then restarted as their own ensemble', () => {
    const steps: StepAction[] = [
      ...join(4, [1, 2, 3]), { kind: 'reconfig-add', serverId: 4, servers: [srv(4, 'observer')] },
      ...join(5, [1, 2, 3], [4]), { kind: 'reconfig-add', serverId: 5, servers: [srv(5, 'observer')] },
      ...join(6, [1, 2, 3], [4, 5]), { kind: 'reconfig-add', serverId: 6, servers: [srv(6, 'observer')] },
      { kind: 'restart-server', serverId: 4, config: cfg([4, 5, 6]), reason: 'settings' },
      { kind: 'restart-server', serverId: 5, config: cfg([4, 5, 6]), reason: 'settings' },
      { kind: 'restart-server', serverId: 6, config: cfg([4, 5, 6]), reason: 'settings' },
    ];
    expect(rules(steps)).toContain('config-consistency');
  });

  test('the static flip: rewriting every list to the new hosts at once', () => {
    const steps: StepAction[] = [{ kind: 'rewrite-config', config: cfg([4, 5, 6]) }];
    const found = rules(steps, healthy([1, 2, 3], [], 3, 'static'), 'static');
    expect(found).toContain('one-voter-change');
    expect(found).toContain('quorum-intersection');
  });

  test('two voters added in one step', () => {
    const steps: StepAction[] = [...join(4, [1, 2, 3]),
      { kind: 'start-joiner', serverId: 5, config: cfg([1, 2, 3], [4, 5]) }, { kind: 'await-synced', serverId: 5 },
      { kind: 'reconfig-add', serverId: 4, servers: [srv(4), srv(5)] }];
    expect(rules(steps)).toContain('one-voter-change');
  });

  test('a joiner started as a participant', () => {
    expect(rules([{ kind: 'start-joiner', serverId: 4, config: [...cfg([1, 2, 3]), srv(4)] }])).toContain('joiner-as-observer');
  });

  test('two joining participants at once under the static strategy', () => {
    const steps: StepAction[] = [
      { kind: 'rewrite-config', config: cfg([1, 2, 3, 4]) },
      { kind: 'start-joiner', serverId: 4, config: cfg([1, 2, 3, 4]) },
      { kind: 'rewrite-config', config: cfg([1, 2, 3, 4, 5]) },
      { kind: 'start-joiner', serverId: 5, config: cfg([1, 2, 3, 4, 5]) },
    ];
    expect(rules(steps, healthy([1, 2, 3], [], 3, 'static'), 'static')).toContain('one-joiner-at-a-time');
  });

  test('a promotion before the joiner is synced', () => {
    const steps: StepAction[] = [
      { kind: 'start-joiner', serverId: 4, config: cfg([1, 2, 3], [4]) },
      { kind: 'reconfig-add', serverId: 4, servers: [srv(4)] },
    ];
    expect(rules(steps)).toContain('synced-before-promotion');
  });

  test('shrinking before growing', () => {
    const steps: StepAction[] = [
      { kind: 'drain-clients', serverId: 1 }, { kind: 'reconfig-remove', serverId: 1 }, { kind: 'barrier-write' }, { kind: 'stop-server', serverId: 1 },
      ...join(4, [2, 3]), { kind: 'reconfig-add', serverId: 4, servers: [srv(4)] },
    ];
    expect(rules(steps)).toContain('grow-before-shrink');
  });

  test('the leader removed before the others', () => {
    const steps: StepAction[] = [
      { kind: 'drain-clients', serverId: 3 }, { kind: 'reconfig-remove', serverId: 3 }, { kind: 'barrier-write' },
      { kind: 'drain-clients', serverId: 2 }, { kind: 'reconfig-remove', serverId: 2 }, { kind: 'barrier-write' },
    ];
    expect(rules(steps, healthy([1, 2, 3, 4, 5], [], 3))).toContain('leader-removed-last');
  });

  test('removing a live voter when another is down drops below a live quorum', () => {
    const steps: StepAction[] = [{ kind: 'drain-clients', serverId: 2 }, { kind: 'reconfig-remove', serverId: 2 }];
    expect(rules(steps, withDown(healthy([1, 2, 3], [], 3), 1))).toContain('live-quorum');
  });

  test('removal without drain, stop without barrier, stop of a member', () => {
    expect(rules([{ kind: 'reconfig-remove', serverId: 1 }])).toContain('drain-before-remove');
    expect(rules([{ kind: 'drain-clients', serverId: 1 }, { kind: 'reconfig-remove', serverId: 1 }, { kind: 'stop-server', serverId: 1 }])).toContain('barrier-after-remove');
    expect(rules([{ kind: 'stop-server', serverId: 1 }])).toContain('remove-before-stop');
  });

  test('a rolling restart that restarts the leader before a follower', () => {
    const steps: StepAction[] = [
      { kind: 'restart-server', serverId: 3, config: cfg([1, 2, 3]), reason: 'settings' }, { kind: 'await-synced', serverId: 3 },
      { kind: 'restart-server', serverId: 1, config: cfg([1, 2, 3]), reason: 'settings' }, { kind: 'await-synced', serverId: 1 },
    ];
    expect(rules(steps)).toContain('leader-restarted-last');
  });

  test('restarting two voters at once', () => {
    const steps: StepAction[] = [
      { kind: 'restart-server', serverId: 1, config: cfg([1, 2, 3]), reason: 'settings' },
      { kind: 'restart-server', serverId: 2, config: cfg([1, 2, 3]), reason: 'settings' },
    ];
    expect(rules(steps)).toContain('live-quorum');
  });

  test('a step that misstates the membership it leads to', () => {
    const found = verifyPlan({
      strategy: 'dynamic', snapshot: healthy([1, 2, 3]),
      steps: [{ ...join(4, [1, 2, 3])[0], after: { voters: [1, 2, 3, 4], observers: [] } }],
    });
    expect(found.map((v) => v.rule)).toContain('declared-view');
  });

  test('a plan that stops short of the desired membership', () => {
    const found = verifyPlan({ strategy: 'dynamic', snapshot: healthy([1, 2, 3]), steps: join(4, [1, 2, 3]), desired: ensemble([1, 2, 3, 4]) });
    expect(found.map((v) => v.rule)).toContain('converges');
  });

  test('a correct hand-written scale-up passes', () => {
    const steps: StepAction[] = [...join(4, [1, 2, 3]), { kind: 'reconfig-add', serverId: 4, servers: [srv(4)] }];
    expect(verifyPlan({ strategy: 'dynamic', snapshot: healthy([1, 2, 3]), steps, desired: ensemble([1, 2, 3, 4]) })).toEqual([]);
  });
});
