/**
 * `zk-rollout plan`: the ordered rollout plan (or the refusal), and around it what a reviewer needs:
 * verdict, banners, preflight against the live ensemble, servers, impact, rollback, the pin deploy
 * checks (`--pin`). Text, JSON or Markdown (the pull-request comment).
 */
import { writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { plan } from '../planner/plan';
import { PLAN_FORMATS, PlanFormat, renderText } from '../planner/render';
import { renderReviewJson, renderReviewMarkdown } from '../planner/render/review-markdown';
import { buildReview } from '../planner/review/review';
import { Pin, preflightStatus, Review } from '../planner/review/types';
import { Ensemble } from '../model/types';
import { ClusterSnapshot } from '../planner/types';
import { snapshotFromEnsemble } from '../planner/snapshot';
import { HostDriver } from '../hosts/types';
import { AdminAuth, loadAdminAuth } from '../runtime/credentials';
import { observeEnsemble, ServerProbe } from '../runtime/observe';
import { gatherFacts } from '../runtime/review-facts';
import { DEFAULT_BAKE_MS, DEFAULT_TIMEOUTS, PROBE_TIMEOUT_MS } from '../model/defaults';
import { adoptedServers } from '../model/existing';
import { ApplyCommandArgs } from '../model/handler-args';
import { deploySettingsInSynth } from '../constructs/terraform-json';
import { parseApplyArgv } from './flags';
import { PinsFile } from './pins-file';
import { bakeMs, driverFor } from './runtime-commands';
import { InputError, loadCurrent, loadSpec, readJson } from './inputs';
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
  readonly passwordFile?: string;
  readonly skipAcl?: boolean;
  readonly hosts?: string;
  readonly baseDir?: string;
  readonly skipBackup?: boolean;
  /** Write the pins of the plans (what deploy compares with `--reviewed-plan`) to this file. */
  readonly pin?: string;
}

const SOURCES = ['auto', 'live', 'state'] as const;
type Source = (typeof SOURCES)[number];

export const EXIT = { ok: 0, failure: 1, badInput: 2, refused: 3, preflightFailed: 4 } as const;

/** One ensemble to review: where it is now and how deploy would run against it. */
interface Target {
  readonly desired: Ensemble;
  readonly snapshot: ClusterSnapshot | null;
  readonly source: string;
  /** Present when the live servers were looked at. */
  readonly probes?: readonly ServerProbe[];
  readonly auth: AdminAuth | null;
  readonly authProblem?: string;
  /** The host driver deploy uses, for the disk check; null when not known (a spec planned without --hosts or --base-dir). */
  readonly driver: (() => HostDriver) | null;
  readonly bakeMs: number;
  readonly drainMs: number;
  readonly backup: boolean;
  readonly rollbackCommand: string;
}

export async function runPlanCommand(opts: PlanCommandOptions, out: (s: string) => void): Promise<number> {
  if (!PLAN_FORMATS.includes(opts.format as PlanFormat)) throw new InputError(`--format ${opts.format}: must be one of ${PLAN_FORMATS.join(', ')}`);
  const leader = opts.leader === undefined ? undefined : /^\d{1,3}$/.test(opts.leader) ? Number(opts.leader) : NaN;
  if (leader !== undefined && !(Number.isInteger(leader) && leader >= 1 && leader <= 255)) throw new InputError(`--leader ${opts.leader}: must be a server id in 1..255`);
  // The leader to assume is for a spec file as --current (a running ensemble taken as healthy), and only there.
  if (leader !== undefined && opts.stack !== undefined) throw new InputError(`--leader ${opts.leader}: only with a spec file as --current; --stack reads the leader from the live servers or takes the highest voter of the recorded spec`);
  if (leader !== undefined && opts.current === undefined) throw new InputError(`--leader ${opts.leader}: only with a spec file as --current (the leader to assume for it); without --current the plan is a bootstrap, which has no leader yet`);
  const targets = opts.stack !== undefined ? await stackTargets(opts) : [await specTarget(opts, leader)];
  const reviews: Review[] = [];
  for (const t of targets) reviews.push(await review(t));
  const scope = opts.stack !== undefined ? `stack ${opts.stack}` : `ensemble ${targets[0].desired.name}`;
  if (opts.pin !== undefined) {
    const assumed = reviews.filter((r) => r.plan.ok && r.pin === null);
    if (assumed.length > 0) {
      throw new InputError(`--pin ${opts.pin}: ${assumed.map((r) => `ensemble ${r.ensemble} was planned from ${r.source}`).join('; ')}, not from the live ensemble; a pin of an assumed state never matches what deploy sees. Plan where the servers answer (--current host:port,... or --from live), or drop --pin`);
    }
  }
  out(render(reviews, scope, opts.format as PlanFormat));
  if (opts.pin !== undefined) writePins(opts.pin, scope, reviews);
  if (reviews.some((r) => !r.plan.ok)) return EXIT.refused;
  return reviews.some((r) => preflightStatus(r.preflight) === 'fail') ? EXIT.preflightFailed : EXIT.ok;
}

async function review(t: Target): Promise<Review> {
  const planOptions = { bakeMs: t.bakeMs, backup: t.backup };
  const result = plan(t.snapshot, t.desired, planOptions);
  let facts = null;
  if (t.probes && t.snapshot) {
    const driver = t.driver ? t.driver() : null;
    try {
      facts = await gatherFacts({ desired: t.desired, snapshot: t.snapshot, probes: t.probes, result, auth: t.auth, driver, ...(t.authProblem ? { authProblem: t.authProblem } : {}) });
    } finally {
      await driver?.close?.();
    }
  }
  return buildReview({ desired: t.desired, snapshot: t.snapshot, result, source: t.source, facts, drainMs: t.drainMs, rollbackCommand: t.rollbackCommand, planOptions, now: new Date() });
}

function render(reviews: readonly Review[], scope: string, format: PlanFormat): string {
  if (format === 'markdown') return renderReviewMarkdown(reviews, scope);
  if (format === 'json') return renderReviewJson(reviews, scope);
  return reviews.map((r) => [
    ...(reviews.length > 1 || r.source ? [`# ensemble ${r.ensemble}, planned from ${r.source}`] : []),
    `change: ${r.verdict}`,
    ...(r.preflight ? ['preflight:', ...r.preflight.map((l) => `  ${l.status.toUpperCase().padEnd(4)} ${l.check}: ${l.message}`)] : []),
    ...r.banners.map((b) => `warning: ${b.message}`),
    renderText(r.plan).trimEnd(),
    ...(r.impact ? [`  expected: about ${(r.impact.estimateMs / 1000).toFixed(1)} s, ${r.impact.elections} election(s)${r.impact.reconnects === null ? '' : `, ${r.impact.reconnects} client reconnect(s)`}`] : []),
  ].join('\n')).join('\n\n') + '\n';
}

function writePins(path: string, scope: string, reviews: readonly Review[]): void {
  const pins: Record<string, Pin> = {};
  for (const r of reviews) if (r.pin) pins[r.ensemble] = r.pin;
  const file: PinsFile = { scope, pins };
  try {
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  } catch (e) {
    throw new InputError(`--pin ${path}: cannot write (${(e as Error).message})`);
  }
}

/** Credentials as apply would load them; a missing password is a preflight warning here, not an error. */
function authFor(skipAcl: boolean, passwordFile: string | undefined, env: NodeJS.ProcessEnv): { auth: AdminAuth | null; authProblem?: string } {
  try {
    return { auth: loadAdminAuth({ skipAcl, ...(passwordFile ? { passwordFile } : {}), env }) };
  } catch (e) {
    const message = (e as Error).message;
    // No password anywhere: not checked. A password file that is named but unreadable: deploy would fail.
    return passwordFile ? { auth: null, authProblem: message } : { auth: null };
  }
}

async function specTarget(opts: PlanCommandOptions, leader: number | undefined): Promise<Target> {
  if (opts.desired === undefined) throw new InputError('give --desired <spec> (or --stack <name> to plan a synthesized cdktf stack)');
  const desired = loadSpec(opts.desired);
  const current = opts.current ? await loadCurrent(opts.current, desired, leader) : null;
  return {
    desired, snapshot: current?.snapshot ?? null, source: current?.source ?? 'nothing (a bootstrap)',
    ...(current?.probes ? { probes: current.probes } : {}),
    ...authFor(opts.skipAcl === true, opts.passwordFile, process.env),
    // Without --hosts or --base-dir, where deploy runs the servers is not known: the disk check says so.
    driver: opts.hosts || opts.baseDir ? () => driverFor(desired, { ...(opts.hosts ? { hosts: opts.hosts } : {}), ...(opts.baseDir ? { baseDir: opts.baseDir } : {}) }) : null,
    bakeMs: bakeMs(opts.bakeTime) ?? DEFAULT_BAKE_MS,
    drainMs: DEFAULT_TIMEOUTS.drainMs,
    backup: opts.skipBackup !== true,
    rollbackCommand: 'zk-rollout apply --desired <the spec the ensemble runs now>',
  };
}

/**
 * Where a stack's ensemble is now: the live servers (reached through the desired and previously
 * deployed addresses), or, without live access, the spec the last deploy recorded in the state.
 */
async function currentOfStack(desired: Ensemble, statePath: string, from: Source): Promise<{ snapshot: ClusterSnapshot | null; source: string; probes?: ServerProbe[] }> {
  const previous = loadPreviousSpec(statePath, desired.name);
  if (from !== 'state') {
    const seeds = [...desired.servers, ...adoptedServers(desired), ...(previous?.spec.servers ?? [])];
    try {
      const { snapshot, probes } = await observeEnsemble(seeds.map((s) => ({ host: s.host, port: s.clientPort })), { candidates: [...desired.servers, ...adoptedServers(desired)], timeoutMs: PROBE_TIMEOUT_MS });
      return { snapshot, source: 'the live ensemble', probes };
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

async function stackTargets(opts: PlanCommandOptions): Promise<Target[]> {
  const from = (opts.from ?? 'auto') as Source;
  if (!SOURCES.includes(from)) throw new InputError(`--from ${opts.from}: must be one of ${SOURCES.join(', ')}`);
  if (opts.desired !== undefined || opts.current !== undefined) throw new InputError('--stack takes the desired spec from the synthesized stack and the current state from the live servers or the Terraform state; drop --desired and --current');
  for (const flag of ['passwordFile', 'skipAcl', 'hosts', 'baseDir', 'skipBackup', 'bakeTime'] as const) {
    if (opts[flag] !== undefined) throw new InputError(`--stack reads the credentials, hosts, bake and backup settings from the stack's own apply command (what deploy runs); drop --${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  }
  const stack = opts.stack!;
  const outdir = opts.outdir ?? 'cdktf.out';
  const stackDir = join(outdir, 'stacks', stack);
  const statePath = opts.state ?? `terraform.${stack}.tfstate`;
  const ensembles = loadStackEnsembles(outdir, stack);
  const settings = deploySettingsInSynth(readJson(join(stackDir, 'cdk.tf.json'), 'synthesized stack') as Record<string, unknown>);
  const targets: Target[] = [];
  for (const desired of ensembles) {
    const deploy = settings.find((s) => s.ensemble === desired.name);
    if (!deploy) throw new InputError(`stack ${stack}: no apply command for ensemble ${desired.name} in ${join(stackDir, 'cdk.tf.json')}`);
    const args: ApplyCommandArgs = parseApplyArgv(deploy.applyArgv, `stack ${stack}, ensemble ${desired.name}`);
    // The command runs in the app's directory: its relative paths are from there.
    const appDir = resolve(stackDir, deploy.workingDir);
    const at = (p: string | undefined) => (p === undefined || isAbsolute(p) ? p : join(appDir, p));
    const env = { ...process.env, ...deploy.environment };
    const current = await currentOfStack(desired, statePath, from);
    const passwordFile = at(args.passwordFile);
    const hosts = at(args.hosts);
    targets.push({
      desired, snapshot: current.snapshot, source: current.source, ...(current.probes ? { probes: current.probes } : {}),
      ...authFor(args.skipAcl === true, passwordFile, env),
      driver: () => driverFor(desired, { ...(hosts ? { hosts } : {}), ...(args.hostsEnv ? { hostsEnv: args.hostsEnv } : {}), baseDir: at(args.baseDir) }, env),
      bakeMs: args.bakeSeconds !== undefined ? args.bakeSeconds * 1000 : DEFAULT_BAKE_MS,
      drainMs: args.drainSeconds !== undefined ? args.drainSeconds * 1000 : DEFAULT_TIMEOUTS.drainMs,
      backup: args.skipBackup !== true,
      rollbackCommand: `git revert <this change> && cdktf deploy ${stack}`,
    });
  }
  return targets;
}
