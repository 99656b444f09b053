/** Plans are data: the executor guards and runs them, the renderers print them, the verifier checks them. */
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
  | 'bake';

export type RestartReason = 'settings' | 'membership' | 'handoff' | 'convert';

/** What a step does; the planner emits these and the simulator works out their effect. */
export interface StepAction {
  readonly kind: StepKind;
  /** The server acted on (absent for await-quorum and barrier-write). */
  readonly serverId?: number;
  /** reconfig-add (and hand-written bulk changes): the servers with their roles. */
  readonly servers?: readonly Server[];
  /** reconfig-role: the new role. */
  readonly role?: Role;
  /** start-*, restart-server: the server list the process starts with; rewrite-config: the new list. */
  readonly config?: readonly Server[];
  readonly reason?: RestartReason;
  /** bake: how long the ensemble must stay healthy before the first server is removed. */
  readonly holdMs?: number;
}

export interface PlanOptions {
  /**
   * Hold this long after the growth phase (new servers added and synced), checking health, before any
   * server is removed. 0 disables the hold. @default 0
   */
  readonly bakeMs?: number;
  /** The growth already happened in this rollout (the executor re-plans after it): hold before removing all the same. */
  readonly grownAlready?: boolean;
}

export interface View {
  readonly voters: readonly number[];
  readonly observers: readonly number[];
}

export interface Step extends StepAction {
  /** 1-based position in the plan. */
  readonly index: number;
  readonly summary: string;
  readonly before: View;
  readonly after: View;
  readonly quorumAfter: number;
  readonly toleratesAfter: number;
  /** Voters expected up and synced after the step. */
  readonly liveVotersAfter: number;
}

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

export interface Refusal {
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
