/** BENCHMARKS.md from the bench's results (pure): tables, the goals met or missed, and what the numbers say. */
import { Result, Way } from './measure';
import { ScenarioName } from './ways';
import { judged, spread } from './repeat';
import { ZNODE_BYTES } from './seed';
import { planTimings, synthTimings } from './scaling';

export const SCENARIOS: ScenarioName[] = ['migration', 'scale-up', 'scale-down', 'rolling-restart', 'tls-switch'];
/** Where the leader changes (the leader leaves, or restarts last). */
const LEADER_CHANGES: Record<ScenarioName, boolean> = { migration: true, 'scale-up': false, 'scale-down': true, 'rolling-restart': true, 'tls-switch': true };
/** The goals' time ratios against the minimal script, per profile (scenarios without one are not timed goals). */
const TIME_GOAL: Record<'bench' | 'defaults', Partial<Record<ScenarioName, number>>> = {
  bench: { migration: 1.25, 'scale-down': 1.25, 'scale-up': 1.25 },
  defaults: { migration: 1.5, 'scale-down': 1.5, 'scale-up': 1.5 },
};

const s1 = (ms: number) => (ms / 1000).toFixed(1);
const mine = (w: Way) => w === 'zk-rollout apply' || w === 'cdktf deploy';
const floorOf = (results: readonly Result[], r: Result) => results.find((x) => x.scenario === r.scenario && x.profile === r.profile && x.dataMb === r.dataMb && x.way === 'minimal reconfig script');
const plain = (r: Result) => r.diffSync !== true;
/** ZooKeeper's own cost of one server's sync at the row's size (a scale-up with data), where it ran. */
const aloneOf = (results: readonly Result[], r: Result) => results.find((x) => x.scenario === r.scenario && x.profile === r.profile && x.dataMb === r.dataMb && x.way === 'one observer synced');

/**
 * The goals a row of this project misses, against the minimal script's row of the same scenario.
 * A row run several times is judged on the medians of its runs (and any loss in any run).
 */
export function misses(r: Result, floor: Result | undefined, alone?: Result): string[] {
  const out: string[] = [];
  const mineNow = judged(r);
  const base = floor ? judged(floor) : undefined;
  const one = alone ? judged(alone) : undefined;
  const median = r.repeats ? 'median ' : '';
  if (mineNow.lost < 0) out.push('final servers unread');
  else if (mineNow.lost !== 0) out.push(`lost ${mineNow.lost}`);
  if (r.error) out.push('error');
  const ratio = TIME_GOAL[r.profile][r.scenario];
  if (base && ratio !== undefined && r.way === 'zk-rollout apply' && mineNow.totalMs > ratio * base.totalMs) out.push(`${median}total ${(mineNow.totalMs / base.totalMs).toFixed(2)}x the minimal script's (goal ${ratio}x)`);
  for (const [name, gap, floorGap, aloneGap] of [['native', mineNow.nativeGapMs, base?.nativeGapMs, one?.nativeGapMs], ['Java', mineNow.javaGapMs, base?.javaGapMs ?? null, one?.javaGapMs ?? null]] as const) {
    if (gap === null) continue;
    const withAlone = aloneGap !== undefined && aloneGap !== null ? `; one observer synced alone: ${aloneGap} ms` : '';
    if (!LEADER_CHANGES[r.scenario] && gap >= 100) out.push(`${median}${name} gap ${gap} ms (goal < 100 ms${withAlone})`);
    if (LEADER_CHANGES[r.scenario] && floorGap !== undefined && floorGap !== null && gap > floorGap + 100) out.push(`${median}${name} gap ${gap} ms > the minimal script's ${floorGap} ms + 100`);
  }
  return out;
}

/**
 * When the newest rows were measured: older rows a partial run kept say when they were. A run appends its
 * rows after the saved ones it kept, so the last stamped row is the newest (commit hashes do not sort by time).
 */
const newest = (results: readonly Result[]) => results.map((r) => r.measured ?? '').filter((m) => / at [0-9a-f]+$/.test(m)).pop() ?? '';

/** Acknowledged writes lost in a run, the worse writer; "unread" where the final servers could not be read (-1). */
function lostCell(r: Result): string {
  const counts = [r.native.lost, ...(r.java ? [r.java.lost] : [])];
  return counts.some((n) => n < 0) ? 'unread' : String(Math.max(...counts));
}

function row(results: readonly Result[], r: Result): string {
  const floor = floorOf(results, r);
  const m = r.way === 'zk-rollout apply' && plain(r) ? misses(r, floor, aloneOf(results, r)) : [];
  // A scenario with no script to compare with (the TLS switch) has goals only for losses.
  const verdict = r.way !== 'zk-rollout apply' || !plain(r) ? '' : m.length > 0 ? `MISSED: ${m.join('; ')}` : floor ? 'met' : '';
  const lost = lostCell(r);
  // This machine's speed moves between days (the same code 1.8 s one day, 5.5 s another): another
  // way's ratio is shown only against a script row of the same run. This project's rows keep theirs,
  // as their goals are judged on it (their pairs were measured within the hour; the notes say so).
  const sameRun = r.way === 'zk-rollout apply' || r.measured === floor?.measured;
  const ratio = floor && r !== floor && r.way !== 'one observer synced' && sameRun ? `${(judged(r).totalMs / judged(floor).totalMs).toFixed(2)}x` : '';
  const runs = spread(r);
  return `| ${r.scenario}${r.dataMb > 0 ? `, ${r.dataMb} MiB` : ''} | ${r.way}${plain(r) ? '' : ', DIFF sync'}${r.measured && r.measured !== newest(results) ? ` (measured ${r.measured})` : ''} | ${r.native.acknowledged + (r.java?.acknowledged ?? 0)} | ${lost} | ${r.native.longestGapMs} | ${r.java ? r.java.longestGapMs : '-'} | ${r.elections}${r.twoLeadersMs ? ` (two leaders ~${r.twoLeadersMs} ms)` : ''} | ${s1(r.wayMs)} | ${s1(r.totalMs)} | ${ratio} | ${[runs, verdict].filter(Boolean).join('; ')}${r.error ? ` error: ${r.error.replace(/\|/g, '/')}` : ''} |`;
}

const HEADER = [
  '| scenario | way | acknowledged | lost | longest gap, native (ms) | longest gap, Java (ms) | elections | returned (s) | total (s) | vs minimal | runs; goals |',
  '|---|---|---:|---:|---:|---:|---|---:|---:|---:|---|',
];

function table(results: readonly Result[], pick: (r: Result) => boolean): string[] {
  return [...HEADER, ...results.filter(pick).map((r) => row(results, r))];
}

function dataTable(results: readonly Result[]): string[] {
  const sizes = [...new Set(results.filter((r) => r.profile === 'bench').map((r) => r.dataMb))].sort((a, b) => a - b);
  if (sizes.length < 2) return [];
  const out = ['| scenario | data (MiB) | zk-rollout apply (s) | minimal script (s) | ratio | longest gap, native: apply / minimal (ms) | one observer synced alone: gap, native (ms) | lost |', '|---|---:|---:|---:|---:|---|---:|---:|'];
  for (const sc of SCENARIOS) {
    for (const mb of sizes) {
      const a = results.find((r) => r.profile === 'bench' && r.scenario === sc && r.dataMb === mb && r.way === 'zk-rollout apply' && plain(r));
      const f = results.find((r) => r.profile === 'bench' && r.scenario === sc && r.dataMb === mb && r.way === 'minimal reconfig script');
      if (!a || !f) continue;
      const older = a.measured !== undefined && a.measured !== newest(results) ? ` (${a.measured})` : '';
      const alone = aloneOf(results, a);
      out.push(`| ${sc}${older} | ${mb} | ${s1(a.totalMs)} | ${s1(f.totalMs)} | ${(a.totalMs / f.totalMs).toFixed(2)}x | ${a.native.longestGapMs} / ${f.native.longestGapMs} | ${alone ? alone.native.longestGapMs : ''} | ${lostCell(a)} |`);
    }
  }
  return out;
}

/** The full snapshot on every sync against DIFFs from the leader's memory, same data. */
function snapshots(results: readonly Result[]): string[] {
  const diff = results.filter((r) => !plain(r));
  if (diff.length === 0) return [];
  const out = ['| scenario | data (MiB) | full snapshot on every sync (s) | DIFF from memory where ZooKeeper can (s) | full / DIFF | lost with DIFF |', '|---|---:|---:|---:|---:|---:|'];
  for (const d of diff) {
    const full = results.find((r) => plain(r) && r.way === d.way && r.scenario === d.scenario && r.profile === d.profile && r.dataMb === d.dataMb);
    if (full) out.push(`| ${d.scenario} | ${d.dataMb} | ${s1(full.totalMs)} | ${s1(d.totalMs)}${d.error ? ` (error: ${d.error.replace(/\|/g, '/')})` : ''} | ${(full.totalMs / d.totalMs).toFixed(2)}x | ${lostCell(d)} |`);
  }
  return out;
}

function overhead(results: readonly Result[]): string[] {
  const deploys = results.filter((r) => r.way === 'cdktf deploy' && r.rolloutMs !== undefined);
  if (deploys.length === 0) return [];
  return ['| scenario | `cdktf deploy` returned (s) | the rollout inside it (s) | cdktf and Terraform (s) |', '|---|---:|---:|---:|',
    ...deploys.map((r) => `| ${r.scenario} | ${s1(r.wayMs)} | ${s1(r.rolloutMs!)} | ${s1(r.wayMs - r.rolloutMs!)} |`)];
}

export interface BackupRow {
  readonly dataMb: number;
  readonly znodes: number;
  readonly backupBytes: number;
  readonly files: number;
  readonly copyMs: number;
  readonly checkMs: number;
  readonly verifyBackupMs: number;
  readonly restoreMs: number;
  readonly measured: string;
}

export function backupTable(rows: readonly BackupRow[]): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return [
    '| data (MiB) | znodes | backup size (MiB) | files | copy (s) | check on a standalone server (s) | verify-backup (s) | restore into 3 new servers (s) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.dataMb} | ${r.znodes} | ${mib(r.backupBytes)} | ${r.files} | ${s(r.copyMs)} | ${s(r.checkMs)} | ${s(r.verifyBackupMs)} | ${s(r.restoreMs)} |`),
  ].join('\n');
}

export interface ReportInput {
  readonly date: string;
  readonly results: readonly Result[];
  readonly planning: ReturnType<typeof planTimings>;
  readonly synth: ReturnType<typeof synthTimings>;
  readonly observations: readonly string[];
  readonly largestMb: number;
  /** bench/backup.ts's rows, when it ran. */
  readonly backups?: readonly BackupRow[];
}

export function renderReport(i: ReportInput): string {
  const { results } = i;
  const lines = [
    '# Benchmarks',
    '',
    `One run of \`npm run bench\` on this machine (${i.date}; 2 cores; ZooKeeper 3.8 from Debian on Java 17; every server on 127.0.0.1).`,
    '',
    'How it measures:',
    '- Each scenario is done each way on fresh servers: migration {1,2,3} -> {4,5,6}, scale-up 3 -> 5, scale-down 5 -> 3 with the leader removed, a rolling restart of 5 for a settings change, and quorum TLS switched on in {1,2,3} (three phases; the manual runbook is the admin guide\'s three rolling restarts by hand, in id order).',
    '- Two writers run throughout, each creating a znode about every 15 ms: one on the native C client (the `zookeeper` npm package), one on ZooKeeper\'s own Java client (Debian\'s jars; what Kafka, HBase and Solr use). Both get the connect string a user is told to use while the membership moves: the servers before and after the change, every address kept, servers not up yet included. The manual runbook switches its clients by hand, so only the native writer runs there.',
    '- "Longest gap" is the longest stretch without an acknowledged write, from the writer\'s start to its stop (2 s after the change), the stretch after its last acknowledgement included.',
    '- "Lost" counts acknowledged writes missing afterwards on the final servers (the worst server, the worse writer). "Elections" counts new (leader, epoch) pairs after the change began (a monitor asks every server every 100 ms).',
    '- "Returned" is when the way returned; "total" is when it had returned and the final servers acknowledged a write (a way that returns while the ensemble still elects is not done for its users).',
    '- This project runs with `--bake-time 0` everywhere, to compare like with like (its default bake adds 10 s before the first removal).',
    '',
    '## At bench settings (tickTime 200 ms, the tests\' short timeouts)',
    '',
    ...table(results, (r) => r.profile === 'bench' && r.dataMb === 0),
    '',
    '## At the shipped defaults (ZooKeeper\'s tickTime 2000, initLimit 10, syncLimit 5; zk-rollout\'s default timeouts; bake 0)',
    '',
    ...table(results, (r) => r.profile === 'defaults'),
    '',
  ];
  const data = dataTable(results);
  if (data.length > 0) {
    lines.push(`## With data (bench settings; znodes of ${ZNODE_BYTES / 1024} KiB; ${i.largestMb} MiB is the largest run here)`, '', ...data, '',
      ...table(results, (r) => r.profile === 'bench' && r.dataMb > 0), '');
  }
  const snaps = snapshots(results);
  if (snaps.length > 0) {
    lines.push('## What the full snapshots cost', '', 'Every server runs with `-Dzookeeper.forceSnapshotSync=true`: every sync, a restart\'s or a promotion\'s too, is a full snapshot. The alternative, `-Dzookeeper.snapshotSizeFactor=-1` (a DIFF from the leader\'s memory for a learner within its last 500 transactions, a snapshot otherwise), is what these rows ran with; the fault matrix rejected it (ZOOKEEPER-4394: a promoted server re-syncing by DIFF under writes failed, replayed its log out of order and reported digest mismatches, and the rollout had to stop). See the README\'s sync guard.', '', ...snaps, '');
  }
  const cost = overhead(results);
  if (cost.length > 0) lines.push('## `cdktf deploy` over `zk-rollout apply`', '', 'The deploy of the end-to-end test\'s app (bake 2 s): what `cdktf deploy` took, against the rollout its handler ran (its summary event).', '', ...cost, '');
  if (i.backups && i.backups.length > 0) {
    lines.push(`## Backups (\`node dist/bench/backup.js\`, measured ${i.backups[0].measured})`, '',
      'Three servers at bench settings seeded with znodes of 32 KiB, no writer. Copy: the snapshot and logs through the host driver (local); check: a standalone server loads the copy and must serve its zxid and node count; verify-backup: checksums and the same load again; restore, as `zk-rollout restore` runs it, with the source stopped: the files placed in three new servers of another ensemble, started as a first configuration until every one is synced. One run a size.',
      '', backupTable(i.backups), '');
  }
  lines.push('## What the numbers say', '', ...i.observations, '');
  lines.push('Charts (acknowledged writes per 100 ms, each row one way; numbered steps listed under each row; elections in red; the longest gap shaded):', '');
  for (const s of SCENARIOS) lines.push(`- [${s}](bench/results/${s}.svg)`);
  lines.push('', '## Planning time (pure planner and verifier, best of 3)', '', '| servers | scenario | steps | ms |', '|---:|---|---:|---:|');
  for (const p of i.planning) lines.push(`| ${p.servers} | ${p.scenario} | ${p.steps} | ${p.ms.toFixed(1)} |`);
  lines.push('', '## `cdktf synth` time (the CLI, Node start-up included)', '', '| servers | ms |', '|---:|---:|');
  for (const s of i.synth) lines.push(`| ${s.servers} | ${s.ms} |`);
  lines.push('');
  return lines.join('\n');
}

/** Facts the tables show, in words, from the same results: losses, elections, misses. */
export function facts(results: readonly Result[]): string[] {
  const out: string[] = [];
  for (const r of results.filter((x) => x.way === 'manual runbook' && x.native.lost > 0)) {
    out.push(`- ${r.scenario}, manual runbook: ${r.native.lost} acknowledged writes lost${r.twoLeadersMs ? `, with two leaders at once for about ${r.twoLeadersMs} ms` : ''}: it returned success for writes the final ensemble does not have.`);
  }
  for (const r of results.filter((x) => !mine(x.way) && x.scenario === 'rolling-restart' && x.elections > 1)) {
    out.push(`- rolling-restart, ${r.way}${r.profile === 'defaults' ? ' (defaults)' : ''}: ${r.elections} elections (restarting in id order hits the leader before the end); this project restarts the leader last.`);
  }
  const missed = results.filter((r) => r.way === 'zk-rollout apply' && plain(r)).map((r) => ({ r, m: misses(r, floorOf(results, r), aloneOf(results, r)) })).filter((x) => x.m.length > 0);
  for (const { r, m } of missed) out.push(`- Missed: ${r.scenario}${r.profile === 'defaults' ? ' at the defaults' : ''}${r.dataMb > 0 ? ` with ${r.dataMb} MiB` : ''}: ${m.join('; ')}.`);
  for (const r of results.filter((x) => x.native.sessionsExpired + (x.java?.sessionsExpired ?? 0) > 0)) {
    out.push(`- ${r.scenario}, ${r.way}${r.profile === 'defaults' ? ' (defaults)' : ''}${r.dataMb ? ` with ${r.dataMb} MiB` : ''}: a writer's session expired (native ${r.native.sessionsExpired}, Java ${r.java?.sessionsExpired ?? '-'}); it opened a new one, as an application would, and its longest gap includes that.`);
  }
  const read = results.filter((r) => mine(r.way) && lostCell(r) !== 'unread');
  const unread = results.filter((r) => mine(r.way) && lostCell(r) === 'unread');
  const lostMine = read.reduce((n, r) => n + r.native.lost + (r.java?.lost ?? 0), 0);
  const ackedMine = read.reduce((n, r) => n + r.native.acknowledged + (r.java?.acknowledged ?? 0), 0);
  out.push(`- This project: ${lostMine} of ${ackedMine} acknowledged writes lost over every run above whose final servers could be read${unread.length > 0 ? `; ${unread.length} run${unread.length === 1 ? '' : 's'} stopped with a final server down (${unread.map((r) => `${r.scenario}${r.dataMb ? ` with ${r.dataMb} MiB` : ''}${plain(r) ? '' : ', DIFF sync'}`).join('; ')}), so what ${unread.length === 1 ? 'it' : 'they'} acknowledged could not be checked` : ''}.`);
  return out;
}

/** The rows of a run, and the saved rows it did not repeat (each keeps when it was measured). */
export function mergeResults(saved: { readonly date: string; readonly results: readonly Result[] } | null, fresh: readonly Result[]): Result[] {
  const key = (r: Result) => [r.scenario, r.way, r.profile, r.dataMb, r.diffSync === true].join('|');
  const ran = new Set(fresh.map(key));
  return [...(saved?.results ?? []).filter((r) => !ran.has(key(r))).map((r) => ({ ...r, measured: r.measured ?? `${saved!.date}, an earlier run` })), ...fresh];
}
