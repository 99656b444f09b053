/** `zk-rollout verify-backup`: a backup is what its manifest says: every file intact, and it loads as recorded. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BackupManifest, MANIFEST_FILE, parseManifest } from '../../model/backup';
import { hexZxid } from '../../model/txnlog';
import { loadInStandalone } from './standalone';
import { sha256File, verifyHeapMb } from './take';

export interface CheckedBackup {
  readonly manifest: BackupManifest;
  /** The files in the order ZooKeeper reads them, on this machine. */
  readonly files: ReadonlyArray<{ readonly name: string; readonly localPath: string }>;
}

/** Checks sizes and checksums, then loads the files into a standalone server; throws naming what differs. */
export async function checkBackup(path: string, o: { timeoutMs?: number } = {}): Promise<CheckedBackup> {
  const manifestPath = join(path, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new Error(`${path}: no ${MANIFEST_FILE}; not a zk-rollout backup (or one that was never completed)`);
  const manifest = parseManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  const damaged: string[] = [];
  for (const f of manifest.files) {
    const local = join(path, f.name);
    if (!existsSync(local)) { damaged.push(`${f.name}: missing`); continue; }
    const bytes = statSync(local).size;
    if (bytes !== f.bytes) { damaged.push(`${f.name}: ${bytes} bytes, the manifest says ${f.bytes}`); continue; }
    const sha = await sha256File(local);
    if (sha !== f.sha256) damaged.push(`${f.name}: sha256 ${sha.slice(0, 12)}..., the manifest says ${f.sha256.slice(0, 12)}...`);
  }
  if (damaged.length > 0) throw new Error(`backup ${path} is damaged: ${damaged.join('; ')}`);
  const files = manifest.files.map((f) => ({ name: f.name, localPath: join(path, f.name) }));
  const loaded = await loadInStandalone(files, { heapMb: verifyHeapMb(manifest.totalBytes), timeoutMs: o.timeoutMs ?? 120000 });
  if (hexZxid(loaded.zxid) !== manifest.loaded.zxid || loaded.nodeCount !== manifest.loaded.nodeCount) {
    throw new Error(`backup ${path} loads as zxid ${hexZxid(loaded.zxid)} with ${loaded.nodeCount} znodes; its manifest says zxid ${manifest.loaded.zxid} with ${manifest.loaded.nodeCount}`);
  }
  return { manifest, files };
}
