/** The bench report's goals (pure): time against the minimal script, gaps, losses. */
import { Result } from '../../bench/measure';
import { median, medianRun } from '../../bench/repeat';
import { facts, mergeResults, misses, renderReport } from '../../bench/report';

const writer = (gap: number, lost = 0) => ({ acknowledged: 100, lost, longestGapMs: gap, failed: 0, sessionsExpired: 0, ackTimesS: [] });

function run(over: Partial<Result>): Result {
  return {
    scenario: 'migration', way: 'zk-rollout apply', profile: 'bench', dataMb: 0, from: [1, 2, 3], to: [4, 5, 6],
    native: writer(200), java: writer(300), elections: 1, electionsAt: [], twoLeadersMs: 0, wayMs: 4000, totalMs: 4000, marks: [],
    ...over,
  };
}

describe('bench goals', () => {
  const floor = run({ way: 'minimal reconfig script', totalMs: 3500, native: writer(250), java: writer(250) });

  test('GIVEN a migration within 1.25x and gaps within the script\'s + 100 ms THEN no miss', () => {
    expect(misses(run({ totalMs: 4300, native: writer(340), java: writer(350) }), floor)).toEqual([]);
  });

  test('GIVEN a migration over 1.25x at bench settings, a gap over the script\'s + 100 ms, a loss THEN each is named', () => {
    expect(misses(run({ totalMs: 4500, native: writer(351, 2) }), floor)).toEqual([
      'lost 2', 'total 1.29x the minimal script\'s (goal 1.25x)', 'native gap 351 ms > the minimal script\'s 250 ms + 100',
    ]);
  });

  test('GIVEN the shipped defaults THEN the time goal is 1.5x', () => {
    const slow = { profile: 'defaults' as const, totalMs: 5000 };
    expect(misses(run(slow), { ...floor, profile: 'defaults' })).toEqual([]);
    expect(misses(run({ ...slow, totalMs: 5300 }), { ...floor, profile: 'defaults' })).toEqual(['total 1.51x the minimal script\'s (goal 1.5x)']);
  });

  test('GIVEN a scale-up (the leader stays) THEN a gap of 100 ms or more misses, whatever the script did', () => {
    const up = { scenario: 'scale-up' as const };
    expect(misses(run({ ...up, native: writer(99), java: writer(100) }), { ...floor, ...up, native: writer(500) })).toEqual(['Java gap 100 ms (goal < 100 ms)']);
  });

  test('GIVEN a scale-up with data and one observer synced alone at that size THEN a missed gap names what ZooKeeper alone cost', () => {
    const up = { scenario: 'scale-up' as const, dataMb: 100, to: [1, 2, 3, 4, 5] };
    const alone = run({ ...up, way: 'one observer synced', to: [1, 2, 3, 4], totalMs: 3000, native: writer(120), java: writer(90) });
    const mine = run({ ...up, native: writer(170), java: writer(150) });
    const script = { ...floor, ...up, totalMs: 7000, native: writer(210) };
    expect(misses(mine, script, alone)).toEqual(['native gap 170 ms (goal < 100 ms; one observer synced alone: 120 ms)', 'Java gap 150 ms (goal < 100 ms; one observer synced alone: 90 ms)']);
    const md = renderReport({ date: '2026-11-26', results: [run({}), floor, mine, script, alone], planning: [], synth: [], observations: [], largestMb: 100 });
    // The data table shows it beside the two ways; its own row has no ratio to the script (it does not scale up).
    expect(md).toContain('| scale-up | 100 | 4.0 | 7.0 | 0.57x | 170 / 210 | 120 | 0 |');
    expect(md).toMatch(/\| scale-up, 100 MiB \| one observer synced \| 200 \| 0 \| 120 \| 90 \| 1 \| 4\.0 \| 3\.0 \|  \|  \|/);
  });

  test('GIVEN results THEN the report has a row per run and the verdict', () => {
    const md = renderReport({ date: '2026-11-26', results: [run({}), floor], planning: [], synth: [], observations: ['- x'], largestMb: 0,
      backups: [{ dataMb: 100, znodes: 3210, backupBytes: 105 * 2 ** 20, files: 2, copyMs: 1000, checkMs: 2200, verifyBackupMs: 1300, restoreMs: 10000, measured: '2026-11-26' }] });
    expect(md).toContain('| 100 | 3210 | 105.0 | 2 | 1.0 | 2.2 | 1.3 | 10.0 |');
    expect(md).toMatch(/\| migration \| zk-rollout apply \| 200 \| 0 \| 200 \| 300 \| 1 \| 4\.0 \| 4\.0 \| 1\.14x \| met \|/);
    expect(md).toMatch(/\| migration \| minimal reconfig script \|/);
  });
});

describe('the ratio to the minimal script', () => {
  test('GIVEN a cdktf deploy row from another run than the script row THEN it shows no ratio; from the same run it does', () => {
    const script = run({ way: 'minimal reconfig script', totalMs: 3500, measured: '2026-11-26 at aaaaaaa' });
    const lateDeploy = run({ way: 'cdktf deploy', totalMs: 28000, measured: '2026-11-27 at bbbbbbb' });
    const other = renderReport({ date: '2026-11-27', results: [script, lateDeploy], planning: [], synth: [], observations: [], largestMb: 0 });
    expect(other).toMatch(/\| migration \| cdktf deploy \| 200 \| 0 \| 200 \| 300 \| 1 \| 4\.0 \| 28\.0 \|  \|/);
    const same = renderReport({ date: '2026-11-27', results: [script, { ...lateDeploy, measured: script.measured }], planning: [], synth: [], observations: [], largestMb: 0 });
    expect(same).toMatch(/\| migration \| cdktf deploy \| 200 \| 0 \| 200 \| 300 \| 1 \| 4\.0 \| 28\.0 \| 8\.00x \|/);
  });
});

describe('a row run several times', () => {
  const floor = run({ way: 'minimal reconfig script', totalMs: 3500, native: writer(250), java: writer(250) });
  const runs = [
    run({ totalMs: 4200, native: writer(1500), java: writer(120) }),
    run({ totalMs: 3900, native: writer(200), java: writer(140) }),
    run({ totalMs: 5000, native: writer(300, 1), java: writer(900) }),
  ];

  test('GIVEN three runs THEN the row is the run with the median total, carrying every run\'s figures', () => {
    const r = medianRun(runs);
    expect(r.totalMs).toBe(4200);
    expect(r.repeats).toEqual({ totalMs: [4200, 3900, 5000], nativeGapMs: [1500, 200, 300], javaGapMs: [120, 140, 900], lost: [0, 0, 1] });
    expect(medianRun([runs[0]])).toBe(runs[0]);
    expect(median([4, 1, 3, 2])).toBe(3);
  });

  test('GIVEN three runs THEN the goals are judged on the medians, and a loss in any run is a miss', () => {
    // The median run's own native gap (1500 ms) misses; the median of the three (300 ms) does not.
    expect(misses(medianRun(runs), floor)).toEqual(['lost 1']);
    expect(misses(medianRun([runs[1], run({ totalMs: 4500, native: writer(1400), java: writer(130) }), run({ totalMs: 4600, native: writer(1450), java: writer(130) })]), floor)).toEqual([
      'median total 1.29x the minimal script\'s (goal 1.25x)', 'median native gap 1400 ms > the minimal script\'s 250 ms + 100',
    ]);
  });

  test('GIVEN a run whose final servers could not be read THEN it is no loss of -1: its row says unread, and the total leaves it out, naming it', () => {
    const unread = run({ dataMb: 1024, native: writer(200, -1), java: writer(300, -1), error: 'server 1 stopped while waiting for it to sync' });
    const read = run({ native: writer(200, 0), java: writer(300, 0) });
    expect(misses(unread, floor)).toEqual(['final servers unread', 'error']);
    const md = renderReport({ date: '2026-11-26', results: [unread, read, floor], planning: [], synth: [], observations: [], largestMb: 1024 });
    expect(md).toMatch(/\| migration, 1024 MiB \| zk-rollout apply \| 200 \| unread \|/);
    expect(facts([unread, read, floor])).toContain('- This project: 0 of 200 acknowledged writes lost over every run above whose final servers could be read; 1 run stopped with a final server down (migration with 1024 MiB), so what it acknowledged could not be checked.');
  });

  test('GIVEN a row with runs THEN the report says how many and their range', () => {
    const md = renderReport({ date: '2026-11-26', results: [medianRun(runs), floor], planning: [], synth: [], observations: [], largestMb: 0 });
    expect(md).toContain('3 runs: total 3.9-5.0 s, gap native 200-1500 ms, Java 120-900 ms; MISSED: lost 1');
  });
});

describe('a partial bench run', () => {
  test('GIVEN saved rows WHEN a run repeats some THEN its rows replace those, the others stay and say when they were measured', () => {
    const saved = { date: '2026-11-25', results: [run({ totalMs: 1 }), run({ scenario: 'scale-up', totalMs: 2 }), run({ dataMb: 100, totalMs: 3 })] };
    const merged = mergeResults(saved, [run({ totalMs: 9, measured: '2026-11-26 at abc1234' })]);
    expect(merged.map((r) => [r.scenario, r.dataMb, r.totalMs, r.measured])).toEqual([
      ['scale-up', 0, 2, '2026-11-25, an earlier run'],
      ['migration', 100, 3, '2026-11-25, an earlier run'],
      ['migration', 0, 9, '2026-11-26 at abc1234'],
    ]);
  });

  test('GIVEN rows kept from an older run whose hash sorts after the new run\'s THEN the old rows say when they were measured, the new ones do not', () => {
    const older = run({ scenario: 'scale-up', dataMb: 1024, measured: '2026-11-26 at 888f433' });
    const newer = run({ measured: '2026-11-26 at 2ad7d8d' });
    const md = renderReport({ date: '2026-11-26', results: [older, newer], planning: [], synth: [], observations: [], largestMb: 1024, backups: [] });
    expect(md).toMatch(/scale-up, 1024 MiB \| zk-rollout apply \(measured 2026-11-26 at 888f433\)/);
    expect(md).not.toMatch(/measured 2026-11-26 at 2ad7d8d/);
  });
});
