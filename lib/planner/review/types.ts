/** What a reviewer reads before approving a rollout: the plan and the facts around it (pure data). */
import { Role } from '../../model/types';
import { PlanResult } from '../types';

export type CheckStatus = 'pass' | 'warn' | 'fail';

/** One line of the preflight: a fact about the live ensemble that makes the rollout safe to start, or not. */
export interface PreflightLine {
  readonly check: 'voters' | 'digests' | 'reconfig' | 'credentials' | 'lock' | 'drift' | 'disk' | 'source';
  readonly status: CheckStatus;
  readonly message: string;
}

/** What was read from one running server (a field is absent when it could not be read). */
export interface ServerFacts {
  readonly id: number;
  readonly mode?: string;
  /** Client connections, the probe's own not counted. */
  readonly clients?: number;
  /** Transactions behind the leader (a decimal string; a bigint in the making), null when unknown. */
  readonly behind?: string | null;
  /** ZooKeeper's approximate data size (mntr zk_approximate_data_size). */
  readonly dataBytes?: number;
  /** Free bytes where its data directory is (or would be). */
  readonly freeBytes?: number;
}

/** The live ensemble as the review saw it. */
export interface LiveFacts {
  /** The leader's zxid (hex, 0x-prefixed), null when no leader answered. */
  readonly zxid: string | null;
  readonly servers: readonly ServerFacts[];
  readonly preflight: readonly PreflightLine[];
}

/** What the reviewed plan was computed from, and what it does: deploy compares it with its own. */
export interface Pin {
  readonly ensemble: string;
  readonly configVersion: string | null;
  readonly zxid: string | null;
  readonly leaderId: number | null;
  /** `id:role@host:clientPort`, by id. */
  readonly members: readonly string[];
  /** The steps that change the ensemble (waits, checks, the bake and the backup left out). */
  readonly actions: readonly string[];
  readonly computedAt: string;
}

export interface Banner {
  readonly step: number;
  readonly kind: 'tolerance' | 'leader' | 'even-voters';
  readonly message: string;
}

export type ServerChange = 'added' | 'removed' | 'changed' | 'unchanged';

export interface ServerRow {
  readonly id: number;
  /** host:clientPort now, and after when it differs. */
  readonly address: string;
  readonly roleBefore: Role | null;
  readonly roleAfter: Role | null;
  readonly leader: boolean;
  readonly facts?: ServerFacts;
  readonly change: ServerChange;
}

export interface StepImpact {
  readonly step: number;
  /** A leader election is expected (the leader leaves or restarts). */
  readonly election: boolean;
  /** Clients that lose their server at this step and reconnect (null: not known). */
  readonly reconnect: number | null;
  readonly estimateMs: number;
}

export interface Impact {
  readonly elections: number;
  readonly reconnects: number | null;
  readonly estimateMs: number;
  readonly steps: readonly StepImpact[];
}

export interface Rollback {
  /** The command that undoes the change, as the reviewer would run it. */
  readonly command: string;
  /** The plan it would run from the desired ensemble back to the current membership. */
  readonly plan: PlanResult;
}

export interface Review {
  readonly ensemble: string;
  /** Where the current state came from: the live ensemble, a file, the last deployed spec. */
  readonly source: string;
  readonly plan: PlanResult;
  readonly verdict: string;
  readonly banners: readonly Banner[];
  readonly servers: readonly ServerRow[];
  /** Null when nothing live was looked at (a spec file or the state as current, a bootstrap). */
  readonly preflight: readonly PreflightLine[] | null;
  readonly impact: Impact | null;
  readonly rollback: Rollback | null;
  readonly pin: Pin | null;
  /** The committed dynamic configuration before and after, as ZooKeeper writes it. */
  readonly configBefore: readonly string[];
  readonly configAfter: readonly string[];
  /** The reconfig operations, as zkCli would run them. */
  readonly reconfigOps: readonly string[];
}

/** The worst of the lines: fail over warn over pass. */
export function preflightStatus(lines: readonly PreflightLine[] | null): CheckStatus | null {
  if (lines === null) return null;
  return lines.some((l) => l.status === 'fail') ? 'fail' : lines.some((l) => l.status === 'warn') ? 'warn' : 'pass';
}
