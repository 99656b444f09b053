/** The fault matrix's pure parts: its cells and the report rendered from results. */
import { allCells, cellId, planTarget, pointsOf, scenarioSteps, SCENARIO_DEFS } from '../reliability/cells';
import { CellResult, isClearRefusal } from '../reliability/cell';
import { renderReliability } from '../reliability/report';

const result = (id: string, over: Partial<CellResult>): CellResult => {
  const c = allCells().find((x) => cellId(x.cell) === id)!;
  return {
    id, cell: c.cell, stepSummary: c.stepSummary, target: 'server 2 (leader)', landed: true,
    first: { code: 0, signal: null, message: '', ms: 1000 }, next: { code: 0, signal: null, message: '', ms: 500 },
    outcome: 'converged', ok: true, problems: [], acknowledged: 500, lost: 0, longestGapMs: 300, longestNoLeaderMs: 800,
    elections: 1, twoLeadersMs: 0, durationMs: 20000, ...over,
  };
};

test('every scenario has a point before each step and during each wait, and faults without a target there are not applicable', () => {
  const steps = scenarioSteps(SCENARIO_DEFS['scale-up']);
  const points = pointsOf(steps);
  expect(points.filter((p) => p.when === 'before')).toHaveLength(steps.length);
  expect(points.filter((p) => p.when === 'during').map((p) => steps[p.step - 1].kind).every((k) => ['await-synced', 'drain-clients', 'bake', 'await-quorum'].includes(k))).toBe(true);
  // Before anything started there is no joining server; once the first joiner started there is.
  expect(planTarget(steps, 'kill-joiner', { step: 1, when: 'before' })).toBeNull();
  expect(planTarget(steps, 'kill-joiner', { step: 2, when: 'before' })?.serverId).toBe(4);
  expect(new Set(allCells().map((c) => cellId(c.cell))).size).toBe(allCells().length);
});

test('the report counts outcomes per scenario, marks each cell, and lists failures and refusals', () => {
  const md = renderReliability({
    'scale-up/kill-leader/before-1': result('scale-up/kill-leader/before-1', {}),
    'scale-up/never-syncs/before-1': result('scale-up/never-syncs/before-1', {
      outcome: 'refused, then converged', first: { code: 1, signal: null, message: 'zk-rollout: timed out after 10 s waiting for server 4 to sync with the leader; check its log, then re-run apply', ms: 12000 },
    }),
    'scale-up/kill-follower/before-1': result('scale-up/kill-follower/before-1', { outcome: 'failed', ok: false, lost: 3, problems: ['3 acknowledged write(s) lost'] }),
  });
  expect(md).toMatch(/^\| scale-up \| 3 of \d+ \| 1 \| 1 \| 0 \| 1 \| 0 \| 1500 \| 3 \| 0\.8 s \| 0\.3 s \|$/m);
  expect(md).toMatch(/^\| before step 1 \| start server 4 as a joining observer with \{1,2,3,4o\} \| \*\*✗\*\* \| C \| · \| not run \| R \| not run \|$/m);
  expect(md).toMatch(/`scale-up\/kill-follower\/before-1` \(server 2 \(leader\)\): failed; 3 acknowledged write\(s\) lost/);
  expect(md).toMatch(/1 cell\(s\), e\.g\. `scale-up\/never-syncs\/before-1`/);
});

test('a refusal is clear when it names what happened and what to do', () => {
  expect(isClearRefusal('zk-rollout: server 5: process exited right after start; find out why in /x/zookeeper.log, fix it, then re-run apply')).toBe(true);
  expect(isClearRefusal('zk-rollout: create: ZooKeeper error -4 (connection loss)')).toBe(false);
});
