/** Synth tests of ZooKeeperEnsemble with cdktf's Testing helpers: resources, triggers, provisioners, dependencies, outputs. */
import { join } from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { App, DataResource, LocalBackend, Testing, TerraformStack } from 'cdktf';
import 'cdktf/lib/testing/adapters/jest';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { ZooKeeperEnsemble, ZooKeeperEnsembleProps } from '../../lib/constructs';
import { unkeyServers } from '../../lib/constructs/keyed-servers';
import { parseEnsembleSpec } from '../../lib/model/validate';
import { ENVIRONMENTS } from '../../stacks/environments';
import { ZooKeeperStack } from '../../stacks/zookeeper-stack';

Testing.setupJest();

const servers = [1, 2, 3].map((id) => ({ id, host: `127.0.30.${id}` }));
const base: ZooKeeperEnsembleProps = { name: 'orders', servers, settings: { tickTime: 500 } };

interface Synth {
  resource: Record<string, Record<string, { input?: Record<string, unknown>; triggers?: Record<string, string>; triggers_replace?: { key: string }; depends_on?: string[]; provisioner?: { 'local-exec': { command: string; when?: string; working_dir: string; environment?: Record<string, string> } }[] }>>;
  output: Record<string, { value: unknown }>;
}

/** An app whose outdir sits in the working directory, as with `cdktf synth`, so paths in commands are the real ones. */
function synth(props: ZooKeeperEnsembleProps = base): { json: string; parsed: Synth } {
  const app = Testing.app({ outdir: join(process.cwd(), 'cdktf.out') });
  const stack = new TerraformStack(app, 'test');
  new ZooKeeperEnsemble(stack, 'zk', props);
  const json = Testing.synth(stack);
  return { json, parsed: JSON.parse(json) as Synth };
}

describe('GIVEN an ensemble of three voters', () => {
  const { json, parsed } = synth();
  const data = parsed.resource.terraform_data;

  test('THEN one record per server holds its spec, so cdktf diff lists servers added, removed and changed', () => {
    expect(Object.keys(data).filter((k) => k.startsWith('orders_server_')).sort()).toEqual(['orders_server_1', 'orders_server_2', 'orders_server_3']);
    expect(json).toHaveResourceWithProperties(DataResource, {
      input: { id: 2, host: '127.0.30.2', clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant', settingsHash: expect.stringMatching(/^[0-9a-f]{12}$/) },
    });
  });

  test('THEN the rollout resource carries the desired spec, replaces on its hash and runs zk-rollout apply from the app directory', () => {
    const rollout = data.orders_rollout;
    expect(rollout.input).toMatchObject({ name: 'orders', strategy: 'dynamic', servers: { 'server-3': expect.objectContaining({ id: 3, host: '127.0.30.3' }) } });
    expect(rollout.triggers_replace?.key).toMatch(/^[0-9a-f]{64}$/);
    const exec = rollout.provisioner![0]['local-exec'];
    expect(exec.command).toBe('node dist/lib/cli/main.js apply --desired-env ZK_ROLLOUT_DESIRED --previous-env ZK_ROLLOUT_PREVIOUS --base-dir .zk-local');
    expect(exec.environment!.ZK_ROLLOUT_PREVIOUS).toBe('[]');
    expect(exec.when).toBeUndefined();
    // Terraform runs in cdktf.out/stacks/<stack>: three levels below the app directory.
    expect(exec.working_dir).toBe('../../..');
    expect(JSON.parse(exec.environment!.ZK_ROLLOUT_DESIRED)).toEqual(unkeyServers(rollout.input));
  });

  test('THEN the rollout runs after every record and the lifecycle resource (so destroy tears down last)', () => {
    expect(data.orders_rollout.depends_on!.sort()).toEqual(['terraform_data.orders_lifecycle', 'terraform_data.orders_server_1', 'terraform_data.orders_server_2', 'terraform_data.orders_server_3']);
    const teardown = data.orders_lifecycle.provisioner![0]['local-exec'];
    expect(teardown).toMatchObject({ when: 'destroy', command: 'node dist/lib/cli/main.js teardown --ensemble orders --base-dir .zk-local' });
    expect(data.orders_lifecycle.input).toEqual({ ensemble: 'orders' });
  });

  test('THEN the connect string and the members are outputs', () => {
    expect(parsed.output.orders_connect_string.value).toBe('127.0.30.1:2181,127.0.30.2:2181,127.0.30.3:2181');
    expect(parsed.output.orders_members.value).toEqual(servers.map((s) => ({ id: s.id, address: `${s.host}:2181`, role: 'participant' })));
  });

  test('THEN Terraform itself accepts the configuration', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'valid');
    new ZooKeeperEnsemble(stack, 'zk', base);
    expect(Testing.fullSynth(stack)).toBeValidTerraform();
  });
});

describe('GIVEN TLS', () => {
  const tls = { quorum: true, client: true, trustStore: '/etc/zk/trust.p12', trustStorePasswordFile: '/etc/zk/trust.pass', keyStorePasswordFile: '/etc/zk/keys.pass' };
  const props: ZooKeeperEnsembleProps = { ...base, servers: servers.map((s) => ({ ...s, keyStore: `/etc/zk/zk${s.id}.p12`, secureClientPort: 2281 })), tls };

  test('THEN the handler gets a spec it reads back to the same ensemble, TLS and each server\'s keystore and secure port included, and no password', () => {
    const { parsed } = synth(props);
    const desired = parsed.resource.terraform_data.orders_rollout.provisioner![0]['local-exec'].environment!.ZK_ROLLOUT_DESIRED;
    const ensemble = new ZooKeeperEnsemble(new TerraformStack(Testing.app(), 'x'), 'zk', props).ensemble;
    expect(parseEnsembleSpec(JSON.parse(desired))).toEqual(ensemble);
    expect(ensemble.settings.tls?.servers['2']).toEqual({ keyStore: '/etc/zk/zk2.p12', secureClientPort: 2281 });
    expect(desired).not.toMatch(/password"\s*:/i);
  });

  test('THEN each server record fingerprints only its own keystore', () => {
    const { parsed } = synth(props);
    const hash = (id: number) => (parsed.resource.terraform_data[`orders_server_${id}`].input as { settingsHash: string }).settingsHash;
    expect(new Set([1, 2, 3].map(hash)).size).toBe(3);
  });
});

describe('GIVEN changes between versions of the app', () => {
  test('WHEN a server is added THEN only a record is added and the rollout trigger changes', () => {
    const v1 = synth().parsed.resource.terraform_data;
    const v2 = synth({ ...base, servers: [...servers, { id: 4, host: '127.0.30.4' }] }).parsed.resource.terraform_data;
    expect(Object.keys(v2).filter((k) => !(k in v1))).toEqual(['orders_server_4']);
    expect(v2.orders_server_1).toEqual(v1.orders_server_1);
    expect(v2.orders_rollout.triggers_replace!.key).not.toBe(v1.orders_rollout.triggers_replace!.key);
  });

  test('WHEN only a setting changes THEN every record changes (its settings hash) and so does the trigger', () => {
    const v1 = synth().parsed.resource.terraform_data;
    const v2 = synth({ ...base, settings: { tickTime: 500, extra: { maxClientCnxns: 100 } } }).parsed.resource.terraform_data;
    expect(v2.orders_server_2.input!.settingsHash).not.toBe(v1.orders_server_2.input!.settingsHash);
    expect(v2.orders_rollout.triggers_replace!.key).not.toBe(v1.orders_rollout.triggers_replace!.key);
  });
});

describe('GIVEN credentials', () => {
  test('WHEN the password is in the environment at synth THEN it appears nowhere in the synthesized JSON', () => {
    const before = process.env.ZK_ROLLOUT_SUPER_PASSWORD;
    process.env.ZK_ROLLOUT_SUPER_PASSWORD = 'synth-time-secret-4f2a';
    try {
      const { json } = synth({ ...base, superuser: { passwordFile: 'secrets/zk.password' } });
      expect(json).not.toContain('synth-time-secret-4f2a');
      expect(json).toContain('--password-file secrets/zk.password');
    } finally {
      if (before === undefined) delete process.env.ZK_ROLLOUT_SUPER_PASSWORD; else process.env.ZK_ROLLOUT_SUPER_PASSWORD = before;
    }
  });

  test('WHEN skipAcl is chosen THEN the command opts into it explicitly', () => {
    const { parsed } = synth({ ...base, superuser: { skipAcl: true } });
    expect(parsed.resource.terraform_data.orders_rollout.provisioner![0]['local-exec'].command).toContain('--skip-acl');
  });
});

describe('GIVEN backupBeforeRollout', () => {
  const command = (props: object) => synth({ ...base, ...props }).parsed.resource.terraform_data.orders_rollout.provisioner![0]['local-exec'].command;

  test('WHEN it is not set THEN the handler backs up with the CLI\'s defaults (no flag written)', () => {
    expect(command({})).not.toMatch(/--backup|--skip-backup/);
  });

  test('WHEN it is false THEN the handler is told to skip it; WHEN it names a place THEN the handler gets it', () => {
    expect(command({ backupBeforeRollout: false })).toContain(' --skip-backup');
    expect(command({ backupBeforeRollout: { dir: 'backups/zk', keep: 2 } })).toContain(' --backup-dir backups/zk --backup-keep 2');
  });
});

describe('GIVEN other props', () => {
  test('WHEN resourceKind is null_resource THEN the same records and rollout are null_resources with the null provider', () => {
    const { json, parsed } = synth({ ...base, resourceKind: 'null_resource' });
    expect(parsed.resource.terraform_data).toBeUndefined();
    const nulls = parsed.resource.null_resource;
    expect(Object.keys(nulls).sort()).toEqual(['orders_lifecycle', 'orders_rollout', 'orders_server_1', 'orders_server_2', 'orders_server_3']);
    expect(nulls.orders_server_1.triggers).toMatchObject({ id: '1', host: '127.0.30.1', clientPort: '2181', role: 'participant' });
    expect(nulls.orders_rollout.triggers!.name).toBe('orders');
    expect(Object.keys(JSON.parse(nulls.orders_rollout.triggers!.servers))).toEqual(['server-1', 'server-2', 'server-3']);
    expect(nulls.orders_rollout.triggers!.replace_on).toMatch(/^[0-9a-f]{64}$/);
    expect(nulls.orders_rollout.provisioner![0]['local-exec'].command).toContain(' apply --desired-env ZK_ROLLOUT_DESIRED');
    expect(nulls.orders_lifecycle.provisioner![0]['local-exec'].when).toBe('destroy');
    expect(json).toHaveProvider(NullProvider);
  });

  test('WHEN timeouts, a base dir and data deletion are set THEN the commands carry them', () => {
    const { parsed } = synth({ ...base, hosts: { driver: 'local', baseDir: 'state/zk dirs' }, timeouts: { syncSeconds: 30, drainSeconds: 2, quorumSeconds: 20 }, deleteDataOnDestroy: true });
    const data = parsed.resource.terraform_data;
    expect(data.orders_rollout.provisioner![0]['local-exec'].command).toBe("node dist/lib/cli/main.js apply --desired-env ZK_ROLLOUT_DESIRED --previous-env ZK_ROLLOUT_PREVIOUS --base-dir 'state/zk dirs' --sync-timeout 30 --drain-timeout 2 --quorum-timeout 20");
    expect(data.orders_lifecycle.provisioner![0]['local-exec'].command).toBe("node dist/lib/cli/main.js teardown --ensemble orders --base-dir 'state/zk dirs' --delete-data");
  });

  test('WHEN a path holds ${ THEN Terraform sees it literally', () => {
    const { parsed } = synth({ ...base, hosts: { driver: 'local', baseDir: 'a${b}' } });
    expect(parsed.resource.terraform_data.orders_rollout.provisioner![0]['local-exec'].command).toContain("'a$${b}'");
  });
});

describe('GIVEN an invalid spec', () => {
  test('THEN synth fails naming every server and field, before any resource exists', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    const attempt = () => new ZooKeeperEnsemble(new TerraformStack(Testing.app(), 'bad'), 'zk', { name: 'orders', servers: [{ id: 1, host: '127.0.0.1' }, { id: 1, host: '127.0.0.2', clientPort: 70000 }] });
    expect(attempt).toThrow(/^invalid ZooKeeperEnsemble zk \(orders\) \(2 problems\)/);
    expect(attempt).toThrow(/server 1: id: duplicate id \(servers\[0\] and servers\[1\]\)/);
    expect(attempt).toThrow(/server 1: clientPort: must be in 1\.\.65535/);
    expect(() => new ZooKeeperEnsemble(stack, 'zk', { name: 'orders', servers: [] })).toThrow(/servers/);
    expect(stack.node.findAll().filter((c) => c.node.id === 'rollout')).toEqual([]);
  });

  test('THEN an unknown resource kind is named', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new ZooKeeperEnsemble(stack, 'zk', { ...base, resourceKind: 'aws_instance' as never })).toThrow(/resourceKind: must be terraform_data or null_resource, not aws_instance/);
  });
});

describe('GIVEN the example app', () => {
  test('THEN dev, staging and prod run the same members on their own addresses (a reference snapshot)', () => {
    const app = new App({ outdir: join(process.cwd(), 'cdktf.out'), skipValidation: true });
    // A state path of its own, so that a developer's deployed stacks do not reach the snapshot.
    const noState = 'cdktf.out/no-such-state-for-the-snapshot.tfstate';
    const stacks = ENVIRONMENTS.map((env) => {
      const stack = new ZooKeeperStack(app, env);
      new LocalBackend(stack, { path: noState });
      return stack;
    });
    const synths = stacks.map((s) => JSON.parse(Testing.synth(s)) as Synth);
    const hosts = synths.map((s) => Object.values(s.resource.terraform_data).filter((r) => r.input?.host).map((r) => r.input!.host));
    expect(hosts).toEqual([['127.0.10.1', '127.0.10.2', '127.0.10.3'], ['127.0.11.1', '127.0.11.2', '127.0.11.3'], ['127.0.12.1', '127.0.12.2', '127.0.12.3']]);
    expect(Testing.synth(stacks[0])).toMatchSnapshot();
  });
});

describe('GIVEN servers on remote machines (the ssh driver)', () => {
  const ssh = { driver: 'ssh' as const, user: 'zk', identityFile: 'keys/deploy', knownHostsFile: 'keys/known_hosts', machines: { '10.0.0.9': { jumpHost: 'bastion.example.com' } } };

  test('THEN both commands read the host settings from the environment, and the inventory holds every server host and the listed machines', () => {
    const { parsed } = synth({ ...base, hosts: ssh });
    const data = parsed.resource.terraform_data;
    const apply = data.orders_rollout.provisioner![0]['local-exec'];
    const teardown = data.orders_lifecycle.provisioner![0]['local-exec'];
    expect(apply.command).toBe('node dist/lib/cli/main.js apply --desired-env ZK_ROLLOUT_DESIRED --previous-env ZK_ROLLOUT_PREVIOUS --hosts-env ZK_ROLLOUT_HOSTS');
    expect(teardown.command).toBe('node dist/lib/cli/main.js teardown --ensemble orders --hosts-env ZK_ROLLOUT_HOSTS');
    const hosts = JSON.parse(apply.environment!.ZK_ROLLOUT_HOSTS);
    expect(hosts).toMatchObject({ driver: 'ssh', user: 'zk', identityFile: 'keys/deploy' });
    expect(Object.keys(hosts.machines).sort()).toEqual(['10.0.0.9', '127.0.30.1', '127.0.30.2', '127.0.30.3']);
    expect(JSON.parse(teardown.environment!.ZK_ROLLOUT_HOSTS)).toEqual(hosts);
  });

  test('WHEN an ssh setting is malformed THEN synth fails naming it', () => {
    expect(() => synth({ ...base, hosts: { ...ssh, port: 0, machines: { x: { jumpHost: 'not a host' } } } }))
      .toThrow(/^invalid ZooKeeperEnsemble zk \(orders\) \(2 problems\):\n {2}- hosts: port: must be in 1\.\.65535\n {2}- hosts: machines\.x\.jumpHost: must be \[user@\]host\[:port\]/);
  });
});

describe('GIVEN voter counts that buy no fault tolerance', () => {
  const warnings = (props: ZooKeeperEnsembleProps) => {
    const stack = new TerraformStack(Testing.app(), 'sizing');
    const zk = new ZooKeeperEnsemble(stack, 'zk', props);
    return zk.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
  };
  const voters = (n: number, observers = 0) => [
    ...Array.from({ length: n }, (_, i) => ({ id: i + 1, host: `127.0.31.${i + 1}` })),
    ...Array.from({ length: observers }, (_, i) => ({ id: 100 + i, host: `127.0.31.${100 + i}`, role: 'observer' as const })),
  ];

  test('WHEN the voters are even THEN synth warns why, what to do, and how to silence it', () => {
    const [w, ...rest] = warnings({ name: 'four', servers: voters(4, 1) });
    expect(rest).toEqual([]);
    expect(w).toMatch(/4 voters tolerate 1 failure, the same as 3: the even voter adds write latency but no fault tolerance/);
    expect(w).toMatch(/add observers \(role: 'observer'\) instead of voters/);
    expect(w).toMatch(/Silence with sizingWarnings: false.*the 1 observer do not count/);
  });

  test('WHEN there are fewer than three voters THEN synth warns; a single standalone voter too', () => {
    expect(warnings({ name: 'two', servers: voters(2) })[0]).toMatch(/2 voters tolerate no failure/);
    expect(warnings({ name: 'one', servers: voters(1), standalone: true })[0]).toMatch(/1 voter tolerates no failure/);
  });

  test('WHEN the voters are 3 or 5, or the warning is silenced THEN nothing is said', () => {
    expect(warnings({ name: 'three', servers: voters(3, 2) })).toEqual([]);
    expect(warnings({ name: 'five', servers: voters(5) })).toEqual([]);
    expect(warnings({ name: 'four', servers: voters(4), sizingWarnings: false })).toEqual([]);
  });
});

describe('GIVEN an even number of servers', () => {
  test('THEN the connect string output lists one more entry, the first server twice (the C client walks an even list by halves, ZOOKEEPER-2466)', () => {
    const { parsed } = synth({ ...base, servers: [1, 2, 3, 4].map((id) => ({ id, host: `127.0.30.${id}` })), sizingWarnings: false });
    expect(parsed.output.orders_connect_string.value).toBe('127.0.30.1:2181,127.0.30.2:2181,127.0.30.3:2181,127.0.30.4:2181,127.0.30.1:2181');
  });
});

describe('GIVEN a previous deploy in the stack\'s local state', () => {
  test('THEN the transitional connect string lists the previous servers and the new ones; without state it is the final one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zk-state-'));
    const statePath = join(dir, 'terraform.test.tfstate');
    const previous = { name: 'orders', servers: [7, 8, 1].map((id) => ({ id, host: `127.0.30.${id}` })) };
    writeFileSync(statePath, JSON.stringify({ version: 4, resources: [{ type: 'terraform_data', name: 'orders_rollout', instances: [{ attributes: { input: { value: previous } } }] }] }));
    const withState = (path: string) => {
      const app = Testing.app();
      const stack = new TerraformStack(app, 'test');
      new LocalBackend(stack, { path });
      new ZooKeeperEnsemble(stack, 'zk', base);
      return (JSON.parse(Testing.synth(stack)) as Synth).output.orders_transitional_connect_string.value;
    };
    expect(withState(statePath)).toBe('127.0.30.1:2181,127.0.30.7:2181,127.0.30.8:2181,127.0.30.2:2181,127.0.30.3:2181');
    expect(withState(join(dir, 'none.tfstate'))).toBe('127.0.30.1:2181,127.0.30.2:2181,127.0.30.3:2181');
    // Six servers: the C client would retry only half of an even list (ZOOKEEPER-2466), so a new server is listed twice.
    const migrated = { name: 'orders', servers: [7, 8, 9].map((id) => ({ id, host: `127.0.30.${id}` })) };
    writeFileSync(statePath, JSON.stringify({ version: 4, resources: [{ type: 'terraform_data', name: 'orders_rollout', instances: [{ attributes: { input: { value: migrated } } }] }] }));
    expect(withState(statePath)).toBe('127.0.30.7:2181,127.0.30.8:2181,127.0.30.9:2181,127.0.30.1:2181,127.0.30.2:2181,127.0.30.3:2181,127.0.30.1:2181');
  });

  test('THEN the handler gets the previous servers, to look for the running ensemble there too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zk-state-'));
    const statePath = join(dir, 'terraform.test.tfstate');
    writeFileSync(statePath, JSON.stringify({ version: 4, resources: [{ type: 'terraform_data', name: 'orders_rollout', instances: [{ attributes: { input: { value: { name: 'orders', servers: [7, 8, 9].map((id) => ({ id, host: `127.0.30.${id}` })) } } } }] }] }));
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new LocalBackend(stack, { path: statePath });
    new ZooKeeperEnsemble(stack, 'zk', base);
    const exec = (JSON.parse(Testing.synth(stack)) as Synth).resource.terraform_data.orders_rollout.provisioner![0]['local-exec'];
    expect(JSON.parse(exec.environment!.ZK_ROLLOUT_PREVIOUS)).toEqual([7, 8, 9].map((id) => ({ id, host: `127.0.30.${id}`, clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant' })));
  });
});

describe('GIVEN an existing ensemble to adopt', () => {
  const run = (id: number) => ({ zooCfg: `/srv/zk${id}/zoo.cfg`, dataDir: `/srv/zk${id}/data`, service: 'zookeeper.service' });
  const existing = { servers: servers.map((s) => ({ ...s, run: run(s.id) })) };

  test('THEN the rollout input carries the declaration and destroy stops its servers too', () => {
    const { parsed } = synth({ ...base, existing });
    const data = parsed.resource.terraform_data;
    expect(data.orders_rollout.input).toMatchObject({ existing: { servers: { 'server-1': expect.objectContaining({ id: 1, run: run(1) }) } } });
    const teardown = data.orders_lifecycle.provisioner![0]['local-exec'];
    expect(teardown.command).toBe('node dist/lib/cli/main.js teardown --ensemble orders --base-dir .zk-local --desired-env ZK_ROLLOUT_DESIRED');
    expect(JSON.parse(teardown.environment!.ZK_ROLLOUT_DESIRED).existing.servers).toHaveLength(3);
  });

  test('WHEN a declared server is malformed THEN synth fails naming it', () => {
    expect(() => synth({ ...base, existing: { servers: [{ ...servers[0], run: { zooCfg: 'zoo.cfg', dataDir: '/d' } }] } }))
      .toThrow(/existing server 1: run\.zooCfg: must be an absolute path[\s\S]*existing server 1: run\.service: give either service, or pidFile and start/);
  });
});
