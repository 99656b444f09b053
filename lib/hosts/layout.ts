/**
 * A server's layout: where its files are on its machine and how it runs there. zk-rollout's own
 * servers use `OwnLayout`; servers it adopted keep the paths and service they were declared with
 * (`AdoptedLayout`). The server driver does the rest (write order, start check, stop escalation).
 */
import { posix } from 'node:path';
import { Machine } from './machine';
import { QuorumTlsPhase } from '../model/tls';
import { JvmOptions, ServerPaths } from './types';

export interface ServerStatus {
  /** The server's process, or null when it does not run. */
  readonly pid: number | null;
  /** The settings fingerprint it was started with (running servers only). */
  readonly runningHash?: string;
  /** The quorum TLS phase it was started in, when not plain (running servers only). */
  readonly quorumTls?: QuorumTlsPhase;
}

export interface Layout {
  readonly paths: ServerPaths;
  /** The fingerprint of the settings in the files on disk, written with them. */
  readonly settingsHashFile: string;
  /** The bash that prints its status line (process-scripts' statusScript): one look at the machine, batched with others. */
  statusScript(): Promise<string>;
  /** Starts the server in the background, recording the fingerprint it starts with, and returns. */
  launch(m: Machine, jvm: JvmOptions): Promise<void>;
  /** Refuses, before anything is stopped, a start that cannot succeed on the machine (a service user it lacks). */
  canLaunch?(m: Machine): Promise<void>;
  /** Checks the started process `pid` got what it needs (an adopted start command may drop options). */
  checkStarted?(m: Machine, pid: number, jvm: JvmOptions): Promise<void>;
  /** Asks the running process `pid` to stop (TERM), or ends it (KILL). */
  signal(m: Machine, sig: 'TERM' | 'KILL', pid: number): Promise<void>;
  /** Clears what a stopped server leaves behind (a pid file of ours). */
  afterStop(m: Machine): Promise<void>;
  /** Deletes the server's config, data and logs, once `ensureStopped` has checked it does not run. */
  deleteFiles(m: Machine, ensureStopped: () => Promise<void>): Promise<void>;
}

/** A path on a machine whose filesystem starts at `root` (a test bed's per-host directory; '' for the real root). */
export function rooted(root: string, path: string): string {
  return root ? posix.join(root, path) : path;
}
