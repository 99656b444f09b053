/** The host layer's pure parts: SERVER_JVMFLAGS for adopted servers, their systemd drop-in, the own-server scan. */
import { dropInPath } from '../../lib/hosts/adopted-layout';
import { jvmArgs, parseArgFile, renderArgFile, secretPropertyArgs, serverJvmFlags } from '../../lib/hosts/jvm';
import { ownServersScript, parseOwnServers } from '../../lib/hosts/own-layout';
import { LocalMachine } from '../../lib/hosts/local-machine';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportLines, sq } from '../../lib/hosts/shell';
import { renderJvmFlagsDropIn } from '../../lib/hosts/systemd-unit';

const DIGEST = 'super:xQJmxLMiHGwaqBvst5y6rkB6HQs=';
const SUPER = 'zookeeper.DigestAuthenticationProvider.superDigest';

describe('SERVER_JVMFLAGS', () => {
  test('GIVEN a heap and system properties THEN SERVER_JVMFLAGS holds one -D each, in order, the secret ones as @<file>, and no heap (an adopted server keeps its own)', () => {
    expect(serverJvmFlags({ heapMb: 256, systemProperties: { 'zookeeper.forceSnapshotSync': 'true', 'a.b': 'c' }, secretProperties: { [SUPER]: DIGEST } }, '/etc/zk/secrets.args'))
      .toBe('-Dzookeeper.forceSnapshotSync=true -Da.b=c @/etc/zk/secrets.args');
    expect(serverJvmFlags({ heapMb: 512 })).toBe('');
  });

  test('GIVEN the superuser digest among the open properties THEN it is still secret: never on the command line, and an argument file is required', () => {
    const jvm = { heapMb: 64, systemProperties: { [SUPER]: DIGEST, 'zookeeper.forceSnapshotSync': 'true' } };
    expect(serverJvmFlags(jvm, '/f.args')).toBe('-Dzookeeper.forceSnapshotSync=true @/f.args');
    expect(jvmArgs(jvm, {}, '/f.args')).toEqual(['-Xmx64m', '-Dzookeeper.forceSnapshotSync=true', '@/f.args']);
    expect(() => jvmArgs(jvm)).toThrow(/-Dzookeeper\.DigestAuthenticationProvider\.superDigest are secret and need an argument file/);
    expect(() => serverJvmFlags(jvm)).toThrow(/need an argument file/);
  });

  test('the argument file holds the secret options, quoted in the java launcher\'s syntax, and reads back', () => {
    const jvm = { heapMb: 64, systemProperties: { open: '1' }, secretProperties: { [SUPER]: DIGEST, q: 'a"b\\c' } };
    const text = renderArgFile(jvm);
    expect(text).toMatch(/^# Written by zk-rollout/);
    expect(text).toContain(`"-D${SUPER}=${DIGEST}"\n`);
    expect(text).toContain('"-Dq=a\\"b\\\\c"\n');
    expect(text).not.toContain('open');
    expect(parseArgFile(text)).toEqual([`-D${SUPER}=${DIGEST}`, '-Dq=a"b\\c']);
    expect(secretPropertyArgs(jvm)).toEqual(parseArgFile(text));
  });

  test('GIVEN an argument file path with whitespace THEN SERVER_JVMFLAGS refuses it, naming it', () => {
    expect(() => serverJvmFlags({ heapMb: 64, secretProperties: { [SUPER]: DIGEST } }, '/etc/my zk/s.args')).toThrow(/the JVM option "@\/etc\/my zk\/s\.args" cannot be passed in SERVER_JVMFLAGS/);
  });

  test.each([
    ['a space', 'a b'], ['a tab', 'a\tb'], ['a newline', 'a\nb'], ['a glob star', 'a*'], ['a question mark', 'a?'], ['a bracket', '[ab]'],
  ])('GIVEN a value with %s THEN it is refused, naming the option (the start script would split or expand it)', (_what, value) => {
    expect(() => serverJvmFlags({ heapMb: 512, systemProperties: { 'x.y': value } })).toThrow(/the JVM option "-Dx\.y=.*" cannot be passed in SERVER_JVMFLAGS/);
  });

  test('GIVEN quotes, dollars and backslashes THEN they pass as they are (expansion does not remove quotes)', () => {
    expect(serverJvmFlags({ heapMb: 64, systemProperties: { a: `it's`, b: '$HOME', c: 'x\\y' } })).toBe(`-Da=it's -Db=$HOME -Dc=x\\y`);
  });

  test('own servers get extra properties first; the caller\'s win on the same key', () => {
    expect(jvmArgs({ heapMb: 64, systemProperties: { 'zookeeper.log.dir': '/mine' } }, { 'zookeeper.log.dir': '/d', other: '1' }))
      .toEqual(['-Xmx64m', '-Dzookeeper.log.dir=/mine', '-Dother=1']);
  });
});

describe('the systemd drop-in for an adopted service', () => {
  test('GIVEN the flags THEN one Environment line in [Service], quoted for systemd', () => {
    const text = renderJvmFlagsDropIn(`-Xmx512m -Dzookeeper.DigestAuthenticationProvider.superDigest=${DIGEST}`);
    expect(text).toMatch(/^\[Service\]$/m);
    expect(text).toMatch(new RegExp(`^Environment="SERVER_JVMFLAGS=-Xmx512m -Dzookeeper\\.DigestAuthenticationProvider\\.superDigest=${DIGEST.replace(/[+=]/g, '\\$&')}"$`, 'm'));
  });

  test('GIVEN characters systemd treats specially THEN they are escaped: % doubled, quotes and backslashes escaped', () => {
    expect(renderJvmFlagsDropIn('-Da=50% -Db="q" -Dc=x\\y')).toMatch(/^Environment="SERVER_JVMFLAGS=-Da=50%% -Db=\\"q\\" -Dc=x\\\\y"$/m);
  });

  test('it goes in the unit\'s drop-in directory; a bare unit name is a service', () => {
    expect(dropInPath('zookeeper.service')).toBe('/etc/systemd/system/zookeeper.service.d/zk-rollout.conf');
    expect(dropInPath('zookeeper')).toBe('/etc/systemd/system/zookeeper.service.d/zk-rollout.conf');
  });
});

describe('shell quoting', () => {
  test('single quotes survive, and exports refuse names that are not names', () => {
    expect(sq(`it's`)).toBe(`'it'\\''s'`);
    expect(exportLines({ SERVER_JVMFLAGS: `-Da=it's` })).toBe(`export SERVER_JVMFLAGS='-Da=it'\\''s'\n`);
    expect(() => exportLines({ 'A;rm': 'x' })).toThrow(/not an environment variable name/);
  });
});

describe('the scan of own server directories', () => {
  test('GIVEN current and older dynamic files THEN each directory yields its own line, the first found', () => {
    const listing = [
      '@@ /b/e/server-2', 'dynamicConfigFile=/b/e/server-2/conf/zoo.cfg.dynamic.200000000',
      'server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181',
      'server.2=127.0.0.1:2889:3889:observer;127.0.0.1:2182', 'server.2=127.0.0.1:2889:3889:participant;127.0.0.1:2182',
      '@@ /b/e/server-3', 'server.1=127.0.0.1:2888:3888:participant;127.0.0.1:2181',
    ].join('\n');
    expect(parseOwnServers(listing)).toEqual([{ id: 2, host: '127.0.0.1', quorumPort: 2889, electionPort: 3889, role: 'observer', clientPort: 2182 }]);
  });
});

describe('the scan on disk', () => {
  test('GIVEN dynamic files without a final newline (as ZooKeeper writes them) THEN no line runs into the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zk-scan-'));
    const conf = join(dir, 'server-3', 'conf');
    mkdirSync(conf, { recursive: true });
    const line = (id: number) => `server.${id}=127.0.0.1:2540${id}:2550${id}:participant;127.0.0.1:2530${id}`;
    writeFileSync(join(conf, 'zoo.cfg'), `tickTime=200\ndynamicConfigFile=${join(conf, 'zoo.cfg.dynamic.100000037')}`);
    writeFileSync(join(conf, 'zoo.cfg.dynamic.100000037'), [1, 2, 3].map(line).join('\n'));
    writeFileSync(join(conf, 'zoo.cfg.dynamic.100000034'), [2, 3].map(line).join('\n'));
    const listing = (await new LocalMachine().run(ownServersScript(dir))).stdout;
    expect(parseOwnServers(listing)).toEqual([{ id: 3, host: '127.0.0.1', quorumPort: 25403, electionPort: 25503, role: 'participant', clientPort: 25303 }]);
  });
});
