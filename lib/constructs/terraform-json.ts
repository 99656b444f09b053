/**
 * Reading what the construct wrote (pure): the desired specs in a synthesized stack, and the spec the
 * last deploy recorded in a Terraform state. Shared by `zk-rollout plan --stack` and the construct
 * itself (for the transitional connect string).
 */
import { Ensemble } from '../model/types';
import { parseEnsembleSpec, SpecError } from '../model/validate';
import { DESIRED_ENV } from './handler-command';

type Json = Record<string, unknown>;

/** A spec that does not validate, named by where it was found. */
export class StoredSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoredSpecError';
  }
}

function asSpec(data: unknown, source: string): Ensemble {
  try {
    return parseEnsembleSpec(data);
  } catch (e) {
    if (e instanceof SpecError) throw new StoredSpecError(`${source}: ${e.message}`);
    throw e;
  }
}

/** Every ensemble a synthesized stack deploys: the spec each rollout resource hands its handler. */
export function ensemblesInSynth(synth: Json, source = 'synthesized stack'): Ensemble[] {
  const out: Ensemble[] = [];
  const resources = (synth.resource ?? {}) as Record<string, Record<string, { provisioner?: { 'local-exec'?: { environment?: Record<string, string> } }[] }>>;
  for (const kind of ['terraform_data', 'null_resource']) {
    for (const [name, r] of Object.entries(resources[kind] ?? {})) {
      for (const p of r.provisioner ?? []) {
        const text = p['local-exec']?.environment?.[DESIRED_ENV];
        if (text === undefined) continue;
        // The construct escapes `${` and `%{` for Terraform; undo that to get the handler's view.
        out.push(asSpec(JSON.parse(text.replace(/([$%])\1\{/g, '$1{')), `${source}: ${kind}.${name}`));
      }
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

interface StateResource { type: string; name: string; instances?: { status?: string; attributes?: Json }[] }

/** The spec the last deploy of `ensemble` recorded in the state, and whether that deploy failed (tainted). */
export function previousSpecInState(state: Json, ensemble: string): { spec: Ensemble; tainted: boolean } | null {
  for (const r of (state.resources ?? []) as StateResource[]) {
    if (r.name !== `${ensemble}_rollout` || !['terraform_data', 'null_resource'].includes(r.type)) continue;
    const instance = r.instances?.[0];
    const attrs = instance?.attributes;
    if (!attrs) continue;
    // terraform_data keeps `input` as {value, type}; null_resource keeps the spec's fields as JSON strings.
    const data = r.type === 'terraform_data'
      ? (attrs.input as { value?: unknown } | undefined)?.value
      : Object.fromEntries(Object.entries((attrs.triggers ?? {}) as Record<string, string>).filter(([k]) => k !== 'replace_on').map(([k, v]) => {
        try { return [k, JSON.parse(v)]; } catch { return [k, v]; }
      }));
    return { spec: asSpec(data, `Terraform state: ${r.type}.${r.name}`), tainted: instance?.status === 'tainted' };
  }
  return null;
}
