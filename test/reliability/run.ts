/**
 * `npm run reliability`: runs the fault matrix, each cell in its own process (see cell.ts), a few
 * at a time on separate ports; keeps every result in test/reliability/results/matrix.json and
 * writes RELIABILITY.md from it.
 *
 *   --scenario <name,...>  --fault <name,...>  --cell <id,...>   only these
 *   --workers <n>          cells at a time (default 2), on ports from --port-base (default 30000), 400 apart
 *   --rerun                run cells again even when a result is stored (default: only missing or failed ones)
 *   --report               only write RELIABILITY.md from the stored results
 *   --measured <text>      where and when the cells were measured (kept for the report)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { repoRoot } from '../support/repo-root';
import { spawnClean } from '../support/spawn-clean';
import { stopLeftoversIn } from '../support/stop-leftovers';
import { allCells, CellSpec, cellId } from './cells';
import { CellResult } from './cell';
import { renderReliability } from './report';

const ROOT = repoRoot();
const RESULTS = join(ROOT, 'test', 'reliability', 'results', 'matrix.json');
const REPORT = join(ROOT, 'RELIABILITY.md');
/** Workers' port bases: below 32768 (Linux's ephemeral range), 400 apart (ids 1..6 use base+1..base+206). */
const portBase = (first: number, worker: number) => first + 400 * worker;

/**
 * The stored results of the matrix's applicable cells, in its order. A result stored for a point the
 * matrix no longer has, or where the fault now has no target (the reference steps were re-recorded),
 * is dropped: it measured a different step.
 */
export function loadResults(): Record<string, CellResult> {
  return current(existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, CellResult> : {});
}

function current(results: Record<string, CellResult>): Record<string, CellResult> {
  return Object.fromEntries(allCells().filter((c) => c.applicable).map((c) => cellId(c.cell)).filter((id) => results[id]).map((id) => [id, results[id]]));
}

function saveResults(results: Record<string, CellResult>): void {
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  const ordered = current(results);
  writeFileSync(RESULTS, `${JSON.stringify(ordered, null, 1)}\n`);
}

/** One cell in its own process; after a crash (the native client), its servers are stopped by pid and it runs once more. */
export async function runCellProcess(cell: CellSpec, base: number, verbose = false): Promise<CellResult> {
  for (let attempt = 1; ; attempt++) {
    const child = spawnClean(process.execPath, [join(ROOT, 'dist', 'test', 'reliability', 'cell.js'), JSON.stringify(cell), String(base)], {
      env: { ...process.env, ...(verbose ? { ZK_MATRIX_VERBOSE: '1' } : {}) },
    });
    let out = '';
    child.stdout.on('data', (d) => { out += String(d); });
    if (verbose) child.stderr.on('data', (d) => process.stderr.write(d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c, sig) => resolve(c ?? (sig === 'SIGSEGV' ? 139 : 134))));
    const result = /^CELL-RESULT (.*)$/m.exec(out);
    if (result) {
      const r = JSON.parse(result[1]) as CellResult;
      return attempt > 1 ? { ...r, note: [r.note, 'ran twice: the first run\'s process crashed in the native ZooKeeper client'].filter(Boolean).join('; ') } : r;
    }
    const dir = /^CELL-DIR (.*)$/m.exec(out)?.[1];
    if (dir) stopLeftoversIn(dir);
    const error = /^CELL-ERROR (.*)$/m.exec(out);
    if ((code === 134 || code === 139) && attempt === 1) continue;
    throw new Error(`cell ${cellId(cell)} ended without a result (exit ${code})${error ? `: ${JSON.parse(error[1]) as string}` : ''}`);
  }
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--scenario <names>').option('--fault <names>').option('--cell <ids>')
    .option('--workers <n>', 'cells at a time', '2').option('--port-base <port>', 'first worker\'s port base', '30000').option('--rerun').option('--report').option('--verbose')
    .option('--measured <text>', 'where and when the stored cells were measured, for the report (kept in results/meta.json)')
    .parse().opts<{ scenario?: string; fault?: string; cell?: string; workers: string; portBase: string; rerun?: boolean; report?: boolean; verbose?: boolean; measured?: string }>();
  const results = loadResults();
  if (!o.report) {
    const only = (list: string | undefined, v: string) => !list || list.split(',').includes(v);
    const todo = allCells().filter((c) => c.applicable && only(o.scenario, c.cell.scenario) && only(o.fault, c.cell.fault) && only(o.cell, cellId(c.cell))
      && (o.rerun || !results[cellId(c.cell)]?.ok));
    const first = Number(o.portBase);
    const workers = Math.max(1, Math.min(Number(o.workers) || 1, 6));
    if (!(first >= 1024 && first + 400 * workers <= 32768)) throw new Error(`--port-base ${o.portBase}: the workers' ports must lie in 1024..32767 (below the ephemeral range)`);
    process.stdout.write(`fault matrix: ${todo.length} cell(s), ${workers} at a time\n`);
    let next = 0;
    let finished = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      while (next < todo.length) {
        const { cell } = todo[next++];
        let r: CellResult;
        try {
          r = await runCellProcess(cell, portBase(first, w), o.verbose);
        } catch (e) {
          process.stdout.write(`  ${cellId(cell)}: ERROR ${(e as Error).message}\n`);
          continue;
        }
        results[r.id] = r;
        saveResults(results);
        finished++;
        process.stdout.write(`[${finished}/${todo.length}, ${((Date.now() - t0) / 60000).toFixed(1)} min] ${r.id}: ${r.outcome}${r.ok ? '' : ` ${r.problems.join('; ')}`}`
          + ` (${r.target}; ${r.acknowledged} acked, ${r.lost} lost, no leader ${r.longestNoLeaderMs} ms, ${(r.durationMs / 1000).toFixed(0)} s)\n`);
      }
    }));
  }
  const meta = join(RESULTS, '..', 'meta.json');
  if (o.measured) writeFileSync(meta, `${JSON.stringify({ measured: o.measured }, null, 1)}\n`);
  const measured = existsSync(meta) ? (JSON.parse(readFileSync(meta, 'utf8')) as { measured?: string }).measured : undefined;
  writeFileSync(REPORT, renderReliability(results, measured));
  const all = Object.values(results);
  process.stdout.write(`${all.filter((r) => r.ok).length}/${all.length} stored cells passed; wrote ${REPORT}\n`);
  if (all.some((r) => !r.ok)) process.exitCode = 1;
}

if (require.main === module) void main();
