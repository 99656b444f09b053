/** Renders the files a server (re)starts with and hands them to its host driver. */
import { settingsHash } from '../model/settings-hash';
import { QuorumTlsPhase } from '../model/tls';
import { Ensemble, Server } from '../model/types';
import { renderDynamicConfig, renderStaticConfig } from '../model/zoocfg';
import { HostDriver, ServerFiles } from '../hosts/types';
import { AdminAuth, serverAuthProperties } from './credentials';

/** The files a server (re)starts with, at the paths its host driver gives it. */
export function serverFiles(
  driver: HostDriver, ensemble: Ensemble, self: Server, config: readonly Server[], version: string | null, auth: AdminAuth, quorumTls: QuorumTlsPhase = 0,
): ServerFiles {
  const paths = driver.paths(self);
  // ZooKeeper takes the version from the file name and refuses a `version=` line inside the file.
  const dynamicPath = version && version !== '0' ? `${paths.dynamicCfg}.${version}` : paths.dynamicCfg;
  const zooCfg = renderStaticConfig(ensemble, self, config, { dataDir: paths.dataDir, ...(paths.dataLogDir !== undefined ? { dataLogDir: paths.dataLogDir } : {}), dynamicConfigFile: dynamicPath }, { skipAcl: auth.mode === 'skip-acl', quorumTls });
  const dynamic = ensemble.strategy === 'dynamic' ? { path: dynamicPath, content: renderDynamicConfig(config) } : undefined;
  return { zooCfg, ...(dynamic ? { dynamic } : {}), settingsHash: settingsHash(ensemble.settings, self.id), ...(quorumTls !== 0 ? { quorumTls } : {}) };
}

export async function installServerFiles(
  driver: HostDriver, ensemble: Ensemble, self: Server, config: readonly Server[], version: string | null, auth: AdminAuth, quorumTls: QuorumTlsPhase = 0,
): Promise<void> {
  await driver.writeFiles(self, serverFiles(driver, ensemble, self, config, version, auth, quorumTls));
}

/**
 * A leader started with this sends every learner a full snapshot instead of a DIFF. Two ZooKeeper 3.8
 * bugs make a DIFF unsafe under writes:
 * - ZOOKEEPER-4352/2846: a DIFF built from the leader's transaction log files can silently lack older
 *   transactions (the fault matrix hit it when a leader died while a server joined);
 * - ZOOKEEPER-4394 (fixed in 3.9.3): a learner taking a DIFF while the leader takes writes can fail
 *   with a NullPointerException in Learner.syncWithLeader, restart, replay its log out of order and
 *   report digest mismatches. With DIFFs from memory only (`zookeeper.snapshotSizeFactor=-1`), the
 *   fault matrix hit it (a promoted server re-syncing), and the rollout had to stop on that server.
 * A snapshot costs a full copy per sync (BENCHMARKS.md shows the figure) and was never seen to miss.
 */
export const SYNC_PROPERTIES = { 'zookeeper.forceSnapshotSync': 'true' };

/** The superuser digest is a secret option: the host driver passes it in a 0600 argument file, never on a command line. */
export async function startServer(driver: HostDriver, ensemble: Ensemble, self: Server, auth: AdminAuth): Promise<void> {
  await driver.start(self, { heapMb: ensemble.settings.jvmHeapMb, systemProperties: SYNC_PROPERTIES, secretProperties: serverAuthProperties(auth) });
}
