/**
 * The simulated ensemble the verifier steps through (simulate.ts applies the steps): committed
 * membership, which servers run and are synced, the leader, and the quorum it all holds (pure).
 */
import { faultTolerance, quorumSize } from '../model/quorum';
import { QuorumTlsPhase } from '../model/tls';
import { Server, Strategy } from '../model/types';
import { ClusterSnapshot, View } from './types';

export interface SimState {
  readonly strategy: Strategy;
  /** Committed membership (static: the list the config files now hold). */
  members: Map<number, Server>;
  running: Set<number>;
  synced: Set<number>;
  drained: Set<number>;
  /** Removed from membership, awaiting a committed barrier write before they may stop. */
  removedAwaitingBarrier: Set<number>;
  /** Static strategy: voter ids each running process was started with (its own zoo.cfg at start). */
  views: Map<number, number[]>;
  leaderId: number | null;
  /** The leader known at plan start has been removed or demoted. */
  leaderRetired: boolean;
  shrinkStarted: boolean;
  bootstrapped: boolean;
  /** The current run of rolling restarts has already restarted the leader. */
  waveRestartedLeader: boolean;
  /** Started by start-joiner and not synced yet. */
  joining: Set<number>;
  /** The quorum TLS phase each running server runs in. */
  phases: Map<number, QuorumTlsPhase>;
  /** The phase the current run of rolling restarts restarts into (a new phase starts a new run). */
  wavePhase: QuorumTlsPhase | null;
}

export function voterIds(members: Iterable<Server>): number[] {
  return [...members].filter((s) => s.role === 'participant').map((s) => s.id).sort((a, b) => a - b);
}

export function viewOf(members: Map<number, Server>): View {
  const all = [...members.values()];
  return {
    voters: voterIds(all),
    observers: all.filter((s) => s.role === 'observer').map((s) => s.id).sort((a, b) => a - b),
  };
}

export function describeConfig(config: readonly Server[]): string {
  return `{${[...config].sort((a, b) => a.id - b.id).map((s) => `${s.id}${s.role === 'observer' ? 'o' : ''}`).join(',')}}`;
}

export function sameConfig(a: readonly Server[], b: readonly Server[]): boolean {
  return describeConfig(a) === describeConfig(b);
}

export function initialState(strategy: Strategy, snapshot: ClusterSnapshot | null): SimState {
  const state: SimState = {
    strategy,
    members: new Map(),
    running: new Set(),
    synced: new Set(),
    drained: new Set(),
    removedAwaitingBarrier: new Set(),
    views: new Map(),
    leaderId: null,
    leaderRetired: false,
    shrinkStarted: false,
    bootstrapped: snapshot !== null,
    waveRestartedLeader: false,
    joining: new Set(),
    phases: new Map(),
    wavePhase: null,
  };
  if (!snapshot) return state;
  for (const s of snapshot.members) state.members.set(s.id, s);
  for (const o of snapshot.observations) {
    if (o.up) { state.running.add(o.id); state.phases.set(o.id, o.quorumTls ?? 0); }
    if (o.up && o.synced) state.synced.add(o.id);
    if (o.drained) state.drained.add(o.id);
    if (o.up && strategy === 'static') state.views.set(o.id, voterIds(o.view ?? snapshot.members));
  }
  state.leaderId = snapshot.leaderId;
  return state;
}

export function liveVoters(state: SimState): number {
  return voterIds(state.members.values()).filter((id) => state.synced.has(id)).length;
}

/**
 * Why the ensemble would not hold a quorum with `down` also out, or null when it would.
 * Dynamic: a majority of the committed voters is live and synced. Static: processes run with the
 * lists they started with, so every list a serving voter holds needs a live majority of its own.
 */
export function quorumShortfall(state: SimState, down: number | null = null): string | null {
  const live = (id: number) => state.synced.has(id) && id !== down;
  if (state.strategy === 'dynamic') {
    const voters = voterIds(state.members.values());
    const n = voters.filter(live).length;
    return n >= quorumSize(voters.length) ? null : `${n} of ${voters.length} voters live and synced, quorum is ${quorumSize(voters.length)}`;
  }
  const seen = new Set<string>();
  for (const [id, view] of state.views) {
    if (!live(id) || !view.includes(id) || seen.has(view.join())) continue;
    seen.add(view.join());
    const n = view.filter(live).length;
    if (n < quorumSize(view.length)) return `servers holding the list {${view.join(',')}} see ${n} live voters, quorum is ${quorumSize(view.length)}`;
  }
  return null;
}

export function summarise(state: SimState): { view: View; quorum: number; tolerates: number; live: number } {
  const view = viewOf(state.members);
  return { view, quorum: quorumSize(view.voters.length), tolerates: faultTolerance(view.voters.length), live: liveVoters(state) };
}
