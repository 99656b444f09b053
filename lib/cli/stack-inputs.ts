/** `zk-rollout plan --stack`: a stack's desired ensembles from cdktf.out, and the last deployed specs from its state file. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ensemble } from '../model/types';
import { ensemblesInSynth, previousSpecInState, StoredSpecError } from '../constructs/terraform-json';
import { InputError, readJson } from './inputs';

type Json = Record<string, unknown>;

const readJsonFile = (path: string, what: string) => readJson(path, what) as Json;

function asInputError<T>(f: () => T): T {
  try { return f(); } catch (e) {
    if (e instanceof StoredSpecError) throw new InputError(e.message);
    throw e;
  }
}

export function loadStackEnsembles(outdir: string, stack: string): Ensemble[] {
  const path = join(outdir, 'stacks', stack, 'cdk.tf.json');
  if (!existsSync(path)) throw new InputError(`stack ${stack}: ${path} does not exist; run \`cdktf synth\` first (or check --outdir and the stack name)`);
  const found = asInputError(() => ensemblesInSynth(readJsonFile(path, 'synthesized stack'), path));
  if (found.length === 0) throw new InputError(`stack ${stack}: ${path} declares no ZooKeeperEnsemble`);
  return found;
}

export function loadPreviousSpec(statePath: string, ensemble: string): { spec: Ensemble; tainted: boolean } | null {
  if (!existsSync(statePath)) return null;
  return asInputError(() => previousSpecInState(readJsonFile(statePath, 'Terraform state'), ensemble));
}
