/**
 * Host driver settings (lib/hosts/config): what reaches ssh, java and the shell is checked first, each
 * problem named by its field. An address or machine name starting with - would be an ssh option; a
 * newline in a path would add a line to a unit or a script.
 */
import { checkHostsConfig, jumpHostProblem, parseHostsConfig } from '../../lib/hosts/config';

const problems = (data: unknown) => {
  const r = checkHostsConfig(data);
  if (r.ok) throw new Error(`expected ${JSON.stringify(data)} to be refused`);
  return r.problems.map((p) => `${p.field}: ${p.message}`).join('\n');
};

describe('host settings that are accepted', () => {
  test.each([
    [{ driver: 'local' }],
    [{ driver: 'local', baseDir: '.zk-local' }],
    [{ driver: 'ssh', user: 'zk', port: 22, address: '10.0.0.1', jumpHost: 'ops@bastion.example.com:2222', root: '', baseDir: '/var/lib/zk-rollout', javaBin: 'java', classpath: '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar', connectTimeoutSeconds: 10 }],
    [{ driver: 'ssh', root: '/srv/bed/zk1', machines: { 'zk1.example': { address: '10.0.0.1', user: '_zk', port: 65535 }, '10.0.0.2': {} } }],
    [{ driver: 'ssh', jumpHost: 'bastion' }],
  ])('%j', (data) => {
    expect(parseHostsConfig(data, 'h')).toEqual(data);
  });
});

describe('host settings that are refused, by field', () => {
  test.each<[string, unknown, RegExp]>([
    ['an address that is an ssh option', { driver: 'ssh', address: '-oProxyCommand=sh -c x' }, /^address: must be a host name or IPv4 address$/m],
    ['a machine address in 0.0.0.0/8', { driver: 'ssh', machines: { zk1: { address: '0.0.0.1' } } }, /^machines\.zk1\.address: 0\.0\.0\.1 is in 0\.0\.0\.0\/8/m],
    ['a machine name that is an ssh option', { driver: 'ssh', machines: { '-F/tmp/evil': {} } }, /^machines\.-F\/tmp\/evil: must be a host name or IPv4 address$/m],
    ['a machine name that is the wildcard', { driver: 'ssh', machines: { 0: {} } }, /^machines\.0: 0 is the wildcard address/m],
    ['a machine name with an octet above 255', { driver: 'ssh', machines: { '10.0.0.256': {} } }, /^machines\.10\.0\.0\.256: must be a host name or IPv4 address: 10\.0\.0\.256 is a number/m],
    ['a user that is an ssh option', { driver: 'ssh', user: '-oProxyCommand=x' }, /^user: must be a user name/m],
    ['a user name too long', { driver: 'ssh', user: 'u'.repeat(33) }, /^user: must be a user name/m],
    ['port 0', { driver: 'ssh', port: 0 }, /^port: must be in 1\.\.65535$/m],
    ['port 65536', { driver: 'ssh', machines: { zk1: { port: 65536 } } }, /^machines\.zk1\.port: must be in 1\.\.65535$/m],
    ['a fractional port', { driver: 'ssh', port: 22.5 }, /^port: must be a whole number$/m],
    ['a jump host list', { driver: 'ssh', jumpHost: 'a.example,b.example' }, /^jumpHost: must be one \[user@\]host\[:port\]: a list of jump hosts \(,\) is not supported$/m],
    ['a jump host that is an option', { driver: 'ssh', jumpHost: '-oProxyCommand=x' }, /^jumpHost: must be \[user@\]host\[:port\]: host must be a host name or IPv4 address$/m],
    ['a jump host port out of range', { driver: 'ssh', jumpHost: 'ops@bastion:65536' }, /^jumpHost: must be \[user@\]host\[:port\]: port 65536 is not in 1\.\.65535$/m],
    ['a jump host with no host', { driver: 'ssh', jumpHost: 'ops@' }, /^jumpHost: must be \[user@\]host\[:port\]: the host is missing$/m],
    ['a fractional connect timeout', { driver: 'ssh', connectTimeoutSeconds: 0.5 }, /^connectTimeoutSeconds: must be a whole number of seconds$/m],
    ['a connect timeout of 0', { driver: 'ssh', connectTimeoutSeconds: 0 }, /^connectTimeoutSeconds: must be in 1\.\.3600 \(seconds\)$/m],
    ['a local baseDir with a newline', { driver: 'local', baseDir: '.zk\nx' }, /^baseDir: must not hold control characters$/m],
    ['an empty local baseDir', { driver: 'local', baseDir: '' }, /^baseDir: must not be empty$/m],
    ['an ssh baseDir with a tab', { driver: 'ssh', baseDir: '/var/lib/zk\t' }, /^baseDir: must not hold control characters$/m],
    ['a relative ssh baseDir', { driver: 'ssh', baseDir: 'zk' }, /^baseDir: must be an absolute path$/m],
    ['a root with a newline', { driver: 'ssh', root: '/srv/\n' }, /^root: must not hold control characters$/m],
    ['a relative root', { driver: 'ssh', machines: { zk1: { root: 'bed' } } }, /^machines\.zk1\.root: must be an absolute path \(or empty: the real root\)$/m],
    ['a javaBin with a newline', { driver: 'ssh', javaBin: 'java\nrm -rf /' }, /^javaBin: must not hold control characters$/m],
    ['a javaBin that is an option', { driver: 'ssh', javaBin: '-XX:+Evil' }, /^javaBin: must be a path or a command name, not an option$/m],
    ['a classpath with a NUL', { driver: 'ssh', classpath: 'a.jar\u0000' }, /^classpath: must not hold control characters$/m],
    ['a known_hosts file with a newline', { driver: 'ssh', machines: { zk1: { knownHostsFile: 'k\nh' } } }, /^machines\.zk1\.knownHostsFile: must not hold control characters$/m],
    ['an identity file path beyond PATH_MAX', { driver: 'ssh', identityFile: `/${'k'.repeat(4100)}` }, /^identityFile: must be at most 4096 characters$/m],
  ])('%s', (_label, data, expected) => {
    expect(problems(data)).toMatch(expected);
  });

  test('every problem at once, with the source named', () => {
    expect(() => parseHostsConfig({ driver: 'ssh', address: '-x', user: '-y', port: 0, jumpHost: 'a,b', machines: { '-z': { root: 'r' } } }, 'hosts file h.json'))
      .toThrow(/^hosts file h\.json: address: .*; port: .*; user: .*; jumpHost: .*; machines\.-z: .*; machines\.-z\.root: /);
  });

  test('jumpHostProblem takes [user@]host[:port] only', () => {
    expect(jumpHostProblem('ops@bastion.example.com:22')).toBeUndefined();
    expect(jumpHostProblem('10.0.0.9')).toBeUndefined();
    expect(jumpHostProblem('a@b@c')).toBe('must be [user@]host[:port]');
  });
});
