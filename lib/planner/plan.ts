/**
 * plan(current, desired): the ordered, verified steps that take the live ensemble to the desired one,
 * or a refusal that says why not. Pure and deterministic: the same inputs give the same plan.
 */
import { quorumSize } from '../model/quorum';
import { settingsHash } from '../model/settings-hash';
import { QUORUM_TLS_PHASES, targetPhase } from '../model/tls';
import { Ensemble, Server } from '../model/types';
import { formatProblem, transitionProblems } from '../model/validate';
import { annotate, shrinks } from './annotate';
import { planDynamic } from './strategy-dynamic';
import { planStatic } from './strategy-static';
import { runningPhases } from './tls-walk';
import { voterIds, viewOf } from './sim-state';
import { ClusterSnapshot, PlanOptions, PlanResult, RefusalCode, StepAction } from './types';
import { verifyPlan } from './verify';

function refuse(code: RefusalCode, reason: string, details: readonly string[] = []): PlanResult {
  return { ok: false, refusal: { code, reason, details } };
}

function bootstrapActions(desired: Ensemble): StepAction[] {
  const config = desired.servers;
  const phase = targetPhase(desired.settings.tls);
  return [
    ...config.map((s): StepAction => ({ kind: 'start-initial', serverId: s.id, config, ...(phase !== 0 ? { quorumTls: phase } : {}) })),
    { kind: 'await-quorum' },
  ];
}

/** Checks that the live state is one a plan can start from; returns a refusal or null. */
function precheck(current: ClusterSnapshot, desired: Ensemble): PlanResult | null {
  if (current.members.length === 0) return refuse('no-members', 'the live ensemble reports no members', ['read /zookeeper/config from a server of the ensemble, or plan a bootstrap with no current state']);
  const known: Server[] = [...current.members, ...(current.joiners ?? [])];
  const conflicts = transitionProblems(known, desired.servers);
  if (conflicts.length > 0) return refuse('id-reused', 'the desired spec reuses ids of live servers for other addresses', conflicts.map(formatProblem));
  const voters = voterIds(current.members);
  const live = voters.filter((id) => current.observations.some((o) => o.id === id && o.up && o.synced));
  if (live.length < quorumSize(voters.length)) {
    return refuse('no-quorum', `no quorum: ${live.length} of ${voters.length} voters are up and synced, ${quorumSize(voters.length)} are needed`, [
      `voters up and synced: {${live.join(',')}}; down or lagging: {${voters.filter((v) => !live.includes(v)).join(',')}}`,
      'bring the down voters back (or restore quorum) before changing membership; nothing was changed',
    ]);
  }
  const { lo, hi } = runningPhases(current);
  if (hi > 0 && desired.settings.tls === undefined) {
    return refuse('no-safe-plan', `servers run with quorum TLS (phase ${hi}, ${QUORUM_TLS_PHASES[hi].name}), and the spec declares no tls`, [
      'to switch quorum TLS off, keep tls declared with quorum: false until apply has taken every server off it (the phases on the way still use the keystores); then tls may go; nothing was changed',
    ]);
  }
  if (hi - lo > 1) {
    const at = (p: number) => current.observations.filter((o) => o.up && (o.quorumTls ?? 0) === p).map((o) => o.id);
    return refuse('no-safe-plan', `servers run quorum TLS phases that cannot talk to each other: {${at(lo).join(',')}} ${QUORUM_TLS_PHASES[lo].name}, {${at(hi).join(',')}} ${QUORUM_TLS_PHASES[hi].name}`, [
      'this is no state a rollout leaves; restart the servers by hand in phases one apart, or stop the odd ones out, then re-run apply; nothing was changed',
    ]);
  }
  if (current.leaderId === null || !current.members.some((s) => s.id === current.leaderId)) {
    return refuse('no-leader', 'the ensemble has no leader among its members (an election may be in progress)', ['retry when `zk-rollout status` shows a leader; nothing was changed']);
  }
  if (desired.strategy === 'static' && current.members.some((m) => {
    const d = desired.servers.find((s) => s.id === m.id);
    return d !== undefined && d.role !== m.role;
  })) {
    return refuse('static-role-change', 'the static strategy cannot change a kept server\'s role in place', ['remove the server and add it again under a new id, or use the dynamic strategy']);
  }
  return null;
}

export function plan(current: ClusterSnapshot | null, desired: Ensemble, options: PlanOptions = {}): PlanResult {
  if (voterIds(desired.servers).length === 0) return refuse('desired-no-voters', 'the desired ensemble has no voters', ['declare at least one server with role participant']);
  let actions: StepAction[];
  if (current === null) {
    actions = bootstrapActions(desired);
  } else {
    const refusal = precheck(current, desired);
    if (refusal) return refusal;
    const desiredHash = (id: number) => settingsHash(desired.settings, id);
    actions = desired.strategy === 'dynamic' ? planDynamic(current, desired, desiredHash) : planStatic(current, desired, desiredHash);
  }
  const { steps } = annotate(desired, current, withBackup(withBake(desired, current, actions, options), options));
  // The planner's own output goes through the same verifier as any hand-written plan.
  const violations = verifyPlan({ strategy: desired.strategy, snapshot: current, steps, desired });
  if (violations.length > 0) {
    const restartBreaksQuorum = violations.some((v) => v.rule === 'live-quorum' && steps[v.step - 1]?.kind === 'restart-server');
    return refuse(restartBreaksQuorum ? 'restart-breaks-quorum' : 'no-safe-plan', restartBreaksQuorum
      ? 'a rolling restart is needed, and this ensemble cannot restart a voter without losing its quorum (fewer than 3 voters, or voters down)'
      : 'no safe plan exists from the live state to the desired ensemble',
    violations.map((v) => `${v.step > 0 ? `step ${v.step}` : 'plan'}: [${v.rule}] ${v.message}`));
  }
  const notes: string[] = [];
  const leaderLeaves = current !== null && steps.some((s) => 'serverId' in s && s.serverId === current.leaderId
    && (s.kind === 'reconfig-remove' || s.kind === 'restart-server' || s.kind === 'stop-server' || (s.kind === 'reconfig-role' && s.role === 'observer')));
  if (leaderLeaves) notes.push(`leader ${current!.leaderId} is removed or restarted last: one leader election; later steps are re-planned against the new leader`);
  if (steps.length === 0) notes.push('the live ensemble already matches the desired one: nothing to do');
  return {
    ok: true,
    plan: {
      ensemble: desired.name,
      strategy: desired.strategy,
      fromVersion: current ? current.configVersion : null,
      from: current ? viewOf(new Map(current.members.map((s) => [s.id, s]))) : { voters: [], observers: [] },
      to: viewOf(new Map(desired.servers.map((s) => [s.id, s]))),
      leaderId: current ? current.leaderId : null,
      steps,
      notes,
    },
  };
}

/**
 * The bake: after the growth phase (servers started and added), before the first step that takes a
 * server out (a drain, a removal, a demotion), hold and check health. Only when both phases are there,
 * or the growth already happened in this rollout.
 */
export function withBake(desired: Ensemble, current: ClusterSnapshot | null, actions: StepAction[], o: PlanOptions): StepAction[] {
  if (!o.bakeMs || o.bakeMs <= 0 || current === null) return actions;
  const { steps } = annotate(desired, current, actions);
  const first = steps.findIndex(shrinks);
  if (first < 0 || !(o.grownAlready || steps.slice(0, first).some((s) => s.growth))) return actions;
  return [...actions.slice(0, first), { kind: 'bake', holdMs: o.bakeMs }, ...actions.slice(first)];
}

/** The backup: right before the first step that takes a server out, when the plan removes one (by reconfig, or static: by stopping it). */
export function withBackup(actions: StepAction[], o: PlanOptions): StepAction[] {
  if (!o.backup || !actions.some((a) => a.kind === 'reconfig-remove' || a.kind === 'stop-server')) return actions;
  const first = actions.findIndex((a) => a.kind === 'reconfig-remove' || a.kind === 'drain-clients' || (a.kind === 'reconfig-role' && a.role === 'observer') || a.kind === 'stop-server');
  return [...actions.slice(0, first), { kind: 'backup' }, ...actions.slice(first)];
}
