/** zoo.cfg rendering (static and dynamic files) and parsing of ZooKeeper's own membership text. */
import { QuorumTlsPhase, tlsConfigEntries } from './tls';
import { ConfigParseError, escapePropertyKey, escapePropertyValue, parseProperties } from './java-properties';
import { Ensemble, Membership, Role, Server } from './types';

/** The four-letter words the rollout uses, and `ruok` (it says nothing about clients): not `cons`, which lists every client's address and session. */
export const FOUR_LETTER_WORDS = ['srvr', 'mntr', 'conf', 'ruok'] as const;

/** `server.N=host:quorum:election:role;host:client`, the form ZooKeeper itself writes. */
export function renderServerLine(s: Server): string {
  return `server.${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:${s.role};${s.host}:${s.clientPort}`;
}

/** The dynamic file: membership only. `version` is left to ZooKeeper, which appends it on reconfig. */
export function renderDynamicConfig(servers: readonly Server[]): string {
  const lines = [...servers].sort((a, b) => a.id - b.id).map(renderServerLine);
  for (const line of lines) {
    // ZooKeeper reads it with Properties.load and rewrites it unescaped on every reconfig: plain text only.
    const why = zooKeeperKeeps(line.slice(line.indexOf('=') + 1), true) ?? (/[\s=\\]/.test(line.slice(line.indexOf('=') + 1)) ? 'a server line holds no whitespace, = or backslash' : undefined);
    if (why !== undefined) throw new Error(`${JSON.stringify(line)} cannot be written to a dynamic file: ${why}`);
  }
  return lines.join('\n') + '\n';
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
  /** The quorum TLS phase the server starts in (see tls.ts). @default 0 (plain) */
  readonly quorumTls?: QuorumTlsPhase;
}

/**
 * The static zoo.cfg of one server. With the dynamic strategy membership lives in the dynamic file
 * (`config` is what the server starts with, e.g. committed config plus itself as an observer);
 * with the static strategy the `server.N` list is written here and changes only by restart.
 *
 * Every key and value is escaped the way java.util.Properties reads them (ZooKeeper's
 * QuorumPeerConfig loads zoo.cfg with Properties.load): no value can add a line, end in a line
 * continuation, or lose its leading whitespace. Values ZooKeeper would not keep as written are
 * refused, naming the server and key (see zooKeeperKeeps).
 */
export function renderStaticConfig(
  ensemble: Ensemble, self: Server, config: readonly Server[], paths: ServerPaths, options: RenderOptions = {},
): string {
  const { settings } = ensemble;
  const entries: Array<[string, string]> = [
    ['tickTime', String(settings.tickTime)],
    ['initLimit', String(settings.initLimit)],
    ['syncLimit', String(settings.syncLimit)],
    ['dataDir', paths.dataDir],
    ...(paths.dataLogDir !== undefined ? [['dataLogDir', paths.dataLogDir] as [string, string]] : []),
    ['standaloneEnabled', 'false'],
    ['4lw.commands.whitelist', FOUR_LETTER_WORDS.join(',')],
    ['admin.enableServer', 'false'],
  ];
  if (options.skipAcl) entries.push(['skipACL', 'yes']);
  for (const [k, v] of Object.entries(settings.extra)) entries.push([k, String(v)]);
  entries.push(...tlsConfigEntries(settings.tls, self.id, options.quorumTls ?? 0));
  if (ensemble.strategy === 'dynamic') {
    if (!paths.dynamicConfigFile) throw new Error(`server ${self.id}: the dynamic strategy needs a dynamic config file path`);
    entries.push(['reconfigEnabled', 'true'], ['dynamicConfigFile', paths.dynamicConfigFile]);
  } else {
    entries.push(['reconfigEnabled', 'false'], ['clientPort', String(self.clientPort)], ['clientPortAddress', self.host]);
    if (self.role === 'observer') entries.push(['peerType', 'observer']);
    for (const s of [...config].sort((a, b) => a.id - b.id)) {
      const line = renderServerLine(s);
      const eq = line.indexOf('=');
      entries.push([line.slice(0, eq), line.slice(eq + 1)]);
    }
  }
  const rewritten = ensemble.strategy === 'dynamic';
  for (const [k, v] of entries) {
    const why = zooKeeperKeeps(v, rewritten);
    if (why !== undefined) throw new Error(`server ${self.id}: ${k} ${JSON.stringify(v)} cannot be written to zoo.cfg: ${why}`);
  }
  // The comment is ours, but a control character would still end it and start a line of its own.
  const comment = `# managed by cdktf-zookeeper: ensemble ${ensemble.name}, server ${self.id}; edits are overwritten`.replace(/[\x00-\x1f\x7f]/g, '?');
  return [comment, ...entries.map(([k, v]) => `${escapePropertyKey(k)}=${escapePropertyValue(v)}`)].join('\n') + '\n';
}

/**
 * Why ZooKeeper would not read `value` back as written, or undefined when it would. QuorumPeerConfig
 * trims every value; and with reconfig on (`rewritten`), every reconfig a server applies makes
 * ZooKeeper rewrite its zoo.cfg itself (QuorumPeerConfig.editStaticConfig) as raw `key=value` lines
 * in the JVM's default charset, escaping nothing, and read it back with Properties.load at the next
 * start: there a newline would add a line, a backslash start an escape (a trailing one joins the next
 * line), and a non-ASCII character come back as something else.
 */
export function zooKeeperKeeps(value: string, rewritten: boolean): string | undefined {
  if (value !== value.trim()) return 'ZooKeeper trims leading and trailing whitespace from zoo.cfg values';
  if (!rewritten) return undefined;
  const rewrite = 'with reconfig on, ZooKeeper rewrites zoo.cfg after every reconfig without escaping';
  if (/[\x00-\x1f\x7f]/.test(value)) return `it holds a control character (a newline would add a line), and ${rewrite}`;
  if (value.includes('\\')) return `it holds a backslash, and ${rewrite} (a trailing backslash would join the next line to it)`;
  if (/[^\x20-\x7e]/.test(value)) return `it holds a non-ASCII character, and ${rewrite}, in the JVM's default charset, then reads it back as ISO-8859-1`;
  return undefined;
}

/**
 * zoo.cfg keys ZooKeeper reads that zk-rollout renders itself or replaces by design (membership, the
 * dynamic file, client address, the whitelist it narrows, the admin server it turns off).
 */
const REPLACED_KEYS = /^(server|group|weight)\.\d+$|^(dynamicConfigFile|clientPort|clientPortAddress|peerType|reconfigEnabled|standaloneEnabled|4lw\.commands\.whitelist|admin\.enableServer|admin\.serverPort|skipACL)$/;

/** zoo.cfg's settings as ZooKeeper reads them (Properties.load, then each key and value trimmed). */
function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of parseProperties(text)) out.set(k.trim(), v.trim());
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
  const path = keyValues(zooCfg).get('dynamicConfigFile');
  return path === '' ? undefined : path;
}

/** The config version in the dynamic file's name (`<base>.dynamic.<hex>`): '0' when there is none. */
export function dynamicVersionOf(zooCfg: string): string {
  return /\.dynamic\.([0-9a-fA-F]+)$/.exec(dynamicConfigFileOf(zooCfg) ?? '')?.[1] ?? '0';
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
