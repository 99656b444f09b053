/**
 * The live state the planner starts from: 4lw probes for membership, mode and sync, enriched with
 * what the host driver knows (process running, settings it started with, the static list on disk).
 */
import { adoptedServers, withoutRun } from '../model/existing';
import { Ensemble, Server } from '../model/types';
import { parseMembership } from '../model/zoocfg';
import { HostDriver } from '../hosts/types';
import { ClusterSnapshot, ServerObservation } from '../planner/types';
import { isSynced, looksStatic, observeEnsemble, probeServer, ServerProbe } from './observe';

/** ProbeError's words for a four-letter word the server does not allow. */
const WHITELIST_REFUSAL = /is not in 4lw\.commands\.whitelist/;

export interface LiveState {
  /** Null when nothing of the ensemble runs: a bootstrap. */
  readonly snapshot: ClusterSnapshot | null;
  readonly probes: readonly ServerProbe[];
  /** With no snapshot: servers that answer all the same (without a readable membership); never bootstrap beside them. */
  readonly answering?: readonly ServerProbe[];
  /** Every address looked at, for messages. */
  readonly looked: readonly Server[];
}

function uniqueById(servers: readonly Server[]): Server[] {
  const m = new Map<number, Server>();
  for (const s of servers) if (!m.has(s.id)) m.set(s.id, s);
  return [...m.values()].sort((a, b) => a.id - b.id);
}

async function staticList(driver: HostDriver, servers: readonly Server[]): Promise<Server[] | null> {
  // Every config file holds the same list after a rewrite; take the one most files agree on.
  const counts = new Map<string, { list: Server[]; n: number }>();
  for (const s of servers) {
    const text = await driver.readZooCfg(s);
    if (!text || !/^server\.\d+=/m.test(text)) continue;
    const list = [...parseMembership(text).servers];
    const key = list.map((x) => `${x.id}${x.role[0]}`).join(',');
    counts.set(key, { list, n: (counts.get(key)?.n ?? 0) + 1 });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  return best ? best.list : null;
}

/**
 * Where an ensemble may run: the desired servers, the declared existing ensemble, servers seen earlier
 * (in this rollout, or recorded by the previous deploy), and every server the host driver has files for.
 */
export async function candidateServers(desired: Ensemble, driver: HostDriver, known: readonly Server[]): Promise<Server[]> {
  return uniqueById([...desired.servers, ...adoptedServers(desired).map(withoutRun), ...known, ...(await driver.knownServers())]);
}

/**
 * Members running with reconfig disabled. A member that prints a stamped (non-zero) configuration
 * version runs with reconfig; for the others their zoo.cfg decides where the driver can read it,
 * else what ZooKeeper prints (looksStatic).
 */
async function staticMembers(driver: HostDriver, members: readonly Server[], probes: readonly ServerProbe[]): Promise<number[]> {
  const found = await Promise.all(members.map(async (m) => {
    const probe = probes.find((p) => p.server.id === m.id);
    if (probe?.membership !== undefined && probe.membership.version !== '0') return null;
    const text = await driver.readZooCfg(m).catch(() => undefined);
    const reconfigDisabled = text !== undefined ? !/^\s*reconfigEnabled\s*=\s*true\s*$/m.test(text) : looksStatic(probe);
    return reconfigDisabled ? m.id : null;
  }));
  return found.filter((id): id is number => id !== null);
}

export async function readLiveState(
  desired: Ensemble, driver: HostDriver, known: readonly Server[], drained: ReadonlySet<number>, timeoutMs = 2000,
): Promise<LiveState> {
  // Seeds: a running ensemble is found even when the spec lists none of it.
  const candidates = await candidateServers(desired, driver, known);
  // One look per machine: on a remote driver each is a round trip to another machine.
  const statuses = await driver.statuses(candidates);
  const running = new Map<number, boolean>(candidates.map((s) => [s.id, (statuses.get(s.id)?.pid ?? null) !== null]));

  let observed: Awaited<ReturnType<typeof observeEnsemble>> | null = null;
  try {
    observed = await observeEnsemble(candidates.map((s) => ({ host: s.host, port: s.clientPort })), { candidates, timeoutMs });
  } catch {
    observed = null;
  }
  if (!observed) {
    const probes = await Promise.all(candidates.map((s) => probeServer(s, timeoutMs)));
    // A server that refuses the four-letter words, or serves while its membership cannot be read (conf
    // not allowed), runs all the same: say so now, not after a wait for a leader.
    const refusing = probes.filter((p) => (p.error !== undefined && WHITELIST_REFUSAL.test(p.error)) || (p.reachable && p.mode !== undefined && p.mode !== 'not-serving'));
    if (refusing.length > 0) return { snapshot: null, probes, answering: refusing, looked: candidates };
    if ([...running.values()].some(Boolean)) {
      // Processes run but none answers with a membership yet (starting, or an election): a snapshot
      // without a leader, which the planner refuses until a leader is there.
      const members = candidates.filter((s) => running.get(s.id));
      return {
        snapshot: { configVersion: '0', members, leaderId: null, observations: members.map((s) => ({ id: s.id, up: true, synced: false })) },
        probes, looked: candidates,
      };
    }
    return { snapshot: null, probes, answering: probes.filter((p) => p.reachable), looked: candidates };
  }

  let { snapshot } = observed;
  let members = snapshot.members;
  if (desired.strategy === 'static') {
    const list = await staticList(driver, uniqueById([...members, ...candidates]));
    if (list) members = list.map((s) => candidates.find((c) => c.id === s.id) ?? s);
  }
  // Addresses from the spec where ZooKeeper prints none (e.g. 0.0.0.0 client addresses).
  members = members.map((m) => ({ ...m, clientPort: m.clientPort || candidates.find((c) => c.id === m.id)?.clientPort || 2181 }));
  const memberIds = new Set(members.map((m) => m.id));
  const observations: ServerObservation[] = [];
  const joiners: Server[] = [];
  const everyone = uniqueById([...members, ...candidates]);
  const hashes = new Map(everyone.map((s) => [s.id, running.get(s.id) ? statuses.get(s.id)?.runningHash : undefined] as const));
  for (const s of everyone) {
    const probe = observed.probes.find((p) => p.server.id === s.id);
    const proc = running.get(s.id) ?? false;
    const serving = probe?.reachable === true && probe.mode !== 'not-serving';
    const up = proc || serving;
    if (!memberIds.has(s.id) && !up) continue;
    if (!memberIds.has(s.id)) joiners.push(s);
    const hash = hashes.get(s.id);
    const quorumTls = proc ? statuses.get(s.id)?.quorumTls : undefined;
    observations.push({
      id: s.id, up, synced: probe ? isSynced(probe) : false,
      ...(hash ? { settingsHash: hash } : {}),
      ...(quorumTls ? { quorumTls } : {}),
      ...(desired.strategy === 'static' && probe?.membership ? { view: probe.membership.servers } : {}),
      ...(drained.has(s.id) ? { drained: true } : {}),
    });
  }
  const statics = await staticMembers(driver, members, observed.probes);
  snapshot = { ...snapshot, members, observations, joiners, ...(statics.length > 0 ? { staticMembers: statics } : {}) };
  return { snapshot, probes: observed.probes, looked: candidates };
}
