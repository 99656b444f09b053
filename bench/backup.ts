/**
 * What a backup costs at the bench's data sizes: a three-server ensemble (bench settings) seeded with
 * N MiB of znodes, then `takeBackup` (copy and check), `checkBackup` (what verify-backup runs) and a
 * restore into three new servers, each timed. Writes bench/results/backup.json and prints a table.
 *
 *   node dist/bench/backup.js [--data 100,1024]
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { takeBackup } from '../lib/runtime/backup/take';
import { checkBackup } from '../lib/runtime/backup/verify';
import { placeBackup } from '../lib/runtime/backup/restore';
import { TestCluster } from '../test/support/cluster';
import { profileSettings } from './measure';
import { seed } from './seed';
import { BackupRow, backupTable } from './report';

const BASE = 29500;

async function one(dataMb: number, log: (s: string) => void): Promise<BackupRow> {
  const cluster = new TestCluster('bench-backup', BASE);
  const restored = new TestCluster('bench-restored', BASE + 50);
  const settings = profileSettings('bench', dataMb);
  try {
    await cluster.apply(cluster.ensemble([1, 2, 3], [], settings));
    await seed(cluster.connectString([1, 2, 3]), dataMb);
    const dir = join(cluster.baseDir, 'backups');
    const { path, manifest } = await takeBackup({ desired: cluster.ensemble([1, 2, 3], [], settings), driver: cluster.driver, dir, timeoutMs: 600000, progress: log });
    const t0 = Date.now();
    const checked = await checkBackup(path, { timeoutMs: 600000 });
    const verifyBackupMs = Date.now() - t0;
    // The restore as `zk-rollout restore` runs it: the source stopped first (at 1 GiB seven JVMs would
    // not fit this machine), the files placed in three new servers of a new ensemble, which then start
    // as a first configuration.
    await cluster.stopAll();
    const t1 = Date.now();
    const target = restored.ensemble([4, 5, 6], [], settings);
    await placeBackup(target, restored.driver, checked, () => undefined);
    await restored.executor(target, { restored: true, acceptDrift: true }).run();
    const restoreMs = Date.now() - t1;
    return {
      dataMb, znodes: manifest.loaded.nodeCount, backupBytes: manifest.totalBytes, files: manifest.files.length,
      copyMs: manifest.ms.copy, checkMs: manifest.ms.verify, verifyBackupMs, restoreMs, measured: new Date().toISOString().slice(0, 10),
    };
  } finally {
    await cluster.stopAll();
    await restored.stopAll();
    rmSync(cluster.baseDir, { recursive: true, force: true });
    rmSync(restored.baseDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = new Command().option('--data <list>', 'MiB of znodes', '100,1024').parse().opts<{ data: string }>();
  const rows: BackupRow[] = [];
  for (const mb of o.data.split(',').map(Number)) {
    process.stdout.write(`[bench] backup with ${mb} MiB ...\n`);
    rows.push(await one(mb, (m) => process.stdout.write(`[bench]   ${m}\n`)));
  }
  // Rows of sizes this run did not measure are kept, with the day they were measured.
  const results = join(__dirname, '..', '..', 'bench', 'results');
  const file = join(results, 'backup.json');
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BackupRow[]).filter((r) => !rows.some((n) => n.dataMb === r.dataMb)) : [];
  const all = [...kept, ...rows].sort((a, b) => a.dataMb - b.dataMb);
  mkdirSync(results, { recursive: true });
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  process.stdout.write(`${backupTable(all)}\nnode dist/bench/run.js --report puts it in BENCHMARKS.md\n`);
}

if (require.main === module) main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
