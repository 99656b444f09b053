/** The ssh driver's pure parts: failure explanations, the systemd unit, host settings validation. */
import { explainSshFailure } from '../../lib/hosts/ssh-exec';
import { renderSystemdUnit } from '../../lib/hosts/systemd-unit';
import { parseHostsConfig, sshOptions } from '../../lib/hosts/config';

const target = { address: '10.0.0.5', port: 2222, user: 'zk', identityFile: '/keys/deploy', knownHostsFile: '/keys/known_hosts' };

describe('explainSshFailure names the host and what to check', () => {
  test.each([
    ['@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\nHost key verification failed.', /zk@10\.0\.0\.5:2222: host key verification failed; check \/keys\/known_hosts/],
    ['zk@10.0.0.5: Permission denied (publickey).', /permission denied; check that user zk exists there and that the public key of \/keys\/deploy is in its authorized_keys/],
    ['ssh: connect to host 10.0.0.5 port 2222: Connection refused', /connection refused; is sshd running there and listening on port 2222\?/],
    ['ssh: connect to host 10.0.0.5 port 2222: Connection timed out', /cannot reach the host; check the address, the port and any firewall/],
    ['ssh: Could not resolve hostname nowhere: Name or service not known', /the host name does not resolve/],
    ['Warning: Identity file /keys/deploy not accessible: No such file or directory.\nLoad key "/keys/deploy": No such file', /cannot use the key \/keys\/deploy/],
    ['something else entirely', /ssh to zk@10\.0\.0\.5:2222: something else entirely/],
  ])('%s', (stderr, expected) => {
    expect(explainSshFailure(target, stderr)).toMatch(expected);
  });

  test('a jump host is part of the name', () => {
    expect(explainSshFailure({ ...target, jumpHost: 'bastion' }, 'Connection refused')).toMatch(/ssh to zk@10\.0\.0\.5:2222 via bastion: connection refused/);
  });
});

test('the systemd unit runs the command as given, never restarts on its own, and quotes for systemd', () => {
  const unit = renderSystemdUnit({ description: 'ZooKeeper orders server 1', workingDirectory: '/var/lib/zk/orders/server-1', command: ['java', '-Xmx512m', '-Dx=a b%c', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', '/var/lib/zk/orders/server-1/conf/zoo.cfg'], log: '/var/lib/zk/orders/server-1/zookeeper.log' });
  expect(unit).toMatch(/^ExecStart="java" "-Xmx512m" "-Dx=a b%%c" "org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain" "\/var\/lib\/zk\/orders\/server-1\/conf\/zoo\.cfg"$/m);
  expect(unit).toMatch(/^Restart=no$/m);
  expect(unit).toMatch(/^StandardOutput=append:\/var\/lib\/zk\/orders\/server-1\/zookeeper\.log$/m);
});

describe('host settings', () => {
  test('local and ssh settings are accepted; ssh settings become the driver options', () => {
    expect(parseHostsConfig({ driver: 'local', baseDir: 'x' }, 'h')).toEqual({ driver: 'local', baseDir: 'x' });
    const ssh = parseHostsConfig({ driver: 'ssh', user: 'zk', baseDir: '/srv/zk', machines: { '10.0.0.1': { port: 2200 } } }, 'h');
    expect(ssh.driver === 'ssh' && sshOptions('orders', ssh)).toEqual({ ensemble: 'orders', baseDir: '/srv/zk', defaults: { user: 'zk' }, machines: { '10.0.0.1': { port: 2200 } } });
  });

  test('every problem is named by its field', () => {
    expect(() => parseHostsConfig({ driver: 'ssh', baseDir: 'relative', serviceManager: 'upstart', machines: { a: { user: 'bad user' } } }, 'hosts file h.json'))
      .toThrow(/^hosts file h\.json: .*serviceManager: .*baseDir: must be an absolute path.*machines\.a\.user: must be a user name/);
    expect(() => parseHostsConfig({ driver: 'winrm' }, 'h')).toThrow(/^h: driver: Invalid discriminator value/);
    expect(() => parseHostsConfig({ driver: 'local', password: 'x' }, 'h')).toThrow(/Unrecognized key\(s\) in object: 'password'/);
  });
});
