/** Renders the files a server (re)starts with and hands them to its host driver. */
import { settingsHash } from '../model/settings-hash';
import { Ensemble, Server } from '../model/types';
import { renderDynamicConfig, renderStaticConfig } from '../model/zoocfg';
import { HostDriver, ServerFiles } from '../hosts/types';
import { AdminAuth, serverAuthProperties } from './credentials';

/** The files a server (re)starts with, at the paths its host driver gives it. */
export function serverFiles(
  driver: HostDriver, ensemble: Ensemble, self: Server, config: readonly Server[], version: string | null, auth: AdminAuth,
): ServerFiles {
  const paths = driver.paths(self);
  // ZooKeeper takes the version from the file name and refuses a `version=` line inside the file.
  const dynamicPath = version && version !== '0' ? `${paths.dynamicCfg}.${version}` : paths.dynamicCfg;
  const zooCfg = renderStaticConfig(ensemble, self, config, { dataDir: paths.dataDir, ...(paths.dataLogDir !== undefined ? { dataLogDir: paths.dataLogDir } : {}), dynamicConfigFile: dynamicPath }, { skipAcl: auth.mode === 'skip-acl' });
  const dynamic = ensemble.strategy === 'dynamic' ? { path: dynamicPath, content: renderDynamicConfig(config) } : undefined;
  return { zooCfg, ...(dynamic ? { dynamic } : {}), settingsHash: settingsHash(ensemble.settings) };
}

export async function installServerFiles(
  driver: HostDriver, ensemble: Ensemble, self: Server, config: readonly Server[], version: string | null, auth: AdminAuth,
): Promise<void> {
  await driver.writeFiles(self, serverFiles(driver, ensemble, self, config, version, auth));
}

/**
 * A leader started with this never builds a DIFF from its transaction log files, only from the
 * proposals it holds in memory (the last `zookeeper.commitLogCount`, 500), and otherwise sends a
 * snapshot. ZooKeeper 3.8's LearnerHandler sends a learner whose last zxid starts an epoch (an empty
 * joiner's is 0) a DIFF of whatever its log files hold, without checking that they reach back to that
 * zxid: a leader that itself joined by snapshot has no files that old, and the joiner silently misses
 * everything before them (ZOOKEEPER-4352; the fault matrix hit it when a leader died while a server
 * joined). From memory, the proposals are contiguous and reach back to the learner's zxid, or a
 * snapshot is sent. So an empty joiner always gets a snapshot (it needs a full copy anyway), and a
 * restarted or promoted server only a few hundred transactions behind gets a DIFF instead of a full copy.
 */
export const SYNC_PROPERTIES = { 'zookeeper.snapshotSizeFactor': '-1' };

/** The superuser digest is a secret option: the host driver passes it in a 0600 argument file, never on a command line. */
export async function startServer(driver: HostDriver, ensemble: Ensemble, self: Server, auth: AdminAuth): Promise<void> {
  await driver.start(self, { heapMb: ensemble.settings.jvmHeapMb, systemProperties: SYNC_PROPERTIES, secretProperties: serverAuthProperties(auth) });
}
