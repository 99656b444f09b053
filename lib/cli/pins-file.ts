/** The pins file: `zk-rollout plan --pin` writes it for a review, `apply --reviewed-plan` reads it back. */
import { z } from 'zod';
import { Pin } from '../planner/review/types';
import { InputError, readJson } from './inputs';

/** For cdktf deploy, which passes the environment to the handler: `ZK_ROLLOUT_REVIEWED_PLAN=<file> cdktf deploy <stack>`. */
export const REVIEWED_PLAN_ENV = 'ZK_ROLLOUT_REVIEWED_PLAN';
/** Set to 1 to run the plan computed now although it differs from the reviewed one. */
export const REPLAN_ENV = 'ZK_ROLLOUT_REPLAN';

export interface PinsFile {
  readonly scope: string;
  readonly pins: Readonly<Record<string, Pin>>;
}

const pinSchema = z.object({
  ensemble: z.string(),
  configVersion: z.string().nullable(),
  zxid: z.string().nullable(),
  leaderId: z.number().int().nullable(),
  members: z.array(z.string()),
  actions: z.array(z.string()),
  computedAt: z.string(),
}).strict();

const fileSchema = z.object({ scope: z.string(), pins: z.record(pinSchema) }).strict();

export function readPinsFile(path: string): PinsFile {
  const parsed = fileSchema.safeParse(readJson(path, 'reviewed plan'));
  if (!parsed.success) {
    throw new InputError(`reviewed plan ${path}: not a file zk-rollout plan --pin wrote (${parsed.error.issues.map((i) => `${i.path.join('.') || 'the file'}: ${i.message}`).join('; ')})`);
  }
  return parsed.data;
}

/** The pin of `ensemble` in the file; a file without it was a review of something else. */
export function reviewedPin(path: string, ensemble: string): Pin {
  const file = readPinsFile(path);
  const pin = file.pins[ensemble];
  if (!pin) throw new InputError(`reviewed plan ${path} (${file.scope}) has no plan for ensemble ${ensemble} (it has: ${Object.keys(file.pins).join(', ') || 'none'}); nothing was changed`);
  return pin;
}
