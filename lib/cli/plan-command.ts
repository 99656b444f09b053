/** `zk-rollout plan`: print the ordered rollout plan (or the refusal) in text, JSON or Markdown. */
import { plan } from '../planner/plan';
import { PLAN_FORMATS, PlanFormat, renderPlan } from '../planner/render';
import { InputError, loadCurrent, loadSpec } from './inputs';

export interface PlanCommandOptions {
  readonly desired: string;
  readonly current?: string;
  readonly format: string;
  readonly leader?: string;
}

export const EXIT = { ok: 0, failure: 1, badInput: 2, refused: 3 } as const;

export async function runPlanCommand(opts: PlanCommandOptions, out: (s: string) => void): Promise<number> {
  if (!PLAN_FORMATS.includes(opts.format as PlanFormat)) throw new InputError(`--format ${opts.format}: must be one of ${PLAN_FORMATS.join(', ')}`);
  const leader = opts.leader === undefined ? undefined : Number(opts.leader);
  if (leader !== undefined && !(Number.isInteger(leader) && leader >= 1 && leader <= 255)) throw new InputError(`--leader ${opts.leader}: must be a server id in 1..255`);
  const desired = loadSpec(opts.desired);
  const current = opts.current ? await loadCurrent(opts.current, desired, leader) : null;
  const result = plan(current ? current.snapshot : null, desired);
  out(renderPlan(result, opts.format as PlanFormat));
  return result.ok ? EXIT.ok : EXIT.refused;
}
