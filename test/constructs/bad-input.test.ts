/**
 * The bad-input corpus: every spec here is invalid, is rejected at synth with a message naming the
 * server (or settings/ensemble) and the field, and leaves no resource behind, so nothing is deployed.
 */
import { Testing, TerraformStack } from 'cdktf';
import { ZooKeeperEnsemble, ZooKeeperEnsembleProps } from '../../lib/constructs';

const s = (id: number, extra: object = {}) => ({ id, host: `127.0.40.${id}`, ...extra });
const three = [s(1), s(2), s(3)];
const base: ZooKeeperEnsembleProps = { name: 'corpus', servers: three };

type Case = [string, Partial<ZooKeeperEnsembleProps> | Record<string, unknown>, RegExp];

const CORPUS: Case[] = [
  ['duplicate ids', { servers: [s(1), s(2), { ...s(3), id: 2 }] }, /server 2: id: duplicate id/],
  ['id 0', { servers: [s(0), s(2), s(3)] }, /servers\[0\]: id: must be in 1\.\.255/],
  ['id 256', { servers: [s(256), s(2), s(3)] }, /servers\[0\]: id: must be in 1\.\.255/],
  ['negative id', { servers: [s(-1), s(2), s(3)] }, /servers\[0\]: id: must be in 1\.\.255/],
  ['fractional id', { servers: [s(1.5), s(2), s(3)] }, /servers\[0\]: id: must be a whole number/],
  ['id as a string', { servers: [{ id: '1', host: '127.0.40.1' }, s(2), s(3)] }, /servers\[0\]: id: must be a number/],
  ['missing id', { servers: [{ host: '127.0.40.1' }, s(2), s(3)] }, /servers\[0\]: id: is required/],
  ['missing host', { servers: [{ id: 1 }, s(2), s(3)] }, /server 1: host: is required/],
  ['empty host', { servers: [s(1, { host: '' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address/],
  ['host with a space', { servers: [s(1, { host: 'zk 1' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address/],
  ['host with a scheme', { servers: [s(1, { host: 'http://zk1' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address/],
  ['host with a port', { servers: [s(1, { host: 'zk1:2181' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address/],
  ['clientPort 0', { servers: [s(1, { clientPort: 0 }), s(2), s(3)] }, /server 1: clientPort: must be in 1\.\.65535/],
  ['clientPort 70000', { servers: [s(1, { clientPort: 70000 }), s(2), s(3)] }, /server 1: clientPort: must be in 1\.\.65535/],
  ['quorumPort negative', { servers: [s(1, { quorumPort: -5 }), s(2), s(3)] }, /server 1: quorumPort: must be in 1\.\.65535/],
  ['electionPort fractional', { servers: [s(1, { electionPort: 3888.5 }), s(2), s(3)] }, /server 1: electionPort: must be a whole number/],
  ['port as a string', { servers: [s(1, { clientPort: '2181' }), s(2), s(3)] }, /server 1: clientPort: must be a number/],
  ['client and quorum port equal', { servers: [s(1, { quorumPort: 2181 }), s(2), s(3)] }, /server 1: quorumPort: port 2181 is also this server's clientPort/],
  ['quorum and election port equal', { servers: [s(1, { electionPort: 2888 }), s(2), s(3)] }, /server 1: electionPort: port 2888 is also this server's quorumPort/],
  ['two servers on one host and port', { servers: [s(1), s(2, { host: '127.0.40.1' }), s(3)] }, /server 2: clientPort: 127\.0\.40\.1:2181 is already used by server 1/],
  ['port collision across fields', { servers: [s(1, { host: 'h', clientPort: 3000 }), s(2, { host: 'h', clientPort: 3001, quorumPort: 3000, electionPort: 3002 }), s(3)] }, /server 2: quorumPort: h:3000 is already used by server 1 \(clientPort\)/],
  ['same host different case', { servers: [s(1, { host: 'ZK.example' }), s(2, { host: 'zk.example' }), s(3)] }, /server 2: clientPort: zk\.example:2181 is already used by server 1/],
  ['unknown role', { servers: [s(1, { role: 'leader' }), s(2), s(3)] }, /server 1: role: must be participant or observer/],
  ['unknown server field', { servers: [s(1, { weight: 2 }), s(2), s(3)] }, /server 1: .*weight/],
  ['no servers', { servers: [] }, /servers/],
  ['only observers', { servers: [s(1, { role: 'observer' }), s(2, { role: 'observer' })] }, /no voters|at least one/i],
  ['a single voter without standalone', { servers: [s(1)] }, /server 1: role: a single voter tolerates no failure; declare standalone: true/],
  ['a single voter and an observer without standalone', { servers: [s(1), s(2, { role: 'observer' })] }, /a single voter tolerates no failure/],
  ['name with capitals', { name: 'Orders' }, /ensemble: name: must start with a lower-case letter/],
  ['name with a space', { name: 'my zk' }, /ensemble: name: must start with a lower-case letter/],
  ['name starting with a digit', { name: '1zk' }, /ensemble: name: must start with a lower-case letter/],
  ['name too long', { name: `z${'k'.repeat(70)}` }, /ensemble: name: .*at most 63/],
  ['unknown strategy', { strategy: 'rolling' }, /ensemble: strategy: must be dynamic or static/],
  ['tickTime 0', { settings: { tickTime: 0 } }, /settings: tickTime: must be in 1\.\.60000/],
  ['tickTime fractional', { settings: { tickTime: 1.5 } }, /settings: tickTime: must be a whole number/],
  ['initLimit negative', { settings: { initLimit: -1 } }, /settings: initLimit: must be in 1\.\.10000/],
  ['syncLimit above initLimit', { settings: { initLimit: 5, syncLimit: 10 } }, /settings: syncLimit: must not exceed initLimit \(10 > 5\)/],
  ['heap too small', { settings: { jvmHeapMb: 16 } }, /settings: jvmHeapMb: must be in 64\.\.1048576/],
  ['settings.dataDir (ignored by both host drivers)', { settings: { dataDir: '/data' } }, /settings: dataDir: is not supported: .*existing\.servers\[\]\.run\.dataDir/],
  ['unknown setting', { settings: { tickTme: 2000 } }, /settings: .*tickTme/],
  ['unknown extra key', { settings: { extra: { 'jute.maxbuffer': 1 } } }, /settings: extra\.jute\.maxbuffer/],
  ['extra key the library manages', { settings: { extra: { skipACL: 'yes' } } }, /settings: extra\.skipACL/],
  ['extra server line', { settings: { extra: { 'server.9': '10.0.0.9:2888:3888' } } }, /settings: extra\.server\.9/],
  ['extra value on two lines', { settings: { extra: { maxClientCnxns: '60\nskipACL=yes' } } }, /settings: extra\.maxClientCnxns: must be a single line/],
  ['four-letter whitelist widened', { settings: { extra: { '4lw.commands.whitelist': '*' } } }, /settings: extra\.4lw\.commands\.whitelist/],

  // IPv4 literals: one spelling per address, and only addresses a server can be reached at.
  ['IPv4 octet above 255', { servers: [s(1, { host: '127.0.40.256' }), s(2), s(3)] }, /server 1: host: must be a host name or IPv4 address: 127\.0\.40\.256 is a number, so it must be four decimal numbers 0\.\.255/],
  ['IPv4 with a leading zero (octal to some resolvers)', { servers: [s(1, { host: '127.0.40.010' }), s(2), s(3)] }, /server 1: host: .*four decimal numbers 0\.\.255 without leading zeros/],
  ['IPv4 short form (127.1 is 127.0.0.1)', { servers: [s(1, { host: '127.1' }), s(2), s(3)] }, /server 1: host: .*four decimal numbers/],
  ['IPv4 as one number', { servers: [s(1, { host: '2130706433' }), s(2), s(3)] }, /server 1: host: .*four decimal numbers/],
  ['IPv4 with a hex part', { servers: [s(1, { host: '0x7f.0.0.1' }), s(2), s(3)] }, /server 1: host: .*four decimal numbers/],
  ['wildcard address 0.0.0.0', { servers: [s(1, { host: '0.0.0.0' }), s(2), s(3)] }, /server 1: host: 0\.0\.0\.0 is the wildcard address/],
  ['wildcard address 0', { servers: [s(1, { host: '0' }), s(2), s(3)] }, /server 1: host: 0 is the wildcard address/],
  ['an address in 0.0.0.0/8', { servers: [s(1, { host: '0.1.2.3' }), s(2), s(3)] }, /server 1: host: 0\.1\.2\.3 is in 0\.0\.0\.0\/8/],
  ['multicast address', { servers: [s(1, { host: '224.0.0.1' }), s(2), s(3)] }, /server 1: host: 224\.0\.0\.1 is a multicast or reserved address/],
  ['localhost and 127.0.0.1 on the same ports', { servers: [s(1, { host: 'localhost' }), s(2, { host: '127.0.0.1' }), s(3)] }, /server 2: clientPort: 127\.0\.0\.1:2181 is already used by server 1 \(clientPort, as localhost:2181\)/],

  // Bounds of the shared settings: ticks x tickTime stays a Java int, the heap a size a JVM takes.
  ['LOCALHOST and 127.0.0.1 across fields', { servers: [s(1, { host: 'LOCALHOST', clientPort: 3000 }), s(2, { host: '127.0.0.1', clientPort: 3001, quorumPort: 3000, electionPort: 3002 }), s(3)] }, /server 2: quorumPort: 127\.0\.0\.1:3000 is already used by server 1 \(clientPort, as LOCALHOST:3000\)/],
  ['tickTime above a minute', { settings: { tickTime: 60001 } }, /settings: tickTime: must be in 1\.\.60000 \(milliseconds\)/],
  ['tickTime NaN', { settings: { tickTime: NaN } }, /settings: tickTime: must be a number/],
  ['initLimit that overflows initLimit x tickTime', { settings: { initLimit: 2000000, syncLimit: 5 } }, /settings: initLimit: must be in 1\.\.10000 \(ticks\)/],
  ['syncLimit above 10000', { settings: { initLimit: 10000, syncLimit: 10001 } }, /settings: syncLimit: must be in 1\.\.10000/],
  ['heap beyond any JVM (1e21 MiB)', { settings: { jvmHeapMb: 1e21 } }, /settings: jvmHeapMb: must be in 64\.\.1048576 \(MiB\)/],

  // Every allowed extra key has a type and range.
  ['extra value as an object', { settings: { extra: { maxClientCnxns: { n: 1 } } } }, /settings: extra\.maxClientCnxns: must be a number, a string or a boolean/],
  ['integer extra key as a word', { settings: { extra: { maxClientCnxns: 'many' } } }, /settings: extra\.maxClientCnxns: must be a whole number in 0\.\.2147483647 .*not many/],
  ['integer extra key beyond a Java int', { settings: { extra: { snapCount: 2147483648 } } }, /settings: extra\.snapCount: must be a whole number in 2\.\.2147483647/],
  ['integer extra key fractional', { settings: { extra: { maxCnxns: 1.5 } } }, /settings: extra\.maxCnxns: must be a whole number .*not 1\.5/],
  ['integer extra key NaN', { settings: { extra: { cnxTimeout: NaN } } }, /settings: extra\.cnxTimeout: must be a whole number .*not NaN/],
  ['integer extra key as hex', { settings: { extra: { globalOutstandingLimit: '0x10' } } }, /settings: extra\.globalOutstandingLimit: must be a whole number/],
  ['snapCount below 2', { settings: { extra: { snapCount: 1 } } }, /settings: extra\.snapCount: must be a whole number in 2\.\./],
  ['negative size', { settings: { extra: { snapSizeLimitInKb: -5 } } }, /settings: extra\.snapSizeLimitInKb: must be a whole number in 0\.\.2147483647 \(KiB/],
  ['autopurge.snapRetainCount below 3', { settings: { extra: { 'autopurge.snapRetainCount': 2 } } }, /settings: extra\.autopurge\.snapRetainCount: must be a whole number in 3\.\./],
  ['connectToLearnerMasterLimit that overflows', { settings: { extra: { connectToLearnerMasterLimit: 5000000 } } }, /settings: extra\.connectToLearnerMasterLimit: must be a whole number in 0\.\.10000/],
  ['boolean extra key as yes', { settings: { extra: { syncEnabled: 'yes' } } }, /settings: extra\.syncEnabled: must be true or false, not yes/],
  ['leaderServes as a boolean (ZooKeeper reads only no)', { settings: { extra: { leaderServes: false } } }, /settings: extra\.leaderServes: must be yes or no .*not false/],
  ['extra value ending in a backslash', { settings: { extra: { maxClientCnxns: '60\\' } } }, /settings: extra\.maxClientCnxns: must not end in a backslash/],
  ['extra value with a tab', { settings: { extra: { maxClientCnxns: '60\t' } } }, /settings: extra\.maxClientCnxns: must be a single line without control characters/],
  ['extra value with a NUL', { settings: { extra: { maxClientCnxns: '6\u00000' } } }, /settings: extra\.maxClientCnxns: must be a single line without control characters/],
  ['minSessionTimeout above maxSessionTimeout', { settings: { extra: { minSessionTimeout: 50000, maxSessionTimeout: 40000 } } }, /settings: extra\.minSessionTimeout: minSessionTimeout 50000 exceeds maxSessionTimeout 40000/],
  ['maxSessionTimeout below 2 x tickTime', { settings: { tickTime: 2000, extra: { maxSessionTimeout: 3000 } } }, /settings: extra\.maxSessionTimeout: minSessionTimeout 4000 \(2 × tickTime\) exceeds maxSessionTimeout 3000/],

  // Adopted servers' paths.
  ['adopted zoo.cfg path with a newline', { existing: { servers: [{ ...s(1), run: { zooCfg: '/etc/zk\n/zoo.cfg', dataDir: '/d', service: 'zk.service' } }] } }, /existing server 1: run\.zooCfg: must not hold control characters/],
  ['adopted data path beyond PATH_MAX', { existing: { servers: [{ ...s(1), run: { zooCfg: '/etc/zk/zoo.cfg', dataDir: `/${'d'.repeat(5000)}`, service: 'zk.service' } }] } }, /existing server 1: run\.dataDir: must be at most 4096 characters/],
  ['adopted start command with a carriage return', { existing: { servers: [{ ...s(1), run: { zooCfg: '/etc/zk/zoo.cfg', dataDir: '/d', pidFile: '/run/zk.pid', start: '/etc/init.d/zk start\r' } }] } }, /existing server 1: run\.start: must be a single line/],

  // Host driver settings: addresses and machine names are hosts, never ssh options; paths hold no control characters.
  ['ssh address that is an option', { hosts: { driver: 'ssh', address: '-oProxyCommand=touch /tmp/x' } }, /hosts: address: must be a host name or IPv4 address/],
  ['ssh machine name that is an option', { hosts: { driver: 'ssh', machines: { '-oProxyCommand=x': {} } } }, /hosts: machines\.-oProxyCommand=x: must be a host name or IPv4 address/],
  ['ssh machine address that is the wildcard', { hosts: { driver: 'ssh', machines: { '127.0.40.1': { address: '0.0.0.0' } } } }, /hosts: machines\.127\.0\.40\.1\.address: 0\.0\.0\.0 is the wildcard address/],
  ['ssh user that is an option', { hosts: { driver: 'ssh', user: '-oProxyCommand=x' } }, /hosts: user: must be a user name/],
  ['ssh port 0', { hosts: { driver: 'ssh', port: 0 } }, /hosts: port: must be in 1\.\.65535/],
  ['ssh port above 65535', { hosts: { driver: 'ssh', machines: { '127.0.40.2': { port: 70000 } } } }, /hosts: machines\.127\.0\.40\.2\.port: must be in 1\.\.65535/],
  ['jump host list', { hosts: { driver: 'ssh', jumpHost: 'ops@a.example,ops@b.example' } }, /hosts: jumpHost: must be one \[user@\]host\[:port\]/],
  ['jump host whose user is an option', { hosts: { driver: 'ssh', jumpHost: '-oProxyCommand=x@bastion' } }, /hosts: jumpHost: must be \[user@\]host\[:port\]: -oProxyCommand=x is not a user name/],
  ['jump host port 0', { hosts: { driver: 'ssh', jumpHost: 'bastion:0' } }, /hosts: jumpHost: .*port 0 is not in 1\.\.65535/],
  ['ssh connect timeout fractional (ssh takes whole seconds)', { hosts: { driver: 'ssh', connectTimeoutSeconds: 2.5 } }, /hosts: connectTimeoutSeconds: must be a whole number of seconds/],
  ['ssh baseDir with a newline', { hosts: { driver: 'ssh', baseDir: '/var/lib/zk\nx' } }, /hosts: baseDir: must not hold control characters/],
  ['ssh root with a newline', { hosts: { driver: 'ssh', root: '/srv/bed\n' } }, /hosts: root: must not hold control characters/],
  ['ssh root relative', { hosts: { driver: 'ssh', root: 'bed' } }, /hosts: root: must be an absolute path/],
  ['javaBin with a newline', { hosts: { driver: 'ssh', javaBin: '/usr/bin/java\nrm -rf /' } }, /hosts: javaBin: must not hold control characters/],
  ['javaBin that is an option', { hosts: { driver: 'ssh', javaBin: '-version' } }, /hosts: javaBin: must be a path or a command name, not an option/],
  ['classpath with a NUL', { hosts: { driver: 'ssh', classpath: '/usr/share/java/zookeeper.jar\u0000' } }, /hosts: classpath: must not hold control characters/],
  ['identity file with a newline', { hosts: { driver: 'ssh', identityFile: 'keys/id\n' } }, /hosts: identityFile: must not hold control characters/],
  ['local baseDir with a newline', { hosts: { driver: 'local', baseDir: '.zk\nlocal' } }, /hosts: baseDir: must not hold control characters/],

  // What the handler gets on its command line: checked at synth as the CLI will check it.
  ['sync timeout -1', { timeouts: { syncSeconds: -1 } }, /timeouts: syncSeconds: must be a positive number of seconds .*not -1/],
  ['sync timeout 0', { timeouts: { syncSeconds: 0 } }, /timeouts: syncSeconds: must be a positive number of seconds .*not 0$/m],
  ['quorum timeout NaN', { timeouts: { quorumSeconds: NaN } }, /timeouts: quorumSeconds: must be a positive number of seconds .*not NaN/],
  ['drain timeout Infinity', { timeouts: { drainSeconds: Infinity } }, /timeouts: drainSeconds: must be a positive number of seconds .*not Infinity/],
  ['bake time -1', { timeouts: { bakeSeconds: -1 } }, /timeouts: bakeSeconds: must be a number of seconds, 0 or more .*not -1/],
  ['timeout above a day', { timeouts: { syncSeconds: 86401 } }, /timeouts: syncSeconds: .*at most 86400\), not 86401/],
  ['timeout finer than a millisecond', { timeouts: { syncSeconds: 0.0001 } }, /timeouts: syncSeconds: must be a positive number of seconds \(decimal, to the millisecond/],
  ['timeout as text', { timeouts: { syncSeconds: '30' } }, /timeouts: syncSeconds: must be a number of seconds/],
  ['unknown timeout', { timeouts: { sync: 30 } }, /timeouts: sync: unknown field; allowed: syncSeconds, drainSeconds, quorumSeconds, bakeSeconds/],
  ['backup keep 0', { backupBeforeRollout: { keep: 0 } }, /backupBeforeRollout: keep: must be a whole number of backups, at least 1, not 0/],
  ['backup keep 1.5', { backupBeforeRollout: { keep: 1.5 } }, /backupBeforeRollout: keep: must be a whole number of backups, at least 1, not 1\.5/],
  ['backup dir with a newline', { backupBeforeRollout: { dir: 'b\nx' } }, /backupBeforeRollout: dir: must be a file name, without control characters/],
  ['eventsFile with a newline', { eventsFile: 'events\n.jsonl' }, /ensemble: eventsFile: must be a file name, without control characters/],
  ['superuser password file with a newline', { superuser: { passwordFile: 'secrets/zk\n' } }, /superuser: passwordFile: must be a file name, without control characters/],

  // Linux refuses an environment variable over 128 KiB (E2BIG), and the spec travels in one.
  ['a spec too large for the environment', {
    existing: { servers: Array.from({ length: 30 }, (_, i) => ({ id: 100 + i, host: `127.0.41.${i + 1}`, run: { zooCfg: '/etc/zk/zoo.cfg', dataDir: '/var/lib/zk', pidFile: '/run/zk.pid', start: `/opt/zk/bin/start ${'x'.repeat(3900)}` } })) },
  }, /ensemble: \(spec\): the spec is \d+ bytes as JSON, over the 100000 that fit in the environment variable .*E2BIG/],
];

describe('GIVEN the bad-input corpus', () => {
  test('THEN it holds at least 110 invalid specs', () => expect(CORPUS.length).toBeGreaterThanOrEqual(110));

  test.each(CORPUS)('%s: rejected at synth naming where and what; no resource is created', (_label, change, expected) => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    expect(() => new ZooKeeperEnsemble(stack, 'zk', { ...base, ...change } as ZooKeeperEnsembleProps)).toThrow(expected);
    expect(() => new ZooKeeperEnsemble(stack, 'zk2', { ...base, ...change } as ZooKeeperEnsembleProps)).toThrow(/^invalid ZooKeeperEnsemble zk2 \(/);
    // Nothing was synthesized for the ensemble: no record, no rollout, no teardown.
    const resources = (JSON.parse(Testing.synth(stack)) as { resource?: unknown }).resource;
    expect(resources).toBeUndefined();
  });
});

describe('GIVEN two ensembles with one name in one stack', () => {
  test('THEN the second is refused at synth, naming both, and creates nothing', () => {
    const stack = new TerraformStack(Testing.app(), 'bad');
    new ZooKeeperEnsemble(stack, 'zk', base);
    expect(() => new ZooKeeperEnsemble(stack, 'zk2', { ...base, servers: [s(4), s(5), s(6)] }))
      .toThrow(/^invalid ZooKeeperEnsemble zk2 \(corpus\) \(1 problem\):\n {2}- ensemble: name: corpus is already the name of ZooKeeperEnsemble bad\/zk in this stack/);
    expect(stack.node.findChild('zk2').node.children).toEqual([]);
    const resources = (JSON.parse(Testing.synth(stack)) as { resource: { terraform_data: Record<string, { input?: { host?: string } }> } }).resource.terraform_data;
    expect(Object.values(resources).map((r) => r.input?.host).filter(Boolean).sort()).toEqual(['127.0.40.1', '127.0.40.2', '127.0.40.3']);
  });

  test('THEN one name in two stacks (environments) is fine', () => {
    const app = Testing.app();
    expect(() => [new TerraformStack(app, 'dev'), new TerraformStack(app, 'prod')].forEach((st) => new ZooKeeperEnsemble(st, 'zk', base))).not.toThrow();
  });
});

describe('GIVEN props at the edge of the bounds', () => {
  test('THEN they synthesize: typed extra keys as numbers, numeric text or booleans, fractional timeouts, bake 0, ssh settings', () => {
    const stack = new TerraformStack(Testing.app(), 'good');
    const zk = new ZooKeeperEnsemble(stack, 'zk', {
      ...base,
      servers: [s(1, { host: 'zk1.example' }), s(2, { host: '10.0.0.2' }), s(3, { host: 'localhost' })],
      settings: { tickTime: 60000, initLimit: 10000, syncLimit: 10000, jvmHeapMb: 1048576, extra: { maxClientCnxns: 0, snapCount: '2147483647', syncEnabled: true, leaderServes: 'no', minSessionTimeout: 4000, maxSessionTimeout: 4000 } },
      timeouts: { syncSeconds: 0.5, drainSeconds: 86400, quorumSeconds: 1.25, bakeSeconds: 0 },
      hosts: { driver: 'ssh', user: 'zk', port: 65535, jumpHost: 'ops@bastion.example.com:2222', root: '', connectTimeoutSeconds: 5, machines: { 'zk9.example': { address: '10.0.0.9' } } },
    });
    expect(zk.ensemble.settings.extra).toEqual({ leaderServes: 'no', maxClientCnxns: '0', maxSessionTimeout: '4000', minSessionTimeout: '4000', snapCount: '2147483647', syncEnabled: 'true' });
    expect(() => Testing.synth(stack)).not.toThrow();
  });
});
