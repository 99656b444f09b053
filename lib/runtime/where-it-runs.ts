/**
 * The looks at the machines that adoption's rules (adoption.ts, pure) need: which configuration kept
 * data would start from, whether declared servers run the way they are declared, and what rewriting an
 * adopted server's zoo.cfg would lose. Each returns what it found; the executor decides.
 */
import { adoptedServers } from '../model/existing';
import { AdoptedServer, Ensemble, Server } from '../model/types';
import { dynamicVersionOf, parseMembership, rewriteLosses } from '../model/zoocfg';
import { HostDriver } from '../hosts/types';
import { ClusterSnapshot } from '../planner/types';
import { declarationDiff, KeptConfig } from './adoption';
import { AdminAuth } from './credentials';
import { serverFiles } from './server-config';
import { membersKey } from './rollout-record';

/** Per stopped server the driver knows: the configuration version its files would start from, and its members. */
export async function keptConfigs(driver: HostDriver): Promise<KeptConfig[]> {
  return Promise.all((await driver.knownServers()).map(async (server): Promise<KeptConfig> => {
    const dynamic = await driver.readDynamicConfig(server).catch(() => undefined);
    const members = dynamic ? membersOf(dynamic) : undefined;
    return { server, version: dynamicVersionOf((await driver.readZooCfg(server)) ?? ''), dataDir: driver.paths(server).dataDir, ...(members ? { members } : {}) };
  }));
}

function membersOf(dynamic: string): number[] | undefined {
  try {
    return parseMembership(dynamic).servers.map((s) => s.id);
  } catch {
    return undefined;
  }
}

/**
 * The version to start a server with on kept data: the one of its own last configuration when that
 * is the configuration it starts with (a fresh file would make ZooKeeper stamp a new version, which
 * reads as drift), else none.
 */
export async function keptVersion(driver: HostDriver, s: Server, config: readonly Server[]): Promise<string | null> {
  const version = dynamicVersionOf((await driver.readZooCfg(s).catch(() => undefined)) ?? '');
  if (version === '0') return null;
  const kept = await driver.readDynamicConfig(s).catch(() => undefined);
  if (kept === undefined) return null;
  try {
    return membersKey(parseMembership(kept).servers) === membersKey(config) ? version : null;
  } catch {
    return null;
  }
}

/**
 * The first deploy of a declared ensemble: its members as declared (adoption.ts), each answering at its
 * declared client address and running the declared way (the pid file or service finds a process on
 * the declared zoo.cfg). One line per difference.
 */
export async function declarationProblems(driver: HostDriver, desired: Ensemble, live: ClusterSnapshot): Promise<string[]> {
  const problems = declarationDiff(adoptedServers(desired), live);
  for (const a of adoptedServers(desired)) {
    if (!live.members.some((m) => m.id === a.id)) continue;
    if (!live.observations.find((o) => o.id === a.id)?.up) problems.push(`server ${a.id}: does not answer at its declared client address ${a.host}:${a.clientPort} (is it down, or is clientPort wrong?)`);
    if (!(await driver.isRunning(a))) problems.push(`server ${a.id}: no process runs the way it is declared (${runsAs(a)} on ${a.run.zooCfg}): check run.${a.run.service !== undefined ? 'service' : 'pidFile'} and run.zooCfg (its command line must name that zoo.cfg)`);
  }
  return problems;
}

const runsAs = (a: AdoptedServer) => (a.run.service !== undefined ? `service ${a.run.service}` : `pid file ${a.run.pidFile}`);

/**
 * What rewriting each running adopted server's zoo.cfg (a conversion, a settings restart, the static
 * strategy's list rewrite) would lose: keys not carried over, a data or log directory moved.
 */
export async function rewriteProblems(driver: HostDriver, desired: Ensemble, live: ClusterSnapshot, auth: AdminAuth): Promise<string[]> {
  const problems: string[] = [];
  for (const a of adoptedServers(desired)) {
    if (!live.members.some((m) => m.id === a.id)) continue;
    const current = await driver.readZooCfg(a).catch(() => undefined);
    if (current === undefined) { problems.push(`server ${a.id}: its declared zoo.cfg ${a.run.zooCfg} cannot be read`); continue; }
    const rendered = serverFiles(driver, desired, a, live.members, live.configVersion, auth).zooCfg;
    problems.push(...rewriteLosses(current, rendered).map((p) => `server ${a.id} (${a.run.zooCfg}): ${p}`));
  }
  return problems;
}
