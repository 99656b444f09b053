/**
 * A model of what each step does to the ensemble (on the state of sim-state.ts), used by the planner
 * to annotate steps and by the verifier to check them. It is deliberately strict and conservative: it trusts nothing a step
 * claims and recomputes membership, liveness and quorum from the actions alone.
 */
import { quorumSize, quorumsIntersect, symmetricDifference } from '../model/quorum';
import { phasesCompatible, QUORUM_TLS_PHASES } from '../model/tls';
import { describeConfig, quorumShortfall, sameConfig, SimState, voterIds } from './sim-state';
import { StepAction, stepServerId, Violation } from './types';

/** Applies one step to the state and returns the rules it broke. Mutates `state`. */
export function applyStep(state: SimState, action: StepAction, index: number): Violation[] {
  const violations: Violation[] = [];
  const fail = (rule: string, message: string) => violations.push({ rule, step: index, message });
  const id = stepServerId(action);
  const beforeVoters = voterIds(state.members.values());
  const isMember = (x: number) => state.members.has(x);
  const committed = () => [...state.members.values()];
  const needServer = (): number | null => {
    if (id === undefined) { fail('well-formed', `${action.kind} needs a server`); return null; }
    return id;
  };
  const retire = (x: number, what: string) => {
    const wasVoter = state.members.get(x)?.role === 'participant';
    if (wasVoter && x !== state.leaderId && state.leaderRetired) fail('leader-removed-last', `server ${x} is ${what} after the leader: remove the leader last`);
    if (x === state.leaderId) { state.leaderRetired = true; state.leaderId = null; }
    // Retiring a server that is down takes no live capacity away: growth may still follow.
    if (state.running.has(x)) state.shrinkStarted = true;
  };
  const grow = (x: number) => {
    if (state.shrinkStarted) fail('grow-before-shrink', `server ${x} is added or promoted after a server was already removed: add every new server first`);
  };
  let checkQuorumAfter = false;
  // Every (re)start names its quorum TLS phase; it must be one every other running server can talk to.
  if (id !== undefined && (action.kind === 'start-initial' || action.kind === 'start-member' || action.kind === 'start-joiner' || action.kind === 'restart-server')) {
    const phase = action.quorumTls ?? 0;
    for (const [other, theirs] of state.phases) {
      if (other !== id && !phasesCompatible(phase, theirs)) {
        fail('tls-phases', `server ${id} would run quorum TLS phase ${phase} (${QUORUM_TLS_PHASES[phase].name}) while server ${other} runs phase ${theirs} (${QUORUM_TLS_PHASES[theirs].name}): they cannot talk to each other`);
      }
    }
    if (action.kind === 'restart-server' && state.wavePhase !== phase) { state.waveRestartedLeader = false; state.wavePhase = phase; }
    state.phases.set(id, phase);
  }

  switch (action.kind) {
    case 'start-initial': {
      const s = needServer(); if (s === null) break;
      if (state.bootstrapped) fail('bootstrap-only-when-empty', `server ${s} starts in a first configuration, but an ensemble already runs: a joiner must join the committed configuration`);
      const config = action.config ?? [];
      if (!config.some((c) => c.id === s)) { fail('well-formed', `start-initial of server ${s} without itself in its config`); break; }
      for (const c of config) state.members.set(c.id, c);
      state.running.add(s);
      if (state.strategy === 'static') state.views.set(s, voterIds(config));
      break;
    }
    case 'await-quorum': {
      const voters = voterIds(state.members.values());
      const up = voters.filter((v) => state.running.has(v)).length;
      if (up < quorumSize(voters.length)) fail('live-quorum', `await-quorum with ${up} of ${voters.length} voters started: no quorum can form`);
      for (const r of state.running) state.synced.add(r);
      state.bootstrapped = true;
      break;
    }
    case 'start-member':
    case 'restart-server': {
      const s = needServer(); if (s === null) break;
      if (!isMember(s)) { fail('well-formed', `${action.kind} of server ${s}, which is not a member`); break; }
      if (action.kind === 'start-member' && state.running.has(s)) fail('well-formed', `start-member of server ${s}, which is already running`);
      if (action.kind === 'restart-server' && !state.running.has(s)) fail('well-formed', `restart of server ${s}, which is not running`);
      const config = action.config ?? committed();
      if (!sameConfig(config, committed())) {
        fail('config-consistency', `server ${s} (re)starts with ${describeConfig(config)} while the ensemble's configuration is ${describeConfig(committed())}: it could form a separate quorum`);
      }
      if (action.kind === 'restart-server') {
        const shortfall = quorumShortfall(state, s);
        if (shortfall) fail('live-quorum', `restarting server ${s} breaks the quorum: ${shortfall}`);
        if (state.waveRestartedLeader) fail('leader-restarted-last', `server ${s} restarts after the leader in the same rolling restart: restart the leader last`);
        if (s === state.leaderId) { state.waveRestartedLeader = true; state.leaderId = null; }
      }
      state.running.add(s);
      state.synced.delete(s);
      if (state.strategy === 'static') state.views.set(s, voterIds(config));
      break;
    }
    case 'rewrite-config': {
      if (state.strategy !== 'static') { fail('strategy', 'rewrite-config is for the static strategy; use reconfig'); break; }
      const config = action.config ?? [];
      const before = new Map(state.members);
      state.members = new Map(config.map((c) => [c.id, c]));
      for (const c of config) if (!before.has(c.id) || (before.get(c.id)!.role === 'observer' && c.role === 'participant')) grow(c.id);
      for (const [x, old] of before) {
        const now = state.members.get(x);
        if (!now || (old.role === 'participant' && now.role === 'observer')) {
          if (!now && state.running.has(x) && !state.drained.has(x)) fail('drain-before-remove', `server ${x} leaves the list before its clients were drained`);
          retire(x, 'removed');
        }
      }
      break;
    }
    case 'start-joiner': {
      const s = needServer(); if (s === null) break;
      const config = action.config ?? [];
      const self = config.find((c) => c.id === s);
      if (!self) { fail('well-formed', `start-joiner of server ${s} without itself in its config`); break; }
      const otherJoiners = [...state.joining].filter((r) => r !== s);
      if (state.strategy === 'dynamic') {
        if (isMember(s)) { fail('well-formed', `start-joiner of server ${s}, which is already a member`); break; }
        grow(s);
        if (self.role !== 'observer') fail('joiner-as-observer', `joiner ${s} starts as a participant; it must start as an observer of the committed configuration and be promoted once synced`);
        const others = config.filter((c) => c.id !== s);
        if (!sameConfig(others, committed())) fail('config-consistency', `joiner ${s} starts with ${describeConfig(config)}, not the committed configuration ${describeConfig(committed())} plus itself: it could form a separate quorum`);
      } else {
        if (!isMember(s)) fail('config-consistency', `joiner ${s} starts before the list that includes it was written (rewrite-config first)`);
        if (!sameConfig(config, committed())) fail('config-consistency', `joiner ${s} starts with ${describeConfig(config)}, not the current list ${describeConfig(committed())}: it could form a separate quorum`);
        if (self.role === 'participant' && otherJoiners.length > 0) fail('one-joiner-at-a-time', `joiner ${s} starts as a participant while ${otherJoiners.join(',')} has not joined yet: two joining servers could form their own quorum`);
        state.views.set(s, voterIds(config));
      }
      state.running.add(s);
      state.synced.delete(s);
      state.joining.add(s);
      break;
    }
    case 'stop-joiner': {
      const s = needServer(); if (s === null) break;
      if (isMember(s)) fail('well-formed', `stop-joiner of server ${s}, which is a member`);
      state.joining.delete(s);
      state.running.delete(s);
      state.synced.delete(s);
      state.views.delete(s);
      state.phases.delete(s);
      break;
    }
    case 'await-synced': {
      const s = needServer(); if (s === null) break;
      if (!state.running.has(s)) { fail('well-formed', `await-synced of server ${s}, which is not running`); break; }
      state.synced.add(s);
      state.joining.delete(s);
      break;
    }
    case 'reconfig-add':
    case 'reconfig-role': {
      if (state.strategy !== 'dynamic') { fail('strategy', `${action.kind} needs the dynamic strategy`); break; }
      const current = id !== undefined ? state.members.get(id) : undefined;
      const targets = action.kind === 'reconfig-add' ? action.servers : current ? [{ ...current, role: action.role }] : [];
      if (targets.length === 0) { fail('well-formed', `${action.kind} without servers`); break; }
      for (const t of targets) {
        const was = state.members.get(t.id);
        if (action.kind === 'reconfig-add' && was) fail('well-formed', `reconfig-add of server ${t.id}, which is already a member`);
        if (action.kind === 'reconfig-role' && !was) fail('well-formed', `reconfig-role of server ${t.id}, which is not a member`);
        if (was?.role === 'participant' && t.role === 'observer') {
          retire(t.id, 'demoted');
        } else {
          grow(t.id);
          if (!state.synced.has(t.id)) fail('synced-before-promotion', `server ${t.id} is added as ${t.role} before it is synced with the leader`);
        }
        state.members.set(t.id, t);
      }
      checkQuorumAfter = true;
      break;
    }
    case 'drain-clients': {
      const s = needServer(); if (s === null) break;
      state.drained.add(s);
      break;
    }
    case 'reconfig-remove': {
      if (state.strategy !== 'dynamic') { fail('strategy', 'reconfig-remove needs the dynamic strategy'); break; }
      const ids = action.servers ? action.servers.map((x) => x.id) : id !== undefined ? [id] : [];
      for (const r of ids) {
        if (!isMember(r)) { fail('well-formed', `reconfig-remove of server ${r}, which is not a member`); continue; }
        if (!state.drained.has(r) && state.running.has(r)) fail('drain-before-remove', `server ${r} is reconfigured out before its clients were drained`);
        retire(r, 'removed');
        state.members.delete(r);
        state.removedAwaitingBarrier.add(r);
      }
      checkQuorumAfter = true;
      break;
    }
    case 'bake': // a hold: it changes nothing
    case 'backup': // a copy: it changes nothing
      break;
    case 'barrier-write': {
      const shortfall = quorumShortfall(state);
      if (shortfall) fail('live-quorum', `barrier write without a live quorum: ${shortfall}`);
      state.removedAwaitingBarrier.clear();
      break;
    }
    case 'stop-server': {
      const s = needServer(); if (s === null) break;
      if (isMember(s)) {
        fail('remove-before-stop', state.strategy === 'dynamic'
          ? `server ${s} is stopped while still a member: reconfigure it out first`
          : `server ${s} is stopped while still in the list: rewrite the list without it and restart the rest first`);
      }
      if (state.removedAwaitingBarrier.has(s)) fail('barrier-after-remove', `server ${s} is stopped before a write was committed without it`);
      state.running.delete(s);
      state.synced.delete(s);
      state.views.delete(s);
      state.phases.delete(s);
      checkQuorumAfter = true;
      break;
    }
  }

  // A rolling restart is a run of restarts and sync waits; anything else ends it.
  if (action.kind !== 'restart-server' && action.kind !== 'await-synced') { state.waveRestartedLeader = false; state.wavePhase = null; }

  const afterVoters = voterIds(state.members.values());
  if (state.bootstrapped && beforeVoters.length > 0 && action.kind !== 'start-initial') {
    const changed = symmetricDifference(beforeVoters, afterVoters);
    if (changed.length > 1) fail('one-voter-change', `voters change by ${changed.length} (${changed.join(',')}) in one step: change voting membership one server at a time`);
    if (changed.length > 0 && !quorumsIntersect(beforeVoters, afterVoters)) {
      fail('quorum-intersection', `a quorum of {${beforeVoters.join(',')}} need not meet a quorum of {${afterVoters.join(',')}}`);
    }
  }
  if (state.bootstrapped && afterVoters.length === 0) fail('no-voters', 'the step leaves no voters');
  if (state.bootstrapped && checkQuorumAfter) {
    const shortfall = quorumShortfall(state);
    if (shortfall) fail('live-quorum', `after this step the quorum is lost: ${shortfall}`);
  }
  return violations;
}
