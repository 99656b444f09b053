/** `zk-rollout plan`: print the ordered rollout plan (or the refusal) in text, JSON or Markdown. */
import { plan } from '../planner/plan';
import { PLAN_FORMATS, PlanFormat, renderPlan } from '../planner/render';
import { Ensemble } from '../model/types';
import { ClusterSnapshot } from '../planner/types';
import { snapshotFromEnsemble } from '../planner/snapshot';
import { observeEnsemble } from '../runtime/observe';
import { DEFAULT_BAKE_MS, PROBE_TIMEOUT_MS } from '../model/defaults';
import { bakeMs } from './runtime-commands';
import { InputError, loadCurrent, loadSpec } from './inputs';
import { loadPreviousSpec, loadStackEnsembles } from './stack-inputs';

export interface PlanCommandOptions {
  readonly desired?: string;
  readonly current?: string;
  readonly format: string;
  readonly leader?: string;
  readonly stack?: string;
  readonly outdir?: string;
  readonly state?: string;
  readonly from?: string;
  readonly bakeTime?: string;
}

const SOURCES = ['auto', 'live', 'state'] as const;
type Source = (typeof SOURCES)[number];

export const EXIT = { ok: 0, failure: 1, badInput: 2, refused: 3 } as const;

export async function runPlanCommand(opts: PlanCommandOptions, out: (s: string) => void): Promise<number> {
  if (!PLAN_FORMATS.includes(opts.format as PlanFormat)) throw new InputError(`--format ${opts.format}: must be one of ${PLAN_FORMATS.join(', ')}`);
  const leader = opts.leader === undefined ? undefined : /^\d{1,3}$/.test(opts.leader) ? Number(opts.leader) : NaN;
  if (leader !== undefined && !(Number.isInteger(leader) && leader >= 1 && leader <= 255)) throw new InputError(`--leader ${opts.leader}: must be a server id in 1..255`);
  // The leader to assume is for a spec file as --current (a running ensemble taken as healthy), and only there.
  if (leader !== undefined && opts.stack !== undefined) throw new InputError(`--leader ${opts.leader}: only with a spec file as --current; --stack reads the leader from the live servers or takes the highest voter of the recorded spec`);
  if (leader !== undefined && opts.current === undefined) throw new InputError(`--leader ${opts.leader}: only with a spec file as --current (the leader to assume for it); without --current the plan is a bootstrap, which has no leader yet`);
  if (opts.stack !== undefined) return runStackPlan(opts, out);
  if (opts.desired === undefined) throw new InputError('give --desired <spec> (or --stack <name> to plan a synthesized cdktf stack)');
  const desired = loadSpec(opts.desired);
  const current = opts.current ? await loadCurrent(opts.current, desired, leader) : null;
  const result = plan(current ? current.snapshot : null, desired, { bakeMs: bakeMs(opts.bakeTime) ?? DEFAULT_BAKE_MS });
  out(renderPlan(result, opts.format as PlanFormat));
  return result.ok ? EXIT.ok : EXIT.refused;
}

/**
 * Where a stack's ensemble is now: the live servers (reached through the desired and previously
 * deployed addresses), or, without live access, the spec the last deploy recorded in the state.
 */
import { adoptedServers } from '../model/existing';
async function currentOfStack(desired: Ensemble, statePath: string, from: Source): Promise<{ snapshot: ClusterSnapshot | null; source: string }> {
  const previous = loadPreviousSpec(statePath, desired.name);
  if (from !== 'state') {
    const seeds = [...desired.servers, ...adoptedServers(desired), ...(previous?.spec.servers ?? [])];
    try {
      const { snapshot } = await observeEnsemble(seeds.map((s) => ({ host: s.host, port: s.clientPort })), { candidates: [...desired.servers, ...adoptedServers(desired)], timeoutMs: PROBE_TIMEOUT_MS });
      return { snapshot, source: 'the live ensemble' };
    } catch (e) {
      if (from === 'live') throw new InputError(`ensemble ${desired.name}: no live server answered (${(e as Error).message.split('\n')[0]})`);
    }
  }
  if (!previous) return { snapshot: null, source: `no live servers and no previous deploy in ${statePath}: a bootstrap` };
  return {
    snapshot: snapshotFromEnsemble(previous.spec),
    source: `the last deployed spec in ${statePath} (no live access; assumed healthy, leader = highest voter${previous.tainted ? '; that deploy FAILED part-way, so the live ensemble may be anywhere in between' : ''})`,
  };
}

async function runStackPlan(opts: PlanCommandOptions, out: (s: string) => void): Promise<number> {
  const from = (opts.from ?? 'auto') as Source;
  if (!SOURCES.includes(from)) throw new InputError(`--from ${opts.from}: must be one of ${SOURCES.join(', ')}`);
  if (opts.desired !== undefined || opts.current !== undefined) throw new InputError('--stack takes the desired spec from the synthesized stack and the current state from the live servers or the Terraform state; drop --desired and --current');
  const stack = opts.stack!;
  const statePath = opts.state ?? `terraform.${stack}.tfstate`;
  let exit: number = EXIT.ok;
  for (const desired of loadStackEnsembles(opts.outdir ?? 'cdktf.out', stack)) {
    const current = await currentOfStack(desired, statePath, from);
    const result = plan(current.snapshot, desired, { bakeMs: bakeMs(opts.bakeTime) ?? DEFAULT_BAKE_MS });
    const heading = `stack ${stack}, ensemble ${desired.name}, planned from ${current.source}`;
    out(opts.format === 'markdown' ? `> ${heading}\n\n` : opts.format === 'text' ? `# ${heading}\n` : '');
    out(renderPlan(result, opts.format as PlanFormat));
    if (!result.ok) exit = EXIT.refused;
  }
  return exit;
}
