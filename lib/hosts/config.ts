/**
 * Which host driver an ensemble uses, as JSON (a file, or an environment variable the construct
 * sets): `{"driver":"local","baseDir":".zk-local"}` or `{"driver":"ssh", ...SSH settings, "machines": {...}}`.
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { AdoptedServer } from '../model/types';
import { DEFAULT_LOCAL_BASE_DIR } from '../model/defaults';
import { LocalHostDriver } from './local';
import { SshHostDriver, SshHostOptions } from './ssh';
import { HostDriver } from './types';

const machine = z.object({
  address: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, 'must be a user name').optional(),
  identityFile: z.string().min(1).optional(),
  knownHostsFile: z.string().min(1).optional(),
  strictHostKeyChecking: z.boolean().optional(),
  jumpHost: z.string().regex(/^([^@\s]+@)?[A-Za-z0-9.-]+(:\d+)?$/, 'must be [user@]host[:port]').optional(),
  connectTimeoutSeconds: z.number().positive().optional(),
  root: z.string().optional(),
  serviceManager: z.enum(['systemd', 'process', 'auto']).optional(),
  javaBin: z.string().min(1).optional(),
  classpath: z.string().min(1).optional(),
  // The account (and group) a systemd unit runs the server as (default zookeeper).
  serviceUser: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'must be a user name').optional(),
  serviceGroup: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'must be a group name').optional(),
}).strict();

const hostsSchema = z.discriminatedUnion('driver', [
  z.object({ driver: z.literal('local'), baseDir: z.string().min(1).optional() }).strict(),
  machine.extend({
    driver: z.literal('ssh'),
    baseDir: z.string().regex(/^\//, 'must be an absolute path').optional(),
    machines: z.record(z.string().min(1), machine).optional(),
  }).strict(),
]);

export type HostsConfig = z.infer<typeof hostsSchema>;
export { DEFAULT_LOCAL_BASE_DIR };

export function parseHostsConfig(data: unknown, source: string): HostsConfig {
  const r = hostsSchema.safeParse(data);
  if (!r.success) throw new Error(`${source}: ${r.error.issues.map((i) => `${i.path.join('.') || '(hosts)'}: ${i.message}`).join('; ')}`);
  return r.data;
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
