/**
 * `zk-rollout backup`: the state of an ensemble at one zxid, copied from one synced server through its
 * host driver, checked by loading it into a standalone server.
 *
 * The cut: the source first applies everything the leader had when the backup began (so every write
 * acknowledged before then is in it). Its `srvr` then gives a zxid Z and its node count N, read
 * together. The backup is the newest snapshot that was complete before Z was read (a snapshot still
 * being written may hold later writes) and the logs after it, cut after the transaction Z. A standalone
 * server loaded from the copies must then serve exactly Z and N.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKUP_FORMAT, BackupFile, BackupManifest, backupName, chooseBackupFiles, chooseSource, DataFile, MANIFEST_FILE } from '../../model/backup';
import { Ensemble, Server } from '../../model/types';
import { hexZxid, LogScan, scanTxnLog, zxidOfName } from '../../model/txnlog';
import { DEFAULT_TIMEOUTS } from '../../model/defaults';
import { HostDriver } from '../../hosts/types';
import { membersKey } from '../rollout-record';
import { fourLetterWord, parseSrvr } from '../four-letter';
import { observeEnsemble } from '../observe';
import { sleep } from '../wait';
import { loadInStandalone } from './standalone';

export interface BackupOptions {
  readonly desired: Ensemble;
  readonly driver: HostDriver;
  /** The directory backups go in; each backup is a directory of its own in it. */
  readonly dir: string;
  /** How long the source may take to catch up, and the standalone server to load. @default DEFAULT_TIMEOUTS.syncMs */
  readonly timeoutMs?: number;
  readonly progress?: (message: string) => void;
}

export interface BackupResult {
  readonly path: string;
  readonly manifest: BackupManifest;
}

const srvrOf = async (s: Server) => parseSrvr(await fourLetterWord(s.host, s.clientPort, 'srvr', 3000));

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Heap for the standalone check: a tree takes a few times its snapshot's size in memory. */
export const verifyHeapMb = (bytes: number) => Math.min(12288, Math.max(256, Math.ceil((bytes * 3) / 2 ** 20) + 128));

/**
 * The zxid the source must have applied. A leader of an epoch with no transaction yet reports
 * `<epoch>00000000`, which its followers never do (they report the last transaction they applied, of
 * an earlier epoch): every committed write is then from earlier epochs, and a source in broadcast
 * already holds them all.
 */
export function catchUpTarget(leaderZxid: bigint): bigint {
  return (leaderZxid & 0xffffffffn) === 0n ? 0n : leaderZxid;
}

/** The check found the copy differs from what the source reported: a write slipped between two reads. Tried once more. */
class CheckMismatch extends Error {}

export async function takeBackup(o: BackupOptions): Promise<BackupResult> {
  try {
    return await takeOnce(o);
  } catch (e) {
    if (!(e instanceof CheckMismatch)) throw e;
    o.progress?.(`backup: ${e.message}; taking it again`);
    return takeOnce(o);
  }
}

/**
 * The source's zxid and node count as of one moment. `srvr` reads one after the other, so a write
 * between them would pair a count with the wrong zxid: two reports in a row must agree.
 */
async function steadyReport(source: Server, until: number): Promise<{ zxid: bigint; nodeCount: number }> {
  let previous = await srvrOf(source);
  for (;;) {
    const now = await srvrOf(source);
    if (now.zxid === undefined || now.nodeCount === undefined) throw new Error(`backup: server ${source.id} stopped serving (srvr: ${now.mode}); nothing was kept`);
    if (now.zxid === previous.zxid && now.nodeCount === previous.nodeCount) return { zxid: now.zxid, nodeCount: now.nodeCount };
    if (Date.now() > until) throw new Error(`backup: server ${source.id}'s zxid and node count never held still for two reads in a row; nothing was kept`);
    previous = now;
  }
}

async function takeOnce(o: BackupOptions): Promise<BackupResult> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUTS.syncMs;
  const say = o.progress ?? (() => undefined);
  const seeds = o.desired.servers.map((s) => ({ host: s.host, port: s.clientPort }));
  const { snapshot, probes } = await observeEnsemble(seeds, { candidates: o.desired.servers });
  const leader = snapshot.members.find((m) => m.id === snapshot.leaderId);
  if (!leader) throw new Error(`backup of ensemble ${o.desired.name}: it has no leader now; nothing was copied`);
  const candidates = snapshot.members.map((m) => ({ id: m.id, synced: snapshot.observations.some((x) => x.id === m.id && x.synced), mode: probes.find((p) => p.server.id === m.id)?.mode }));
  const picked = chooseSource(candidates, snapshot.leaderId);
  if (!picked) throw new Error(`backup of ensemble ${o.desired.name}: no member is synced; nothing was copied`);
  const member = snapshot.members.find((m) => m.id === picked.id)!;
  const source: Server = o.desired.servers.find((s) => s.id === member.id) ?? member;
  say(`backup: copying from server ${source.id} (${picked.mode ?? 'unknown mode'}), config version ${snapshot.configVersion}`);

  // Every write the leader had committed when the backup began is applied on the source first.
  const leaderZxid = catchUpTarget((await srvrOf(o.desired.servers.find((s) => s.id === leader.id) ?? leader)).zxid ?? 0n);
  const until = Date.now() + timeoutMs;
  while (((await srvrOf(source)).zxid ?? -1n) < leaderZxid) {
    if (Date.now() > until) throw new Error(`backup: server ${source.id} did not catch up with the leader's zxid ${hexZxid(leaderZxid)} within ${timeoutMs / 1000} s; nothing was kept`);
    await sleep(50);
  }
  const sealedBefore = new Set((await o.driver.listData(source)).filter((f) => f.sealed).map((f) => f.path));
  const before = await steadyReport(source, until);
  const cut = before.zxid;
  const onlySealed = (listing: ReadonlyArray<DataFile & { path: string }>) => listing.filter((f) => !f.name.startsWith('snapshot.') || (sealedBefore.has(f.path) && zxidOfName(f.name, 'snapshot')! <= cut));
  const first = onlySealed(await o.driver.listData(source));
  const chosen = chooseBackupFiles(first);
  if (typeof chosen === 'string') throw new Error(`backup: server ${source.id} has ${chosen}; nothing was kept`);
  const snapZxid = zxidOfName(chosen.snapshot.name, 'snapshot')!;

  const takenAt = new Date();
  const path = freeName(join(o.dir, backupName(o.desired.name, takenAt)));
  const partial = `${path}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const t0 = Date.now();
    await o.driver.fetchData(source, first.find((f) => f.name === chosen.snapshot.name)!.path, join(partial, chosen.snapshot.name));
    const logs = await copyLogs(o.driver, source, partial, chosen.snapshot, first, cut, say);
    const last = logs.at(-1)?.lastZxid ?? null;
    const lastZxid = last !== null && last > snapZxid ? last : snapZxid;
    if (lastZxid !== cut) throw new Error(`backup: the copied files of server ${source.id} end at ${hexZxid(lastZxid)}, not at ${hexZxid(cut)}, the zxid it reported; nothing was kept`);
    const names = [chosen.snapshot.name, ...logs.map((f) => f.name)];
    const files: BackupFile[] = [];
    for (const name of names) files.push({ name, bytes: statSync(join(partial, name)).size, sha256: await sha256File(join(partial, name)) });
    const copyMs = Date.now() - t0;
    const totalBytes = files.reduce((a, f) => a + f.bytes, 0);
    say(`backup: ${files.length} files, ${(totalBytes / 2 ** 20).toFixed(1)} MiB copied in ${(copyMs / 1000).toFixed(1)} s; loading them into a standalone server to check`);
    const t1 = Date.now();
    const loaded = await loadInStandalone(names.map((name) => ({ name, localPath: join(partial, name) })), { heapMb: verifyHeapMb(totalBytes), timeoutMs });
    if (loaded.zxid !== cut || loaded.nodeCount !== before.nodeCount) {
      throw new CheckMismatch(`backup check failed: server ${source.id} reported zxid ${hexZxid(cut)} and ${before.nodeCount} znodes, the copy loads as zxid ${hexZxid(loaded.zxid)} with ${loaded.nodeCount}; nothing was kept`);
    }
    const after = await srvrOf(source).catch(() => ({ zxid: undefined, nodeCount: undefined }));
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      ensemble: o.desired.name,
      takenAt: takenAt.toISOString(),
      source: { serverId: source.id, host: source.host, mode: picked.mode ?? 'unknown' },
      members: membersKey(snapshot.members),
      configVersion: snapshot.configVersion,
      zxid: { snapshot: hexZxid(snapZxid), last: hexZxid(cut) },
      reported: { zxidBefore: hexZxid(cut), zxidAfter: hexZxid(after.zxid ?? cut), nodesBefore: before.nodeCount, nodesAfter: after.nodeCount ?? before.nodeCount },
      loaded: { zxid: hexZxid(loaded.zxid), nodeCount: loaded.nodeCount },
      files,
      totalBytes,
      ms: { copy: copyMs, verify: Date.now() - t1 },
    };
    writeFileSync(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    // Only a checked backup gets its name: a directory without `.partial` is complete.
    renameSync(partial, path);
    say(`backup: ${path}: zxid ${manifest.zxid.last}, ${loaded.nodeCount} znodes, checked`);
    return { path, manifest };
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Copies the logs ZooKeeper replays after `snapshot`, up to the one holding `cut`, and cuts them there.
 * The source may have applied `cut` before its log holds it on disk (a follower applies a commit
 * whose append is still buffered), even in a log file not there yet: the directory is looked at again
 * and the newest log copied again until it reaches `cut`. Every older log must end cleanly (its
 * zeros or its end): one that stops at a damaged record would silently drop writes.
 */
async function copyLogs(driver: HostDriver, source: Server, dir: string, snapshot: DataFile, firstListing: ReadonlyArray<DataFile & { path: string }>, cut: bigint, say: (m: string) => void): Promise<Array<{ name: string; lastZxid: bigint | null }>> {
  const done = new Map<string, bigint | null>();
  for (let attempt = 0; ; attempt++) {
    const listing = attempt === 0 ? firstListing : await driver.listData(source);
    const chosen = chooseBackupFiles([snapshot, ...listing.filter((f) => f.name.startsWith('log.'))]);
    const logs = typeof chosen === 'string' ? [] : chosen.logs.filter((f) => zxidOfName(f.name, 'log')! <= cut);
    for (const [i, f] of logs.entries()) {
      const newest = i === logs.length - 1;
      if (done.has(f.name) && !newest) continue;
      const local = join(dir, f.name);
      await driver.fetchData(source, listing.find((x) => x.name === f.name)!.path, local);
      const scan = cutLog(local, cut);
      if (!newest && scan.end === 'torn') throw new Error(`backup: ${f.name} on server ${source.id} has a damaged record after byte ${scan.validBytes}; nothing was kept`);
      done.set(f.name, scan.lastZxid);
    }
    const newest = logs.at(-1);
    // A snapshot at the cut needs no log (an ensemble without a transaction since).
    const reached = zxidOfName(snapshot.name, 'snapshot')! >= cut || (newest !== undefined && done.get(newest.name) === cut);
    if (reached || attempt >= 20) {
      for (const f of logs) say(`backup: ${f.name} up to ${hexZxid(done.get(f.name) ?? 0n)}`);
      return logs.map((f) => ({ name: f.name, lastZxid: done.get(f.name) ?? null }));
    }
    await sleep(100);
  }
}

/** Two backups in one second get `-2`, `-3`, ... */
function freeName(path: string): string {
  let candidate = path;
  for (let n = 2; existsSync(candidate) || existsSync(`${candidate}.partial`); n++) candidate = `${path}-${n}`;
  return candidate;
}

/** Cuts a copied log after the transaction `cut` (and any torn tail); returns its new size and last zxid. */
export function cutLog(path: string, cut: bigint): LogScan {
  const buf = readFileSync(path);
  const scan = scanTxnLog(buf, cut);
  writeFileSync(path, buf.subarray(0, scan.validBytes));
  return scan;
}
