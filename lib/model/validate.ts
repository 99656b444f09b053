/**
 * Spec validation: every problem at once, each naming the server and the field.
 * zod checks shapes and ranges; the cross-server rules (duplicates, collisions, voters) follow.
 */
import { z } from 'zod';
import { normaliseSettings, settingsProblems, settingsSchema } from './settings-spec';
import { formatProblem, SpecError, SpecProblem } from './spec-problem';
import { absolutePath, CONTROL_CHARS, MAX_PATH } from './text-rules';
import { addressKey, hostProblem } from './address';
import { normaliseTls, serverTlsFields, tlsProblems, tlsSchema } from './tls';
import { AdoptedServer, DEFAULT_PORTS, Ensemble, Server, ServerRun } from './types';

export { addressKey, CONTROL_CHARS, formatProblem, hostProblem, MAX_PATH, SpecError };
export type { SpecProblem };
export { extraValueProblem, SETTINGS_BOUNDS } from './settings-spec';

const port = z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number')
  .min(1, 'must be in 1..65535').max(65535, 'must be in 1..65535');

/** A host name or strict IPv4 address (see hostProblem). */
export const hostSchema = z.string({ required_error: 'is required', invalid_type_error: 'must be a string' })
  .superRefine((h, ctx) => {
    const problem = hostProblem(h);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });

const serverSchema = z.object({
  id: z.number({ required_error: 'is required', invalid_type_error: 'must be a number' })
    .int('must be a whole number').min(1, 'must be in 1..255').max(255, 'must be in 1..255'),
  host: hostSchema,
  clientPort: port.optional(),
  quorumPort: port.optional(),
  electionPort: port.optional(),
  role: z.enum(['participant', 'observer'], { errorMap: () => ({ message: 'must be participant or observer' }) }).optional(),
  ...serverTlsFields,
}).strict();

const oneLine = z.string().min(1, 'must not be empty').regex(/^[^\x00-\x1f\x7f]*$/, 'must be a single line without control characters')
  .max(MAX_PATH, `must be at most ${MAX_PATH} characters`);

const runSchema = z.object({
  zooCfg: absolutePath,
  dataDir: absolutePath,
  dataLogDir: absolutePath.optional(),
  service: z.string().regex(/^[A-Za-z0-9@_.:-]+$/, 'must be a systemd unit name (letters, digits, @ _ . : -)').optional(),
  pidFile: absolutePath.optional(),
  start: oneLine.optional(),
  stop: oneLine.optional(),
  log: absolutePath.optional(),
}).strict()
  .refine((r) => (r.service !== undefined) !== (r.pidFile !== undefined || r.start !== undefined), { message: 'give either service, or pidFile and start', path: ['service'] })
  .refine((r) => r.service !== undefined || (r.pidFile !== undefined && r.start !== undefined), { message: 'a server run by a script needs both pidFile and start', path: ['start'] })
  .refine((r) => r.service === undefined || r.stop === undefined, { message: 'a service is stopped with systemctl; stop is for script-run servers', path: ['stop'] });

const existingServerSchema = serverSchema.extend({ run: runSchema }).strict();

/** An ensemble's name: it names directories, units, resources and outputs. */
export const ENSEMBLE_NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;

const ensembleSchema = z.object({
  name: z.string({ required_error: 'is required', invalid_type_error: 'must be a string' })
    .regex(ENSEMBLE_NAME_RE, 'must start with a lower-case letter and hold only a-z, 0-9 and dashes (at most 63)'),
  servers: z.array(serverSchema, { required_error: 'is required', invalid_type_error: 'must be a list' }),
  settings: settingsSchema.optional(),
  strategy: z.enum(['dynamic', 'static'], { errorMap: () => ({ message: 'must be dynamic or static' }) }).optional(),
  standalone: z.boolean().optional(),
  existing: z.object({ servers: z.array(existingServerSchema).min(1, 'must list the running members') }).strict().optional(),
  tls: tlsSchema.optional(),
}).strict();

/** Names the server an issue path points into, by its id when the id is readable. */
function whereOf(input: unknown, path: readonly (string | number)[]): { where: string; field: string } {
  if (path[0] === 'servers' && typeof path[1] === 'number') {
    const raw = (input as { servers?: unknown[] }).servers?.[path[1]] as { id?: unknown } | undefined;
    const id = raw && typeof raw.id === 'number' && Number.isInteger(raw.id) && path[2] !== 'id' ? raw.id : undefined;
    return {
      where: id !== undefined ? `server ${id}` : `servers[${path[1]}]`,
      field: path.slice(2).join('.') || '(server)',
    };
  }
  if (path[0] === 'existing' && path[1] === 'servers' && typeof path[2] === 'number') {
    const raw = (input as { existing?: { servers?: unknown[] } }).existing?.servers?.[path[2]] as { id?: unknown } | undefined;
    const id = raw && typeof raw.id === 'number' && Number.isInteger(raw.id) && path[3] !== 'id' ? raw.id : undefined;
    return { where: id !== undefined ? `existing server ${id}` : `existing.servers[${path[2]}]`, field: path.slice(3).join('.') || '(server)' };
  }
  if (path[0] === 'settings') return { where: 'settings', field: path.slice(1).join('.') || '(settings)' };
  return { where: 'ensemble', field: path.join('.') || '(spec)' };
}

function zodProblems(input: unknown, error: z.ZodError): SpecProblem[] {
  return error.issues.map((issue) => {
    const { where, field } = whereOf(input, issue.path);
    const message = issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`
      : issue.message === 'Required' ? 'is required' : issue.message;
    return { where, field: issue.code === 'unrecognized_keys' && field.startsWith('(') ? issue.keys.join(',') : field, message };
  });
}

export function normaliseServer(s: z.infer<typeof serverSchema>): Server {
  return {
    id: s.id,
    host: s.host,
    clientPort: s.clientPort ?? DEFAULT_PORTS.clientPort,
    quorumPort: s.quorumPort ?? DEFAULT_PORTS.quorumPort,
    electionPort: s.electionPort ?? DEFAULT_PORTS.electionPort,
    role: s.role ?? 'participant',
  };
}

/** Duplicate ids among servers of which some are malformed: the ids that are usable still count. */
function duplicateRawIds(raw: readonly unknown[]): SpecProblem[] {
  const seen = new Map<number, number>();
  const problems: SpecProblem[] = [];
  raw.forEach((s, index) => {
    const id = (s as { id?: unknown } | null)?.id;
    if (typeof id !== 'number' || !Number.isInteger(id)) return;
    if (seen.has(id)) problems.push({ where: `server ${id}`, field: 'id', message: `duplicate id (servers[${seen.get(id)}] and servers[${index}])` });
    else seen.set(id, index);
  });
  return problems;
}

/** Rules across servers; they run on the normalised servers so defaults count. */
function crossServerProblems(servers: readonly Server[], standalone: boolean): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const seenIds = new Map<number, number>();
  servers.forEach((s, index) => {
    if (seenIds.has(s.id)) {
      problems.push({ where: `server ${s.id}`, field: 'id', message: `duplicate id (servers[${seenIds.get(s.id)}] and servers[${index}])` });
    } else seenIds.set(s.id, index);
  });

  const portUsers = new Map<string, { id: number; field: string; host: string }>();
  for (const s of servers) {
    const own = [['clientPort', s.clientPort], ['quorumPort', s.quorumPort], ['electionPort', s.electionPort]] as const;
    for (const [field, p] of own) {
      const key = `${addressKey(s.host)}:${p}`;
      const user = portUsers.get(key);
      if (!user) {
        portUsers.set(key, { id: s.id, field, host: s.host });
      } else if (user.id === s.id) {
        problems.push({ where: `server ${s.id}`, field, message: `port ${p} is also this server's ${user.field}` });
      } else {
        // Two spellings of one address (localhost and 127.0.0.1) are named as written.
        const same = user.host.toLowerCase() === s.host.toLowerCase() ? '' : `, as ${user.host}:${p}`;
        problems.push({ where: `server ${s.id}`, field, message: `${s.host.toLowerCase()}:${p} is already used by server ${user.id} (${user.field}${same})` });
      }
    }
  }

  const voters = servers.filter((s) => s.role === 'participant');
  if (servers.length > 0 && voters.length === 0) {
    problems.push({ where: 'ensemble', field: 'servers', message: 'no voters: at least one server must have role participant' });
  } else if (servers.length === 0) {
    problems.push({ where: 'ensemble', field: 'servers', message: 'no servers declared' });
  } else if (voters.length === 1 && !standalone) {
    problems.push({
      where: `server ${voters[0].id}`, field: 'role',
      message: 'a single voter tolerates no failure; declare standalone: true on the ensemble (beside name and servers) to mean it, or add voters (3 or 5)',
    });
  }
  return problems;
}

export type ValidationResult =
  | { readonly ok: true; readonly ensemble: Ensemble }
  | { readonly ok: false; readonly problems: readonly SpecProblem[] };

export function validateEnsembleSpec(input: unknown): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: [{ where: 'ensemble', field: '(spec)', message: 'must be an object' }] };
  }
  const parsed = ensembleSchema.safeParse(input);
  if (!parsed.success) {
    // Report shape problems and whatever cross rules can still be checked on the well-formed servers.
    const problems = zodProblems(input, parsed.error);
    const raw = (input as { servers?: unknown }).servers;
    if (Array.isArray(raw)) {
      const wellFormed = raw.map((s) => serverSchema.safeParse(s)).filter((r) => r.success).map((r) => normaliseServer(r.data!));
      if (wellFormed.length === raw.length) {
        problems.push(...crossServerProblems(wellFormed, (input as { standalone?: unknown }).standalone === true));
      } else {
        problems.push(...duplicateRawIds(raw), ...crossServerProblems(wellFormed, true).filter((p) => p.field !== 'servers' && p.field !== 'id'));
      }
    }
    const settings = settingsSchema.optional().safeParse((input as { settings?: unknown }).settings);
    if (settings.success) problems.push(...settingsProblems(normaliseSettings(settings.data)));
    return { ok: false, problems };
  }
  const spec = parsed.data;
  const servers = spec.servers.map(normaliseServer);
  const settings = { ...normaliseSettings(spec.settings), ...(spec.tls ? { tls: normaliseTls(spec.tls, spec.servers) } : {}) };
  const standalone = spec.standalone ?? false;
  const existing: AdoptedServer[] = (spec.existing?.servers ?? []).map((x) => ({ ...normaliseServer(x), run: normaliseRun(x.run) }));
  const problems = [...crossServerProblems(servers, standalone), ...settingsProblems(settings), ...existingProblems(existing, servers), ...tlsProblems(spec.tls, spec.strategy, spec.servers.map((x) => ({ ...normaliseServer(x), keyStore: x.keyStore, secureClientPort: x.secureClientPort })))];
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    ensemble: {
      name: spec.name,
      servers: [...servers].sort((a, b) => a.id - b.id),
      settings,
      strategy: spec.strategy ?? 'dynamic',
      standalone,
      ...(existing.length > 0 ? { existing: { servers: existing.sort((a, b) => a.id - b.id) } } : {}),
    },
  };
}

function normaliseRun(r: z.infer<typeof runSchema>): ServerRun {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as ServerRun;
}

/**
 * The existing ensemble: its own servers follow the same rules as any (ids, ports), and a server kept
 * from it is the same machine in both lists; a new server may not take an address an existing one holds.
 */
function existingProblems(existing: readonly AdoptedServer[], servers: readonly Server[]): SpecProblem[] {
  if (existing.length === 0) return [];
  const own = crossServerProblems(existing, true).filter((p) => p.field !== 'servers' || !p.message.startsWith('no servers'))
    .map((p) => ({ ...p, where: p.where.replace(/^server /, 'existing server ').replace(/^ensemble$/, 'existing') }));
  const kept = transitionProblems(existing, servers);
  const byAddress = new Map(existing.flatMap((e) => [e.clientPort, e.quorumPort, e.electionPort].map((p) => [`${addressKey(e.host)}:${p}`, e] as const)));
  const taken: SpecProblem[] = [];
  for (const s of servers) {
    if (existing.some((e) => e.id === s.id)) continue;
    for (const field of ['clientPort', 'quorumPort', 'electionPort'] as const) {
      const holder = byAddress.get(`${addressKey(s.host)}:${s[field]}`);
      if (holder) taken.push({ where: `server ${s.id}`, field, message: `${s.host}:${s[field]} is used by existing server ${holder.id}; a new server needs its own address` });
    }
  }
  const paths = new Map<string, number>();
  for (const e of existing) {
    for (const [field, path] of [['run.zooCfg', e.run.zooCfg], ['run.dataDir', e.run.dataDir]] as const) {
      const key = `${addressKey(e.host)}:${path}`;
      const other = paths.get(key);
      if (other !== undefined) taken.push({ where: `existing server ${e.id}`, field, message: `${path} on ${e.host} is also existing server ${other}'s` });
      else paths.set(key, e.id);
    }
  }
  return [...own, ...kept, ...taken];
}

/** Validates and normalises, or throws a SpecError listing every problem. */
export function parseEnsembleSpec(input: unknown): Ensemble {
  const result = validateEnsembleSpec(input);
  if (!result.ok) throw new SpecError(result.problems);
  return result.ensemble;
}

/**
 * Rules that need the previous membership: an id names one machine for its whole life,
 * so a kept id must keep its host and ports (a move is a remove plus an add under a new id).
 */
export function transitionProblems(previous: readonly Server[], next: readonly Server[]): SpecProblem[] {
  const before = new Map(previous.map((s) => [s.id, s]));
  const problems: SpecProblem[] = [];
  for (const s of next) {
    const old = before.get(s.id);
    if (!old) continue;
    if (old.host !== s.host) {
      problems.push({
        where: `server ${s.id}`, field: 'host',
        message: `id ${s.id} is on ${old.host} now and cannot move to ${s.host}; give the new server a new id (a move is remove + add)`,
      });
    }
    for (const field of ['clientPort', 'quorumPort', 'electionPort'] as const) {
      if (old[field] !== s[field]) {
        problems.push({
          where: `server ${s.id}`, field,
          message: `changes from ${old[field]} to ${s[field]}; ports of a running server cannot change in place, add a server under a new id instead`,
        });
      }
    }
  }
  return problems;
}
