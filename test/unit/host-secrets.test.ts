/**
 * Secrets in transit (issue 16 item 3): the superuser digest reaches a server only through a 0600
 * argument file, never a command line, a unit, SERVER_JVMFLAGS or an ssh argument, and nothing the
 * host layer starts inherits zk-rollout's own variables. The layouts run against a machine that records
 * what it is asked to do; ssh against a runner that records its argument vectors.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdoptedLayout, dropInPath } from '../../lib/hosts/adopted-layout';
import { hostChildEnv } from '../../lib/hosts/clean-spawn';
import { renderArgFile } from '../../lib/hosts/jvm';
import { LocalMachine } from '../../lib/hosts/local-machine';
import { Machine, RunOptions, RunResult, WriteOptions } from '../../lib/hosts/machine';
import { OwnLayout, RunAs } from '../../lib/hosts/own-layout';
import { RemoteResult, SshRunner, SshTarget } from '../../lib/hosts/ssh-exec';
import { RemoteMachine } from '../../lib/hosts/ssh-machine';
import { HostDriver, JvmOptions } from '../../lib/hosts/types';
import { AdoptedServer, Server } from '../../lib/model/types';
import { serverAuthProperties, superDigest } from '../../lib/runtime/credentials';
import { startServer } from '../../lib/runtime/server-config';
import { ensemble } from '../support/fixtures';

const PASSWORD = 'unit-secret-password';
const DIGEST = superDigest('super', PASSWORD);
const SUPER = 'zookeeper.DigestAuthenticationProvider.superDigest';
const JVM: JvmOptions = { heapMb: 64, systemProperties: { 'zookeeper.forceSnapshotSync': 'true' }, secretProperties: { [SUPER]: DIGEST } };

/** A machine that records every script (with its environment) and every file, and answers as told. */
class RecordingMachine implements Machine {
  readonly runs: Array<{ script: string; env?: Readonly<Record<string, string>> }> = [];
  readonly files = new Map<string, { content: string; mode?: number }>();
  constructor(private readonly answer: (script: string) => Partial<RunResult> = () => ({})) {}
  describe(): string { return 'the recording machine'; }
  async run(script: string, opts: RunOptions = {}): Promise<RunResult> {
    this.runs.push({ script, ...(opts.env ? { env: opts.env } : {}) });
    return { code: 0, stdout: '', stderr: '', ...this.answer(script) };
  }
  async writeFileAtomic(path: string, content: string, opts: WriteOptions = {}): Promise<void> {
    this.files.set(path, { content, ...(opts.mode !== undefined ? { mode: opts.mode } : {}) });
  }
  async readFile(path: string): Promise<string | undefined> { return this.files.get(path)?.content; }
  async download(): Promise<void> { throw new Error('not used here'); }
  async upload(): Promise<void> { throw new Error('not used here'); }
  /** Everything that could show up in a process list or an environment: scripts and their variables. */
  visible(): string { return this.runs.map((r) => `${r.script}\n${JSON.stringify(r.env ?? {})}`).join('\n'); }
}

/** An ssh runner that records the argument vector ssh would get, and its standard input. */
class RecordingSsh extends SshRunner {
  readonly calls: Array<{ argv: string[]; stdin?: string }> = [];
  async run(t: SshTarget, script: string, stdin?: string): Promise<RemoteResult> {
    this.calls.push({ argv: [...this.args(t), script], ...(stdin !== undefined ? { stdin } : {}) });
    return { code: 0, stdout: '', stderr: '' };
  }
}

const server: Server = { id: 3, host: '10.0.0.3', clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant' };
const own = (runAs: RunAs, more: Partial<ConstructorParameters<typeof OwnLayout>[1]> = {}) => new OwnLayout(server, {
  ensemble: 'orders', ensembleDir: '/var/lib/zk-rollout/orders', javaBin: 'java', classpath: '/usr/share/java/zookeeper.jar',
  runAs: async () => runAs, unitDir: '/etc/systemd/system', ...more,
});
const adoptedServer = (run: Partial<AdoptedServer['run']>): AdoptedServer => ({
  ...server, run: { zooCfg: '/etc/zookeeper/conf/zoo.cfg', dataDir: '/var/lib/zookeeper', ...run } as AdoptedServer['run'],
});

describe('zk-rollout\'s own servers: the digest in a 0600 argument file, named @<file> on the command line', () => {
  test('a plain process: the argument file is written 0600 with the digest; no script and no command line holds it', async () => {
    const m = new RecordingMachine();
    const layout = own('process');
    await layout.launch(m, JVM);
    expect(m.files.get(layout.argFile)).toEqual({ content: renderArgFile(JVM), mode: 0o600 });
    expect(m.files.get(layout.argFile)!.content).toContain(`"-D${SUPER}=${DIGEST}"`);
    expect(m.visible()).not.toContain(DIGEST);
    expect(m.visible()).toContain(`'@${layout.argFile}'`);
    expect(layout.commandLine(JVM)).toEqual(['java', '-Xmx64m', '-Dzookeeper.log.dir=/var/lib/zk-rollout/orders/server-3',
      '-Dorg.slf4j.simpleLogger.showDateTime=true', '-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS', '-Dzookeeper.forceSnapshotSync=true',
      `@${layout.argFile}`, '-cp', '/usr/share/java/zookeeper.jar', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', '/var/lib/zk-rollout/orders/server-3/conf/zoo.cfg']);
    // Its directories are its user's only; its log and the files it creates are not world-readable.
    expect(m.runs[0].script).toMatch(/umask 027; : >> '\/var\/lib\/zk-rollout\/orders\/server-3\/zookeeper\.log' && chmod 0640/);
    expect(m.runs[0].script).toContain(`chmod 0700 '/var/lib/zk-rollout/orders' '/var/lib/zk-rollout/orders/server-3'`);
  });

  test('a systemd unit: neither the unit nor any script holds the digest; the unit runs as the service user', async () => {
    const m = new RecordingMachine();
    const layout = own('systemd');
    await layout.launch(m, JVM);
    const unit = m.files.get('/etc/systemd/system/zookeeper-orders-3.service')!;
    expect(unit.content).not.toContain(DIGEST);
    expect(unit.content).toMatch(/^ExecStart=.* "@\/var\/lib\/zk-rollout\/orders\/server-3\/conf\/jvm-secrets\.args" "-cp"/m);
    expect(unit.content).toMatch(/^User=zookeeper$/m);
    expect(unit.mode).toBe(0o644);
    expect(m.files.get(layout.argFile)).toEqual({ content: renderArgFile(JVM), mode: 0o600 });
    expect(m.visible()).not.toContain(DIGEST);
    // The service user must exist; its server's files become its own.
    const script = m.runs[0].script;
    expect(script).toMatch(/if ! getent passwd 'zookeeper' >\/dev\/null; then echo 'no user zookeeper on this machine to run zookeeper-orders-3\.service as: create it .*or set serviceUser/);
    expect(script).toContain(`chown -hR 'zookeeper:' '/var/lib/zk-rollout/orders/server-3' && chmod 0700 '/var/lib/zk-rollout/orders/server-3' && chmod 0711 '/var/lib/zk-rollout/orders' && chmod o+x '/var/lib/zk-rollout'`);
    expect(script.indexOf('getent passwd')).toBeLessThan(script.indexOf('systemctl'));
  });

  test('a service user and group given: the unit and the ownership say so', async () => {
    const m = new RecordingMachine();
    await own('systemd', { serviceUser: 'zk', serviceGroup: 'zkgrp' }).launch(m, JVM);
    expect(m.files.get('/etc/systemd/system/zookeeper-orders-3.service')!.content).toMatch(/^User=zk\nGroup=zkgrp$/m);
    expect(m.runs[0].script).toContain(`chown -hR 'zk:zkgrp'`);
  });

  test('without a secret (skipACL): no argument file on the command line, and an old one is removed', async () => {
    const m = new RecordingMachine();
    const layout = own('process');
    await layout.launch(m, { heapMb: 64 });
    expect(m.files.has(layout.argFile)).toBe(false);
    expect(m.runs[0].script).toContain(`rm -f '${layout.argFile}'`);
    expect(layout.commandLine({ heapMb: 64 }).some((a) => a.startsWith('@'))).toBe(false);
  });

  test('deleting the server\'s files removes its directory, the argument file with it', async () => {
    const m = new RecordingMachine();
    const layout = own('process');
    await layout.deleteFiles(m, async () => undefined);
    expect(layout.argFile.startsWith(`${layout.paths.dir}/`)).toBe(true);
    expect(m.runs[0].script).toBe(`rm -rf '${layout.paths.dir}' && rm -f '/etc/systemd/system/zookeeper-orders-3.service'`);
  });
});

describe('adopted servers: @<file> in SERVER_JVMFLAGS, the file beside zoo.cfg', () => {
  test('a start command gets @<file> in SERVER_JVMFLAGS, never the digest; the file is 0600 and given the data directory\'s owner', async () => {
    const m = new RecordingMachine();
    const layout = new AdoptedLayout(adoptedServer({ pidFile: '/run/zk.pid', start: '/etc/init.d/zookeeper start' }));
    await layout.launch(m, JVM);
    expect(layout.argFile).toBe('/etc/zookeeper/conf/zk-rollout.jvm-secrets.args');
    expect(m.files.get(layout.argFile)).toEqual({ content: renderArgFile(JVM), mode: 0o600 });
    const start = m.runs.find((r) => r.script.includes('/etc/init.d/zookeeper start'))!;
    expect(start.env).toEqual({ SERVER_JVMFLAGS: `-Dzookeeper.forceSnapshotSync=true @${layout.argFile}` });
    expect(start.script).toContain(`chown --reference='/var/lib/zookeeper' '${layout.argFile}'`);
    expect(m.visible()).not.toContain(DIGEST);
  });

  test('a systemd service gets a drop-in without the digest', async () => {
    const m = new RecordingMachine();
    const layout = new AdoptedLayout(adoptedServer({ service: 'zookeeper.service' }));
    await layout.launch(m, JVM);
    const dropIn = m.files.get(dropInPath('zookeeper.service'))!;
    expect(dropIn.content).toMatch(/^Environment="SERVER_JVMFLAGS=-Dzookeeper\.forceSnapshotSync=true @\/etc\/zookeeper\/conf\/zk-rollout\.jvm-secrets\.args"$/m);
    expect(dropIn.content).not.toContain(DIGEST);
    expect(m.visible()).not.toContain(DIGEST);
  });

  test('the start check accepts the digest through @<file> when the file holds it, and says what is wrong otherwise', async () => {
    const layout = new AdoptedLayout(adoptedServer({ pidFile: '/run/zk.pid', start: '/etc/init.d/zookeeper start' }));
    const cmdline = (words: string[]) => new RecordingMachine((script) => (script.includes('/proc/77/cmdline') ? { stdout: `${words.join('\n')}\n` } : {}));
    const started = ['java', '-Dzookeeper.forceSnapshotSync=true', `@${layout.argFile}`, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', '/etc/zookeeper/conf/zoo.cfg'];

    const good = cmdline(started);
    good.files.set(layout.argFile, { content: renderArgFile(JVM) });
    await expect(layout.checkStarted(good, 77, JVM)).resolves.toBeUndefined();

    const stale = cmdline(started);
    stale.files.set(layout.argFile, { content: renderArgFile({ heapMb: 1, secretProperties: { [SUPER]: superDigest('super', 'another') } }) });
    await expect(layout.checkStarted(stale, 77, JVM)).rejects.toThrow(new RegExp(`missing -D${SUPER.replace(/\./g, '\\.')} \\(through @${layout.argFile.replace(/\./g, '\\.')}, which does not hold it\\)`));

    const dropped = cmdline(started.filter((w) => !w.startsWith('@')));
    dropped.files.set(layout.argFile, { content: renderArgFile(JVM) });
    await expect(layout.checkStarted(dropped, 77, JVM)).rejects.toThrow(/started without the JVM options .*\(missing -Dzookeeper\.DigestAuthenticationProvider\.superDigest \(through @\/etc\/zookeeper\/conf\/zk-rollout\.jvm-secrets\.args\)\): its start command .* must pass \$SERVER_JVMFLAGS to java, unquoted/);

    // The server's own scripts may give the same digest themselves (the operator's java.env): that counts too.
    const own = cmdline([...started.filter((w) => !w.startsWith('@')), `-D${SUPER}=${DIGEST}`]);
    await expect(layout.checkStarted(own, 77, JVM)).resolves.toBeUndefined();
  });
});

describe('over ssh: no argument vector holds the digest', () => {
  test('a start over ssh passes the digest only on ssh\'s standard input, into the 0600 file; every ssh call ends its options with --', async () => {
    const ssh = new RecordingSsh();
    try {
      const m = new RemoteMachine(ssh, { address: '10.0.0.3', user: 'root' });
      await own('process').launch(m, JVM);
      await new AdoptedLayout(adoptedServer({ pidFile: '/run/zk.pid', start: '/etc/init.d/zookeeper start' })).launch(m, JVM);
      expect(ssh.calls.length).toBeGreaterThan(2);
      for (const c of ssh.calls) {
        expect(c.argv.join('\n')).not.toContain(DIGEST);
        expect(c.argv.slice(-3, -1)).toEqual(['--', '10.0.0.3']);
      }
      const carriers = ssh.calls.filter((c) => c.stdin?.includes(DIGEST));
      expect(carriers.map((c) => c.argv[c.argv.length - 1])).toEqual([
        expect.stringMatching(/umask 077 .*chmod 600 .*jvm-secrets\.args/), expect.stringMatching(/umask 077 .*chmod 600 .*zk-rollout\.jvm-secrets\.args/),
      ]);
    } finally {
      await ssh.close();
    }
  });
});

describe('what the runtime hands the driver', () => {
  test('startServer passes the digest as a secret option, apart from the open ones', async () => {
    const seen: JvmOptions[] = [];
    const driver = { start: async (_s: Server, jvm: JvmOptions) => { seen.push(jvm); } } as unknown as HostDriver;
    const e = ensemble([1, 2, 3]);
    await startServer(driver, e, e.servers[0], { mode: 'digest', user: 'super', password: PASSWORD });
    expect(seen).toEqual([{ heapMb: e.settings.jvmHeapMb, systemProperties: { 'zookeeper.forceSnapshotSync': 'true' }, secretProperties: serverAuthProperties({ mode: 'digest', user: 'super', password: PASSWORD }) }]);
    expect(JSON.stringify(seen[0].systemProperties)).not.toContain(DIGEST);
  });
});

describe('children of the host layer do not inherit zk-rollout\'s variables', () => {
  test('hostChildEnv drops every ZK_ROLLOUT_* variable and keeps the rest', () => {
    expect(hostChildEnv({ SERVER_JVMFLAGS: '-Da=b', ZK_ROLLOUT_X: 'y' }, { PATH: '/bin', ZK_ROLLOUT_SUPER_PASSWORD: 'p', ZK_ROLLOUT_DESIRED: '{}', ZK_ROLLOUTISH: 'kept' }))
      .toEqual({ PATH: '/bin', ZK_ROLLOUTISH: 'kept', SERVER_JVMFLAGS: '-Da=b' });
  });

  test('a script on this machine (and so a server it starts) sees no ZK_ROLLOUT_* variable, and sees the ones it is given', async () => {
    const before = { ...process.env };
    process.env.ZK_ROLLOUT_SUPER_PASSWORD = PASSWORD;
    process.env.ZK_ROLLOUT_SUPER_PASSWORD_FILE = '/secret/file';
    try {
      const r = await new LocalMachine().run('env', { env: { SERVER_JVMFLAGS: '-Dx=1' } });
      expect(r.stdout).not.toMatch(/ZK_ROLLOUT_/);
      expect(r.stdout).not.toContain(PASSWORD);
      expect(r.stdout).toMatch(/^SERVER_JVMFLAGS=-Dx=1$/m);
      expect(r.stdout).toMatch(/^PATH=/m);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in before)) delete process.env[k];
    }
  });
});

describe('files on this machine', () => {
  test('writeFileAtomic gives the file the mode asked for (0600 for the argument file) and new directories 0700', async () => {
    const base = mkdtempSync(join(tmpdir(), 'zk-modes-'));
    const m = new LocalMachine();
    const secret = join(base, 'a', 'b', 'secret.args');
    await m.writeFileAtomic(secret, 'x\n', { mode: 0o600 });
    await m.writeFileAtomic(join(base, 'a', 'b', 'plain'), 'y\n');
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(statSync(join(base, 'a', 'b', 'plain')).mode & 0o777).toBe(0o640);
    expect(statSync(join(base, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(base, 'a', 'b')).mode & 0o777).toBe(0o700);
  });
});

test('java reads the secret option from the argument file (the launcher\'s @file syntax)', () => {
  try { execFileSync('java', ['-version'], { stdio: 'ignore' }); } catch { console.warn('java not found: skipped'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'zk-argfile-'));
  const file = join(dir, 'jvm-secrets.args');
  writeFileSync(file, renderArgFile({ heapMb: 1, secretProperties: { [SUPER]: DIGEST, 'zk.quoted': 'a "b" \\c' } }), { mode: 0o600 });
  // -XshowSettings prints the system properties on stderr.
  const out = execFileSync('bash', ['-c', 'java "@$1" -XshowSettings:properties -version 2>&1', 'bash', file], { encoding: 'utf8' });
  expect(out).toContain(`${SUPER} = ${DIGEST}`);
  expect(out).toContain('zk.quoted = a "b" \\c');
  expect(readFileSync(file, 'utf8')).toContain(DIGEST);
});

describe('a systemd service user the machine lacks is refused before the running server is stopped', () => {
  test('GIVEN no such user THEN canLaunch refuses, naming the user and how to create it; with the user, or as a plain process, it passes', async () => {
    const lacking = new RecordingMachine((script) => (script.startsWith('getent passwd') ? { code: 2 } : {}));
    await expect(own('systemd').canLaunch(lacking)).rejects.toThrow(/server 3 on the recording machine: no user zookeeper on this machine .*useradd --system.*nothing was stopped/);
    await expect(own('systemd', { serviceUser: 'zk' }).canLaunch(lacking)).rejects.toThrow(/no user zk /);
    await expect(own('systemd').canLaunch(new RecordingMachine())).resolves.toBeUndefined();
    const plain = new RecordingMachine((script) => (script.startsWith('getent passwd') ? { code: 2 } : {}));
    await expect(own('process').canLaunch(plain)).resolves.toBeUndefined();
    expect(plain.runs).toEqual([]);
  });
});
