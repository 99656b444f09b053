/** `zk-rollout backup | verify-backup | restore`: an ensemble's data copied out, checked, and started again. */
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_BACKUP_KEEP, backupsToPrune } from '../model/backup';
import { DEFAULT_BACKUP_DIR } from '../model/defaults';
import { SpecAndHostArgs } from '../model/handler-args';
import { takeBackup } from '../runtime/backup/take';
import { checkBackup } from '../runtime/backup/verify';
import { placeBackup, restoreRefusal } from '../runtime/backup/restore';
import { loadAdminAuth } from '../runtime/credentials';
import { Executor } from '../runtime/executor';
import { probeServer } from '../runtime/observe';
import { hexZxid } from '../model/txnlog';
import { InputError, loadDesired } from './inputs';
import { driverFor, eventOutputs } from './runtime-commands';

export interface BackupCommandArgs extends SpecAndHostArgs {
  readonly backupDir?: string;
  readonly keep?: string;
}

function keepOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_BACKUP_KEEP;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InputError(`--backup-keep ${text}: must be a whole number of backups, at least 1`);
  return Number(text);
}

export async function runBackup(opts: BackupCommandArgs, out: (s: string) => void): Promise<number> {
  const desired = loadDesired(opts);
  const keep = keepOf(opts.keep);
  const dir = resolve(opts.backupDir ?? DEFAULT_BACKUP_DIR);
  const driver = driverFor(desired, opts);
  try {
    const { path, manifest } = await takeBackup({ desired, driver, dir, progress: (m) => out(`${m}\n`) });
    out(`backup of ensemble ${desired.name} taken and checked: ${path}\n`);
    out(`  zxid ${manifest.zxid.last}, ${manifest.loaded.nodeCount} znodes, ${manifest.files.length} files, ${manifest.totalBytes} bytes, from server ${manifest.source.serverId}\n`);
    for (const name of backupsToPrune(readdirSync(dir), desired.name, keep)) {
      rmSync(join(dir, name), { recursive: true, force: true });
      out(`  deleted the older backup ${name} (keeping ${keep})\n`);
    }
    return 0;
  } finally {
    await driver.close?.();
  }
}

export async function runVerifyBackup(path: string, out: (s: string) => void): Promise<number> {
  const { manifest } = await checkBackup(resolve(path));
  out(`backup ${path}: ${manifest.files.length} files intact; a standalone server loads zxid ${manifest.loaded.zxid} with ${manifest.loaded.nodeCount} znodes, as recorded when it was taken from ensemble ${manifest.ensemble}\n`);
  return 0;
}

export interface RestoreCommandArgs extends SpecAndHostArgs {
  readonly from: string;
  readonly passwordFile?: string;
  readonly skipAcl?: boolean;
  readonly events?: string;
}

export async function runRestore(opts: RestoreCommandArgs, out: (s: string) => void): Promise<number> {
  const desired = loadDesired(opts);
  const driver = driverFor(desired, opts);
  try {
    // What the spec and the hosts say first: a refusal needs no password.
    const refusal = await restoreRefusal(desired, driver);
    if (refusal) throw new Error(refusal);
    const auth = loadAdminAuth({ skipAcl: opts.skipAcl === true, ...(opts.passwordFile ? { passwordFile: opts.passwordFile } : {}) });
    out(`restore: checking ${opts.from}\n`);
    const backup = await checkBackup(resolve(opts.from));
    const m = backup.manifest;
    out(`restore: backup of ${m.ensemble} at zxid ${m.zxid.last} (${m.loaded.nodeCount} znodes), taken ${m.takenAt}, is intact\n`);
    await placeBackup(desired, driver, backup, (line) => out(`${line}\n`));
    // The backup carries the old ensemble's rollout record, whose config version this new ensemble cannot have.
    await new Executor({ desired, driver, auth, acceptDrift: true, restored: true, ...eventOutputs(opts.events, out) }).run();
    const behind: string[] = [];
    for (const s of desired.servers) {
      const p = await probeServer(s, 3000);
      if (p.zxid === undefined || p.zxid < BigInt(m.zxid.last)) behind.push(`server ${s.id}: ${p.zxid === undefined ? 'no zxid' : hexZxid(p.zxid)}`);
    }
    if (behind.length > 0) throw new Error(`restore: servers started but do not hold the backup's zxid ${m.zxid.last}: ${behind.join('; ')}`);
    out(`restored ensemble ${desired.name} from ${opts.from}: every server holds the backup's data up to zxid ${m.zxid.last}\n`);
    return 0;
  } finally {
    await driver.close?.();
  }
}
