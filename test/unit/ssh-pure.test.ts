/** The ssh driver's pure parts: failure explanations, the systemd unit, the ssh command line, host settings validation. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainSshFailure, SshRunner, sshConfigValue } from '../../lib/hosts/ssh-exec';
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

describe('the systemd unit (systemd.syntax and systemd.service quoting)', () => {
  const base = {
    description: 'ZooKeeper orders server 1', workingDirectory: '/var/lib/zk/orders/server-1', log: '/var/lib/zk/orders/server-1/zookeeper.log',
    user: 'zookeeper', readWritePaths: ['/var/lib/zk/orders/server-1'],
    command: ['java', '-Xmx512m', '@/var/lib/zk/orders/server-1/conf/jvm-secrets.args', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', '/var/lib/zk/orders/server-1/conf/zoo.cfg'],
  };

  test('it runs the command as given, never restarts on its own, and quotes for systemd: % and $ doubled, quotes and backslashes escaped', () => {
    const unit = renderSystemdUnit({ ...base, command: ['java', '-Xmx512m', '-Dx=a b%c', '-Dy=$HOME "q" \\z', ...base.command.slice(2)] });
    expect(unit).toMatch(/^ExecStart="java" "-Xmx512m" "-Dx=a b%%c" "-Dy=\$\$HOME \\"q\\" \\\\z" "@\/var\/lib\/zk\/orders\/server-1\/conf\/jvm-secrets\.args" "org\.apache\.zookeeper\.server\.quorum\.QuorumPeerMain" "\/var\/lib\/zk\/orders\/server-1\/conf\/zoo\.cfg"$/m);
    expect(unit).toMatch(/^Restart=no$/m);
    expect(unit).toMatch(/^StandardOutput=append:\/var\/lib\/zk\/orders\/server-1\/zookeeper\.log$/m);
    expect(renderSystemdUnit({ ...base, workingDirectory: '/srv/100%' })).toMatch(/^WorkingDirectory=\/srv\/100%%$/m);
  });

  test('it runs as the service user, hardened: umask 0027, no new privileges, no capabilities, the system read-only but for the server\'s directory', () => {
    const unit = renderSystemdUnit(base);
    for (const line of ['User=zookeeper', 'UMask=0027', 'NoNewPrivileges=yes', 'CapabilityBoundingSet=', 'AmbientCapabilities=', 'ProtectSystem=strict',
      'ReadWritePaths="/var/lib/zk/orders/server-1"', 'ProtectHome=read-only', 'PrivateTmp=yes', 'PrivateDevices=yes', 'ProtectKernelTunables=yes',
      'ProtectControlGroups=yes', 'RestrictSUIDSGID=yes', 'LockPersonality=yes']) {
      expect(unit.split('\n')).toContain(line);
    }
    expect(unit).not.toMatch(/^Group=/m);
    expect(unit).not.toMatch(/MemoryDenyWriteExecute/); // the JIT writes code
    expect(renderSystemdUnit({ ...base, group: 'zk' })).toMatch(/^User=zookeeper\nGroup=zk$/m);
    expect(renderSystemdUnit({ ...base, privilegedPort: true })).toMatch(/^CapabilityBoundingSet=CAP_NET_BIND_SERVICE\nAmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    // A server directory under /tmp would vanish behind a private /tmp.
    expect(renderSystemdUnit({ ...base, workingDirectory: '/tmp/zk/s1', readWritePaths: ['/tmp/zk/s1'], log: '/tmp/zk/s1/zookeeper.log' })).not.toMatch(/PrivateTmp/);
  });

  test.each([
    ['the working directory', { workingDirectory: '/var/lib/zk\nExecStartPre=/bin/sh -c evil' }, /the working directory ".*" cannot go into a systemd unit: it holds a control character/],
    ['the log', { log: '/var/log/zk.log\nUser=root' }, /the log ".*" cannot go into a systemd unit: it holds a control character/],
    ['a writable path', { readWritePaths: ['/var/lib/zk\n'] }, /a writable path ".*" cannot go into a systemd unit/],
    ['an argument (the java binary or class path)', { command: ['java', '-cp', '/usr/share/java/zk.jar\nExecStartPre=/bin/true', 'Main'] }, /the argument ".*" cannot go into a systemd unit: it holds a control character/],
    ['a trailing backslash in a path', { workingDirectory: '/var/lib/zk\\' }, /must be an absolute path without a backslash/],
    ['a relative path', { log: 'zookeeper.log' }, /must be an absolute path/],
    ['an executable systemd reads as a prefix', { command: ['-java', 'Main'] }, /systemd reads a leading - as a prefix/],
    ['a user that is not a name', { user: 'zk\nUser=root' }, /the service user ".*" is not a user or group name/],
    ['a description with a newline', { description: 'a\nExecStartPre=/bin/true' }, /the description .* control character/],
  ])('GIVEN a newline or worse in %s THEN rendering refuses it: no value adds a directive', (_what, change, error) => {
    expect(() => renderSystemdUnit({ ...base, ...change })).toThrow(error);
  });

  test('systemd itself accepts the unit, with spaces, quotes, % and $ in its values (systemd-analyze verify), and rates its exposure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zk-unit-'));
    const serverDir = join(dir, 'server 1 "q" 100%');
    mkdirSync(serverDir);
    const unit = renderSystemdUnit({
      ...base, workingDirectory: serverDir, readWritePaths: [serverDir], log: join(serverDir, 'zookeeper.log'),
      command: ['java', '-Xmx64m', '-Dx=$HOME %h', `@${join(serverDir, 'conf', 'jvm-secrets.args')}`, '-cp', '/usr/share/java/zookeeper.jar', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(serverDir, 'zoo.cfg')],
    });
    const file = join(dir, 'zookeeper-orders-1.service');
    writeFileSync(file, unit);
    const analyze = (args: string[]) => spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 60000 });
    const verify = analyze(['verify', '--man=no', file]);
    if (verify.error) { console.warn(`systemd-analyze not usable (${verify.error.message}): skipped`); return; }
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    const security = analyze(['security', '--offline=yes', file]);
    const exposure = Number(/Overall exposure level for .*: (\d+(\.\d+)?)/.exec(security.stdout)?.[1]);
    expect(exposure).toBeLessThan(5); // "OK" in systemd's words (3.5 here); the unit without hardening rates 9.6
  });
});

describe('the ssh command line', () => {
  test('options end with --, the destination after it: an address can never be read as an option', async () => {
    const r = new SshRunner();
    try {
      const args = r.args({ address: '10.0.0.5', port: 2222, user: 'zk' });
      expect(args.slice(-2)).toEqual(['--', '10.0.0.5']);
      expect(args).toEqual(expect.arrayContaining(['-p', '2222', '-l', 'zk']));
    } finally {
      await r.close();
    }
  });

  test('strictHostKeyChecking false means accept-new (a changed key is still refused), never no', async () => {
    const r = new SshRunner();
    try {
      expect(r.args({ address: 'h', strictHostKeyChecking: false })).toContain('StrictHostKeyChecking=accept-new');
      expect(r.args({ address: 'h' })).toContain('StrictHostKeyChecking=yes');
      expect(r.args({ address: 'h', strictHostKeyChecking: false }).join(' ')).not.toMatch(/StrictHostKeyChecking=no/);
    } finally {
      await r.close();
    }
  });

  test('file names reach ssh as one value: quoted, with % doubled (ssh expands %-tokens)', async () => {
    const r = new SshRunner();
    try {
      const args = r.args({ address: 'h', knownHostsFile: '/keys/my hosts #1 %d "x"', identityFile: '/keys/id %u' });
      expect(args).toContain('UserKnownHostsFile="/keys/my hosts #1 %%d \\"x\\""');
      expect(args).toEqual(expect.arrayContaining(['-o', 'IdentityFile="/keys/id %%u"']));
      expect(r.args({ address: 'h', identityFile: '/keys/plain id' })).toEqual(expect.arrayContaining(['-i', '/keys/plain id', '-o', 'IdentitiesOnly=yes']));
      expect(() => sshConfigValue('/a\nProxyCommand x')).toThrow(/control character/);
    } finally {
      await r.close();
    }
  });

  test('a runner leaves no temporary directory behind: it makes its directory of control sockets when first used and removes it on close', async () => {
    const r = new SshRunner();
    expect(r.controlDirectory).toBeUndefined();
    r.args({ address: 'h' });
    const dir = r.controlDirectory!;
    expect(existsSync(dir)).toBe(true);
    await r.close();
    expect(existsSync(dir)).toBe(false);
    expect(r.controlDirectory).toBeUndefined();
  });
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

test('the service user and group are ssh settings, per machine or for all, and reach the driver options', () => {
  const ssh = parseHostsConfig({ driver: 'ssh', serviceUser: 'zk', machines: { '10.0.0.1': { serviceUser: 'other', serviceGroup: 'zkgrp' } } }, 'h');
  expect(ssh.driver === 'ssh' && sshOptions('orders', ssh)).toEqual({ ensemble: 'orders', defaults: { serviceUser: 'zk' }, machines: { '10.0.0.1': { serviceUser: 'other', serviceGroup: 'zkgrp' } } });
  expect(() => parseHostsConfig({ driver: 'ssh', serviceUser: 'root\nUser=x' }, 'h')).toThrow(/serviceUser: must be a user name/);
});
