/** What every step runner works with: the spec, the hosts, the one session, the record, the live view. */
import { Ensemble, Server } from '../../model/types';
import { Timeouts } from '../../model/defaults';
import { StoreEntry } from '../../hosts/keystore';
import { HostDriver } from '../../hosts/types';
import { ClusterSnapshot, Step } from '../../planner/types';
import { AdminAuth } from '../credentials';
import { RolloutEventBody } from '../events';
import { LiveView } from '../live-view';
import { ProbeScope, ServerProbe } from '../observe';
import { RecordKeeper } from '../record-keeper';
import { AdminSession } from '../session';
import { waitUntil } from '../wait';

/** Asks one server the four-letter words its scope names (see ProbeScope). */
export type Probe = (server: Server, timeoutMs: number, scope: ProbeScope) => Promise<ServerProbe>;

export interface StepContext {
  readonly desired: Ensemble;
  readonly driver: HostDriver;
  readonly auth: AdminAuth;
  readonly t: Timeouts;
  readonly session: AdminSession;
  readonly records: RecordKeeper;
  readonly live: LiveView;
  readonly probe: Probe;
  readonly emit: (e: RolloutEventBody) => void;
  /** Non-voters wiped and re-synced after an incomplete sync in this rollout (bounded). */
  resyncs: number;
  /** Keystores and truststores read in this rollout, by server and path (each is read once: keytool starts a JVM). */
  readonly stores: Map<string, Promise<StoreEntry[]>>;
  /** Where the backup before the first removal goes, and how many of the ensemble's backups to keep (undefined: none is taken). */
  readonly backup?: BackupPlace;
}

export interface BackupPlace {
  readonly dir: string;
  readonly keep: number;
}

/** A step to run, with the live state it was planned from (null: a bootstrap). */
export type StepRunner<S extends Step = Step> = (ctx: StepContext, step: S, snapshot: ClusterSnapshot | null) => Promise<void>;

/**
 * How long a step's wait pauses before it looks again: 25 ms, then 50, then every 100 ms. A look is a few
 * four-letter words on loopback or the LAN; many waits end within a few milliseconds (a server applying
 * one write), and a fixed 100 ms made each of those cost 100.
 */
export const waitPause = (looks: number): number => Math.min(100, 25 * 2 ** (looks - 1));

/** waitUntil, reporting progress as events. */
export function waitFor(ctx: StepContext, what: string, timeoutMs: number, check: () => Promise<{ done: boolean; seen: string }>, advice: string): Promise<{ waitedMs: number }> {
  return waitUntil(what, timeoutMs, check, advice, waitPause, (elapsedMs, seen) => ctx.emit({ type: 'wait', what, elapsedMs, seen }));
}
