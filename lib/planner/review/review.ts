/** A plan with what a reviewer needs around it: verdict, banners, servers, preflight, impact, rollback, pin (pure). */
import { Ensemble } from '../../model/types';
import { withMembers } from '../../model/with-members';
import { renderServerLine } from '../../model/zoocfg';
import { plan as planRollout } from '../plan';
import { snapshotFromEnsemble } from '../snapshot';
import { ClusterSnapshot, Plan, PlanOptions, PlanResult } from '../types';
import { impactOf } from './impact';
import { pinOf } from './pin';
import { serverRows } from './servers';
import { LiveFacts, Review, Rollback } from './types';
import { bannersOf, verdictOf } from './verdict';

export interface ReviewInput {
  readonly desired: Ensemble;
  readonly snapshot: ClusterSnapshot | null;
  readonly result: PlanResult;
  /** Where the current state came from, in words. */
  readonly source: string;
  /** What the live servers said; null when the current state is not live. */
  readonly facts: LiveFacts | null;
  readonly drainMs: number;
  /** The command that would undo the change (it depends on how it is deployed). */
  readonly rollbackCommand: string;
  /** The options deploy plans with (the bake, the backup): the rollback runs with them too. */
  readonly planOptions: PlanOptions;
  readonly now: Date;
}

/** The reconfig operations of the plan, as zkCli would run them (each conditional on the version before it, `-v`). */
export function reconfigOps(plan: Plan): string[] {
  return plan.steps.flatMap((s) => {
    switch (s.kind) {
      case 'reconfig-add': return [`reconfig -add ${s.servers.map(renderServerLine).join(',')}`];
      case 'reconfig-role': return [`reconfig -add ${renderServerLine({ ...s.server, role: s.role })}`];
      case 'reconfig-remove': return [`reconfig -remove ${(s.servers ?? [s.server]).map((x) => x.id).join(',')}`];
      default: return [];
    }
  });
}

function rollbackOf(i: ReviewInput, plan: Plan): Rollback | null {
  if (i.snapshot === null || plan.steps.length === 0) return null;
  const back = withMembers(i.desired, i.snapshot.members);
  return { command: i.rollbackCommand, plan: planRollout(snapshotFromEnsemble(i.desired), back, i.planOptions) };
}

export function buildReview(i: ReviewInput): Review {
  const base = { ensemble: i.desired.name, source: i.source, plan: i.result, preflight: i.facts?.preflight ?? null };
  if (!i.result.ok) {
    return { ...base, verdict: 'refused', banners: [], servers: serverRows(i.snapshot, i.desired, i.facts, new Set()), impact: null, rollback: null, pin: null, configBefore: [], configAfter: [], reconfigOps: [] };
  }
  const plan = i.result.plan;
  const restarted = new Set(plan.steps.flatMap((s) => (s.kind === 'restart-server' ? [s.serverId] : [])));
  const last = plan.steps[plan.steps.length - 1];
  const before = i.snapshot ? [...i.snapshot.members].sort((a, b) => a.id - b.id).map(renderServerLine).concat(`version=${i.snapshot.configVersion}`) : [];
  return {
    ...base,
    verdict: verdictOf(plan),
    banners: bannersOf(plan, i.snapshot),
    servers: serverRows(i.snapshot, i.desired, i.facts, restarted),
    impact: impactOf(plan, { tickTimeMs: i.desired.settings.tickTime, drainMs: i.drainMs, facts: i.facts }),
    rollback: rollbackOf(i, plan),
    // Only a plan computed from the live ensemble can be pinned: an assumed state (a spec, the Terraform state) never matches deploy's.
    pin: i.facts !== null ? pinOf(plan, i.snapshot, i.facts.zxid, i.now) : null,
    configBefore: before,
    configAfter: (last ? last.membersAfter : i.snapshot?.members ?? i.desired.servers).map(renderServerLine),
    reconfigOps: reconfigOps(plan),
  };
}
