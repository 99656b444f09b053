/** One runner per step kind; the executor hands each step of the plan to its runner. */
import { ClusterSnapshot, Step } from '../../planner/types';
import { runBake } from './bake-step';
import { runBackup } from './backup-step';
import { StepContext } from './context';
import { runRestart, runRewrite, runStart, runStop } from './process-steps';
import { runReconfig } from './reconfig-step';
import { barrierPath } from './replica-check';
import { runAwaitQuorum, runAwaitSynced, runDrain } from './wait-steps';

export { StepContext, Probe } from './context';

export async function runStep(ctx: StepContext, step: Step, snapshot: ClusterSnapshot | null): Promise<void> {
  switch (step.kind) {
    case 'start-initial':
    case 'start-member':
    case 'start-joiner': return runStart(ctx, step, snapshot);
    case 'restart-server': return runRestart(ctx, step, snapshot);
    case 'rewrite-config': return runRewrite(ctx, step, snapshot);
    case 'stop-joiner':
    case 'stop-server': return runStop(ctx, step, snapshot);
    case 'await-quorum': return runAwaitQuorum(ctx, step, snapshot);
    case 'await-synced': return runAwaitSynced(ctx, step, snapshot);
    case 'drain-clients': return runDrain(ctx, step, snapshot);
    case 'bake': return runBake(ctx, step, snapshot);
    case 'backup': return runBackup(ctx, step, snapshot);
    case 'barrier-write': return ctx.session.write(barrierPath(ctx.desired.name));
    case 'reconfig-add':
    case 'reconfig-role':
    case 'reconfig-remove': return runReconfig(ctx, step, snapshot);
  }
}
