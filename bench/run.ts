/**
 * `npm run bench`: each scenario done each way on real servers (loopback, ports 29001-29299), with two
 * writers and a leader monitor; at bench settings, at the shipped defaults, and with data; then
 * planning and synth cost as ensembles grow. Writes bench/results/results.json, a chart per scenario
 * (bench/results/*.svg) and BENCHMARKS.md (with bench/notes.md, written by hand after a run, appended).
 *
 *   node dist/bench/run.js [--scenarios migration,scale-up] [--data 0,100,1024] [--no-defaults] [--no-scaling] [--repeat 3] [--report]
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderChart, Series } from './chart';
import { REPO, Result, RunSpec, runOne, Way, WAYS } from './measure';
import { medianRun, spread } from './repeat';
import { BackupRow, facts, mergeResults, renderReport, SCENARIOS } from './report';
import { planTimings, synthTimings } from './scaling';
import { ScenarioName } from './ways';

const OUT = join(REPO, 'bench', 'results');
const RESULTS = join(OUT, 'results.json');
const NOTES = join(REPO, 'bench', 'notes.md');
const log = (s: string) => process.stdout.write(`${s}\n`);
const wholeCount = (text: string): number => {
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('must be a whole number, at least 1');
  return Number(text);
};

interface Saved { date: string; results: Result[]; planning: ReturnType<typeof planTimings>; synth: ReturnType<typeof synthTimings> }

/** Every run, in order: each way at bench settings, this project and the script at the defaults and with data. */
function runs(scenarios: readonly ScenarioName[], dataMbs: readonly number[], defaults: boolean): RunSpec[] {
  const out: RunSpec[] = [];
  for (const scenario of scenarios) {
    const ways: Way[] = scenario === 'tls-switch' ? ['zk-rollout apply', 'manual runbook']
      : ['zk-rollout apply', ...(scenario === 'scale-up' || scenario === 'migration' ? ['cdktf deploy' as Way] : []), 'manual runbook', 'minimal reconfig script'];
    for (const way of ways) out.push({ scenario, way, profile: 'bench', dataMb: 0 });
  }
  if (defaults) {
    for (const scenario of scenarios.filter((s) => s !== 'rolling-restart' && s !== 'tls-switch')) {
      for (const way of ['zk-rollout apply', 'minimal reconfig script'] as Way[]) out.push({ scenario, way, profile: 'defaults', dataMb: 0 });
    }
  }
  for (const dataMb of dataMbs.filter((mb) => mb > 0)) {
    for (const scenario of scenarios.filter((s) => s !== 'tls-switch')) {
      for (const way of ['zk-rollout apply', 'minimal reconfig script'] as Way[]) out.push({ scenario, way, profile: 'bench', dataMb });
      // Where the leader stays, what one server's sync alone costs the writers at this size.
      if (scenario === 'scale-up') out.push({ scenario, way: 'one observer synced', profile: 'bench', dataMb });
    }
  }
  // What the full snapshot on every sync costs, where it costs most (the largest data): the same runs with DIFFs.
  const largest = Math.max(...dataMbs);
  if (largest > 0) {
    for (const scenario of scenarios.filter((s) => s === 'rolling-restart' || s === 'migration')) out.push({ scenario, way: 'zk-rollout apply', profile: 'bench', dataMb: largest, diffSync: true });
  }
  return out;
}

const today = () => new Date().toISOString().slice(0, 10);
/** The day and commit a row is measured at. */
const stamp = () => `${today()} at ${execSync('git rev-parse --short HEAD', { cwd: REPO }).toString().trim()}`;

async function charts(results: readonly Result[]): Promise<void> {
  for (const scenario of SCENARIOS) {
    const rows = results.filter((r) => r.scenario === scenario && r.profile === 'bench' && r.dataMb === 0);
    if (rows.length === 0) continue;
    const series: Series[] = rows.flatMap((r) => {
      const base = { marks: r.marks, elections: r.electionsAt, durationS: r.totalMs / 1000, endS: r.totalMs / 1000 + 2 };
      return [
        { way: `${r.way}${r.java ? ' (native client)' : ''}`, acks: r.native.ackTimesS, ...base },
        ...(r.java && r.way === 'zk-rollout apply' ? [{ way: `${r.way} (Java client)`, acks: r.java.ackTimesS, ...base }] : []),
      ];
    });
    writeFileSync(join(OUT, `${scenario}.svg`), await renderChart(`${scenario}: writes acknowledged over time, by way`, series));
  }
}

function write(saved: Saved): void {
  const largestMb = Math.max(0, ...saved.results.map((r) => r.dataMb));
  const notes = existsSync(NOTES) ? ['', readFileSync(NOTES, 'utf8').trim()] : [];
  const backupsFile = join(OUT, 'backup.json');
  const backups = existsSync(backupsFile) ? JSON.parse(readFileSync(backupsFile, 'utf8')) as BackupRow[] : [];
  const report = renderReport({ date: saved.date, results: saved.results, planning: saved.planning, synth: saved.synth, observations: facts(saved.results), largestMb, backups });
  writeFileSync(join(REPO, 'BENCHMARKS.md'), `${report}${notes.join('\n')}\n`);
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--scenarios <list>', 'comma-separated scenarios', SCENARIOS.join(','))
    .option('--data <list>', 'MiB of znodes to run with, besides none', '100,1024')
    .option('--ways <list>', 'only these ways (comma-separated, e.g. "zk-rollout apply,minimal reconfig script")')
    .option('--no-defaults', 'skip the runs at the shipped defaults')
    .option('--no-bench-settings', 'skip the runs at bench settings without data (keep the saved ones)')
    .option('--no-diff', 'skip the runs with DIFF syncs at the largest data size')
    .option('--no-scaling', 'skip planning and synth timings (keep the saved ones)')
    .option('--report', 'only write BENCHMARKS.md and the charts from the saved results')
    .addOption(new Option('--repeat <n>', 'runs of each row; the row shows the median run, its goals judged on the medians').default(1).argParser(wholeCount))
    .parse().opts<{ scenarios: string; data: string; ways?: string; defaults: boolean; benchSettings: boolean; diff: boolean; scaling: boolean; report?: boolean; repeat: number }>();
  mkdirSync(OUT, { recursive: true });
  const saved: Saved | null = existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) as Saved : null;
  if (o.report) {
    if (!saved) throw new Error(`no saved results at ${RESULTS}: run the bench first`);
    await charts(saved.results);
    write(saved);
    return;
  }
  const scenarios = o.scenarios.split(',').map((s) => s.trim()) as ScenarioName[];
  const unknown = scenarios.filter((s) => !SCENARIOS.includes(s));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`);
  const dataMbs = [0, ...o.data.split(',').filter(Boolean).map(Number)];
  if (dataMbs.some((mb) => !Number.isInteger(mb) || mb < 0)) throw new Error(`--data takes whole MiB numbers, e.g. 100,1024 (got ${o.data})`);
  const results: Result[] = [];
  const ways = o.ways?.split(',').map((w) => w.trim());
  const unknownWays = (ways ?? []).filter((w) => !(WAYS as readonly string[]).includes(w));
  if (unknownWays.length > 0) throw new Error(`unknown way(s): ${unknownWays.join(', ')} (known: ${WAYS.join(', ')})`);
  const plan = runs(scenarios, dataMbs, o.defaults)
    .filter((r) => ways === undefined || ways.includes(r.way))
    .filter((r) => o.benchSettings || r.profile !== 'bench' || r.dataMb > 0)
    .filter((r) => o.diff || !r.diffSync);
  for (const [k, spec] of plan.entries()) {
    log(`[bench] ${k + 1}/${plan.length} ${spec.scenario}, ${spec.way}, ${spec.profile}${spec.dataMb ? `, ${spec.dataMb} MiB` : ''}${spec.diffSync ? ', DIFF sync' : ''} ...`);
    const each: Result[] = [];
    for (let n = 1; n <= o.repeat; n++) {
      if (o.repeat > 1) log(`[bench]   run ${n} of ${o.repeat}`);
      each.push(await runOne(spec, log));
    }
    const r = { ...medianRun(each), measured: stamp() };
    results.push(r);
    // Saved after every run: a bench that stops part-way keeps what it measured.
    writeFileSync(RESULTS, JSON.stringify({ date: today(), results: mergeResults(saved, results), planning: saved?.planning ?? [], synth: saved?.synth ?? [] }, null, 1));
    if (r.repeats) log(`[bench]   ${spread(r)}; the median run:`);
    log(`[bench]   returned ${(r.wayMs / 1000).toFixed(1)} s, total ${(r.totalMs / 1000).toFixed(1)} s; longest gap native ${r.native.longestGapMs} ms, Java ${r.java?.longestGapMs ?? '-'} ms; lost ${r.native.lost}/${r.java?.lost ?? '-'}; elections ${r.elections}${r.error ? `; error: ${r.error}` : ''}`);
  }
  let { planning, synth } = saved ?? { planning: [], synth: [] };
  if (o.scaling) {
    log('[bench] planning time for ensembles up to 255 servers ...');
    planning = planTimings();
    log('[bench] cdktf synth time as the ensemble grows ...');
    synth = synthTimings(REPO);
  }
  const out: Saved = { date: today(), results: mergeResults(saved, results), planning, synth };
  writeFileSync(RESULTS, JSON.stringify(out, null, 1));
  await charts(out.results);
  write(out);
  log('[bench] wrote bench/results/results.json, bench/results/*.svg and BENCHMARKS.md');
}

void main().catch((e) => { process.stderr.write(`bench: ${(e as Error).stack}\n`); process.exitCode = 1; });
