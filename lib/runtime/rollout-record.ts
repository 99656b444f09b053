/**
 * What zk-rollout last did to an ensemble, kept in the ensemble itself (`/zk-rollout/state/<name>`):
 * the committed config version it left, the reconfig it is about to make, and whether the rollout
 * under way has grown the ensemble. The next apply compares it with the live config: a version that
 * moved without zk-rollout (a member added by hand, a reconfig from zkCli) is drift, and a plan made
 * for the ensemble as it was must not run against it.
 */
import { createHash } from 'node:crypto';
import { Ensemble, Server } from '../model/types';
import { compareVersions } from '../model/zoocfg';
import { ClusterSnapshot } from '../planner/types';

export const RECORD_ROOT = '/zk-rollout/state';

export interface RolloutRecord {
  /** Committed config version (hex) when zk-rollout last wrote the record. */
  readonly configVersion: string;
  /** Members at that version, e.g. `1,2,3,4o`. */
  readonly members: string;
  /** Members a reconfig is about to commit: its handler may die before it can record the new version. */
  readonly pending?: string;
  /** Fingerprint of the desired spec of the rollout that wrote the record. */
  readonly desired: string;
  readonly phase: 'running' | 'done';
  /** The rollout under way has added servers (its next removal must bake first, also after a restart). */
  readonly grew: boolean;
  readonly at: string;
}

export const recordPath = (ensemble: string) => `${RECORD_ROOT}/${ensemble}`;

export const membersKey = (servers: readonly Server[]) =>
  [...servers].sort((a, b) => a.id - b.id).map((s) => `${s.id}${s.role === 'observer' ? 'o' : ''}`).join(',');

export function desiredFingerprint(desired: Ensemble): string {
  return createHash('sha256').update(JSON.stringify({ servers: desired.servers, settings: desired.settings })).digest('hex').slice(0, 16);
}

export function parseRecord(text: string): RolloutRecord | null {
  try {
    const r = JSON.parse(text) as Partial<RolloutRecord>;
    return typeof r.configVersion === 'string' && typeof r.members === 'string' ? r as RolloutRecord : null;
  } catch {
    return null;
  }
}

/** Same committed version, however it is spelt (versions are hex zxids). */
export const sameVersion = (a: string, b: string) => compareVersions(a, b) === 0;

function membershipChange(before: string, after: string): string {
  const a = new Set(before.split(',').filter(Boolean));
  const b = new Set(after.split(',').filter(Boolean));
  const id = (x: string) => x.replace(/o$/, '');
  const added = [...b].filter((x) => ![...a].some((y) => id(y) === id(x)));
  const removed = [...a].filter((x) => ![...b].some((y) => id(y) === id(x)));
  const changed = [...b].filter((x) => !a.has(x) && [...a].some((y) => id(y) === id(x)));
  const parts = [
    ...added.map((x) => `server ${id(x)} was added${x.endsWith('o') ? ' as an observer' : ''}`),
    ...removed.map((x) => `server ${id(x)} was removed`),
    ...changed.map((x) => `server ${id(x)} became ${x.endsWith('o') ? 'an observer' : 'a voter'}`),
  ];
  return parts.length > 0 ? parts.join(', ') : 'the members are the same, the version is not';
}

/** Null when the live config is where zk-rollout left it (or no record exists); else what changed, in words. */
export function driftFrom(record: RolloutRecord | null, live: ClusterSnapshot): string | null {
  if (record === null || sameVersion(record.configVersion, live.configVersion)) return null;
  const now = membersKey(live.members);
  // Our own reconfig, committed just before its handler died.
  if (record.pending !== undefined && record.pending === now) return null;
  // A static ensemble converted to dynamic: its first leader with reconfig enabled stamps a version; same members.
  if (sameVersion(record.configVersion, '0') && record.members === now) return null;
  return `zk-rollout left it at config version ${record.configVersion} with members {${record.members}} (${record.at}); `
    + `it is now at version ${live.configVersion} with members {${now}}: ${membershipChange(record.members, now)}`;
}

export const DRIFT_ADVICE = 'A plan made for the ensemble as it was is not carried out. Find out who changed it (zk-rollout status shows the members), '
  + 'then either undo that change, or re-run apply with --accept-drift (or ZK_ROLLOUT_ACCEPT_DRIFT=1 for cdktf deploy) to plan from the live ensemble as it is now';
