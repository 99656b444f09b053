/**
 * The host layer's contract, the same cases on both machines (this one, and one reached over ssh on
 * the test's own sshd) and, for servers, on both layouts (zk-rollout's own, and an adopted server in
 * a Debian-like layout started by an init-style script). Real ZooKeeper servers, standalone, on
 * loopback only; every process the tests start is stopped by its pid.
 */
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { AdoptedServer, Server } from '../../lib/model/types';
import { LocalHostDriver } from '../../lib/hosts/local';
import { LocalMachine } from '../../lib/hosts/local-machine';
import { Machine } from '../../lib/hosts/machine';
import { SshHostDriver } from '../../lib/hosts/ssh';
import { SshRunner } from '../../lib/hosts/ssh-exec';
import { RemoteMachine } from '../../lib/hosts/ssh-machine';
import { HostDriver } from '../../lib/hosts/types';
import { superDigest } from '../../lib/runtime/credentials';
import { SshBed } from '../support/ssh-bed';

jest.setTimeout(180000);

const CLASSPATH = '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar';
/** The rollout's own variables, set in this process as cdktf deploy sets them: no server may inherit them. */
const PASSWORD = 'contract-secret-password';
const DIGEST = superDigest('super', PASSWORD);
const SUPER = 'zookeeper.DigestAuthenticationProvider.superDigest';
const OWN_ENV = { ZK_ROLLOUT_SUPER_PASSWORD: PASSWORD, ZK_ROLLOUT_DESIRED: '{"name":"contract"}' };
const bed = new SshBed([9, 10, 11, 12]);
const localDir = mkdtempSync(join(tmpdir(), 'zk-contract-'));
const runner = new SshRunner();
/** Every server pid a test saw running, stopped by pid in afterAll if still there. */
const started = new Set<number>();
const drivers: HostDriver[] = [];

interface Side {
  readonly name: string;
  machine(): Machine;
  /** Where the machine's filesystem starts, as seen from here (the ssh bed's hosts each have their own root). */
  root(): string;
  /** The same for the adopted server's machine. */
  adoptedRoot(): string;
  /** A path as the adopted server's machine's users declare it. */
  declared(path: string): string;
  ownServer: Server;
  adoptedServer: Server;
  ownDriver(): HostDriver;
  adoptedDriver(s: AdoptedServer): HostDriver;
}

const server = (id: number, host: string, base: number | null): Server => ({
  id, host, role: 'participant',
  clientPort: base === null ? 2181 : base + 1, quorumPort: base === null ? 2888 : base + 2, electionPort: base === null ? 3888 : base + 3,
});

const local: Side = {
  name: 'this machine (LocalMachine)',
  machine: () => new LocalMachine(),
  root: () => join(localDir, 'host'),
  adoptedRoot: () => join(localDir, 'host'),
  declared: (p) => join(localDir, 'host', p),
  ownServer: server(1, '127.0.0.1', 25500),
  adoptedServer: server(2, '127.0.0.1', 25510),
  ownDriver: () => new LocalHostDriver({ baseDir: join(localDir, 'host', 'zk-rollout'), ensemble: 'contract' }),
  adoptedDriver: (s) => new LocalHostDriver({ baseDir: join(localDir, 'host', 'zk-rollout'), ensemble: 'contract', adopted: [s] }),
};

const ssh: Side = {
  name: 'a machine over ssh (RemoteMachine)',
  machine: () => new RemoteMachine(runner, { address: bed.address(9), port: bed.port, user: userInfo().username, identityFile: bed.identityFile, knownHostsFile: bed.knownHostsFile }),
  root: () => bed.root(9),
  adoptedRoot: () => bed.root(10),
  declared: (p) => p,
  ownServer: server(9, bed.address(9), null),
  adoptedServer: server(10, bed.address(10), null),
  ownDriver: () => new SshHostDriver(bed.options('contract')),
  adoptedDriver: (s) => new SshHostDriver({ ...bed.options('contract'), adopted: [s] }),
};

beforeAll(async () => {
  Object.assign(process.env, OWN_ENV);
  await bed.start();
});

afterAll(async () => {
  for (const k of Object.keys(OWN_ENV)) delete process.env[k];
  for (const d of drivers) await d.close?.().catch(() => undefined);
  await runner.close();
  for (const pid of started) {
    const cmdline = (() => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { return ''; } })();
    if (cmdline.includes('QuorumPeerMain')) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
  }
  bed.stop();
});

function track<T extends HostDriver>(d: T): T { drivers.push(d); return d; }

/** A standalone server: no server.N lines, the client port on the server's own loopback address only. */
function standaloneCfg(s: Server, dataDir: string): string {
  return [
    'tickTime=2000', 'initLimit=5', 'syncLimit=2', `dataDir=${dataDir}`, `clientPort=${s.clientPort}`, `clientPortAddress=${s.host}`,
    'admin.enableServer=false', '4lw.commands.whitelist=ruok', '',
  ].join('\n');
}

function ruok(s: Server): Promise<string> {
  return new Promise((resolve) => {
    const c = connect({ host: s.host, port: s.clientPort });
    let out = '';
    c.setTimeout(1000, () => { c.destroy(); resolve(''); });
    c.once('connect', () => c.write('ruok'));
    c.on('data', (d) => { out += String(d); });
    c.once('close', () => resolve(out));
    c.once('error', () => resolve(''));
  });
}

async function answers(s: Server, timeoutMs = 30000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await ruok(s)) === 'imok') return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

const cmdline = (pid: number) => { try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { return []; } };
const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
const mode = (path: string) => statSync(path).mode & 0o777;

/** The system properties the running JVM has (jcmd), or null when jcmd is not installed. */
function jvmProperties(pid: number): string | null {
  try { execFileSync('jcmd', ['-h'], { stdio: 'ignore' }); } catch { return null; }
  return execFileSync('jcmd', [String(pid), 'VM.system_properties'], { encoding: 'utf8' });
}

/**
 * A server started with the superuser digest has it in the JVM (through its 0600 argument file) and
 * nowhere else a local user can read: not its command line, not its environment, which holds none of
 * zk-rollout's own variables.
 */
function expectDigestOnlyThroughFile(pid: number, argFile: string): void {
  expect(cmdline(pid)).toContain(`@${argFile}`);
  expect(cmdline(pid).join(' ')).not.toContain(DIGEST);
  expect(cmdline(pid).join(' ')).not.toContain('superDigest');
  expect(mode(argFile)).toBe(0o600);
  expect(readFileSync(argFile, 'utf8')).toContain(`"-D${SUPER}=${DIGEST}"`);
  const env = environ(pid);
  expect(env.filter((e) => e.startsWith('ZK_ROLLOUT_'))).toEqual([]);
  expect(env.join('\n')).not.toContain(PASSWORD);
  const props = jvmProperties(pid);
  if (props !== null) expect(props).toContain(`${SUPER}=${DIGEST.replace(/[:=]/g, (c) => `\\${c}`)}`);
}
/** No process, or one that has exited and waits to be reaped (an empty command line). */
const gone = (pid: number) => cmdline(pid).join('') === '';

describe.each([local, ssh])('on $name', (side) => {
  let m: Machine;
  beforeAll(() => { m = side.machine(); mkdirSync(side.root(), { recursive: true }); });

  test('run returns the exit code, stdout and stderr, with stdin and environment passed through', async () => {
    const r = await m.run('read line; echo "out:$line:$GREETING"; echo err >&2; exit 7', { stdin: 'hello\n', env: { GREETING: `it's a "test"` } });
    expect(r).toEqual({ code: 7, stdout: `out:hello:it's a "test"\n`, stderr: 'err\n' });
    expect(await m.run('true')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  test('run returns output that arrives after the script exited (over ssh, the exit status can come before the last output)', async () => {
    // The shell exits at once; its background child writes 0.3 s later on the same pipe. Over a
    // multiplexed ssh connection the client then exits before the output is written: a read that
    // ended at the exit got nothing, which once made a status read see no line at all.
    expect(await m.run('( sleep 0.3; echo late ) & exit 0')).toEqual({ code: 0, stdout: 'late\n', stderr: '' });
  });

  test('writeFileAtomic creates directories and replaces the file; readFile reads it, or says there is none', async () => {
    const path = join(side.root(), 'atomic', 'deep', 'file.txt');
    await m.writeFileAtomic(path, 'one\n');
    await m.writeFileAtomic(path, 'two\n');
    expect(readFileSync(path, 'utf8')).toBe('two\n');
    expect(await m.readFile(path)).toBe('two\n');
    expect(await m.readFile(join(side.root(), 'atomic', 'missing'))).toBeUndefined();
    expect(readdirSync(join(side.root(), 'atomic', 'deep'))).toEqual(['file.txt']);
  });

  test('a write that fails leaves what was there, and no temporary file', async () => {
    // A directory where the file should go: the rename fails (never a move into the directory).
    const dir = join(side.root(), 'atomic-fail');
    mkdirSync(join(dir, 'target'), { recursive: true });
    writeFileSync(join(dir, 'target', 'inside'), 'kept\n');
    await expect(m.writeFileAtomic(join(dir, 'target'), 'new\n')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readdirSync(join(dir, 'target'))).toEqual(['inside']);
    // A file where a parent directory should be: nothing is created, the file is as it was.
    writeFileSync(join(dir, 'plain'), 'old\n');
    await expect(m.writeFileAtomic(join(dir, 'plain', 'child'), 'new\n')).rejects.toThrow();
    expect(readFileSync(join(dir, 'plain'), 'utf8')).toBe('old\n');
    expect(readdirSync(dir).sort()).toEqual(['plain', 'target']);
  });

  describe('a server in zk-rollout\'s own layout', () => {
    let d: HostDriver;
    const s = side.ownServer;
    beforeAll(() => { d = track(side.ownDriver()); });

    test('files written, started: running with its pid, its zoo.cfg and the settings it started with', async () => {
      const p = d.paths(s);
      await d.writeFiles(s, { zooCfg: standaloneCfg(s, p.dataDir), settingsHash: 'hash-own-1' });
      expect(readFileSync(join(p.dataDir, 'myid'), 'utf8')).toBe(`${s.id}\n`);
      expect(await d.readZooCfg(s)).toBe(standaloneCfg(s, p.dataDir));
      expect(await d.isRunning(s)).toBe(false);
      expect(await d.runningSettingsHash(s)).toBeUndefined();

      await d.start(s, { heapMb: 64, systemProperties: { 'zk.contract': 'own' }, secretProperties: { [SUPER]: DIGEST } });
      const pid = await d.pid(s);
      expect(pid).not.toBeNull();
      if (pid === null) return;
      started.add(pid);
      expect(cmdline(pid)).toEqual(expect.arrayContaining([p.zooCfg, '-Dzk.contract=own', '-Xmx64m']));
      expectDigestOnlyThroughFile(pid, join(p.dir, 'conf', 'jvm-secrets.args'));
      // Its directory is its user's only; its log is not world-readable.
      expect(mode(p.dir)).toBe(0o700);
      expect(mode(p.log) & 0o007).toBe(0);
      expect(await d.isRunning(s)).toBe(true);
      expect(await d.runningSettingsHash(s)).toBe('hash-own-1');
      expect(await answers(s)).toBe(true);
      await expect(d.start(s, { heapMb: 64 })).rejects.toThrow(new RegExp(`server ${s.id}.*: already running \\(pid ${pid}\\)`));
      // New files on disk do not change what the running process started with.
      await d.writeFiles(s, { zooCfg: standaloneCfg(s, p.dataDir), settingsHash: 'hash-own-2' });
      expect(await d.runningSettingsHash(s)).toBe('hash-own-1');
    });

    test('stopped: not running, no pid, its process gone; stopping again is fine', async () => {
      const pid = await d.pid(s);
      await d.stop(s, 10000);
      expect(await d.isRunning(s)).toBe(false);
      expect(await d.pid(s)).toBeNull();
      expect(await d.runningSettingsHash(s)).toBeUndefined();
      expect(pid).not.toBeNull();
      expect(gone(pid!)).toBe(true);
      expect(await ruok(s)).toBe('');
      await d.stop(s, 1000);
      // Its log's last error lines, read on its machine (what a stop during a sync wait reports).
      appendFileSync(d.paths(s).log, '2026-11-26 12:00:00.000 [SyncThread:1] ERROR org.apache.zookeeper.server.ZooKeeperCriticalThread - Severe unrecoverable error\n');
      expect((await d.logErrors(s)).split('\n').at(-1)).toMatch(/ERROR .*Severe unrecoverable error$/);
    });

    test('its files make it a known server until they are deleted', async () => {
      const member = `server.${s.id}=${s.host}:${s.quorumPort}:${s.electionPort}:participant;${s.host}:${s.clientPort}`;
      await d.writeFiles(s, { zooCfg: `${standaloneCfg(s, d.paths(s).dataDir)}${member}\n`, settingsHash: 'h' });
      expect(await d.knownServers()).toEqual([s]);
      expect(existsSync(join(d.paths(s).dir, 'conf', 'jvm-secrets.args'))).toBe(true);
      await d.deleteFiles(s);
      expect(existsSync(d.paths(s).dir)).toBe(false); // the argument file with the digest went with it
      expect(await d.knownServers()).toEqual([]);
      expect(await d.logErrors(s)).toBe('');
    });
  });

  describe('an adopted server (Debian-like layout, init-style script)', () => {
    let d: HostDriver;
    const s = side.adoptedServer;
    const onHost = (p: string) => join(side.adoptedRoot(), p);
    let adopted: AdoptedServer;

    beforeAll(() => {
      const root = side.adoptedRoot();
      const [cfg, data, pidFile, log, init] = ['etc/zookeeper/conf/zoo.cfg', 'var/lib/zookeeper', 'var/run/zookeeper/zookeeper.pid', 'var/log/zookeeper/zookeeper.log', 'etc/init.d/zookeeper'].map((p) => join(root, p));
      for (const p of [cfg, pidFile, log, init]) mkdirSync(join(p, '..'), { recursive: true });
      mkdirSync(data, { recursive: true });
      writeFileSync(cfg, standaloneCfg(s, data));
      writeFileSync(join(data, 'myid'), `${s.id}\n`);
      // A stand-in for a distribution's init script: java with $SERVER_JVMFLAGS (unquoted, as zkServer.sh
      // does), tracked by its pid file; stop removes the pid file without waiting, as naive scripts do.
      writeFileSync(init, [
        '#!/bin/bash',
        `PIDFILE='${pidFile}'`,
        'case "$1" in',
        `  start) setsid java $SERVER_JVMFLAGS -cp ${CLASSPATH} org.apache.zookeeper.server.quorum.QuorumPeerMain '${cfg}' </dev/null >>'${log}' 2>&1 &`,
        '    echo $! > "$PIDFILE" ;;',
        '  stop) [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")"; rm -f "$PIDFILE" ;;',
        '  *) echo "usage: $0 start|stop" >&2; exit 2 ;;',
        'esac',
        '',
      ].join('\n'));
      chmodSync(init, 0o755);
      adopted = {
        ...s,
        run: {
          zooCfg: side.declared('/etc/zookeeper/conf/zoo.cfg'), dataDir: side.declared('/var/lib/zookeeper'),
          pidFile: side.declared('/var/run/zookeeper/zookeeper.pid'), log: side.declared('/var/log/zookeeper/zookeeper.log'),
          start: `${init} start`, stop: `${init} stop`,
        },
      };
      d = track(side.adoptedDriver(adopted));
    });

    test('its paths are the declared ones; files land there, the fingerprint beside zoo.cfg', async () => {
      const p = d.paths(s);
      expect(p).toEqual({
        dir: onHost('etc/zookeeper/conf'), zooCfg: onHost('etc/zookeeper/conf/zoo.cfg'), dynamicCfg: onHost('etc/zookeeper/conf/zoo.cfg.dynamic'),
        dataDir: onHost('var/lib/zookeeper'), log: onHost('var/log/zookeeper/zookeeper.log'),
      });
      expect(await d.readZooCfg(s)).toBe(standaloneCfg(s, p.dataDir));
      await d.writeFiles(s, { zooCfg: standaloneCfg(s, p.dataDir), settingsHash: 'hash-adopted' });
      expect(readFileSync(onHost('etc/zookeeper/conf/zk-rollout.settings.hash'), 'utf8')).toBe('hash-adopted\n');
      expect(readFileSync(onHost('var/lib/zookeeper/myid'), 'utf8')).toBe(`${s.id}\n`);
      expect(await d.isRunning(s)).toBe(false);
    });

    test('started through its start command with the JVM options in SERVER_JVMFLAGS, the digest through @<file>', async () => {
      await d.start(s, { heapMb: 64, systemProperties: { 'zk.contract': 'adopted', 'zookeeper.forceSnapshotSync': 'true' }, secretProperties: { [SUPER]: DIGEST } });
      const pid = await d.pid(s);
      expect(pid).not.toBeNull();
      if (pid === null) return;
      started.add(pid);
      expect(readFileSync(onHost('var/run/zookeeper/zookeeper.pid'), 'utf8').trim()).toBe(String(pid));
      expect(cmdline(pid)).not.toContain('-Xmx64m');
      expect(cmdline(pid)).toEqual(expect.arrayContaining(['-Dzk.contract=adopted', '-Dzookeeper.forceSnapshotSync=true', onHost('etc/zookeeper/conf/zoo.cfg')]));
      // The argument file beside zoo.cfg, owned like the data directory (the account the server runs as).
      const argFile = onHost('etc/zookeeper/conf/zk-rollout.jvm-secrets.args');
      expectDigestOnlyThroughFile(pid, argFile);
      expect(statSync(argFile).uid).toBe(statSync(onHost('var/lib/zookeeper')).uid);
      expect(await d.runningSettingsHash(s)).toBe('hash-adopted');
      expect(await answers(s)).toBe(true);
    });

    test('stopped through its stop command: gone, even though the script dropped its pid file at once', async () => {
      const pid = await d.pid(s);
      await d.stop(s, 10000);
      expect(await d.isRunning(s)).toBe(false);
      expect(pid).not.toBeNull();
      expect(gone(pid!)).toBe(true);
      expect(await ruok(s)).toBe('');
    });

    test('a start command that drops SERVER_JVMFLAGS is named: the options never reached java', async () => {
      const dropping = track(side.adoptedDriver({ ...adopted, run: { ...adopted.run, start: `env -u SERVER_JVMFLAGS ${adopted.run.start}` } }));
      await expect(dropping.start(s, { heapMb: 64, systemProperties: { 'zk.contract': 'adopted' } }))
        .rejects.toThrow(/started without the JVM options zk-rollout passes in SERVER_JVMFLAGS \(missing -Dzk\.contract\): its start command \(env -u SERVER_JVMFLAGS .*\) must pass \$SERVER_JVMFLAGS to java/);
      await dropping.stop(s, 10000);
      expect(await dropping.isRunning(s)).toBe(false);
    });

    test('its data is never deleted by zk-rollout', async () => {
      await expect(d.deleteFiles(s)).rejects.toThrow(/zk-rollout does not delete the data of a server it did not create \(its data directory .*var\/lib\/zookeeper is left as it is\)/);
      expect(existsSync(onHost('var/lib/zookeeper/myid'))).toBe(true);
      expect(existsSync(onHost('etc/zookeeper/conf/zoo.cfg'))).toBe(true);
    });
  });
});
