/**
 * The conditional reconfig. The plan says who joins or leaves and what the membership is after; a
 * connection loss (outcome unknown) is resolved by reading the committed config, never by a blind retry.
 */
import { Server } from '../../model/types';
import { StepOf } from '../../planner/types';
import { notAuthorised, NotReady, RolloutError } from '../refusal';
import { DRIFT_ADVICE, membersKey } from '../rollout-record';
import { classify } from '../zk-errors';
import { StepRunner } from './context';

type Reconfig = StepOf<'reconfig-add' | 'reconfig-role' | 'reconfig-remove'>;

/** The incremental change the step makes: servers joining (with their roles) or ids leaving. */
function change(step: Reconfig): { joining?: readonly Server[]; leaving?: readonly number[] } {
  switch (step.kind) {
    case 'reconfig-add': return { joining: step.servers };
    case 'reconfig-role': return { joining: step.membersAfter.filter((m) => m.id === step.serverId) };
    case 'reconfig-remove': return { leaving: (step.servers ?? [step.server]).map((s) => s.id) };
  }
}

export const runReconfig: StepRunner<Reconfig> = async (ctx, step, snapshot) => {
  if (snapshot === null) throw new Error(`${step.kind} planned without a running ensemble`);
  const dynamic = ctx.desired.strategy === 'dynamic';
  // The membership after, by ids and roles, as the planner's simulation computed it.
  const applied = (m: { servers: readonly Server[] }) => membersKey(m.servers) === membersKey(step.membersAfter);
  if (dynamic) {
    if (step.growth) ctx.records.markGrown();
    // Recorded before the reconfig: a handler killed right after it must not take its own change for drift.
    await ctx.records.save(snapshot.configVersion, snapshot.members, step.membersAfter);
  }
  const client = await ctx.session.client();
  try {
    const after = await client.reconfig(change(step), snapshot.configVersion);
    if (!applied(after)) throw new RolloutError('reconfig-unexpected', `reconfig returned a configuration without the change: members {${membersKey(after.servers)}}, expected {${membersKey(step.membersAfter)}}`);
    if (dynamic) await ctx.records.save(after.version, after.servers);
    ctx.emit({ type: 'reconfig', serverId: step.serverId, version: after.version, outcome: 'committed' });
  } catch (e) {
    switch (classify(e)) {
      case 'version-moved':
        throw new RolloutError('drift', `refused: the ensemble's configuration changed under this rollout, not by it (expected version ${snapshot.configVersion}); the reconfig was not applied. ${DRIFT_ADVICE}.`, { cause: e });
      case 'connection-lost': {
        // The connection is lost when the reconfig removes the leader: the read waits out the hand-off, as long as an election may take.
        const committed = await ctx.session.readAfresh((c) => c.committedConfig(), ctx.t.quorumMs);
        if (applied(committed)) {
          ctx.emit({ type: 'reconfig', serverId: step.serverId, version: committed.version, outcome: 'applied-after-connection-loss' });
          return;
        }
        // Now determinate: not applied. The next plan starts from this committed config; no blind retry.
        throw new NotReady(`reconfig outcome was unknown (connection loss); committed config ${committed.version} shows it was not applied`);
      }
      case 'not-applied':
        throw new NotReady(`ZooKeeper did not apply the reconfig (${(e as Error).message})`);
      case 'not-authorised':
        throw notAuthorised('reconfig', e);
      default:
        throw e;
    }
  }
};
