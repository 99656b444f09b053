/** Which steps of a plan run before the executor plans again. Pure. */
import { Step } from '../planner/types';

/** (Re)starts of members: the plan's sync wait after one runs with it. */
const MEMBER_STARTS = new Set<Step['kind']>(['start-member', 'restart-server']);

/**
 * The first step, preceded by the guards in front of it (re-planning between a guard and its step
 * would only plan the same guard again). A member's (re)start also takes the sync wait the plan puts
 * after it: that wait runs even when the server looks synced at once, because it is also where a copy
 * ZooKeeper synced incompletely is caught. Joiners that start one after another start as one batch
 * (each is awaited, and its copy checked, before its reconfig-add, which every later plan puts first).
 */
export function guardedPrefix(steps: readonly Step[]): Step[] {
  let end = 0;
  while (end < steps.length - 1 && steps[end].guard) end++;
  const main = steps[end];
  const next = steps[end + 1];
  if (MEMBER_STARTS.has(main.kind) && next?.kind === 'await-synced' && 'serverId' in main && next.serverId === main.serverId) end++;
  if (main.kind === 'start-joiner') while (steps[end + 1]?.kind === 'start-joiner') end++;
  return steps.slice(0, end + 1);
}
