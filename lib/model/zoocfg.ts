/** zoo.cfg rendering (static and dynamic files) and parsing of ZooKeeper's own membership text. */
import { Ensemble, Membership, Role, Server } from './types';

/** The four-letter words the rollout uses, and nothing more. */
export const FOUR_LETTER_WORDS = ['srvr', 'mntr', 'conf', 'cons', 'ruok'] as const;

/** `server.N=host:quorum:election:role;host:client`, the form ZooKeeper itself writes. */
export function renderServerLine(s: Server): string {
  return `server.${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.role};${s.host}:${s.clientPort}`;
}

/** The dynamic file: membership only. `version` is left to ZooKeeper, which appends it on reconfig. */
export function renderDynamicConfig(servers: readonly Server[]): string {
  return [...servers].sort((a, b) => a.id - b.id).map(renderServerLine).join('\n') + '\n';
}

export interface ServerPaths {
  /** Where this server keeps snapshots and its transaction log. */
  readonly dataDir: string;
  /** Where it keeps its transaction log, when apart from dataDir (an adopted server's own layout). */
  readonly dataLogDir?: string;
  /** Absolute path of the dynamic file (dynamic strategy only). */
  readonly dynamicConfigFile?: string;
}

export interface RenderOptions {
  /** Let reconfig run without authentication. Off unless the user opts in. @default false */
  readonly skipAcl?: boolean;
}

/**
 * The static zoo.cfg of one server. With the dynamic strategy membership lives in the dynamic file
 * (`config` is what the server starts with, e.g. committed config plus itself as an observer);
 * with the static strategy the `server.N` list is written here and changes only by restart.
 */
export function renderStaticConfig(
  ensemble: Ensemble, self: Server, config: readonly Server[], paths: ServerPaths, options: RenderOptions = {},
): string {
  const { settings } = ensemble;
  const lines = [
    `# managed by cdktf-zookeeper: ensemble ${ensemble.name}, server ${self.id}; edits are overwritten`,
    `tickTime=${settings.tickTime}`,
    `initLimit=${settings.initLimit}`,
    `syncLimit=${settings.syncLimit}`,
    `dataDir=${paths.dataDir}`,
    ...(paths.dataLogDir !== undefined ? [`dataLogDir=${paths.dataLogDir}`] : []),
    'standaloneEnabled=false',
    `4lw.commands.whitelist=${FOUR_LETTER_WORDS.join(',')}`,
    'admin.enableServer=false',
  ];
  if (options.skipAcl) lines.push('skipACL=yes');
  for (const [k, v] of Object.entries(settings.extra)) lines.push(`${k}=${v}`);
  if (ensemble.strategy === 'dynamic') {
    if (!paths.dynamicConfigFile) throw new Error(`server ${self.id}: the dynamic strategy needs a dynamic config file path`);
    lines.push('reconfigEnabled=true', `dynamicConfigFile=${paths.dynamicConfigFile}`);
  } else {
    lines.push('reconfigEnabled=false', `clientPort=${self.clientPort}`, `clientPortAddress=${self.host}`);
    if (self.role === 'observer') lines.push('peerType=observer');
    lines.push(...[...config].sort((a, b) => a.id - b.id).map(renderServerLine));
  }
  return lines.join('\n') + '\n';
}

/**
 * zoo.cfg keys ZooKeeper reads that zk-rollout renders itself or replaces by design (membership, the
 * dynamic file, client address, the whitelist it narrows, the admin server it turns off).
 */
const REPLACED_KEYS = /^(server|group|weight)\.\d+$|^(dynamicConfigFile|clientPort|clientPortAddress|peerType|reconfigEnabled|standaloneEnabled|4lw\.commands\.whitelist|admin\.enableServer|admin\.serverPort|skipACL)$/;

function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return out;
}

const samePath = (a: string | undefined, b: string | undefined) => (a ?? '').replace(/\/+$/, '') === (b ?? '').replace(/\/+$/, '');

/**
 * What rewriting a server's zoo.cfg (`current`) as `rendered` would lose: keys not carried over, and a
 * data or log directory moved. Each problem is one line naming the key; none means the rewrite is safe.
 */
export function rewriteLosses(current: string, rendered: string): string[] {
  const before = keyValues(current);
  const after = keyValues(rendered);
  const problems: string[] = [];
  for (const key of ['dataDir', 'dataLogDir']) {
    const was = before.get(key) ?? (key === 'dataLogDir' ? before.get('dataDir') : undefined);
    const will = after.get(key) ?? (key === 'dataLogDir' ? after.get('dataDir') : undefined);
    if (!samePath(was, will)) problems.push(`${key} is ${was ?? '(unset)'} there, but would become ${will ?? '(unset)'}: run.${key} must name the directory it uses`);
  }
  const lost = [...before.keys()].filter((k) => !after.has(k) && !REPLACED_KEYS.test(k) && k !== 'dataLogDir');
  if (lost.length > 0) problems.push(`${lost.map((k) => `${k}=${before.get(k)}`).join(', ')} would not be carried over: declare ${lost.length > 1 ? 'them' : 'it'} in settings (settings.extra takes the allow-listed keys)`);
  return problems;
}

/** The dynamic file a zoo.cfg names (ZooKeeper rewrites the line on every reconfig it applies). */
export function dynamicConfigFileOf(zooCfg: string): string | undefined {
  return /^\s*dynamicConfigFile\s*=\s*(\S+)\s*$/m.exec(zooCfg)?.[1];
}

/** The config version in the dynamic file's name (`<base>.dynamic.<hex>`): '0' when there is none. */
export function dynamicVersionOf(zooCfg: string): string {
  return /\.dynamic\.([0-9a-fA-F]+)$/.exec(dynamicConfigFileOf(zooCfg) ?? '')?.[1] ?? '0';
}

export class ConfigParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigParseError';
  }
}

const SERVER_LINE = /^server\.(\d+)=([^;]+?)(?:;(.*))?$/;

/** Parses one `server.N=` line as ZooKeeper prints it in `conf` and `/zookeeper/config`. */
export function parseServerLine(line: string): Server {
  const m = SERVER_LINE.exec(line.trim());
  if (!m) throw new ConfigParseError(`not a server line: ${line}`);
  const id = Number(m[1]);
  const parts = m[2].split(':');
  if (parts.length < 3 || parts.length > 4) throw new ConfigParseError(`server.${id}: expected host:quorumPort:electionPort[:role], got ${m[2]}`);
  const [host, quorum, election, roleText] = parts;
  const role: Role = roleText === undefined || roleText === 'participant' ? 'participant'
    : roleText === 'observer' ? 'observer'
      : (() => { throw new ConfigParseError(`server.${id}: unknown role ${roleText}`); })();
  let clientPort = 0;
  if (m[3] !== undefined && m[3] !== '') {
    const client = m[3].split(':');
    clientPort = Number(client[client.length - 1]);
  }
  const server: Server = { id, host, quorumPort: Number(quorum), electionPort: Number(election), clientPort, role };
  for (const field of ['quorumPort', 'electionPort'] as const) {
    if (!Number.isInteger(server[field]) || server[field] < 1) throw new ConfigParseError(`server.${id}: bad ${field} in ${line}`);
  }
  return server;
}

/** Parses membership text: `server.N=` lines and an optional `version=` line (other lines are ignored). */
export function parseMembership(text: string): Membership {
  const servers: Server[] = [];
  let version = '0';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('server.')) servers.push(parseServerLine(line));
    else if (line.startsWith('version=')) version = line.slice('version='.length).trim();
  }
  if (servers.length === 0) throw new ConfigParseError('no server lines found in configuration text');
  return { version, servers: servers.sort((a, b) => a.id - b.id) };
}

export interface ConfReport {
  readonly serverId?: number;
  readonly clientPort?: number;
  readonly dataDir?: string;
  readonly values: Readonly<Record<string, string>>;
  readonly membership?: Membership;
}

/** Parses the `conf` four-letter word: key=value lines, then `membership:` and the config text. */
export function parseConfOutput(text: string): ConfReport {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith('membership:'));
  for (const line of at >= 0 ? lines.slice(0, at) : lines) {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  const membership = at >= 0 ? parseMembership(lines.slice(at + 1).join('\n')) : undefined;
  return {
    ...(values.serverId !== undefined ? { serverId: Number(values.serverId) } : {}),
    ...(values.clientPort !== undefined ? { clientPort: Number(values.clientPort) } : {}),
    ...(values.dataDir !== undefined ? { dataDir: values.dataDir } : {}),
    values,
    ...(membership ? { membership } : {}),
  };
}

/** Config versions are hex zxids; compare them as numbers. */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(`0x${a || '0'}`);
  const y = BigInt(`0x${b || '0'}`);
  return x < y ? -1 : x > y ? 1 : 0;
}
