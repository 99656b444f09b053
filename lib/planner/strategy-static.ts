/**
 * Static configuration (classic `server.N` lists, no reconfig): one membership change at a time.
 * Each change rewrites the list in every config file, then:
 * - grow: the joiner starts with the new list and syncs, then every other running member restarts
 *   with it, observers first and the leader last;
 * - shrink: the leaving server is drained, the others restart with the smaller list while it still
 *   runs (so every list keeps a live majority), then it stops. A leaving leader first hands off
 *   leadership by a restart, because a follower cannot follow a leader its own list does not hold.
 */
import { Ensemble, Server } from '../model/types';
import { describeConfig } from './sim-state';
import { byId, isUp, needsSettingsRestart, observation, removalOrder, rollingOrder } from './order';
import { ClusterSnapshot, RestartReason, StepAction } from './types';

export function planStatic(current: ClusterSnapshot, desired: Ensemble, desiredHash: (id: number) => string): StepAction[] {
  const actions: StepAction[] = [];
  const committed = byId(current.members);
  const want = byId(desired.servers);
  const config = () => [...committed.values()].sort((a, b) => a.id - b.id);
  const running = new Set(current.observations.filter((o) => o.up).map((o) => o.id));
  const restarted = new Set<number>();
  let leaderId = current.leaderId;

  const restart = (m: Server, reason: RestartReason) => {
    actions.push({ kind: 'restart-server', serverId: m.id, config: config(), reason }, { kind: 'await-synced', serverId: m.id });
    restarted.add(m.id);
    if (m.id === leaderId) leaderId = null;
  };
  const rollingRestart = (members: readonly Server[]) => {
    for (const m of rollingOrder(members, leaderId)) restart(m, 'membership');
  };

  // 1. Bring back desired members that are down or lagging.
  for (const m of config()) {
    const o = observation(current, m.id);
    // A member that is up but lagging is waited for even if it will leave: it still counts for quorum.
    if (!want.has(m.id)) { if (o?.up && !o.synced) actions.push({ kind: 'await-synced', serverId: m.id }); continue; }
    if (!o?.up) {
      actions.push({ kind: 'start-member', serverId: m.id, config: config() }, { kind: 'await-synced', serverId: m.id });
      running.add(m.id);
      restarted.add(m.id);
    } else if (!o.synced) actions.push({ kind: 'await-synced', serverId: m.id });
  }

  // 2. Finish a rolling restart an interrupted rollout left half done, then stop servers that left the
  //    list (a running non-member is a leaving server: the rest restarted without it first).
  rollingRestart(config().filter((m) => {
    const v = observation(current, m.id)?.view;
    return running.has(m.id) && !restarted.has(m.id) && v !== undefined && describeConfig(v) !== describeConfig(config());
  }));
  for (const j of current.joiners ?? []) {
    if (!isUp(current, j.id)) continue;
    if (!observation(current, j.id)?.drained) actions.push({ kind: 'drain-clients', serverId: j.id });
    actions.push({ kind: 'stop-joiner', serverId: j.id });
    running.delete(j.id);
  }

  // 3. Grow, one server at a time.
  for (const s of desired.servers) {
    if (committed.has(s.id)) continue;
    committed.set(s.id, s);
    actions.push({ kind: 'rewrite-config', config: config() });
    actions.push({ kind: 'start-joiner', serverId: s.id, config: config() }, { kind: 'await-synced', serverId: s.id });
    running.add(s.id);
    restarted.add(s.id);
    rollingRestart(config().filter((m) => m.id !== s.id && running.has(m.id)));
  }

  // 4. Shrink, one server at a time: observers first, the leader last.
  for (const m of removalOrder(current.members.filter((x) => !want.has(x.id)), current)) {
    const up = running.has(m.id);
    if (up && m.id === leaderId && m.role === 'participant') restart(m, 'handoff');
    if (up && !observation(current, m.id)?.drained) actions.push({ kind: 'drain-clients', serverId: m.id });
    committed.delete(m.id);
    actions.push({ kind: 'rewrite-config', config: config() });
    rollingRestart(config().filter((x) => running.has(x.id)));
    if (up) actions.push({ kind: 'stop-server', serverId: m.id });
    running.delete(m.id);
  }

  // 5. Settings: restart whoever has not been restarted with the desired settings yet.
  const stale = config().filter((m) => !restarted.has(m.id) && needsSettingsRestart(current, m.id, desiredHash));
  for (const m of rollingOrder(stale, leaderId)) restart(m, 'settings');
  return actions;
}
