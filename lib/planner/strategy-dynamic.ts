/**
 * Dynamic reconfiguration: joiners start in one batch as observers of the committed configuration, sync,
 * and are added by incremental reconfig one at a time; every new server is added before any old one leaves;
 * removals drain clients, reconfigure out, commit a barrier write, then stop; the leader goes last.
 */
import { QuorumTlsPhase, targetPhase } from '../model/tls';
import { Ensemble, Server } from '../model/types';
import { byId, isUp, needsSettingsRestart, observation, removalOrder, rollingOrder } from './order';
import { phaseOf, startPhase, tlsWalk } from './tls-walk';
import { ClusterSnapshot, StepAction } from './types';

export function planDynamic(current: ClusterSnapshot, desired: Ensemble, desiredHash: (id: number) => string): StepAction[] {
  const actions: StepAction[] = [];
  const committed = byId(current.members);
  const want = byId(desired.servers);
  const config = () => [...committed.values()].sort((a, b) => a.id - b.id);
  // Quorum TLS phases (model/tls.ts): servers started before the walk below start in one every running
  // server can talk to; after it, every server runs the desired phase.
  const target = targetPhase(desired.settings.tls);
  const early = startPhase(current, desired);
  const tls = <T extends object>(action: T, phase: QuorumTlsPhase): T => (phase === 0 ? action : { ...action, quorumTls: phase });
  const startedAt = new Map<number, QuorumTlsPhase>();

  // 1. Bring back desired members that are down or lagging.
  for (const m of config()) {
    const o = observation(current, m.id);
    // A member that is up but lagging is waited for even if it will leave: it still counts for quorum.
    if (!want.has(m.id)) { if (o?.up && !o.synced) actions.push({ kind: 'await-synced', serverId: m.id }); continue; }
    if (!o?.up) {
      actions.push(tls({ kind: 'start-member', serverId: m.id, config: config() }, early), { kind: 'await-synced', serverId: m.id });
      startedAt.set(m.id, early);
    }
    else if (!o.synced) actions.push({ kind: 'await-synced', serverId: m.id });
  }

  // A static ensemble (adopted) first becomes dynamic, members unchanged: reconfig needs every member
  // running with it enabled. Rolling, the leader last; only then do the membership changes below begin.
  const staticUp = config().filter((m) => (current.staticMembers ?? []).includes(m.id) && isUp(current, m.id));
  for (const m of rollingOrder(staticUp, current.leaderId)) {
    actions.push(tls({ kind: 'restart-server', serverId: m.id, config: config(), reason: 'convert' }, phaseOf(current, m.id)), { kind: 'await-synced', serverId: m.id });
  }

  // 2. Stop joiners an interrupted rollout left that are no longer wanted.
  const running = new Set((current.joiners ?? []).filter((j) => isUp(current, j.id)).map((j) => j.id));
  // A running non-member may be a server just reconfigured out: commit a write without it before it stops.
  const strays = [...running].sort((a, b) => a - b).filter((id) => !want.has(id));
  if (strays.length > 0) actions.push({ kind: 'barrier-write' });
  for (const id of strays) actions.push({ kind: 'stop-joiner', serverId: id });

  // 3. A member that will leave and is down is removed before anything joins: until then it counts
  // against every quorum (a promotion can fail to find one), and removing it never lowers how many
  // failures the ensemble tolerates. This is also how an ensemble moves off a machine that died.
  for (const m of removalOrder(current.members.filter((x) => !want.has(x.id) && !isUp(current, x.id)), current)) {
    actions.push({ kind: 'reconfig-remove', serverId: m.id }, { kind: 'barrier-write' });
    committed.delete(m.id);
  }

  // 3b. Quorum TLS: the members move to the desired phase before anything joins (a joiner starts in it),
  // once the members that leave and are down are out (they would count against each restart's quorum).
  const walk = tlsWalk(current, desired, config(), startedAt, (id) => needsSettingsRestart(current, id, desiredHash));
  actions.push(...walk.actions);

  // 4. Grow: the new servers start in one batch as observers of the committed configuration (each start
  // ends once its JVM answers, so they boot one after another; their snapshots transfer side by side),
  // then each is synced and added with its desired role, one at a time.
  const joining = desired.servers.filter((s) => !committed.has(s.id));
  for (const s of joining) {
    if (!running.has(s.id)) actions.push(tls({ kind: 'start-joiner', serverId: s.id, config: [...config(), { ...s, role: 'observer' }] }, target));
  }
  for (const s of joining) {
    actions.push({ kind: 'await-synced', serverId: s.id }, { kind: 'reconfig-add', serverId: s.id, servers: [s] });
    committed.set(s.id, s);
  }

  // 5. Promote observers that should vote (still growing).
  for (const m of current.members) {
    const d = want.get(m.id);
    if (d && m.role === 'observer' && d.role === 'participant') {
      actions.push({ kind: 'reconfig-role', serverId: m.id, role: 'participant' });
      committed.set(m.id, d);
    }
  }

  // 6. Shrink: observers out first, then voters (down ones first), the leader last.
  const leaving: Server[] = current.members.filter((m) => committed.has(m.id) && (!want.has(m.id) || (m.role === 'participant' && want.get(m.id)!.role === 'observer')));
  for (const m of removalOrder(leaving, current)) {
    const d = want.get(m.id);
    if (d) {
      actions.push({ kind: 'reconfig-role', serverId: m.id, role: 'observer' }, { kind: 'barrier-write' });
      committed.set(m.id, d);
      continue;
    }
    const up = isUp(current, m.id);
    if (up && !observation(current, m.id)?.drained) actions.push({ kind: 'drain-clients', serverId: m.id });
    actions.push({ kind: 'reconfig-remove', serverId: m.id }, { kind: 'barrier-write' });
    if (up) actions.push({ kind: 'stop-server', serverId: m.id });
    committed.delete(m.id);
  }

  // 7. Rolling restart for settings: observers, followers, leader last.
  const stale = config().filter((m) => current.members.some((c) => c.id === m.id) && !walk.restarted.has(m.id) && needsSettingsRestart(current, m.id, desiredHash));
  for (const m of rollingOrder(stale, current.leaderId)) {
    actions.push(tls({ kind: 'restart-server', serverId: m.id, config: config(), reason: 'settings' }, target), { kind: 'await-synced', serverId: m.id });
  }
  return actions;
}
