/**
 * What a backup costs at the bench's data sizes: a three-server ensemble (bench settings) seeded with
 * N MiB of znodes, then `takeBackup` (copy and check), `checkBackup` (what verify-backup runs) and a
 * restore into three new servers, each timed. Writes bench/results/backup.json and prints a table.
 *
 *   node dist/bench/backup.js [--data 100,512]
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
  const settings = profileSettings('bench', dataMb);
  try {
    await cluster.apply(cluster.ensemble([1, 2, 3], [], settings));
    await seed(cluster.connectString([1, 2, 3]), dataMb);
    const dir = join(cluster.baseDir, 'backups');
    const { path, manifest } = await takeBackup({ desired: cluster.ensemble([1, 2, 3], [], settings), driver: cluster.driver, dir, timeoutMs: 600000, progress: log });
    const t0 = Date.now();
    const checked = await checkBackup(path, { timeoutMs: 600000 });
    const verifyBackupMs = Date.now() - t0;
    // The restore: the files placed in three new servers, which then start as a first configuration.
    const t1 = Date.now();
    const target = cluster.ensemble([4, 5, 6], [], settings);
    await placeBackup(target, cluster.driver, checked, () => undefined);
    await cluster.apply(target);
    const restoreMs = Date.now() - t1;
    return {
      dataMb, znodes: manifest.loaded.nodeCount, backupBytes: manifest.totalBytes, files: manifest.files.length,
      copyMs: manifest.ms.copy, checkMs: manifest.ms.verify, verifyBackupMs, restoreMs, measured: new Date().toISOString().slice(0, 10),
    };
  } finally {
    await cluster.stopAll();
    rmSync(cluster.baseDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = new Command().option('--data <list>', 'MiB of znodes', '100,512').parse().opts<{ data: string }>();
  const rows: BackupRow[] = [];
  for (const mb of o.data.split(',').map(Number)) {
    process.stdout.write(`[bench] backup with ${mb} MiB ...\n`);
    rows.push(await one(mb, (m) => process.stdout.write(`[bench]   ${m}\n`)));
  }
  mkdirSync(join(__dirname, '..', '..', 'bench', 'results'), { recursive: true });
  writeFileSync(join(__dirname, '..', '..', 'bench', 'results', 'backup.json'), `${JSON.stringify(rows, null, 2)}\n`);
  process.stdout.write(`${backupTable(rows)}\nnode dist/bench/run.js --report puts it in BENCHMARKS.md\n`);
}

if (require.main === module) main().catch((e) => { process.stderr.write(`${(e as Error).stack}\n`); process.exit(1); });
