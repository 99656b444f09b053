/**
 * rollbackOnFailure: when a rollout fails, run the same planner and rules once more with the
 * membership it started from as the target. Settings are not rolled back.
 */
import { Ensemble, Server } from '../model/types';
import { withMembers } from '../model/with-members';
import { RolloutEventBody } from './events';
import { RolloutError } from './refusal';
import { membersKey } from './rollout-record';

/** The ensemble to go back to: the start membership, with everything else as desired. */
export function rollbackTarget(desired: Ensemble, start: readonly Server[]): Ensemble {
  return withMembers(desired, start);
}

/**
 * Runs `attempt`; when it fails and a start membership is known (not a bootstrap), runs `runTo` the
 * start membership and fails saying what happened to both. A rollback that completed is final: its
 * error carries no cause, so nothing classifies it as one to resume from.
 */
export async function withRollback<T>(
  enabled: boolean, attempt: () => Promise<T>, startMembers: () => readonly Server[] | null,
  runTo: (target: readonly Server[]) => Promise<unknown>, emit: (e: RolloutEventBody) => void,
): Promise<T> {
  try {
    return await attempt();
  } catch (e) {
    const start = startMembers();
    if (!enabled || !start) throw e;
    const ids = `{${membersKey(start)}}`;
    emit({ type: 'rollback', to: start.map((s) => s.id), cause: (e as Error).message });
    try {
      await runTo(start);
    } catch (again) {
      throw new RolloutError('rollback-failed', `rollout failed (${(e as Error).message}); the rollback to ${ids} failed too: ${(again as Error).message}`, { cause: again });
    }
    throw new RolloutError('rolled-back', `rollout failed (${(e as Error).message}); rolled back to the membership it started from, ${ids}`);
  }
}
