/** What the rollout needs from the machines servers run on: files and processes, nothing else. */
import { QuorumTlsPhase } from '../model/tls';
import { StoreEntry } from './keystore';
import { Server } from '../model/types';
import { DataFile } from '../model/backup';

export interface ServerFiles {
  readonly zooCfg: string;
  /** Dynamic strategy only. ZooKeeper reads the config version from the file name (`<base>.<version>`). */
  readonly dynamic?: { readonly path: string; readonly content: string };
  /** Fingerprint of the settings these files carry (see settingsHash). */
  readonly settingsHash: string;
  /** The quorum TLS phase these files start the server in (kept beside the fingerprint, read back by status). @default 0 */
  readonly quorumTls?: QuorumTlsPhase;
}

export interface ServerPaths {
  readonly dir: string;
  readonly zooCfg: string;
  /** Base name of the dynamic file; the written file may carry a `.<version>` suffix. */
  readonly dynamicCfg: string;
  readonly dataDir: string;
  /** An adopted server's transaction log directory, when declared apart from dataDir. */
  readonly dataLogDir?: string;
  readonly log: string;
}

export interface JvmOptions {
  readonly heapMb: number;
  /** -D system properties that may be seen on the command line. */
  readonly systemProperties?: Readonly<Record<string, string>>;
  /**
   * -D system properties that must not be (the superuser digest): they reach java through a 0600
   * argument file named `@<file>` on the command line. The superuser digest is secret in either field.
   */
  readonly secretProperties?: Readonly<Record<string, string>>;
}

export interface HostDriver {
  readonly name: string;
  paths(server: Server): ServerPaths;
  /** Writes config files and myid atomically: a failed write leaves the previous files intact. */
  writeFiles(server: Server, files: ServerFiles): Promise<void>;
  start(server: Server, jvm: JvmOptions): Promise<void>;
  /** Stops the process (TERM, then KILL after the timeout). A server that is not running is fine. */
  stop(server: Server, timeoutMs?: number): Promise<void>;
  /** kill -9, for fault-injection tests. */
  kill(server: Server): Promise<void>;
  isRunning(server: Server): Promise<boolean>;
  /** The last error lines of the server's log (at most three; '' when there are none or it cannot be read): what to look at first when a server stopped. */
  logErrors(server: Server): Promise<string>;
  /** The server's ports another process accepts connections on (named, e.g. `client port 2181`), looked at while the server is not running. */
  takenPorts(server: Server): Promise<string[]>;
  pid(server: Server): Promise<number | null>;
  /** The settings fingerprint the running process was started with. */
  runningSettingsHash(server: Server): Promise<string | undefined>;
  /** Each server's process (null: not running) and the fingerprint it started with, in one look per machine. */
  statuses(servers: readonly Server[]): Promise<Map<number, { readonly pid: number | null; readonly runningHash?: string; readonly quorumTls?: QuorumTlsPhase }>>;
  /** Refuses, before the running server is stopped, a start that cannot succeed (a service user its machine lacks). */
  checkCanStart(server: Server): Promise<void>;
  /** Servers of this ensemble the driver has files for (their own addresses), running or not. */
  knownServers(): Promise<Server[]>;
  /** The same, and the machines that could not be looked at (named, with why): what teardown must not call a success. */
  survey(): Promise<{ readonly servers: Server[]; readonly unreachable: readonly string[] }>;
  /** Deletes the server's config, data, logs and argument file (only after it was stopped; `cdktf destroy` with deletion opted into). */
  deleteFiles(server: Server): Promise<void>;
  /** The zoo.cfg the server currently has on disk. */
  readZooCfg(server: Server): Promise<string | undefined>;
  /** The entries of a keystore or truststore on the server's machine (keytool; the password read from its file). */
  listStore(server: Server, store: string, passwordFile: string): Promise<StoreEntry[]>;
  /** The dynamic file its zoo.cfg names (undefined: none, or a static configuration). */
  readDynamicConfig(server: Server): Promise<string | undefined>;
  /** The snapshots and transaction logs in the server's data (and log) directory, with where each is. */
  listData(server: Server): Promise<Array<DataFile & { readonly path: string }>>;
  /** Copies one of those files to this machine. */
  fetchData(server: Server, path: string, localPath: string): Promise<void>;
  /** Free bytes on the file system that holds (or will hold) the server's data directory. */
  freeBytes(server: Server): Promise<number>;
  /**
   * Puts backup files (on this machine) into a server's empty data directory: snapshots in dataDir,
   * logs in the log directory. Refuses a directory that already holds data.
   */
  placeData(server: Server, files: ReadonlyArray<{ readonly name: string; readonly localPath: string }>): Promise<void>;
  /** Releases what the driver holds open (ssh connections); the driver is not used afterwards. */
  close?(): Promise<void>;
}
