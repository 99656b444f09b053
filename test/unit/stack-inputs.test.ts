/** Reading a stack's ensembles from synthesized JSON and the last deployed spec from Terraform state (pure parsing). */
import { statSync, mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensemblesInSynth, previousSpecInState } from '../../lib/constructs/terraform-json';
import { createPasswordFileIfMissing } from '../../lib/runtime/credentials';
import { parseEnsembleSpec } from '../../lib/model/validate';

const spec = parseEnsembleSpec({ name: 'orders', servers: [1, 2, 3].map((id) => ({ id, host: `10.0.0.${id}` })), settings: { extra: { 'autopurge.purgeInterval': 1 } } });
const exec = (env: Record<string, string>) => ({ provisioner: [{ 'local-exec': { command: 'node x apply', environment: env } }] });

describe('GIVEN a synthesized stack', () => {
  test('THEN every rollout resource yields its desired spec, of either resource kind, and other resources are ignored', () => {
    const other = { ...spec, name: 'billing' };
    const synth = { resource: {
      terraform_data: { orders_rollout: exec({ ZK_ROLLOUT_DESIRED: JSON.stringify(spec) }), orders_server_1: { input: { id: 1 } } },
      null_resource: { billing_rollout: exec({ ZK_ROLLOUT_DESIRED: JSON.stringify(other) }), unrelated: exec({ FOO: 'bar' }) },
    } };
    expect(ensemblesInSynth(synth)).toEqual([other, spec]);
  });

  test('THEN Terraform escapes in the spec are undone', () => {
    const tricky = { ...spec, existing: { servers: [{ ...spec.servers[0], run: { zooCfg: '/etc/zk/zoo.cfg', dataDir: '/data/$${x}', service: 'zk.service' } }] } };
    const [parsed] = ensemblesInSynth({ resource: { terraform_data: { r: exec({ ZK_ROLLOUT_DESIRED: JSON.stringify(tricky) }) } } });
    expect(parsed.existing?.servers[0].run.dataDir).toBe('/data/${x}');
  });

  test('THEN a hand-edited invalid spec is rejected naming the resource and the field', () => {
    const bad = { ...spec, servers: [{ id: 1, host: '10.0.0.1' }, { id: 1, host: '10.0.0.2' }] };
    expect(() => ensemblesInSynth({ resource: { terraform_data: { orders_rollout: exec({ ZK_ROLLOUT_DESIRED: JSON.stringify(bad) }) } } }, 'cdk.tf.json'))
      .toThrow(/cdk\.tf\.json: terraform_data\.orders_rollout: invalid ensemble spec[\s\S]*server 1: id: duplicate id/);
  });
});

describe('GIVEN a Terraform state', () => {
  test('WHEN the rollout is a terraform_data THEN its input is the previous spec', () => {
    const state = { resources: [
      { type: 'terraform_data', name: 'orders_server_1', instances: [{ attributes: { input: { value: { id: 1 } } } }] },
      { type: 'terraform_data', name: 'orders_rollout', instances: [{ attributes: { input: { value: JSON.parse(JSON.stringify(spec)), type: ['object', {}] } } }] },
    ] };
    expect(previousSpecInState(state, 'orders')).toEqual({ spec, tainted: false });
    expect(previousSpecInState(state, 'billing')).toBeNull();
  });

  test('WHEN the rollout is a tainted null_resource THEN its triggers give the spec and the failure is reported', () => {
    const triggers = Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]));
    const state = { resources: [{ type: 'null_resource', name: 'orders_rollout', instances: [{ status: 'tainted', attributes: { triggers: { ...triggers, replace_on: 'abc' } } }] }] };
    expect(previousSpecInState(state, 'orders')).toEqual({ spec, tainted: true });
  });
});

describe('GIVEN a password file to create', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zk-pw-'));

  test('WHEN it is missing and the ensemble never ran THEN a random password is written, readable only by its owner', () => {
    const path = join(dir, 'sub', 'zk.password');
    expect(createPasswordFileIfMissing(path, false)).toBe(true);
    expect(readFileSync(path, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(createPasswordFileIfMissing(path, true)).toBe(false);
  });

  test('WHEN it is missing but the ensemble has servers THEN it refuses (a new password would lock the rollout out)', () => {
    const path = join(dir, 'lost.password');
    expect(() => createPasswordFileIfMissing(path, true)).toThrow(/lost\.password: no such file, and the ensemble already has servers/);
    expect(existsSync(path)).toBe(false);
  });

  test('an existing file is left as it is', () => {
    const path = join(dir, 'kept.password');
    writeFileSync(path, 'mine\n');
    expect(createPasswordFileIfMissing(path, false)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('mine\n');
  });
});
