/** The rollout resource records its servers keyed by id, so that Terraform diffs them by id, not by position; states read back in either shape. */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Testing, TerraformStack } from 'cdktf';
import { ZooKeeperEnsemble, ZooKeeperEnsembleProps } from '../../lib/constructs';
import { keyServersById, serverKey, unkeyServers } from '../../lib/constructs/keyed-servers';
import { previousSpecInState, StoredSpecError } from '../../lib/constructs/terraform-json';
import { Ensemble } from '../../lib/model/types';

type Json = Record<string, unknown>;
interface Rollout { input?: Json; triggers?: Record<string, string>; provisioner?: { 'local-exec': { environment?: Record<string, string> } }[] }

const hosts = (ids: number[]) => ids.map((id) => ({ id, host: `127.0.40.${id}` }));
const run = (id: number) => ({ zooCfg: `/srv/zk${id}/zoo.cfg`, dataDir: `/srv/zk${id}/data`, service: 'zookeeper.service' });
// Declared out of order, so that the keys' order is the construct's doing.
const base: ZooKeeperEnsembleProps = { name: 'orders', servers: hosts([3, 1, 2]) };
const adopting: ZooKeeperEnsembleProps = { ...base, existing: { servers: hosts([2, 3, 1]).map((s) => ({ ...s, run: run(s.id) })) } };

/** The rollout resource of a synthesized stack, and the ensemble the construct validated. */
function synthRollout(props: ZooKeeperEnsembleProps): { rollout: Rollout; ensemble: Ensemble } {
  const stack = new TerraformStack(Testing.app({ outdir: join(process.cwd(), 'cdktf.out') }), 'test');
  const { ensemble } = new ZooKeeperEnsemble(stack, 'zk', props);
  const synth = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Rollout>> };
  const kind = props.resourceKind ?? 'terraform_data';
  return { rollout: synth.resource[kind][`${props.name}_rollout`], ensemble };
}

/** The spec as the handler gets it: from the environment, with servers as lists. */
const handlerSpec = (rollout: Rollout): Json => JSON.parse(rollout.provisioner![0]['local-exec'].environment!.ZK_ROLLOUT_DESIRED) as Json;

/** A Terraform state holding one rollout resource, shaped as Terraform stores each kind. */
function stateWith(kind: 'terraform_data' | 'null_resource', attributes: Json): Json {
  return { version: 4, resources: [{ type: kind, name: 'orders_rollout', instances: [{ status: 'ready', attributes }] }] };
}

/** What Terraform's plan shows for an object attribute: keys added, removed, changed and unchanged. */
function keyDiff(before: Json, after: Json): { added: string[]; removed: string[]; changed: string[]; unchanged: string[] } {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return {
    added: keys.filter((k) => !(k in before)),
    removed: keys.filter((k) => !(k in after)),
    changed: keys.filter((k) => k in before && k in after && !isDeepStrictEqual(before[k], after[k])),
    unchanged: keys.filter((k) => k in before && k in after && isDeepStrictEqual(before[k], after[k])),
  };
}

describe('GIVEN the rollout resource of a terraform_data ensemble', () => {
  const { rollout, ensemble } = synthRollout(adopting);

  test('THEN its input holds the servers keyed server-<id>, ids ascending, each the server the handler gets', () => {
    const servers = rollout.input!.servers as Json;
    expect(Object.keys(servers)).toEqual(ensemble.servers.map((s) => serverKey(s.id)));
    expect(Object.keys(servers)).toEqual(['server-1', 'server-2', 'server-3']);
    expect(Object.values(servers)).toEqual(handlerSpec(rollout).servers);
  });

  test('THEN the adopted servers are keyed the same way, run included', () => {
    const existing = (rollout.input!.existing as { servers: Json }).servers;
    expect(Object.keys(existing)).toEqual(['server-1', 'server-2', 'server-3']);
    expect(existing['server-2']).toMatchObject({ id: 2, run: run(2) });
  });

  test('THEN the handler still gets lists: the input is its spec keyed, nothing more', () => {
    expect(Array.isArray(handlerSpec(rollout).servers)).toBe(true);
    expect(rollout.input).toEqual(keyServersById(handlerSpec(rollout)));
  });
});

describe('GIVEN a Terraform state from the last deploy', () => {
  const { rollout, ensemble } = synthRollout(adopting);
  // Terraform keeps terraform_data's input as {value, type}.
  const keyedState = stateWith('terraform_data', { input: { value: rollout.input, type: ['object', {}] } });
  // A state written before servers were keyed: the input was the handler's spec itself.
  const listState = stateWith('terraform_data', { input: { value: handlerSpec(rollout), type: ['object', {}] } });

  test('WHEN it holds the keyed shape THEN it reads back to the deployed ensemble', () => {
    expect(previousSpecInState(keyedState, 'orders')).toEqual({ spec: ensemble, tainted: false });
  });

  test('WHEN it holds the old list shape THEN it reads back to the same ensemble', () => {
    expect(previousSpecInState(listState, 'orders')).toEqual(previousSpecInState(keyedState, 'orders'));
  });

  test('WHEN the ensemble has TLS (each server\'s keystore travels in its server entry) THEN the keyed state reads back to it too', () => {
    const tls = { quorum: true, client: true, trustStore: '/etc/zk/trust.p12', trustStorePasswordFile: '/etc/zk/trust.pass', keyStorePasswordFile: '/etc/zk/keys.pass' };
    const withTls = synthRollout({ ...base, servers: base.servers.map((s) => ({ ...s, keyStore: `/etc/zk/zk${s.id}.p12`, secureClientPort: 2281 })), tls });
    expect(withTls.ensemble.settings.tls).toBeDefined();
    expect(previousSpecInState(stateWith('terraform_data', { input: { value: withTls.rollout.input } }), 'orders')?.spec).toEqual(withTls.ensemble);
  });

  test('WHEN a key does not name its server THEN the state is refused, naming where it was read', () => {
    const servers = rollout.input!.servers as Json;
    const { 'server-1': one, ...rest } = servers;
    const wrong = stateWith('terraform_data', { input: { value: { ...rollout.input, servers: { ...rest, 'server-9': one } } } });
    expect(() => previousSpecInState(wrong, 'orders')).toThrow(StoredSpecError);
    expect(() => previousSpecInState(wrong, 'orders')).toThrow(/terraform_data\.orders_rollout: invalid ensemble spec[\s\S]*servers: must be a list/);
  });
});

describe('GIVEN a migration from servers {1,2,3} to {3,4,5}', () => {
  const before = synthRollout({ ...base, servers: hosts([1, 2, 3]) }).rollout.input!.servers as Json;
  const after = synthRollout({ ...base, servers: hosts([3, 4, 5]) }).rollout.input!.servers as Json;

  test('THEN the rollout input diffs by id: servers 1 and 2 removed, 4 and 5 added, 3 unchanged', () => {
    expect(keyDiff(before, after)).toEqual({ added: ['server-4', 'server-5'], removed: ['server-1', 'server-2'], changed: [], unchanged: ['server-3'] });
  });

  test('THEN by position (the old list shape) every server would have read as changed', () => {
    const byPosition = (servers: Json): Json => Object.fromEntries(Object.values(servers).map((s, i) => [String(i), s]));
    expect(keyDiff(byPosition(before), byPosition(after))).toEqual({ added: [], removed: [], changed: ['0', '1', '2'], unchanged: [] });
  });
});

describe('GIVEN resourceKind null_resource', () => {
  const { rollout, ensemble } = synthRollout({ ...adopting, resourceKind: 'null_resource' });

  test('THEN the servers trigger is the keyed servers as JSON', () => {
    expect(Object.keys(JSON.parse(rollout.triggers!.servers) as Json)).toEqual(['server-1', 'server-2', 'server-3']);
    expect(Object.keys((JSON.parse(rollout.triggers!.existing) as { servers: Json }).servers)).toEqual(['server-1', 'server-2', 'server-3']);
  });

  test('WHEN the state holds those triggers, or the old list-shaped ones THEN both read back to the deployed ensemble', () => {
    const oldTriggers = { ...Object.fromEntries(Object.entries(handlerSpec(rollout)).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])), replace_on: rollout.triggers!.replace_on };
    expect(previousSpecInState(stateWith('null_resource', { triggers: rollout.triggers }), 'orders')).toEqual({ spec: ensemble, tainted: false });
    expect(previousSpecInState(stateWith('null_resource', { triggers: oldTriggers }), 'orders')).toEqual({ spec: ensemble, tainted: false });
  });
});

describe('GIVEN keyServersById and unkeyServers on their own', () => {
  const spec = { name: 'x', servers: [{ id: 10, host: 'a' }, { id: 2, host: 'b' }], existing: { servers: [{ id: 2, host: 'b', run: {} }] } };

  test('THEN unkeying the keyed spec gives the servers back as lists, ids ascending, and a list passes through', () => {
    const keyed = keyServersById(spec);
    expect(Object.keys(keyed.servers as Json)).toEqual(['server-2', 'server-10']);
    expect(unkeyServers(keyed)).toEqual({ ...spec, servers: [...spec.servers].sort((a, b) => a.id - b.id) });
    expect(unkeyServers(spec)).toEqual(spec);
  });

  test('WHEN a list cannot be keyed without loss (a duplicate id, an entry without one) THEN it is left for validation to name', () => {
    const duplicate = { servers: [{ id: 1 }, { id: 1 }] };
    const noId = { servers: [{ host: 'a' }] };
    expect(keyServersById(duplicate)).toEqual(duplicate);
    expect(keyServersById(noId)).toEqual(noId);
    expect(unkeyServers('not a spec')).toBe('not a spec');
  });
});
