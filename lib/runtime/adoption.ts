/**
 * Meeting ensembles where they are (pure): what the declared existing ensemble must match, which live
 * members zk-rollout may act on, and when starting servers from nothing would start a second ensemble.
 */
import { AdoptedServer, Server } from '../model/types';
import { compareVersions } from '../model/zoocfg';
import { ClusterSnapshot } from '../planner/types';

const address = (s: Server) => `${s.host}:${s.clientPort}`;

/**
 * The first deploy of a declared existing ensemble checks the declaration against what runs: the same
 * members, each with the declared address, ports and role. Each difference is one line.
 */
export function declarationDiff(existing: readonly AdoptedServer[], live: ClusterSnapshot): string[] {
  const diff: string[] = [];
  for (const d of existing) {
    const m = live.members.find((x) => x.id === d.id);
    if (!m) { diff.push(`server ${d.id}: declared, but not a member of the running ensemble`); continue; }
    if (m.host !== d.host) diff.push(`server ${d.id}: declared on host ${d.host}, runs on ${m.host}`);
    for (const field of ['quorumPort', 'electionPort', 'clientPort'] as const) {
      // A client port ZooKeeper did not print (static configurations) is 0: nothing to compare.
      if (m[field] !== 0 && m[field] !== d[field]) diff.push(`server ${d.id}: declared ${field} ${d[field]}, runs with ${m[field]}`);
    }
    if (m.role !== d.role) diff.push(`server ${d.id}: declared as ${d.role}, runs as ${m.role}`);
  }
  for (const m of live.members) {
    if (!existing.some((d) => d.id === m.id)) diff.push(`server ${m.id} (${m.host}:${m.quorumPort}:${m.electionPort}, ${m.role}): a member of the running ensemble, not declared`);
  }
  return diff;
}

/**
 * Live members and joiners zk-rollout cannot act on: neither started by its host driver (no files of
 * it) nor declared as existing. Restarting or stopping them needs to know how they run.
 */
export function unmanagedServers(live: ClusterSnapshot, driverKnows: readonly Server[], existing: readonly AdoptedServer[]): Server[] {
  const managed = new Set([...driverKnows, ...existing].map((s) => s.id));
  return [...live.members, ...(live.joiners ?? [])].filter((s) => !managed.has(s.id));
}

export function unmanagedRefusal(servers: readonly Server[], driver: string): string {
  const list = servers.map((s) => `server ${s.id} (${address(s)})`).join(', ');
  return `refused: ${list} ${servers.length > 1 ? 'are members' : 'is a member'} of the running ensemble, but zk-rollout neither started ${servers.length > 1 ? 'them' : 'it'} `
    + `(the ${driver} host driver has no files of ${servers.length > 1 ? 'them' : 'it'}) nor finds ${servers.length > 1 ? 'them' : 'it'} declared under existing.servers. Nothing was changed. `
    + `Declare the running ensemble under existing.servers (each server's zoo.cfg, data directory, and its service or pid file and start command) to take it over`
    + `${driver === 'ssh' ? ', or, if zk-rollout started these servers, list their machines in hosts.machines' : ''}, then re-run apply`;
}

/** The newest kept configuration a stopped server would start from, read off its zoo.cfg. */
export interface KeptConfig {
  readonly server: Server;
  /** Hex config version of the dynamic file its zoo.cfg names ('0': none). */
  readonly version: string;
  /** The members of that configuration (ids), when its file could be read. */
  readonly members?: readonly number[];
  /** Where its data is, for messages. */
  readonly dataDir: string;
}

/**
 * Nothing answers, so the desired servers would start as a first configuration. Servers stopped with
 * their data keep the version of the last configuration they saw: those at the newest one hold the
 * newest data. Starting any other set as a fresh ensemble would serve older data (or none).
 * Returns the refusal, or null when a bootstrap is safe.
 */
export function keptDataRefusal(kept: readonly KeptConfig[], desired: readonly Server[]): string | null {
  const versioned = kept.filter((k) => compareVersions(k.version, '0') > 0);
  if (versioned.length === 0) return null;
  const newest = versioned.reduce((a, b) => (compareVersions(b.version, a.version) > 0 ? b : a)).version;
  // A server reconfigured out last (the old leader) saw the newest version too, but is not in it.
  const holders = versioned.filter((k) => compareVersions(k.version, newest) === 0 && (k.members === undefined || k.members.includes(k.server.id))).map((k) => k.server);
  const voters = desired.filter((s) => s.role === 'participant').map((s) => s.id).sort((a, b) => a - b);
  const holderIds = holders.map((s) => s.id).sort((a, b) => a - b);
  if (voters.join(',') === holderIds.join(',')) return null;
  const where = versioned.filter((k) => holders.includes(k.server)).map((k) => `server ${k.server.id}: ${k.dataDir}`).join('; ');
  return `refused: no server of this ensemble is running, and the newest data kept by its stopped servers is on {${holderIds.join(',')}} `
    + `(config version ${newest}; ${where}), not on the voters this spec would start, {${voters.join(',')}}. `
    + `Starting them as a new ensemble would serve older data than was acknowledged. Nothing was started. `
    + `Deploy the membership {${holderIds.join(',')}} first (it starts those servers again on their data), then deploy this change`;
}

/** Something answers at an address the ensemble may use, but no membership can be read from it. */
export function answeringRefusal(answering: readonly Server[]): string {
  return `refused: ${answering.map((s) => `${address(s)} (server ${s.id})`).join(', ')} ${answering.length > 1 ? 'answer' : 'answers'}, but no ensemble membership could be read `
    + `(the 'conf' four-letter word must be allowed: 4lw.commands.whitelist=srvr,mntr,conf,ruok). zk-rollout never starts a new ensemble beside a running one; nothing was started. `
    + `Allow 'conf' on those servers (or stop them, if they are not this ensemble), then re-run apply`;
}

/** A declared existing ensemble of which nothing answers: a declaration that describes nothing running. */
export function existingSilentRefusal(existing: readonly Server[]): string {
  return `refused: none of the declared existing servers answers (${existing.map((s) => `server ${s.id} at ${address(s)}`).join(', ')}). `
    + `An existing ensemble is taken over while it runs; nothing was started. Start it (or fix the addresses in existing.servers), then re-run apply`;
}
