/**
 * Which host driver an ensemble uses, as JSON (a file, or an environment variable the construct
 * sets): `{"driver":"local","baseDir":".zk-local"}` or `{"driver":"ssh", ...SSH settings, "machines": {...}}`.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { AdoptedServer } from '../model/types';
import { CONTROL_CHARS, hostSchema, hostProblem, MAX_PATH } from '../model/validate';
import { DEFAULT_LOCAL_BASE_DIR } from '../model/defaults';
import { LocalHostDriver } from './local';
import { SshHostDriver, SshHostOptions } from './ssh';
import { HostDriver } from './types';

/** A path or file name given to ssh, java or the shell: one line, no control characters. */
const pathText = z.string({ invalid_type_error: 'must be a string' }).min(1, 'must not be empty')
  .max(MAX_PATH, `must be at most ${MAX_PATH} characters`)
  .refine((p) => !CONTROL_CHARS.test(p), 'must not hold control characters');
const absolutePath = pathText.refine((p) => p.startsWith('/'), 'must be an absolute path');

const USER_RE = /^[a-z_][a-z0-9_.-]{0,31}$/i;
const user = z.string({ invalid_type_error: 'must be a string' }).regex(USER_RE, 'must be a user name (a letter or _ first, then letters, digits, _ . -; at most 32)');
const port = z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(1, 'must be in 1..65535').max(65535, 'must be in 1..65535');

/** Why `text` is not one `[user@]host[:port]` ssh can jump through, or undefined. */
export function jumpHostProblem(text: string): string | undefined {
  if (text.includes(',')) return 'must be one [user@]host[:port]: a list of jump hosts (,) is not supported';
  const m = /^(?:([^@]*)@)?([^@:]*)(?::(\d{1,5}))?$/.exec(text);
  if (!m) return 'must be [user@]host[:port]';
  if (m[1] !== undefined && !USER_RE.test(m[1])) return `must be [user@]host[:port]: ${m[1]} is not a user name`;
  const host = hostProblem(m[2]);
  if (host) return `must be [user@]host[:port]: ${m[2] === '' ? 'the host is missing' : `host ${host}`}`;
  if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) return `must be [user@]host[:port]: port ${m[3]} is not in 1..65535`;
  return undefined;
}

const machine = z.object({
  // ssh's last word: a host, never an option (an address starting with - would be one).
  address: hostSchema.optional(),
  port: port.optional(),
  user: user.optional(),
  identityFile: pathText.optional(),
  knownHostsFile: pathText.optional(),
  strictHostKeyChecking: z.boolean().optional(),
  jumpHost: z.string().superRefine((j, ctx) => {
    const problem = jumpHostProblem(j);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  }).optional(),
  // ssh's ConnectTimeout takes whole seconds.
  connectTimeoutSeconds: z.number({ invalid_type_error: 'must be a number' }).int('must be a whole number of seconds')
    .min(1, 'must be in 1..3600 (seconds)').max(3600, 'must be in 1..3600 (seconds)').optional(),
  // '' is the real root (the default).
  root: z.string({ invalid_type_error: 'must be a string' }).refine((r) => r === '' || r.startsWith('/'), 'must be an absolute path (or empty: the real root)')
    .refine((r) => !CONTROL_CHARS.test(r), 'must not hold control characters').refine((r) => r.length <= MAX_PATH, `must be at most ${MAX_PATH} characters`).optional(),
  serviceManager: z.enum(['systemd', 'process', 'auto']).optional(),
  javaBin: pathText.refine((p) => !p.startsWith('-'), 'must be a path or a command name, not an option').optional(),
  classpath: pathText.optional(),
  // The account (and group) a systemd unit runs the server as (default zookeeper).
  serviceUser: user.optional(),
  serviceGroup: z.string({ invalid_type_error: 'must be a string' }).regex(USER_RE, 'must be a group name (a letter or _ first, then letters, digits, _ . -; at most 32)').optional(),
}).strict();

const hostsSchema = z.discriminatedUnion('driver', [
  z.object({ driver: z.literal('local'), baseDir: pathText.optional() }).strict(),
  machine.extend({
    driver: z.literal('ssh'),
    baseDir: absolutePath.optional(),
    // The keys are the machines' names (server hosts): validated like hosts.
    machines: z.record(hostSchema, machine).optional(),
  }).strict(),
]);

export type HostsConfig = z.infer<typeof hostsSchema>;
export { DEFAULT_LOCAL_BASE_DIR };

/** Each problem of host driver settings, by field (`machines.<host>.port`), or the settings when they are usable. */
export function checkHostsConfig(data: unknown): { ok: true; config: HostsConfig } | { ok: false; problems: { field: string; message: string }[] } {
  const r = hostsSchema.safeParse(data);
  if (r.success) return { ok: true, config: r.data };
  return { ok: false, problems: r.error.issues.map((i) => ({ field: i.path.join('.') || '(hosts)', message: i.message })) };
}

export function parseHostsConfig(data: unknown, source: string): HostsConfig {
  const r = checkHostsConfig(data);
  if (!r.ok) throw new Error(`${source}: ${r.problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
  return r.config;
}

export function sshOptions(ensemble: string, c: Extract<HostsConfig, { driver: 'ssh' }>): SshHostOptions {
  const { driver: _driver, baseDir, machines, ...defaults } = c;
  return { ensemble, ...(baseDir ? { baseDir } : {}), defaults, ...(machines ? { machines } : {}) };
}

/** `adopted`: servers of the declared existing ensemble, run with the paths and service declared for them. */
export function hostDriver(ensemble: string, c: HostsConfig, adopted?: readonly AdoptedServer[]): HostDriver {
  const more = adopted && adopted.length > 0 ? { adopted } : {};
  if (c.driver === 'ssh') return new SshHostDriver({ ...sshOptions(ensemble, c), ...more });
  return new LocalHostDriver({ baseDir: resolve(c.baseDir ?? DEFAULT_LOCAL_BASE_DIR), ensemble, ...more });
}
