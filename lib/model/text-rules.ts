/** What a path or value written into zoo.cfg, a unit or a script may hold. */
import { z } from 'zod';

/** Control characters: a newline or NUL in a path, a command or a value would add lines to zoo.cfg, a unit or a script. */
export const CONTROL_CHARS = /[\x00-\x1f\x7f]/;

/** The longest path Linux takes (PATH_MAX), and the longest command zk-rollout runs for a declared server. */
export const MAX_PATH = 4096;

/** An absolute path on one line: a newline would add lines to zoo.cfg or a unit. */
export const absolutePath = z.string({ required_error: 'is required', invalid_type_error: 'must be a string' })
  .regex(/^\//, 'must be an absolute path').regex(/^[^\x00-\x1f\x7f]*$/, 'must not hold control characters')
  .max(MAX_PATH, `must be at most ${MAX_PATH} characters`);
