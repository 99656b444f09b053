/**
 * Switching quorum TLS in a running ensemble: every member moves one phase at a time (model/tls.ts), each
 * phase a rolling restart (observers, followers, the leader last) with every server synced before the
 * next restarts. Servers started meanwhile start in a phase every running server can talk to.
 */
import { nextPhase, QuorumTlsPhase, targetPhase } from '../model/tls';
import { Ensemble, Server } from '../model/types';
import { isUp, observation, rollingOrder } from './order';
import { ClusterSnapshot, StepAction } from './types';

export function phaseOf(current: ClusterSnapshot, id: number): QuorumTlsPhase {
  return observation(current, id)?.quorumTls ?? 0;
}

/** The lowest and highest phase the running servers are in (0 and 0 when none runs). */
export function runningPhases(current: ClusterSnapshot): { lo: QuorumTlsPhase; hi: QuorumTlsPhase } {
  const phases = current.observations.filter((o) => o.up).map((o) => o.quorumTls ?? 0);
  if (phases.length === 0) return { lo: 0, hi: 0 };
  return { lo: Math.min(...phases) as QuorumTlsPhase, hi: Math.max(...phases) as QuorumTlsPhase };
}

/** The phase a server started before the walk (a member that was down) runs in: one that every running server can talk to. */
export function startPhase(current: ClusterSnapshot, desired: Ensemble): QuorumTlsPhase {
  const { lo, hi } = runningPhases(current);
  return targetPhase(desired.settings.tls) > lo ? hi : lo;
}

/**
 * The restarts that take the running `members` to the desired phase, one phase per rolling restart,
 * and which servers they restart (they start with the desired settings, so need no other restart).
 * Members already in the desired phase whose settings are stale join the last wave: restarted in a
 * wave of their own right after it, they would restart after that wave's leader.
 */
export function tlsWalk(
  current: ClusterSnapshot, desired: Ensemble, members: readonly Server[], startedAt: ReadonlyMap<number, QuorumTlsPhase>,
  stale: (id: number) => boolean,
): { actions: StepAction[]; restarted: Set<number> } {
  const target = targetPhase(desired.settings.tls);
  // Running now, or started earlier in this plan (members that were down) in the phase given.
  const up = members.filter((m) => isUp(current, m.id) || startedAt.has(m.id));
  const phase = new Map(up.map((m) => [m.id, startedAt.get(m.id) ?? phaseOf(current, m.id)]));
  const actions: StepAction[] = [];
  const restarted = new Set<number>();
  const config = [...members].sort((a, b) => a.id - b.id);
  for (;;) {
    const values = [...phase.values()];
    if (values.every((p) => p === target)) break;
    const lo = Math.min(...values) as QuorumTlsPhase;
    const hi = Math.max(...values) as QuorumTlsPhase;
    // Servers behind catch up with the others first; then all move on together.
    const next = target > lo ? (lo === hi ? nextPhase(lo, target) : hi) : (lo === hi ? nextPhase(hi, target) : lo);
    const moves = (id: number) => phase.get(id) !== next || (next === target && !restarted.has(id) && stale(id));
    for (const m of rollingOrder(up.filter((x) => moves(x.id)), current.leaderId)) {
      const reason = phase.get(m.id) === next ? 'settings' : 'tls';
      actions.push({ kind: 'restart-server', serverId: m.id, config, reason, quorumTls: next }, { kind: 'await-synced', serverId: m.id });
      phase.set(m.id, next);
      restarted.add(m.id);
    }
  }
  return { actions, restarted };
}
