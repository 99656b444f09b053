/** Plans are data: the executor guards and runs them, the renderers print them, the verifier checks them. */
import { QuorumTlsPhase } from '../model/tls';
import { Role, Server, Strategy } from '../model/types';

/** What one running server looks like from outside. */
export interface ServerObservation {
  readonly id: number;
  /** The process answers on its client port. */
  readonly up: boolean;
  /** In broadcast with the leader and its zxid caught up (for the leader: leading). */
  readonly synced: boolean;
  /** Fingerprint of the settings the running process was started with, when known. */
  readonly settingsHash?: string;
  /** Static strategy: the server list in this server's own zoo.cfg. */
  readonly view?: readonly Server[];
  /** Its clients were drained earlier in this rollout (or the drain timed out and was accepted). */
  readonly drained?: boolean;
  /** The quorum TLS phase it was started in (see model/tls.ts). @default 0 (plain) */
  readonly quorumTls?: QuorumTlsPhase;
}

/** The live ensemble as the executor read it. */
export interface ClusterSnapshot {
  /** Committed configuration version (hex), as in `/zookeeper/config`. */
  readonly configVersion: string;
  /** Committed members with their roles. */
  readonly members: readonly Server[];
  readonly leaderId: number | null;
  /** Members and running non-members; a member without an observation counts as down. */
  readonly observations: readonly ServerObservation[];
  /** Running servers that are not members (joiners left by an interrupted rollout). */
  readonly joiners?: readonly Server[];
  /**
   * Members running with dynamic reconfiguration disabled (a classic static zoo.cfg): the dynamic
   * strategy converts them, by a rolling restart that keeps the membership, before it changes it.
   */
  readonly staticMembers?: readonly number[];
}

export type StepKind =
  | 'start-initial'
  | 'await-quorum'
  | 'start-member'
  | 'start-joiner'
  | 'stop-joiner'
  | 'await-synced'
  | 'reconfig-add'
  | 'reconfig-role'
  | 'drain-clients'
  | 'reconfig-remove'
  | 'barrier-write'
  | 'stop-server'
  | 'restart-server'
  | 'rewrite-config'
  | 'bake'
  | 'backup';

export type RestartReason = 'settings' | 'membership' | 'handoff' | 'convert' | 'tls';

/** What a step does, one shape per kind; the planner emits these and the simulator works out their effect. */
export type StepAction =
  /** Start a server with `config` as its server list (start-initial: a first configuration; start-member: a member that is down; start-joiner: an observer of the committed config plus itself). */
  | Each<'start-initial' | 'start-member' | 'start-joiner', { readonly serverId: number; readonly config: readonly Server[]; readonly quorumTls?: QuorumTlsPhase }>
  /** `quorumTls`: the quorum TLS phase the server (re)starts in; absent means 0, a plain quorum. */
  | { readonly kind: 'restart-server'; readonly serverId: number; readonly config: readonly Server[]; readonly reason: RestartReason; readonly quorumTls?: QuorumTlsPhase }
  /** Static strategy: every member's zoo.cfg gets `config` as its server list (no restart). */
  | { readonly kind: 'rewrite-config'; readonly config: readonly Server[] }
  | Each<'stop-joiner' | 'stop-server' | 'await-synced' | 'drain-clients', { readonly serverId: number }>
  /** Add `servers` (the planner adds one at a time; a hand-written plan may add several). */
  | { readonly kind: 'reconfig-add'; readonly serverId: number; readonly servers: readonly Server[] }
  | { readonly kind: 'reconfig-role'; readonly serverId: number; readonly role: Role }
  /** Remove the server (or, hand-written, every one of `servers`). */
  | { readonly kind: 'reconfig-remove'; readonly serverId: number; readonly servers?: readonly Server[] }
  | Each<'await-quorum' | 'barrier-write', object>
  /** How long the ensemble must stay healthy before the first server is removed. */
  | { readonly kind: 'bake'; readonly holdMs: number }
  /** Take a backup of the ensemble's data and check it, before the first server is removed. */
  | { readonly kind: 'backup' };

/** One action shape per kind (so that a switch on `kind` narrows to exactly one). */
type Each<K extends StepKind, Fields> = K extends StepKind ? { readonly kind: K } & Fields : never;

/** A step's action with the full server it acts on, when it acts on one. */
export type Located<A> = A extends { readonly serverId: number } ? A & { readonly server: Server } : A;

export interface PlanOptions {
  /**
   * Hold this long after the growth phase (new servers added and synced), checking health, before any
   * server is removed. 0 disables the hold. @default 0
   */
  readonly bakeMs?: number;
  /** The growth already happened in this rollout (the executor re-plans after it): hold before removing all the same. */
  readonly grownAlready?: boolean;
  /** Before the first server is removed, take and check a backup (runtime/backup). @default false */
  readonly backup?: boolean;
}

export interface View {
  readonly voters: readonly number[];
  readonly observers: readonly number[];
}

export interface StepFacts {
  /** 1-based position in the plan. */
  readonly index: number;
  readonly summary: string;
  readonly before: View;
  readonly after: View;
  readonly quorumAfter: number;
  readonly toleratesAfter: number;
  /** Voters expected up and synced after the step. */
  readonly liveVotersAfter: number;
  /** The membership (static: the server list in the config files) expected after the step, by id. */
  readonly membersAfter: readonly Server[];
  /** The step grows the ensemble: a joiner starts, a server is added, an observer is promoted. */
  readonly growth: boolean;
  /** A wait or check that only makes the following step safe; it runs together with that step. */
  readonly guard: boolean;
}

export type Step = Located<StepAction> & StepFacts;

export interface Plan {
  readonly ensemble: string;
  readonly strategy: Strategy;
  /** Null when bootstrapping. */
  readonly fromVersion: string | null;
  readonly from: View;
  readonly to: View;
  readonly leaderId: number | null;
  readonly steps: readonly Step[];
  readonly notes: readonly string[];
}

/** Why the planner refused, for machines; `reason` says it for people. */
export type RefusalCode =
  | 'desired-no-voters' | 'no-members' | 'id-reused' | 'no-quorum' | 'no-leader' | 'static-role-change'
  | 'restart-breaks-quorum' | 'no-safe-plan';

export interface Refusal {
  readonly code: RefusalCode;
  readonly reason: string;
  readonly details: readonly string[];
}

export type PlanResult =
  | { readonly ok: true; readonly plan: Plan }
  | { readonly ok: false; readonly refusal: Refusal };

export interface Violation {
  readonly rule: string;
  /** 1-based step index, 0 for the plan as a whole. */
  readonly step: number;
  readonly message: string;
}

/** The id of the server a step acts on, if it acts on one. */
export function stepServerId(a: StepAction): number | undefined {
  return 'serverId' in a ? a.serverId : undefined;
}

/** The steps of the given kinds (a step type narrowed by kind, also where one action shape covers several kinds). */
export type StepOf<K extends StepKind> = Step & { readonly kind: K };
