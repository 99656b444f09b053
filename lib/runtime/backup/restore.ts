/**
 * `zk-rollout restore`: a new ensemble (or a standalone server, for inspection) started on a backup's
 * data. Never over a running ensemble, and never over data: every declared server must be stopped,
 * silent on its client port, and without data before anything is copied.
 */
import { Ensemble } from '../../model/types';
import { HostDriver } from '../../hosts/types';
import { probeServer } from '../observe';
import { CheckedBackup } from './verify';

/** Why the restore must not start (null: it may): running or answering servers, or servers that hold data. */
export async function restoreRefusal(desired: Ensemble, driver: HostDriver): Promise<string | null> {
  if ((desired.existing?.servers ?? []).length > 0) {
    return 'refused: a restore starts new servers that zk-rollout runs; the spec declares existing (adopted) servers, whose files and users zk-rollout does not own. Nothing was copied or started. Declare the servers to restore into under servers only';
  }
  // Servers of this ensemble the driver knows besides the declared ones: a running one means the ensemble
  // runs; a stopped one with data keeps a later state of it, which a restore under the same name would
  // stand beside (every later deploy would refuse to start over it, and starting it would split the name).
  const problems: string[] = [];
  const kept: string[] = [];
  for (const s of (await driver.knownServers()).filter((k) => !desired.servers.some((d) => d.id === k.id))) {
    if (await driver.isRunning(s)) { problems.push(`server ${s.id} of ensemble ${desired.name} is running (not in this spec)`); continue; }
    const data = await driver.listData(s);
    if (data.length > 0) kept.push(`server ${s.id} (${data[0].path})`);
  }
  const othersRun = problems.length > 0;
  for (const s of desired.servers) {
    if (await driver.isRunning(s)) { problems.push(`server ${s.id} is running`); continue; }
    if ((await probeServer(s, 1000, 'mode')).reachable) { problems.push(`something answers at ${s.host}:${s.clientPort} (server ${s.id}'s client port)`); continue; }
    const data = await driver.listData(s);
    if (data.length > 0) problems.push(`server ${s.id} already has data (${data[0].path}${data.length > 1 ? ` and ${data.length - 1} more` : ''})`);
  }
  // Every reason at once, each with its own advice: an operator fixes them in one go.
  const facts: string[] = [];
  const advice: string[] = [];
  if (problems.length > 0) {
    facts.push(`a restore starts a new ensemble on the backup's data, and ${problems.join('; ')}`);
    advice.push(`Restore into servers that are stopped and have no data: declare new servers, or remove theirs with zk-rollout teardown --ensemble ${desired.name} --delete-data (also what to do after an interrupted restore, whose files these may be).`);
  }
  if (kept.length > 0 && !othersRun) {
    facts.push(`ensemble ${desired.name} is stopped, and its servers keep its data: ${kept.join(', ')}. A restore under that name would stand beside that data`);
    advice.push(`Restore under another ensemble name (the restored servers are new, so clients get a new connect string either way), or, once that data is copied away if you want it, remove it with zk-rollout teardown --ensemble ${desired.name} --delete-data.`);
  }
  return facts.length === 0 ? null : `refused: ${facts.join('. Also, ')}. Nothing was copied or started. ${advice.join(' ')}`;
}

/** Copies the backup's files into every declared server's data directory (the caller then starts them as a first configuration). */
export async function placeBackup(desired: Ensemble, driver: HostDriver, backup: CheckedBackup, say: (m: string) => void): Promise<void> {
  for (const s of desired.servers) {
    await driver.placeData(s, backup.files);
    say(`restore: server ${s.id}: ${backup.files.length} files placed`);
  }
}
