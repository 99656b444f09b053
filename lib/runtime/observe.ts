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
  /** ZooKeeper's approximate size of the data tree in bytes (mntr). */
  readonly dataBytes?: number;
  readonly membership?: Membership;
  readonly error?: string;
}

export interface ObserveOptions {
  /** Non-members to probe as possible joiners (e.g. the desired servers). */
  readonly candidates?: readonly Server[];
  readonly timeoutMs?: number;
}

/**
 * How much a probe asks, each word a connection: `mode` is `srvr` alone (mode, zxid, connections);
 * `sync` adds `mntr` (peer state, digest mismatches, data size); `all` adds `conf` (membership).
 * Waits that poll ask only what they judge: every word costs each server a connection and a dump.
 */
export type ProbeScope = 'mode' | 'sync' | 'all';

export async function probeServer(server: Server, timeoutMs = 3000, scope: ProbeScope = 'all'): Promise<ServerProbe> {
  try {
    // srvr first and alone: its connection count then includes only this probe.
    const srvr = await fourLetterWord(server.host, server.clientPort, 'srvr', timeoutMs);
    const [mntr, conf] = await Promise.all([
      scope === 'mode' ? '' : fourLetterWord(server.host, server.clientPort, 'mntr', timeoutMs).catch(() => ''),
      scope !== 'all' ? '' : fourLetterWord(server.host, server.clientPort, 'conf', timeoutMs).catch(() => ''),
    ]);
    const s = parseSrvr(srvr);
    const m = parseMntr(mntr);
    const parsed = conf ? parseConfOutput(conf) : undefined;
    // A static configuration prints no client addresses; the server's own line takes the port it answered on.
    const c = parsed?.membership ? { ...parsed, membership: { ...parsed.membership, servers: parsed.membership.servers.map((x) => (x.clientPort === 0 && x.id === parsed.serverId ? { ...x, clientPort: server.clientPort } : x)) } } : parsed;
    return {
      server, reachable: true, mode: s.mode,
      ...(s.zxid !== undefined ? { zxid: s.zxid } : {}),
      ...(m.zk_peer_state ? { peerState: m.zk_peer_state } : {}),
      ...(s.connections !== undefined ? { connections: s.connections } : {}),
      ...(m.zk_digest_mismatches_count !== undefined ? { digestMismatches: Number(m.zk_digest_mismatches_count) } : {}),
      ...(m.zk_approximate_data_size !== undefined ? { dataBytes: Number(m.zk_approximate_data_size) } : {}),
      ...(c?.membership ? { membership: c.membership } : {}),
    };
  } catch (e) {
    return { server, reachable: false, error: (e as Error).message };
  }
}

/** A server's client connections, the probe's own left out (`srvr` counts the connection that asks). */
export function clientsOf(p: Pick<ServerProbe, 'connections'>): number | undefined {
  return p.connections === undefined ? undefined : Math.max(0, p.connections - 1);
}

/**
 * ZooKeeper's static form, seen from outside: a version-0 configuration whose lines carry no client
 * address (a server with reconfig enabled prints them, and its first leader stamps a version).
 * The server's own zoo.cfg, where a host driver can read it, is the better witness.
 */
export function looksStatic(p: ServerProbe | undefined): boolean {
  const m = p?.membership;
  return m !== undefined && m.version === '0' && !m.servers.some((x) => x.id !== p!.server.id && x.clientPort !== 0);
}

/** Serving and in broadcast with its leader (the leader itself counts as synced). */
export function isSynced(p: ServerProbe): boolean {
  if (!p.reachable || p.mode === undefined || p.mode === 'not-serving') return false;
  if (p.mode === 'leader' || p.mode === 'standalone') return true;
  return p.peerState === undefined || /broadcast/.test(p.peerState);
}

/**
 * The committed membership, from the first seed that answers. A static configuration prints its
 * `server.N` lines without client addresses: every seed says its own id in `conf`, which fills its line.
 */
export async function readMembership(seeds: readonly Endpoint[], timeoutMs = 3000): Promise<Membership> {
  const errors: string[] = [];
  for (const seed of seeds) {
    try {
      const conf = parseConfOutput(await fourLetterWord(seed.host, seed.port, 'conf', timeoutMs));
      if (conf.membership) return await withSeedPorts(conf.membership, seeds, timeoutMs);
      errors.push(`${seed.host}:${seed.port}: conf has no membership (is reconfigEnabled on, ZooKeeper >= 3.5?)`);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  throw new Error(`could not read the ensemble's membership from any of ${seeds.map((s) => `${s.host}:${s.port}`).join(', ')}:\n  ${errors.join('\n  ')}`);
}

async function withSeedPorts(membership: Membership, seeds: readonly Endpoint[], timeoutMs: number): Promise<Membership> {
  if (membership.servers.every((s) => s.clientPort !== 0)) return membership;
  const ids = await Promise.all(seeds.map(async (seed) => {
    const conf = await fourLetterWord(seed.host, seed.port, 'conf', timeoutMs).then(parseConfOutput).catch(() => undefined);
    return { seed, id: conf?.serverId };
  }));
  return {
    ...membership,
    servers: membership.servers.map((s) => {
      if (s.clientPort !== 0) return s;
      const own = ids.find((x) => x.id === s.id);
      return own ? { ...s, clientPort: own.seed.port } : s;
    }),
  };
}

/**
 * Client ports ZooKeeper does not print (static configurations): from the candidates that name the same
 * server (the spec, the declared existing ensemble, the driver's files), else unknown (0).
 */
export function withClientPorts(membership: Membership, candidates: readonly Server[]): Membership {
  return {
    ...membership,
    servers: membership.servers.map((s) => (s.clientPort !== 0 ? s
      : { ...s, clientPort: candidates.find((c) => c.id === s.id && c.host === s.host)?.clientPort ?? 0 })),
  };
}

export async function observeEnsemble(seeds: readonly Endpoint[], options: ObserveOptions = {}): Promise<{ snapshot: ClusterSnapshot; probes: ServerProbe[] }> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const candidates = options.candidates ?? [];
  let membership = withClientPorts(await readMembership(seeds, timeoutMs), candidates);
  const probeAll = async (members: readonly Server[]) => {
    const memberIds = new Set(members.map((s) => s.id));
    const extra = (options.candidates ?? []).filter((c) => !memberIds.has(c.id));
    return Promise.all([...members, ...extra].map((s) => probeServer(s, timeoutMs)));
  };
  let probes = await probeAll(membership.servers);
  // The leader's view of the committed configuration is authoritative; re-read if a seed lagged.
  const leader = probes.find((p) => p.mode === 'leader' && membership.servers.some((s) => s.id === p.server.id));
  if (leader?.membership && leader.membership.version !== membership.version) {
    membership = withClientPorts(leader.membership, [...candidates, ...membership.servers]);
    probes = await probeAll(membership.servers);
  }
  const memberIds = new Set(membership.servers.map((s) => s.id));
  const joiners = probes.filter((p) => !memberIds.has(p.server.id) && p.reachable).map((p) => p.server);
  const observations: ServerObservation[] = probes
    .filter((p) => memberIds.has(p.server.id) || p.reachable)
    .map((p) => ({ id: p.server.id, up: p.reachable && p.mode !== 'not-serving', synced: isSynced(p) }));
  const leaderId = probes.find((p) => p.mode === 'leader' && memberIds.has(p.server.id))?.server.id ?? null;
  const statics = membership.servers.filter((m) => looksStatic(probes.find((p) => p.server.id === m.id))).map((m) => m.id);
  return {
    snapshot: { configVersion: membership.version, members: membership.servers, leaderId, observations, joiners, ...(statics.length > 0 ? { staticMembers: statics } : {}) },
    probes,
  };
}
