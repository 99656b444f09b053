/** Reads the CLI's inputs: spec files, snapshot files, and live addresses. Every failure names the file. */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { Ensemble, Server } from '../model/types';
import { hostProblem, hostSchema, normaliseServer, parseEnsembleSpec, SpecError } from '../model/validate';
import { ClusterSnapshot } from '../planner/types';
import { snapshotFromEnsemble } from '../planner/snapshot';
import { Endpoint, observeEnsemble, ServerProbe } from '../runtime/observe';

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new InputError(`${what} ${path}: no such file`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`${what} ${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** The desired spec from a file (`--desired`) or from an environment variable holding its JSON (`--desired-env`, as the construct passes it). */
export function loadDesired(opts: { desired?: string; desiredEnv?: string }, env: NodeJS.ProcessEnv = process.env): Ensemble {
  if (opts.desired !== undefined && opts.desiredEnv !== undefined) throw new InputError('give either --desired or --desired-env, not both');
  if (opts.desired !== undefined) return loadSpec(opts.desired);
  if (opts.desiredEnv === undefined) throw new InputError('the desired spec is missing: give --desired <file> or --desired-env <variable>');
  const text = env[opts.desiredEnv];
  if (text === undefined || text.trim() === '') throw new InputError(`--desired-env ${opts.desiredEnv}: the variable is not set`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new InputError(`spec in $${opts.desiredEnv}: not valid JSON (${(e as Error).message})`);
  }
  try {
    return parseEnsembleSpec(data);
  } catch (e) {
    if (e instanceof SpecError) throw new InputError(`spec in $${opts.desiredEnv}: ${e.message}`);
    throw e;
  }
}

export function loadSpec(path: string): Ensemble {
  try {
    return parseEnsembleSpec(readJson(path, 'spec'));
  } catch (e) {
    if (e instanceof SpecError) throw new InputError(`spec ${path}: ${e.message}`);
    throw e;
  }
}

const serverSchema = z.object({
  id: z.number().int().min(1).max(255), host: z.string().min(1),
  clientPort: z.number().int().optional(), quorumPort: z.number().int().optional(), electionPort: z.number().int().optional(),
  role: z.enum(['participant', 'observer']).optional(),
}).passthrough();
/**
 * The servers the previous deploy left (`--previous <file>` or `--previous-env <variable>`, as the
 * construct passes them from the stack's state): a JSON list of servers, or a spec. Looked at for a
 * running ensemble; an unset or empty variable means none.
 */
import { adoptedServers } from '../model/existing';
export function loadPrevious(opts: { previous?: string; previousEnv?: string }, env: NodeJS.ProcessEnv = process.env): Server[] {
  let data: unknown;
  let source: string;
  if (opts.previous !== undefined) {
    data = readJson(opts.previous, 'previous servers');
    source = `previous servers ${opts.previous}`;
  } else {
    const text = opts.previousEnv !== undefined ? env[opts.previousEnv]?.trim() : undefined;
    if (!text) return [];
    source = `previous servers in $${opts.previousEnv}`;
    try { data = JSON.parse(text); } catch (e) { throw new InputError(`${source}: not valid JSON (${(e as Error).message})`); }
  }
  const list = Array.isArray(data) ? data : (data as { servers?: unknown } | null)?.servers;
  const r = z.array(serverSchema).safeParse(list);
  if (!r.success) throw new InputError(`${source}: ${r.error.issues.map((i) => `${i.path.join('.') || '(list)'}: ${i.message}`).join('; ')}`);
  return r.data.map(normaliseServer);
}

/** A server in a snapshot: what the planner takes as running, so ids, hosts and ports are checked like a spec's. */
const port = z.number().int().min(1, 'must be in 1..65535').max(65535, 'must be in 1..65535');
const snapshotServerSchema = z.object({
  id: z.number().int().min(1, 'must be in 1..255').max(255, 'must be in 1..255'), host: hostSchema,
  clientPort: port.optional(), quorumPort: port.optional(), electionPort: port.optional(),
  role: z.enum(['participant', 'observer']).optional(),
}).passthrough();

/** Ids listed twice in `list` (at `path`), each as an issue. */
function duplicateIds(list: readonly { id: number }[], path: string, ctx: z.RefinementCtx, also: ReadonlySet<number> = new Set(), alsoWhat = ''): void {
  const seen = new Set<number>();
  list.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path, i, 'id'], message: `duplicate id ${s.id}` });
    else if (also.has(s.id)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path, i, 'id'], message: `id ${s.id} is ${alsoWhat}` });
    seen.add(s.id);
  });
}

const snapshotSchema = z.object({
  configVersion: z.string().regex(/^[0-9a-fA-F]+$/, 'must be a hex config version'),
  members: z.array(snapshotServerSchema).min(1, 'must list at least one member'),
  leaderId: z.number().int().nullable(),
  observations: z.array(z.object({
    id: z.number().int(), up: z.boolean(), synced: z.boolean(), settingsHash: z.string().optional(),
    view: z.array(snapshotServerSchema).optional(),
  })),
  joiners: z.array(snapshotServerSchema).optional(),
}).superRefine((d, ctx) => {
  duplicateIds(d.members, 'members', ctx);
  duplicateIds(d.joiners ?? [], 'joiners', ctx, new Set(d.members.map((m) => m.id)), 'already a member');
  duplicateIds(d.observations, 'observations', ctx);
  const leader = d.members.find((m) => m.id === d.leaderId);
  if (d.leaderId !== null && (!leader || leader.role === 'observer')) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['leaderId'], message: `${d.leaderId} is not a voting member` });
  }
});

export function parseSnapshot(input: unknown, source: string): ClusterSnapshot {
  const r = snapshotSchema.safeParse(input);
  if (!r.success) {
    throw new InputError(`snapshot ${source}: ${r.error.issues.map((i) => `${i.path.join('.') || '(snapshot)'}: ${i.message}`).join('; ')}`);
  }
  const d = r.data;
  return {
    configVersion: d.configVersion,
    members: d.members.map(normaliseServer),
    leaderId: d.leaderId,
    observations: d.observations.map(({ view, ...o }) => ({ ...o, ...(view ? { view: view.map(normaliseServer) } : {}) })),
    ...(d.joiners ? { joiners: d.joiners.map(normaliseServer) } : {}),
  };
}

const ENDPOINTS = /^[A-Za-z0-9.-]+:\d{1,5}(,[A-Za-z0-9.-]+:\d{1,5})*$/;

/** `host:port[,host:port]`, each host a host name or IPv4 address and each port in 1..65535. */
export function parseEndpoints(text: string): Endpoint[] {
  return text.split(',').map((part) => {
    const [host, portText] = part.split(':');
    const port = Number(portText);
    const problem = hostProblem(host);
    if (problem) throw new InputError(`--current ${text}: ${host}: ${problem}`);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new InputError(`--current ${text}: ${part}: the port must be in 1..65535`);
    return { host, port };
  });
}

/**
 * `--current`: a snapshot file, a spec file (taken as that ensemble running healthy), or
 * `host:port[,host:port]` of live servers. The leader of a spec file is `leader` or the highest voter.
 */
export async function loadCurrent(arg: string, desired: Ensemble, leader?: number): Promise<{ snapshot: ClusterSnapshot; source: string; probes?: ServerProbe[] }> {
  const noLeader = (what: string) => {
    if (leader !== undefined) throw new InputError(`--leader ${leader}: only for a spec file as --current; ${what}`);
  };
  if (existsSync(arg)) {
    const data = readJson(arg, 'current state') as Record<string, unknown>;
    if (data && typeof data === 'object' && 'members' in data) {
      noLeader(`snapshot ${arg} names its leader (leaderId)`);
      return { snapshot: parseSnapshot(data, arg), source: `snapshot ${arg}` };
    }
    const e = (() => {
      try { return parseEnsembleSpec(data); } catch (err) {
        if (err instanceof SpecError) throw new InputError(`current spec ${arg}: ${err.message}`);
        throw err;
      }
    })();
    try {
      return { snapshot: snapshotFromEnsemble(e, leader), source: `spec ${arg} (assumed healthy, leader ${leader ?? 'highest voter id'})` };
    } catch (err) {
      throw new InputError(`current spec ${arg}: ${(err as Error).message}`);
    }
  }
  if (ENDPOINTS.test(arg)) {
    const endpoints = parseEndpoints(arg);
    noLeader('the live servers say which one leads');
    const { snapshot, probes } = await observeEnsemble(endpoints, { candidates: [...desired.servers, ...adoptedServers(desired)] });
    return { snapshot, source: `the live ensemble (via ${arg})`, probes };
  }
  throw new InputError(`--current ${arg}: neither an existing file nor host:port[,host:port]`);
}
