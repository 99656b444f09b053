/** Which steps of a plan run before the executor plans again. Pure. */
import { Step } from '../planner/types';

const STARTS = new Set<Step['kind']>(['start-member', 'start-joiner', 'restart-server']);

/**
 * The first step, preceded by the guards in front of it (re-planning between a guard and its step
 * would only plan the same guard again); a (re)start also with the sync wait the plan puts after it.
 * That wait runs even when the server looks synced at once: it is also where a copy ZooKeeper synced
 * incompletely is caught, and the steps of a run stay those planned.
 */
export function guardedPrefix(steps: readonly Step[]): Step[] {
  let end = 0;
  while (end < steps.length - 1 && steps[end].guard) end++;
  const main = steps[end];
  const next = steps[end + 1];
  if (STARTS.has(main.kind) && next?.kind === 'await-synced' && 'serverId' in main && next.serverId === main.serverId) end++;
  return steps.slice(0, end + 1);
}
