/** The ensemble as the user declares it, and its normalised form with every default filled in. */
import { TlsSettings, TlsSpec } from './tls';

export type Role = 'participant' | 'observer';

/** How membership changes reach the servers. */
export type Strategy = 'dynamic' | 'static';

export interface ServerSpec {
  /** ZooKeeper server id (myid), 1..255. An id always means the same host. */
  readonly id: number;
  /** Host name or IP address the server listens on. */
  readonly host: string;
  /** @default 2181 */
  readonly clientPort?: number;
  /** @default 2888 */
  readonly quorumPort?: number;
  /** @default 3888 */
  readonly electionPort?: number;
  /** @default 'participant' */
  readonly role?: Role;
  /** With `tls`: absolute path, on its machine, of this server's keystore (its certificate and key). */
  readonly keyStore?: string;
  /** With `tls.client`: the port this server serves TLS clients on. */
  readonly secureClientPort?: number;
}

export interface SettingsSpec {
  /** Milliseconds, 1..60000. @default 2000 */
  readonly tickTime?: number;
  /** Ticks, 1..10000. @default 10 */
  readonly initLimit?: number;
  /** Ticks, 1..10000, at most initLimit. @default 5 */
  readonly syncLimit?: number;
  /** JVM heap in MiB, 64..1048576. @default 512 */
  readonly jvmHeapMb?: number;
  /**
   * Extra zoo.cfg keys, from an allow-list, each with the type and range ZooKeeper reads (see EXTRA_KEY_TYPES).
   * There is no `dataDir`: zk-rollout's own servers keep their data under the host driver's baseDir, an
   * adopted server's is declared in `existing.servers[].run.dataDir`.
   */
  readonly extra?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * How a server that zk-rollout did not start runs today (adoption): its files and how it is started and
 * stopped. Either `service` (a systemd unit) or `pidFile` plus `start` (a script or init-style command).
 */
export interface ServerRunSpec {
  /** Absolute path of its zoo.cfg. */
  readonly zooCfg: string;
  /** Absolute path of its data directory (the one holding `myid`). */
  readonly dataDir: string;
  /** Absolute path of its transaction log directory, when zoo.cfg sets `dataLogDir`. @default the data directory */
  readonly dataLogDir?: string;
  /** A systemd unit that runs it, e.g. `zookeeper.service`. */
  readonly service?: string;
  /** The pid file the start command writes (and the stop command honours). */
  readonly pidFile?: string;
  /**
   * Shell command, run on the server's machine, that starts it in the background and returns. It gets
   * the JVM options zk-rollout needs (the superuser digest among them) in `SERVER_JVMFLAGS`, which
   * ZooKeeper's own zkServer.sh passes to java.
   */
  readonly start?: string;
  /** Shell command that stops it. @default SIGTERM to the pid in `pidFile` */
  readonly stop?: string;
  /** Its log file, named in messages. @default none */
  readonly log?: string;
}

/** A member of the running ensemble as it runs today. */
export interface ExistingServerSpec extends ServerSpec {
  readonly run: ServerRunSpec;
}

/** The ensemble as it runs before zk-rollout manages it (declared like Terraform's import). */
export interface ExistingSpec {
  readonly servers: readonly ExistingServerSpec[];
}

export interface EnsembleSpec {
  /**
   * Ensemble name: lower-case letters, digits and dashes; names the servers' directories and, in the
   * construct, the Terraform resources and outputs.
   */
  readonly name: string;
  /** The members: voters (`role: 'participant'`, the default) and observers. */
  readonly servers: readonly ServerSpec[];
  /**
   * A running ensemble zk-rollout did not start, to take over (like Terraform's import): its members as
   * they run today and, per server, its zoo.cfg, data directory and how it is started and stopped. The
   * first deploy checks it against the live ensemble and changes nothing that need not change; keep it
   * declared afterwards, so that its servers are always run, and stopped when they leave, the way they
   * are declared.
   * @default - none: the ensemble is one zk-rollout starts
   */
  readonly existing?: ExistingSpec;
  /** zoo.cfg and JVM settings shared by every server. @default - ZooKeeper's defaults (tickTime 2000, initLimit 10, syncLimit 5, heap 512 MiB) */
  readonly settings?: SettingsSpec;
  /** `dynamic` (incremental reconfig) or `static` (server list rewrite plus rolling restarts). @default 'dynamic' */
  readonly strategy?: Strategy;
  /** Required to declare an ensemble of a single voter (no fault tolerance). @default false */
  readonly standalone?: boolean;
  /** Quorum and client TLS (dynamic strategy). @default - none: plain quorum and clients */
  readonly tls?: TlsSpec;
}

export interface Server {
  readonly id: number;
  readonly host: string;
  readonly clientPort: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly role: Role;
}

export interface Settings {
  readonly tickTime: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly jvmHeapMb: number;
  readonly extra: Readonly<Record<string, string>>;
  /** Absent when the spec declares no tls. */
  readonly tls?: TlsSettings;
}

/** How an adopted server runs (normalised ServerRunSpec). */
export type ServerRun = ServerRunSpec;

/** A server of the existing ensemble, with how it runs. */
export interface AdoptedServer extends Server {
  readonly run: ServerRun;
}

export interface Ensemble {
  readonly name: string;
  /** Sorted by id. */
  readonly servers: readonly Server[];
  /** The declared existing ensemble (adoption), its servers sorted by id; absent when there is none. */
  readonly existing?: { readonly servers: readonly AdoptedServer[] };
  readonly settings: Settings;
  readonly strategy: Strategy;
  readonly standalone: boolean;
}

/** A committed ZooKeeper configuration: its members and its version (hex, as ZooKeeper prints it). */
export interface Membership {
  readonly version: string;
  readonly servers: readonly Server[];
}

export const DEFAULT_PORTS = { clientPort: 2181, quorumPort: 2888, electionPort: 3888 } as const;

export const DEFAULT_SETTINGS = {
  tickTime: 2000,
  initLimit: 10,
  syncLimit: 5,
  jvmHeapMb: 512,
} as const;
