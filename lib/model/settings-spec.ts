/**
 * The shared settings of a spec: their shape and bounds (zod), their defaults, and the rules across
 * them (allow-listed extra keys and their values, syncLimit within initLimit, session bounds).
 */
import { z } from 'zod';
import { ALLOWED_EXTRA_KEYS, EXTRA_KEY_TYPES, MANAGED_KEYS, MAX_TICKS } from './settings-keys';
import { SpecProblem } from './spec-problem';
import { CONTROL_CHARS } from './text-rules';
import { DEFAULT_SETTINGS, Settings } from './types';

/** A whole number in min..max (`unit` for the message). */
const boundedInt = (min: number, max: number, unit: string) => z.number({ invalid_type_error: 'must be a number' })
  .int('must be a whole number').min(min, `must be in ${min}..${max} (${unit})`).max(max, `must be in ${min}..${max} (${unit})`);

/** Bounds of the shared settings: every product ZooKeeper computes from them (ticks × tickTime) stays a Java int. */
export const SETTINGS_BOUNDS = { tickTime: [1, 60000], limit: [1, MAX_TICKS], jvmHeapMb: [64, 1048576] } as const;

const DATA_DIR_REJECTED = 'is not supported: zk-rollout\'s own servers keep their data under the host driver\'s baseDir '
  + '(<baseDir>/<ensemble>/server-<id>/data); for an adopted server, declare existing.servers[].run.dataDir';

export const settingsSchema = z.object({
  tickTime: boundedInt(...SETTINGS_BOUNDS.tickTime, 'milliseconds').optional(),
  initLimit: boundedInt(...SETTINGS_BOUNDS.limit, 'ticks').optional(),
  syncLimit: boundedInt(...SETTINGS_BOUNDS.limit, 'ticks').optional(),
  // Accepted before and ignored by both host drivers: refused, so that no one believes their data is there.
  dataDir: z.unknown().refine((v) => v === undefined, DATA_DIR_REJECTED).optional(),
  jvmHeapMb: boundedInt(...SETTINGS_BOUNDS.jvmHeapMb, 'MiB').optional(),
  // NaN passes here to be named by the key's type (every allowed key has one).
  extra: z.record(z.union([z.string(), z.number(), z.nan(), z.boolean()], { errorMap: () => ({ message: 'must be a number, a string or a boolean' }) })).optional(),
}).strict();

export function normaliseSettings(s: z.infer<typeof settingsSchema> | undefined): Settings {
  const extra: Record<string, string> = {};
  for (const [k, v] of Object.entries(s?.extra ?? {}).sort(([a], [b]) => a.localeCompare(b))) extra[k] = String(v);
  return {
    tickTime: s?.tickTime ?? DEFAULT_SETTINGS.tickTime,
    initLimit: s?.initLimit ?? DEFAULT_SETTINGS.initLimit,
    syncLimit: s?.syncLimit ?? DEFAULT_SETTINGS.syncLimit,
    jvmHeapMb: s?.jvmHeapMb ?? DEFAULT_SETTINGS.jvmHeapMb,
    extra,
  };
}

/**
 * Why an allowed key's value (as written to zoo.cfg) would not be read as meant, or undefined. zoo.cfg is a
 * Java properties file: a value ending in a backslash would swallow the next line, a newline would add one.
 */
export function extraValueProblem(key: string, value: string): string | undefined {
  if (CONTROL_CHARS.test(value)) return 'must be a single line without control characters';
  if (value.endsWith('\\')) return 'must not end in a backslash (zoo.cfg would join the next line to it)';
  const type = EXTRA_KEY_TYPES.get(key);
  if (!type) return undefined;
  const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  if (type.kind === 'boolean') return value === 'true' || value === 'false' ? undefined : `must be true or false, not ${shown}`;
  if (type.kind === 'yes-no') return value === 'yes' || value === 'no' ? undefined : `must be yes or no (${type.note}), not ${shown}`;
  const range = `a whole number in ${type.min}..${type.max}${type.unit ? ` (${type.unit}${type.note ? `; ${type.note}` : ''})` : ''}`;
  if (!/^-?\d+$/.test(value)) return `must be ${range}, not ${shown}`;
  const n = Number(value);
  return n < type.min || n > type.max ? `must be ${range}, not ${shown}` : undefined;
}

export function settingsProblems(s: Settings): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const key of Object.keys(s.extra)) {
    const managed = MANAGED_KEYS.get(key);
    const valueProblem = extraValueProblem(key, s.extra[key]);
    if (managed) problems.push({ where: 'settings', field: `extra.${key}`, message: `is managed by cdktf-zookeeper: ${managed}` });
    else if (/^server\.\d+$/.test(key)) problems.push({ where: 'settings', field: `extra.${key}`, message: 'membership is declared in servers, not in extra keys' });
    else if (!ALLOWED_EXTRA_KEYS.has(key)) problems.push({ where: 'settings', field: `extra.${key}`, message: `unknown setting; allowed: ${[...ALLOWED_EXTRA_KEYS].join(', ')}` });
    else if (valueProblem) problems.push({ where: 'settings', field: `extra.${key}`, message: valueProblem });
  }
  if (s.syncLimit > s.initLimit) {
    problems.push({ where: 'settings', field: 'syncLimit', message: `must not exceed initLimit (${s.syncLimit} > ${s.initLimit})` });
  }
  // ZooKeeper refuses to start when the session bounds cross (unset: 2 and 20 ticks).
  const given = (key: string) => (s.extra[key] !== undefined && extraValueProblem(key, s.extra[key]) === undefined ? Number(s.extra[key]) : undefined);
  const min = given('minSessionTimeout');
  const max = given('maxSessionTimeout');
  if ((min !== undefined || max !== undefined) && (min ?? 2 * s.tickTime) > (max ?? 20 * s.tickTime)) {
    problems.push({
      where: 'settings', field: min !== undefined ? 'extra.minSessionTimeout' : 'extra.maxSessionTimeout',
      message: `minSessionTimeout ${min ?? `${2 * s.tickTime} (2 × tickTime)`} exceeds maxSessionTimeout ${max ?? `${20 * s.tickTime} (20 × tickTime)`}: ZooKeeper would not start`,
    });
  }
  return problems;
}
