/**
 * The status scripts every observation runs (bash builtins only), on this machine against a stand-in
 * process whose command line looks like a server's: the last argument names its zoo.cfg.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalMachine } from '../../lib/hosts/local-machine';
import { logErrorsScript, onlyOnConfig, pidFromFile, quorumPeerAlive, readStatuses, statusScript } from '../../lib/hosts/process-scripts';

const dir = mkdtempSync(join(tmpdir(), 'zk-status-'));
const zooCfg = join(dir, 'conf', 'zoo.cfg');
const m = new LocalMachine();
let server: ChildProcess;

beforeAll(async () => {
  // Its arguments end like QuorumPeerMain's: the main class, then the zoo.cfg it runs on.
  server = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'org.apache.zookeeper.server.quorum.QuorumPeerMain', zooCfg], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 200));
  writeFileSync(join(dir, 'live.pid'), `${server.pid}\n`);
  writeFileSync(join(dir, 'gone.pid'), '999999999\n');
  writeFileSync(join(dir, 'junk.pid'), 'not a pid');
  writeFileSync(join(dir, 'running.hash'), 'abc123'); // no final newline, as some writers leave it
});

afterAll(() => {
  server.kill('SIGKILL'); // by the pid this test started
  rmSync(dir, { recursive: true, force: true });
});

describe('status scripts', () => {
  test('GIVEN several servers THEN one look reports each in order: running with its fingerprint, or not running', async () => {
    const found = await readStatuses(m, [
      statusScript(pidFromFile(join(dir, 'live.pid'), zooCfg), join(dir, 'running.hash')),
      statusScript(pidFromFile(join(dir, 'gone.pid'), zooCfg), join(dir, 'running.hash')),
      statusScript(pidFromFile(join(dir, 'missing.pid'), zooCfg), join(dir, 'running.hash')),
      statusScript(pidFromFile(join(dir, 'junk.pid'), zooCfg), join(dir, 'running.hash')),
      statusScript(pidFromFile(join(dir, 'live.pid'), zooCfg), join(dir, 'no.hash')),
    ]);
    expect(found).toEqual([{ pid: server.pid, runningHash: 'abc123' }, { pid: null }, { pid: null }, { pid: null }, { pid: server.pid }]);
  });

  test('GIVEN a live process on another zoo.cfg THEN it is not this server', async () => {
    const [other] = await readStatuses(m, [statusScript(pidFromFile(join(dir, 'live.pid'), '/etc/zookeeper/conf/zoo.cfg'), join(dir, 'running.hash'))]);
    expect(other).toEqual({ pid: null });
    const [service] = await readStatuses(m, [statusScript(`pid=${server.pid}; ${onlyOnConfig('/other/zoo.cfg')}`, join(dir, 'running.hash'))]);
    expect(service).toEqual({ pid: null });
  });

  test('GIVEN a pid that is not QuorumPeerMain THEN it never counts (a stale pid file must not get another process signalled)', async () => {
    writeFileSync(join(dir, 'self.pid'), `${process.pid}\n`);
    const [found] = await readStatuses(m, [statusScript(pidFromFile(join(dir, 'self.pid')), join(dir, 'running.hash'))]);
    expect(found).toEqual({ pid: null });
    expect(await quorumPeerAlive(m, process.pid)).toBe(false);
    expect(await quorumPeerAlive(m, server.pid!)).toBe(true);
  });
});

describe('a look that comes back short', () => {
  test('GIVEN a machine whose look prints nothing (output lost) THEN it is an error naming the machine, never "nothing runs"', async () => {
    const lost = { describe: () => 'host-a', run: async () => ({ code: 0, stdout: '', stderr: '' }) } as unknown as LocalMachine;
    await expect(readStatuses(lost, [statusScript('pid=1', '/x'), statusScript('pid=2', '/y')])).rejects.toThrow(/could not read the servers' status on host-a: 0 line\(s\) for 2 server\(s\)/);
  });

  test('GIVEN a look with one line per server THEN each is read, an empty line as not running, the quorum TLS phase after the fingerprint', async () => {
    const ok = { describe: () => 'host-a', run: async () => ({ code: 0, stdout: '41 h1\n\n42 h2 quorum-tls=2\n', stderr: '' }) } as unknown as LocalMachine;
    expect(await readStatuses(ok, ['a', 'b', 'c'])).toEqual([{ pid: 41, runningHash: 'h1' }, { pid: null }, { pid: 42, runningHash: 'h2', quorumTls: 2 }]);
  });
});

describe('a log\'s last error lines', () => {
  const lines = [
    '2026-11-26 17:01:09.100 [main] INFO  org.apache.zookeeper.server.quorum.QuorumPeer - starting',
    '2026-11-26 17:01:09.430 [LearnerHandler-/127.0.0.1:42048] ERROR org.apache.zookeeper.server.quorum.LearnerHandler - Unexpected exception in LearnerHandler: ',
    'java.io.EOFException',
    '\tat java.base/java.io.DataInputStream.readInt(DataInputStream.java:397)',
    '2026-11-26 17:01:10.000 [QuorumPeer[myid=1]] ERROR org.apache.zookeeper.server.quorum.Learner - Exception when following the leader',
    'java.lang.NullPointerException: Cannot invoke "Object.hashCode()"',
    '\tat org.apache.zookeeper.server.quorum.Learner.syncWithLeader(Learner.java:600)',
    'Caused by: java.net.SocketException: Connection reset',
    '\tat java.base/java.net.SocketInputStream.read(SocketInputStream.java:186)',
    // Harmless ones a running server keeps logging: they must not push the cause out of the last three.
    '2026-11-26 17:01:11.000 [NIOWorkerThread-2] WARN  org.apache.zookeeper.server.NIOServerCnxn - Unexpected exception',
    'EndOfStreamException: Unable to read additional data from client, it probably closed the socket: address = /127.0.0.1:36080, session = 0x0',
    '\tat org.apache.zookeeper.server.NIOServerCnxn.handleFailedRead(NIOServerCnxn.java:163)',
    '2026-11-26 17:01:12.000 [QuorumPeer[myid=1]] WARN  org.apache.zookeeper.server.quorum.QuorumPeer - Interrupted',
    'java.lang.InterruptedException',
    '2026-11-26 17:01:13.000 [main] INFO  org.apache.zookeeper.server.quorum.QuorumPeer - ERRORS: none in this message',
  ];

  test('GIVEN errors followed by WARN exceptions THEN the last three ERROR, exception and Caused-by lines, the warnings left out', async () => {
    writeFileSync(join(dir, 'zookeeper.log'), `${lines.join('\n')}\n`);
    expect((await m.run(logErrorsScript(join(dir, 'zookeeper.log')))).stdout.trim().split('\n')).toEqual([
      lines[4], lines[5], lines[7],
    ]);
  });

  test('GIVEN the Debian layout\'s format (" - ERROR [") THEN its ERROR lines count too; no log prints nothing', async () => {
    writeFileSync(join(dir, 'debian.log'), '2026-11-26 17:01:09,430 [myid:1] - ERROR [main:QuorumPeerMain@114] - Unexpected exception, exiting abnormally\njava.net.BindException: Address already in use\n\tat sun.nio.ch.Net.bind0(Native Method)\n');
    expect((await m.run(logErrorsScript(join(dir, 'debian.log')))).stdout.trim().split('\n')).toEqual([
      '2026-11-26 17:01:09,430 [myid:1] - ERROR [main:QuorumPeerMain@114] - Unexpected exception, exiting abnormally',
      'java.net.BindException: Address already in use',
    ]);
    expect((await m.run(logErrorsScript(join(dir, 'missing.log')))).stdout).toBe('');
  });
});
