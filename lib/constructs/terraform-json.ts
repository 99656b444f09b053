/**
 * Reading what the construct wrote (pure): the desired specs in a synthesized stack, and the spec the
 * last deploy recorded in a Terraform state. Shared by `zk-rollout plan --stack` and the construct
 * itself (for the transitional connect string).
 */
import { Ensemble } from '../model/types';
import { parseEnsembleSpec, SpecError } from '../model/validate';
import { DESIRED_ENV, shellWords } from './handler-command';
import { unkeyServers } from './keyed-servers';

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

/** The text Terraform sees: the construct escapes `${` and `%{` as `$${` and `%%{`; this undoes that. */
const unliteral = (text: string) => text.replace(/([$%])\1\{/g, '$1{');

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
        out.push(asSpec(JSON.parse(unliteral(text)), `${source}: ${kind}.${name}`));
      }
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** How deploy runs an ensemble's rollout: the apply command's arguments, its directory and environment. */
export interface DeploySettings {
  readonly ensemble: string;
  /** The words after `apply`. */
  readonly applyArgv: readonly string[];
  /** Terraform's working_dir for it, relative to the stack's directory (the app's directory). */
  readonly workingDir: string;
  readonly environment: Readonly<Record<string, string>>;
}

/** The apply provisioner of each ensemble's rollout resource in a synthesized stack. */
export function deploySettingsInSynth(synth: Json): DeploySettings[] {
  const out: DeploySettings[] = [];
  const resources = (synth.resource ?? {}) as Record<string, Record<string, { provisioner?: { 'local-exec'?: { command?: string; working_dir?: string; environment?: Record<string, string> } }[] }>>;
  for (const kind of ['terraform_data', 'null_resource']) {
    for (const r of Object.values(resources[kind] ?? {})) {
      for (const p of r.provisioner ?? []) {
        const exec = p['local-exec'];
        const desired = exec?.environment?.[DESIRED_ENV];
        if (!exec?.command || desired === undefined) continue;
        const words = shellWords(unliteral(exec.command));
        const at = words.indexOf('apply');
        if (at < 0) continue;
        const environment = Object.fromEntries(Object.entries(exec.environment ?? {}).map(([k, v]) => [k, unliteral(v)]));
        out.push({ ensemble: (JSON.parse(unliteral(desired)) as { name: string }).name, applyArgv: words.slice(at + 1), workingDir: unliteral(exec.working_dir ?? '.'), environment });
      }
    }
  }
  return out;
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
    // Servers are recorded keyed by id; states written before that hold them as lists, which unkeyServers passes through.
    return { spec: asSpec(unkeyServers(data), `Terraform state: ${r.type}.${r.name}`), tainted: instance?.status === 'tainted' };
  }
  return null;
}
