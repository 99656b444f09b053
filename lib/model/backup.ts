/**
 * A backup of an ensemble's data: the newest complete snapshot of one server and the transaction logs
 * ZooKeeper replays after it, with a manifest that says what they hold. Pure: which files, which
 * server, which backups to keep, and the manifest's shape. Taking, verifying and restoring are in
 * runtime/backup.
 */
import { z } from 'zod';
import { zxidOfName } from './txnlog';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 1;
/** How many backups `backupBeforeRollout` keeps per ensemble by default. */
export const DEFAULT_BACKUP_KEEP = 5;

const hex = z.string().regex(/^0x[0-9a-f]+$/);
const fileEntry = z.object({
  name: z.string().regex(/^(snapshot|log)\.[0-9a-f]+$/),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
}).strict();

const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  ensemble: z.string().min(1),
  takenAt: z.string(),
  /** The server the files came from, its mode then, and the ensemble it was in. */
  source: z.object({ serverId: z.number().int(), host: z.string(), mode: z.string() }).strict(),
  members: z.string(),
  configVersion: z.string(),
  /** The snapshot's zxid and the last complete transaction of the logs: the backup holds every write up to `last`. */
  zxid: z.object({ snapshot: hex, last: hex }).strict(),
  /** What the source reported just before and just after its files were copied. */
  reported: z.object({ zxidBefore: hex, zxidAfter: hex, nodesBefore: z.number().int(), nodesAfter: z.number().int() }).strict(),
  /** What a standalone server loaded from these files: the zxid and the number of znodes it serves. */
  loaded: z.object({ zxid: hex, nodeCount: z.number().int() }).strict(),
  files: z.array(fileEntry).min(1),
  totalBytes: z.number().int().nonnegative(),
  /** How long copying and verifying took. */
  ms: z.object({ copy: z.number(), verify: z.number() }).strict(),
}).strict();

export type BackupManifest = z.infer<typeof manifestSchema>;
export type BackupFile = z.infer<typeof fileEntry>;

export function parseManifest(text: string, where: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) throw new Error(`${where}: not a zk-rollout backup manifest: ${r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** A file in a server's data (or transaction log) directory, as listed there. */
export interface DataFile {
  readonly name: string;
  readonly bytes: number;
  /** Snapshots: written to their end (SnapStream's seal). Logs: true. */
  readonly sealed: boolean;
}

/**
 * What a backup copies: the newest sealed snapshot (one being written is not), and the logs
 * FileTxnLog.getLogFiles would replay after it: the one that starts at or before the snapshot's zxid,
 * and every later one.
 */
export function chooseBackupFiles(listing: readonly DataFile[]): { snapshot: DataFile; logs: DataFile[] } | string {
  const snapshots = listing.filter((f) => f.sealed && zxidOfName(f.name, 'snapshot') !== null)
    .sort((a, b) => (zxidOfName(b.name, 'snapshot')! > zxidOfName(a.name, 'snapshot')! ? 1 : -1));
  if (snapshots.length === 0) return 'no complete snapshot in its data directory (a server writes one when it joins, and after every snapCount transactions)';
  const snapshot = snapshots[0];
  const at = zxidOfName(snapshot.name, 'snapshot')!;
  const logs = listing.filter((f) => zxidOfName(f.name, 'log') !== null).sort((a, b) => (zxidOfName(a.name, 'log')! > zxidOfName(b.name, 'log')! ? 1 : -1));
  const starts = logs.map((f) => zxidOfName(f.name, 'log')!);
  const from = starts.filter((z) => z <= at).reduce((a, b) => (b > a ? b : a), 0n);
  return { snapshot, logs: logs.filter((_, i) => starts[i] >= from) };
}

/** Where a backup is copied from: a synced follower, else a synced observer; the leader only when no other server is synced. */
export function chooseSource<T extends { readonly id: number; readonly synced: boolean; readonly mode?: string }>(servers: readonly T[], leaderId: number | null): T | undefined {
  const synced = servers.filter((s) => s.synced);
  return synced.find((s) => s.id !== leaderId && s.mode === 'follower') ?? synced.find((s) => s.id !== leaderId) ?? synced.find((s) => s.id === leaderId);
}

/** A backup directory's name: sortable by time, unique per ensemble. */
export function backupName(ensemble: string, at: Date): string {
  return `${ensemble}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

/** How old a `.partial` directory must be to be taken for a killed backup's leftovers (a running one is younger). */
export const STALE_PARTIAL_MS = 24 * 3600 * 1000;

/**
 * Of an ensemble's backups (directory names from backupName), the ones to delete: complete ones beyond
 * the newest `keep`, and `.partial` ones (a backup that failed or was killed) older than STALE_PARTIAL_MS.
 */
export function backupsToPrune(names: readonly string[], ensemble: string, keep: number, now: Date = new Date()): string[] {
  const prefix = ensemble.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const own = names.filter((n) => new RegExp(`^${prefix}-\\d{8}T\\d{6}Z(-\\d+)?$`).test(n)).sort();
  const stale = names.filter((n) => {
    const m = new RegExp(`^${prefix}-(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z(-\\d+)?\\.partial$`).exec(n);
    return m !== null && now.getTime() - Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) > STALE_PARTIAL_MS;
  }).sort();
  return [...own.slice(0, Math.max(0, own.length - Math.max(1, keep))), ...stale];
}
