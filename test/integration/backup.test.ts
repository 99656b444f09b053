/**
 * Backups on real servers: one taken while a writer runs, restored into a fresh ensemble by
 * `zk-rollout restore`; damaged backups caught by `zk-rollout verify-backup` (a changed byte, and a
 * changed byte whose checksum was forged); the backup a migration takes before its first removal;
 * restores refused where they would start beside a running or kept ensemble.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_FILE, parseManifest } from '../../lib/model/backup';
import { fourLetterWord, parseSrvr } from '../../lib/runtime/four-letter';
import { observeEnsemble } from '../../lib/runtime/observe';
import { takeBackup, sha256File } from '../../lib/runtime/backup/take';
import { startCli } from '../support/cli-process';
import { TestCluster } from '../support/cluster';
import { missingWrites, Writer } from '../support/writer';

jest.setTimeout(300000);
const cluster = new TestCluster('itbackup', 22000);
const restored = new TestCluster('itrestored', 22000);
/** The same name as the backed-up ensemble, in a directory of its own: a restore after losing it. */
const again = new TestCluster('itbackup', 22000);
const inspect = new TestCluster('itinspect', 22000);
const backups = join(cluster.baseDir, 'backups');
afterAll(async () => { await cluster.stopAll(); await restored.stopAll(); await again.stopAll(); await inspect.stopAll(); });

async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const p = startCli(args);
  const { code } = await p.exited;
  return { code, out: p.stdout() + p.stderr() };
}

let taken = '';

test('a backup taken while a writer runs holds every write acknowledged before it began, and a restored ensemble serves them', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const writer = new Writer(cluster.connectString([1, 2, 3]));
  await writer.start();
  await new Promise((r) => setTimeout(r, 1500));
  const began = Date.now();
  const { path, manifest } = await takeBackup({ desired: cluster.ensemble([1, 2, 3]), driver: cluster.driver, dir: backups, progress: (m) => cluster.lines.push(m) });
  await new Promise((r) => setTimeout(r, 500));
  const report = await writer.stop();
  taken = path;
  const before = report.acknowledged.filter((_, i) => report.ackTimes[i] < began);
  const after = report.acknowledged.filter((_, i) => report.ackTimes[i] > Date.parse(manifest.takenAt) + manifest.ms.copy + manifest.ms.verify);
  expect(before.length).toBeGreaterThan(10);
  expect(after.length).toBeGreaterThan(0);
  // The source was a follower, the cut is what it reported, and a standalone server loaded exactly that.
  expect(manifest.source.mode).toBe('follower');
  expect(manifest.loaded.zxid).toBe(manifest.zxid.last);
  expect(manifest.loaded.nodeCount).toBe(manifest.reported.nodesBefore);
  expect(readdirSync(path).sort()).toEqual([MANIFEST_FILE, ...manifest.files.map((f) => f.name)].sort());

  // Restored into three new servers (other ids, other ports), by the command an operator runs.
  const spec = join(restored.baseDir, 'restored.json');
  writeFileSync(spec, JSON.stringify(restored.ensemble([11, 12, 13])));
  const r = await cli(['restore', '--desired', spec, '--from', path, '--base-dir', restored.baseDir]);
  expect(r.out).toMatch(/restored ensemble itrestored from .*: every server holds the backup's data up to zxid/);
  expect(r.code).toBe(0);
  const servers = restored.ensemble([11, 12, 13]).servers;
  // Every write acknowledged before the backup began is there, on every restored server; writes after it are not.
  expect(await missingWrites(servers, before, writer.root)).toEqual({});
  const missingLater = await missingWrites([servers[0]], after, writer.root);
  expect(missingLater[11]?.length).toBe(after.length);
  expect(await restored.running()).toEqual([11, 12, 13]);
});

test('restore refuses servers that run or hold data, and starts nothing', async () => {
  const spec = join(restored.baseDir, 'again.json');
  writeFileSync(spec, JSON.stringify(restored.ensemble([11, 12, 13])));
  const r = await cli(['restore', '--desired', spec, '--from', taken, '--base-dir', restored.baseDir]);
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/refused: a restore starts a new ensemble on the backup's data, and server 11 is running; server 12 is running; server 13 is running\. Nothing was copied or started/);
});

test('verify-backup passes an intact backup and names the damage in a changed one, even with its checksum forged', async () => {
  const ok = await cli(['verify-backup', taken]);
  expect(ok.out).toMatch(/files intact; a standalone server loads zxid 0x[0-9a-f]+ with \d+ znodes, as recorded/);
  expect(ok.code).toBe(0);

  const manifest = parseManifest(readFileSync(join(taken, MANIFEST_FILE), 'utf8'), 'manifest');
  const log = manifest.files.filter((f) => f.name.startsWith('log.')).at(-1)!;
  const flip = (dir: string) => {
    const file = join(dir, log.name);
    const bytes = readFileSync(file);
    bytes[bytes.length - 40] ^= 0xff; // inside the last transaction
    writeFileSync(file, bytes);
  };
  const damaged = `${taken}-damaged`;
  cpSync(taken, damaged, { recursive: true });
  flip(damaged);
  const bad = await cli(['verify-backup', damaged]);
  expect(bad.code).not.toBe(0);
  expect(bad.out).toMatch(new RegExp(`is damaged: ${log.name.replace('.', '\\.')}: sha256 [0-9a-f]+\\.\\.\\., the manifest says`));

  // The checksum forged to match: ZooKeeper's own record checksum still refuses the transaction.
  const forged = `${taken}-forged`;
  cpSync(taken, forged, { recursive: true });
  flip(forged);
  const m = { ...manifest, files: await Promise.all(manifest.files.map(async (f) => (f.name === log.name ? { ...f, sha256: await sha256File(join(forged, f.name)) } : f))) };
  writeFileSync(join(forged, MANIFEST_FILE), JSON.stringify(m));
  const caught = await cli(['verify-backup', forged]);
  expect(caught.code).not.toBe(0);
  expect(caught.out).toMatch(/loads as zxid 0x[0-9a-f]+ with \d+ znodes; its manifest says|the standalone server loading the backup exited/);
});

test('a migration takes and checks a backup before its first removal, and keeps the newest ones', async () => {
  const desired = cluster.ensemble([4, 5, 6]);
  const writer = new Writer(cluster.connectString([1, 2, 3, 4, 5, 6]));
  await writer.start();
  await cluster.executor(desired, { backup: { dir: backups, keep: 1 } }).run();
  const report = await writer.stop();
  expect(await missingWrites(desired.servers, report.acknowledged, writer.root)).toEqual({});
  const starts = cluster.events.filter((e) => e.type === 'step-start');
  const backupAt = starts.findIndex((e) => e.type === 'step-start' && e.step.kind === 'backup');
  const firstRemoval = starts.findIndex((e) => e.type === 'step-start' && (e.step.kind === 'reconfig-remove' || e.step.kind === 'drain-clients'));
  expect(backupAt).toBeGreaterThanOrEqual(0);
  expect(backupAt).toBeLessThan(firstRemoval);
  const event = cluster.events.find((e) => e.type === 'backup');
  expect(event).toBeDefined();
  if (event?.type !== 'backup') return;
  // Taken after the joiners were added: the members it records include them. The older backup was pruned (keep 1).
  const manifest = parseManifest(readFileSync(join(event.path, MANIFEST_FILE), 'utf8'), 'manifest');
  expect(manifest.members).toBe('1,2,3,4,5,6');
  expect(event.pruned).toEqual([taken.split('/').at(-1)]);
  expect(existsSync(taken)).toBe(false);
  expect(readdirSync(backups).filter((n) => n.startsWith('itbackup-') && !n.includes('damaged') && !n.includes('forged'))).toEqual([event.path.split('/').at(-1)]);
  expect(await cluster.running()).toEqual([4, 5, 6]);
});

test('the backup a rollout took (with its lock in it) restores under the ensemble\'s own name: the old lock is waited out', async () => {
  const event = cluster.events.find((e) => e.type === 'backup');
  if (event?.type !== 'backup') throw new Error('the migration took no backup');
  const spec = join(again.baseDir, 'again.json');
  writeFileSync(spec, JSON.stringify(again.ensemble([7, 8, 9])));
  const r = await cli(['restore', '--desired', spec, '--from', event.path, '--base-dir', again.baseDir]);
  expect(r.out).toMatch(/lock \/zk-rollout\/locks\/itbackup came with the restored data .*; waiting for that session to expire/);
  expect(r.out).toMatch(/restored ensemble itbackup from /);
  expect(r.code).toBe(0);
  expect(await again.running()).toEqual([7, 8, 9]);
});


test('restore refuses a spec whose ensemble already runs other servers, and starts nothing', async () => {
  const event = cluster.events.find((e) => e.type === 'backup');
  if (event?.type !== 'backup') throw new Error('the migration took no backup');
  const spec = join(restored.baseDir, 'more.json');
  writeFileSync(spec, JSON.stringify(restored.ensemble([20])));
  const r = await cli(['restore', '--desired', spec, '--from', event.path, '--base-dir', restored.baseDir]);
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/refused: a restore starts a new ensemble on the backup's data, and server 11 of ensemble itrestored is running \(not in this spec\); server 12 .*; server 13 .*Nothing was copied or started/);
  expect(await restored.running()).toEqual([11, 12, 13]);
});

test('restore into a spec of one server: a standalone server to inspect the backup with', async () => {
  const event = cluster.events.find((e) => e.type === 'backup');
  if (event?.type !== 'backup') throw new Error('the migration took no backup');
  const spec = join(inspect.baseDir, 'inspect.json');
  writeFileSync(spec, JSON.stringify(inspect.ensemble([20])));
  const r = await cli(['restore', '--desired', spec, '--from', event.path, '--base-dir', inspect.baseDir]);
  expect(r.out).toMatch(/restored ensemble itinspect from .*: every server holds the backup's data up to zxid/);
  expect(r.code).toBe(0);
  const manifest = parseManifest(readFileSync(join(event.path, MANIFEST_FILE), 'utf8'), 'manifest');
  // At least the backup's node count (the restore adds zk-rollout's own record).
  const srvr = parseSrvr(await fourLetterWord('127.0.0.1', 22020, 'srvr'));
  expect(srvr.nodeCount!).toBeGreaterThanOrEqual(manifest.loaded.nodeCount);
  expect(await inspect.running()).toEqual([20]);
});

test('a backup that fails stops the rollout before anything is removed', async () => {
  const notADir = join(cluster.baseDir, 'not-a-directory');
  writeFileSync(notADir, 'a file where the backups would go');
  const from = cluster.events.length;
  await expect(cluster.executor(cluster.ensemble([4, 5]), { backup: { dir: notADir, keep: 1 } }).run())
    .rejects.toThrow(/refused: the backup before the first removal failed, so no server was removed: .*not-a-directory/);
  const events = cluster.events.slice(from);
  expect(events.some((e) => e.type === 'refusal' && e.code === 'backup-failed')).toBe(true);
  expect(events.some((e) => e.type === 'step-start' && (e.step.kind === 'reconfig-remove' || e.step.kind === 'drain-clients' || e.step.kind === 'stop-server'))).toBe(false);
  expect(await cluster.running()).toEqual([4, 5, 6]);
  const { snapshot } = await observeEnsemble([4, 5, 6].map((id) => ({ host: '127.0.0.1', port: 22000 + id })));
  expect(snapshot.members.map((m) => m.id).sort()).toEqual([4, 5, 6]);
});

test('restore refuses a name whose stopped servers keep data, and copies nothing', async () => {
  const event = cluster.events.find((e) => e.type === 'backup');
  if (event?.type !== 'backup') throw new Error('the migration took no backup');
  await cluster.stopAll();
  const spec = join(cluster.baseDir, 'same-name.json');
  const target = cluster.ensemble([30]);
  writeFileSync(spec, JSON.stringify(target));
  const r = await cli(['restore', '--desired', spec, '--from', event.path, '--base-dir', cluster.baseDir]);
  expect(r.code).not.toBe(0);
  expect(r.out).toMatch(/refused: ensemble itbackup is stopped, and its servers keep its data: server 1 \(.*\), .*server 6 \(.*Nothing was copied or started\. Restore under another ensemble name/);
  expect(await cluster.driver.listData(target.servers[0])).toEqual([]);
  expect(await cluster.running()).toEqual([]);
});
