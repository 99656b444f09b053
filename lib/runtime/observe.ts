/**
 * Reads the live ensemble into a ClusterSnapshot: the committed membership from `conf` (the leader's,
 * once it is known), and each server's mode, zxid and peer state from `srvr` and `mntr`.
 */
import { parseConfOutput } from '../model/zoocfg';
import { Membership, Server } from '../model/types';
import { ClusterSnapshot, ServerObservation } from '../planner/types';
import { fourLetterWord, parseMntr, parseSrvr, ServerMode } from './four-letter';

export interface Endpoint { readonly host: string; readonly port: number }

export interface ServerProbe {
  readonly server: Server;
  readonly reachable: boolean;
  readonly mode?: ServerMode;
  readonly zxid?: bigint;
  readonly peerState?: string;
  readonly connections?: number;
  /** ZooKeeper's count of transactions after which this server's tree digest differed from the leader's (3.6+). */
  readonly digestMismatches?: number;
  readonly membership?: Membership;
  readonly error?: string;
}

export interface ObserveOptions {
  /** Non-members to probe as possible joiners (e.g. the desired servers). */
  readonly candidates?: readonly Server[];
  readonly timeoutMs?: number;
}

export async function probeServer(server: Server, timeoutMs = 3000): Promise<ServerProbe> {
  try {
    // srvr first and alone: its connection count then includes only this probe.
    const srvr = await fourLetterWord(server.host, server.clientPort, 'srvr', timeoutMs);
    const [mntr, conf] = await Promise.all([
      fourLetterWord(server.host, server.clientPort, 'mntr', timeoutMs).catch(() => ''),
      fourLetterWord(server.host, server.clientPort, 'conf', timeoutMs).catch(() => ''),
    ]);
    const s = parseSrvr(srvr);
    const m = parseMntr(mntr);
    const c = conf ? parseConfOutput(conf) : undefined;
    return {
      server, reachable: true, mode: s.mode,
      ...(s.zxid !== undefined ? { zxid: s.zxid } : {}),
      ...(m.zk_peer_state ? { peerState: m.zk_peer_state } : {}),
      ...(s.connections !== undefined ? { connections: s.connections } : {}),
      ...(m.zk_digest_mismatches_count !== undefined ? { digestMismatches: Number(m.zk_digest_mismatches_count) } : {}),
      ...(c?.membership ? { membership: c.membership } : {}),
    };
  } catch (e) {
    return { server, reachable: false, error: (e as Error).message };
  }
}

/** Serving and in broadcast with its leader (the leader itself counts as synced). */
export function isSynced(p: ServerProbe): boolean {
  if (!p.reachable || p.mode === undefined || p.mode === 'not-serving') return false;
  if (p.mode === 'leader' || p.mode === 'standalone') return true;
  return p.peerState === undefined || /broadcast/.test(p.peerState);
}

export async function readMembership(seeds: readonly Endpoint[], timeoutMs = 3000): Promise<Membership> {
  const errors: string[] = [];
  for (const seed of seeds) {
    try {
      const conf = parseConfOutput(await fourLetterWord(seed.host, seed.port, 'conf', timeoutMs));
      if (conf.membership) return conf.membership;
      errors.push(`${seed.host}:${seed.port}: conf has no membership (is reconfigEnabled on, ZooKeeper >= 3.5?)`);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new Error(`could not read the ensemble's membership from any of ${seeds.map((s) => `${s.host}:${s.port}`).join(', ')}:\n  ${errors.join('\n  ')}`);
}

export async function observeEnsemble(seeds: readonly Endpoint[], options: ObserveOptions = {}): Promise<{ snapshot: ClusterSnapshot; probes: ServerProbe[] }> {
  const timeoutMs = options.timeoutMs ?? 3000;
  let membership = await readMembership(seeds, timeoutMs);
  const probeAll = async (members: readonly Server[]) => {
    const memberIds = new Set(members.map((s) => s.id));
    const extra = (options.candidates ?? []).filter((c) => !memberIds.has(c.id));
    return Promise.all([...members, ...extra].map((s) => probeServer(s, timeoutMs)));
  };
  let probes = await probeAll(membership.servers);
  // The leader's view of the committed configuration is authoritative; re-read if a seed lagged.
  const leader = probes.find((p) => p.mode === 'leader' && membership.servers.some((s) => s.id === p.server.id));
  if (leader?.membership && leader.membership.version !== membership.version) {
    membership = leader.membership;
    probes = await probeAll(membership.servers);
  }
  const memberIds = new Set(membership.servers.map((s) => s.id));
  const joiners = probes.filter((p) => !memberIds.has(p.server.id) && p.reachable).map((p) => p.server);
  const observations: ServerObservation[] = probes
    .filter((p) => memberIds.has(p.server.id) || p.reachable)
    .map((p) => ({ id: p.server.id, up: p.reachable && p.mode !== 'not-serving', synced: isSynced(p) }));
  const leaderId = probes.find((p) => p.mode === 'leader' && memberIds.has(p.server.id))?.server.id ?? null;
  return {
    snapshot: { configVersion: membership.version, members: membership.servers, leaderId, observations, joiners },
    probes,
  };
}
