/** Snapshots that do not come from live servers: a healthy ensemble as a spec declares it. */
import { settingsHash } from '../model/settings-hash';
import { targetPhase } from '../model/tls';
import { Ensemble } from '../model/types';
import { voterIds } from './sim-state';
import { ClusterSnapshot } from './types';

/**
 * A healthy ensemble running exactly `ensemble`: every server up and synced, with the spec's settings.
 * The leader is the one named, or the highest voter id (what ZooKeeper's election picks when every
 * voter starts at the same zxid, as after a bootstrap).
 */
export function snapshotFromEnsemble(ensemble: Ensemble, leaderId?: number): ClusterSnapshot {
  const voters = voterIds(ensemble.servers);
  const leader = leaderId ?? voters[voters.length - 1] ?? null;
  if (leader !== null && !voters.includes(leader)) throw new Error(`leader ${leader} is not a voter of ensemble ${ensemble.name} (voters: ${voters.join(',')})`);
  const phase = targetPhase(ensemble.settings.tls);
  return {
    configVersion: '0',
    members: ensemble.servers,
    leaderId: leader,
    observations: ensemble.servers.map((s) => ({
      id: s.id, up: true, synced: true, settingsHash: settingsHash(ensemble.settings, s.id), ...(phase !== 0 ? { quorumTls: phase } : {}),
      ...(ensemble.strategy === 'static' ? { view: ensemble.servers } : {}),
    })),
  };
}
