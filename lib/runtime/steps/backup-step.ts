/** The backup before the first removal: taken and checked, or the rollout stops before anything leaves. */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { backupsToPrune } from '../../model/backup';
import { StepOf } from '../../planner/types';
import { takeBackup } from '../backup/take';
import { RolloutError } from '../refusal';
import { StepRunner } from './context';

export const runBackup: StepRunner<StepOf<'backup'>> = async (ctx) => {
  const where = ctx.backup;
  if (!where) throw new Error('internal: a backup step was planned without a backup directory');
  let taken;
  try {
    taken = await takeBackup({ desired: ctx.desired, driver: ctx.driver, dir: where.dir, timeoutMs: ctx.t.syncMs });
  } catch (e) {
    throw new RolloutError('backup-failed', `refused: the backup before the first removal failed, so no server was removed: ${(e as Error).message}`, {
      cause: e, details: ['fix what the message names and re-run apply, or run apply with --skip-backup to go on without one'],
    });
  }
  const pruned = backupsToPrune(readdirSync(where.dir), ctx.desired.name, where.keep);
  for (const name of pruned) rmSync(join(where.dir, name), { recursive: true, force: true });
  const m = taken.manifest;
  ctx.emit({ type: 'backup', path: taken.path, sourceId: m.source.serverId, zxid: m.zxid.last, nodeCount: m.loaded.nodeCount, bytes: m.totalBytes, copyMs: m.ms.copy, verifyMs: m.ms.verify, pruned });
};
