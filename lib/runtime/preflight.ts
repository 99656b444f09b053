/**
 * Checks before a rollout acts: never start a second ensemble beside a running one, never start
 * servers on data older than their peers kept, act only on servers zk-rollout knows how to run, and
 * take over a declared existing ensemble only when the declaration describes what runs.
 */
import { adoptedServers } from '../model/existing';
import { ClusterSnapshot } from '../planner/types';
import { answeringRefusal, existingSilentRefusal, keptDataRefusal, unmanagedRefusal, unmanagedServers } from './adoption';
import { RolloutError } from './refusal';
import { StepContext } from './steps/context';
import { declarationProblems, keptConfigs, rewriteProblems } from './where-it-runs';

/** Once, before the first step. */
export async function checkWhereItRuns(ctx: StepContext, snapshot: ClusterSnapshot | null): Promise<void> {
  const { desired, driver } = ctx;
  const existing = adoptedServers(desired);
  if (snapshot !== null) {
    const unmanaged = unmanagedServers(snapshot, await driver.knownServers(), existing);
    if (unmanaged.length > 0) throw new RolloutError('unmanaged-servers', unmanagedRefusal(unmanaged, driver.name));
    const losses = await rewriteProblems(driver, desired, snapshot, ctx.auth);
    if (losses.length > 0) {
      throw new RolloutError('rewrite-loses-settings', `refused: zk-rollout rewrites an adopted server's zoo.cfg when it restarts it, and that would lose what it runs with:\n${losses.map((l) => `  - ${l}`).join('\n')}\n`
        + 'Nothing was changed. Declare those settings and directories in the spec, then re-run apply');
    }
    return;
  }
  const live = ctx.live.state;
  const answering = live?.answering ?? [];
  if (answering.length > 0) throw new RolloutError('membership-unreadable', answeringRefusal(answering.map((p) => p.server)));
  if (existing.length > 0) throw new RolloutError('existing-silent', existingSilentRefusal(existing));
  const refusal = keptDataRefusal(await keptConfigs(driver), desired.servers);
  if (refusal) throw new RolloutError('kept-data-older', refusal);
  ctx.emit({ type: 'bootstrap', looked: (live?.looked ?? desired.servers).map((s) => `${s.host}:${s.clientPort}`) });
}

/**
 * The first deploy of a declared existing ensemble (no rollout record in it yet): the declaration must
 * describe what runs. Then it is recorded, and later deploys plan from the live ensemble as usual.
 */
export async function checkAdoption(ctx: StepContext, snapshot: ClusterSnapshot): Promise<void> {
  if (await ctx.records.exists()) return;
  const diff = await declarationProblems(ctx.driver, ctx.desired, snapshot);
  if (diff.length > 0) {
    throw new RolloutError('declaration-mismatch', `refused: the declared existing ensemble does not match the running one:\n${diff.map((d) => `  - ${d}`).join('\n')}\n`
      + 'Nothing was changed. Make existing.servers describe the ensemble as it runs (zk-rollout status --desired <spec> lists the live members), then re-run apply');
  }
  ctx.emit({ type: 'adopted', members: snapshot.members.map((m) => m.id), leader: snapshot.leaderId, staticMembers: snapshot.staticMembers ?? [] });
  await ctx.records.save(snapshot.configVersion, snapshot.members, undefined, 'done');
}
