/**
 * Quorum and client TLS: the spec's shape and rules, and the phases a running ensemble passes through
 * to switch quorum TLS on or off without losing its quorum (ZooKeeper's admin guide, "Upgrading existing
 * non-TLS cluster with no downtime"; the way back is the same steps in reverse).
 */
import { z } from 'zod';
import { addressKey } from './address';
import { absolutePath } from './text-rules';

export type ClientAuth = 'need' | 'want' | 'none';

/** TLS as the user declares it (per-server keystores and secure ports are declared on the servers). */
export interface TlsSpec {
  /**
   * Quorum traffic (elections, the leader's syncs and proposals) over TLS. Switching it in a running
   * ensemble takes three rolling restarts, one server at a time. @default false
   */
  readonly quorum?: boolean;
  /** Clients may connect over TLS, on each server's `secureClientPort` (which every server then needs). @default false */
  readonly client?: boolean;
  /** Absolute path, on every server's machine, of the truststore: the CA certificates the servers' certificates chain to (.p12, .jks or .pem). */
  readonly trustStore: string;
  /** Absolute path of a file holding the truststore's password (ZooKeeper reads it; the password is never in zoo.cfg or the state). */
  readonly trustStorePasswordFile: string;
  /** Absolute path of a file holding the password of every server's keystore. */
  readonly keyStorePasswordFile: string;
  /** Servers check a peer's certificate against the peer's address. @default true */
  readonly hostnameVerification?: boolean;
  /** What the secure client port asks of a client's certificate. @default 'need' */
  readonly clientAuth?: ClientAuth;
}

/** One server's part: its keystore and, with client TLS, its secure client port. */
export interface TlsServer {
  readonly keyStore: string;
  readonly secureClientPort?: number;
}

/** Normalised TLS settings, part of the settings every server runs with (and of their fingerprint). */
export interface TlsSettings {
  readonly quorum: boolean;
  readonly client: boolean;
  readonly trustStore: string;
  readonly trustStorePasswordFile: string;
  readonly keyStorePasswordFile: string;
  readonly hostnameVerification: boolean;
  readonly clientAuth: ClientAuth;
  /** By server id. */
  readonly servers: Readonly<Record<string, TlsServer>>;
}

export const tlsSchema = z.object({
  quorum: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
  client: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
  trustStore: absolutePath,
  trustStorePasswordFile: absolutePath,
  keyStorePasswordFile: absolutePath,
  hostnameVerification: z.boolean({ invalid_type_error: 'must be true or false' }).optional(),
  clientAuth: z.enum(['need', 'want', 'none'], { errorMap: () => ({ message: 'must be need, want or none' }) }).optional(),
}).strict();

/** A server's TLS fields in the spec. */
export const serverTlsFields = {
  keyStore: absolutePath.optional(),
  secureClientPort: z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(1, 'must be in 1..65535').max(65535, 'must be in 1..65535').optional(),
};

export function normaliseTls(spec: z.infer<typeof tlsSchema>, servers: readonly { id: number; keyStore?: string; secureClientPort?: number }[]): TlsSettings {
  const perServer: Record<string, TlsServer> = {};
  for (const s of [...servers].sort((a, b) => a.id - b.id)) {
    if (s.keyStore !== undefined) perServer[String(s.id)] = { keyStore: s.keyStore, ...(s.secureClientPort !== undefined ? { secureClientPort: s.secureClientPort } : {}) };
  }
  return {
    quorum: spec.quorum ?? false,
    client: spec.client ?? false,
    trustStore: spec.trustStore,
    trustStorePasswordFile: spec.trustStorePasswordFile,
    keyStorePasswordFile: spec.keyStorePasswordFile,
    hostnameVerification: spec.hostnameVerification ?? true,
    clientAuth: spec.clientAuth ?? 'need',
    servers: perServer,
  };
}

/** Where a server's TLS fields are wrong given the ensemble's tls (or its absence); `where` names the server. */
export function serverTlsProblems(tls: z.infer<typeof tlsSchema> | undefined, s: { id: number; keyStore?: string; secureClientPort?: number }): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  if (tls === undefined) {
    if (s.keyStore !== undefined) out.push({ field: 'keyStore', message: 'is set, but the ensemble declares no tls' });
    if (s.secureClientPort !== undefined) out.push({ field: 'secureClientPort', message: 'is set, but the ensemble declares no tls (tls.client)' });
    return out;
  }
  if (s.keyStore === undefined) out.push({ field: 'keyStore', message: 'is required: the ensemble declares tls, and every server needs its own keystore (its certificate and key)' });
  if (tls.client === true && s.secureClientPort === undefined) out.push({ field: 'secureClientPort', message: 'is required with tls.client: the port this server serves TLS clients on' });
  if (tls.client !== true && s.secureClientPort !== undefined) out.push({ field: 'secureClientPort', message: 'is set, but tls.client is off' });
  return out;
}

/**
 * Quorum TLS phases, in order. Servers one phase apart can talk to each other; two phases apart they
 * cannot (a server sending TLS to one that accepts only plain, or the reverse), so a switch moves every
 * server one phase at a time.
 */
export type QuorumTlsPhase = 0 | 1 | 2 | 3;

export const QUORUM_TLS_PHASES: readonly { readonly sslQuorum: boolean; readonly portUnification: boolean; readonly name: string }[] = [
  { sslQuorum: false, portUnification: false, name: 'plain quorum' },
  { sslQuorum: false, portUnification: true, name: 'accepts TLS and plain, sends plain' },
  { sslQuorum: true, portUnification: true, name: 'sends TLS, accepts TLS and plain' },
  { sslQuorum: true, portUnification: false, name: 'TLS only' },
];

/** The phase a spec asks for. */
export function targetPhase(tls: TlsSettings | undefined): QuorumTlsPhase {
  return tls?.quorum ? 3 : 0;
}

export function phasesCompatible(a: QuorumTlsPhase, b: QuorumTlsPhase): boolean {
  return Math.abs(a - b) <= 1;
}

/** The phase after `from` on the way to `to` (`from` itself when there). */
export function nextPhase(from: QuorumTlsPhase, to: QuorumTlsPhase): QuorumTlsPhase {
  return (from === to ? from : from + Math.sign(to - from)) as QuorumTlsPhase;
}

/** The phase a server's zoo.cfg keys say it runs (what it was started with), or undefined when they are not one of the phases. */
export function phaseOfKeys(sslQuorum: string | undefined, portUnification: string | undefined): QuorumTlsPhase | undefined {
  const ssl = (sslQuorum ?? 'false').trim() === 'true';
  const pu = (portUnification ?? 'false').trim() === 'true';
  const found = QUORUM_TLS_PHASES.findIndex((p) => p.sslQuorum === ssl && p.portUnification === pu);
  return found < 0 ? undefined : (found as QuorumTlsPhase);
}

const NETTY = 'org.apache.zookeeper.server.NettyServerCnxnFactory';

/**
 * The zoo.cfg keys of one server running quorum TLS phase `phase`: passwords only by file
 * (`*.passwordPath`), so that no password is in zoo.cfg, its backups or `sysp`.
 */
export function tlsConfigEntries(tls: TlsSettings | undefined, serverId: number, phase: QuorumTlsPhase): Array<[string, string]> {
  if (tls === undefined) {
    if (phase !== 0) throw new Error(`server ${serverId}: quorum TLS phase ${phase} needs tls settings`);
    return [];
  }
  const own = tls.servers[String(serverId)];
  if ((phase > 0 || tls.client) && own === undefined) throw new Error(`server ${serverId}: tls is on, but it has no keyStore`);
  const out: Array<[string, string]> = [];
  if (phase > 0 || tls.client) out.push(['serverCnxnFactory', NETTY]);
  if (phase > 0) {
    const p = QUORUM_TLS_PHASES[phase];
    out.push(
      ['sslQuorum', String(p.sslQuorum)], ['portUnification', String(p.portUnification)],
      ['ssl.quorum.keyStore.location', own!.keyStore], ['ssl.quorum.keyStore.passwordPath', tls.keyStorePasswordFile],
      ['ssl.quorum.trustStore.location', tls.trustStore], ['ssl.quorum.trustStore.passwordPath', tls.trustStorePasswordFile],
      ['ssl.quorum.hostnameVerification', String(tls.hostnameVerification)],
      // A new certificate or CA in a store file (replaced, not edited in place) is used for new quorum connections without a restart.
      ['sslQuorumReloadCertFiles', 'true'],
    );
  }
  if (tls.client) {
    if (own!.secureClientPort === undefined) throw new Error(`server ${serverId}: tls.client is on, but it has no secureClientPort`);
    out.push(
      ['secureClientPort', String(own!.secureClientPort)],
      ['ssl.keyStore.location', own!.keyStore], ['ssl.keyStore.passwordPath', tls.keyStorePasswordFile],
      ['ssl.trustStore.location', tls.trustStore], ['ssl.trustStore.passwordPath', tls.trustStorePasswordFile],
      ['ssl.clientAuth', tls.clientAuth],
    );
  }
  return out;
}

/** A server as tlsProblems reads it: its ports and its TLS fields. */
interface TlsServerSpec {
  readonly id: number;
  readonly host: string;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly keyStore?: string;
  readonly secureClientPort?: number;
}

/** Each server's TLS fields against the ensemble's tls; secure ports that collide; the strategy it needs. */
export function tlsProblems(tls: z.infer<typeof tlsSchema> | undefined, strategy: string | undefined, servers: readonly TlsServerSpec[]): { where: string; field: string; message: string }[] {
  const problems = servers.flatMap((s) => serverTlsProblems(tls, s).map((p) => ({ where: `server ${s.id}`, ...p })));
  if (tls !== undefined && strategy === 'static') {
    problems.push({ where: 'ensemble', field: 'tls', message: 'needs the dynamic strategy: quorum TLS is switched by rolling restarts of reconfig-enabled servers' });
  }
  // A secure port must not be any port in use on its host (the plain ones are checked with the servers).
  const used = new Map<string, string>();
  for (const s of servers) {
    for (const [field, p] of [['clientPort', s.clientPort], ['quorumPort', s.quorumPort], ['electionPort', s.electionPort]] as const) used.set(`${addressKey(s.host)}:${p}`, `server ${s.id}'s ${field}`);
  }
  for (const s of servers) {
    if (s.secureClientPort === undefined) continue;
    const key = `${addressKey(s.host)}:${s.secureClientPort}`;
    const user = used.get(key);
    if (user !== undefined) problems.push({ where: `server ${s.id}`, field: 'secureClientPort', message: `${s.host.toLowerCase()}:${s.secureClientPort} is already ${user}` });
    else used.set(key, `server ${s.id}'s secureClientPort`);
  }
  return problems;
}
