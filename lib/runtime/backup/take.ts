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
import { hexZxid, scanTxnLog, zxidOfName } from '../../model/txnlog';
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
  /** How long the source may take to catch up, and the standalone server to load. @default 60000 */
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
export const verifyHeapMb = (bytes: number) => Math.min(4096, Math.max(256, Math.ceil((bytes * 3) / 2 ** 20) + 128));

export async function takeBackup(o: BackupOptions): Promise<BackupResult> {
  const timeoutMs = o.timeoutMs ?? 60000;
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
  const leaderZxid = (await srvrOf(o.desired.servers.find((s) => s.id === leader.id) ?? leader)).zxid ?? 0n;
  const until = Date.now() + timeoutMs;
  while (((await srvrOf(source)).zxid ?? -1n) < leaderZxid) {
    if (Date.now() > until) throw new Error(`backup: server ${source.id} did not catch up with the leader's zxid ${hexZxid(leaderZxid)} within ${timeoutMs / 1000} s; nothing was kept`);
    await sleep(50);
  }
  const sealedBefore = new Set((await o.driver.listData(source)).filter((f) => f.sealed).map((f) => f.path));
  const before = await srvrOf(source);
  if (before.zxid === undefined || before.nodeCount === undefined) throw new Error(`backup: server ${source.id} stopped serving (srvr: ${before.mode}); nothing was kept`);
  const cut = before.zxid;
  const listing = (await o.driver.listData(source)).filter((f) => !f.name.startsWith('snapshot.') || (sealedBefore.has(f.path) && zxidOfName(f.name, 'snapshot')! <= cut));
  const chosen = chooseBackupFiles(listing);
  if (typeof chosen === 'string') throw new Error(`backup: server ${source.id} has ${chosen}; nothing was kept`);
  const logs = chosen.logs.filter((f) => zxidOfName(f.name, 'log')! <= cut);

  const takenAt = new Date();
  const path = freeName(join(o.dir, backupName(o.desired.name, takenAt)));
  const partial = `${path}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  try {
    const t0 = Date.now();
    const pathOf = (f: DataFile) => listing.find((x) => x.name === f.name)!.path;
    await o.driver.fetchData(source, pathOf(chosen.snapshot), join(partial, chosen.snapshot.name));
    let last: bigint | null = null;
    for (const [i, f] of logs.entries()) {
      const local = join(partial, f.name);
      // The newest log may not yet hold the source's last applied transactions on disk: copy it again.
      for (let attempt = 0; ; attempt++) {
        await o.driver.fetchData(source, pathOf(f), local);
        const { bytes, lastZxid } = cutLog(local, cut);
        if (i < logs.length - 1 || lastZxid === cut || attempt >= 20) { last = lastZxid ?? last; say(`backup: ${f.name}: ${bytes} bytes up to ${lastZxid === null ? 'no transaction' : hexZxid(lastZxid)}`); break; }
        await sleep(100);
      }
    }
    const snapZxid = zxidOfName(chosen.snapshot.name, 'snapshot')!;
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
      throw new Error(`backup check failed: server ${source.id} reported zxid ${hexZxid(cut)} and ${before.nodeCount} znodes, the copy loads as zxid ${hexZxid(loaded.zxid)} with ${loaded.nodeCount}; nothing was kept`);
    }
    const after = await srvrOf(source).catch(() => before);
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

/** Two backups in one second get `-2`, `-3`, ... */
function freeName(path: string): string {
  let candidate = path;
  for (let n = 2; existsSync(candidate) || existsSync(`${candidate}.partial`); n++) candidate = `${path}-${n}`;
  return candidate;
}

/** Cuts a copied log after the transaction `cut` (and any torn tail); returns its new size and last zxid. */
export function cutLog(path: string, cut: bigint): { bytes: number; lastZxid: bigint | null } {
  const buf = readFileSync(path);
  const scan = scanTxnLog(buf, cut);
  writeFileSync(path, buf.subarray(0, scan.validBytes));
  return { bytes: scan.validBytes, lastZxid: scan.lastZxid };
}
