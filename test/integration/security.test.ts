/**
 * Security defaults on real servers: only the 4lw words the tool uses answer, nothing listens but the
 * server's own three ports (no AdminServer), reconfig needs the superuser, skipACL only when asked,
 * a config write that fails leaves the server's files as they were, and the superuser digest reaches
 * servers only through a 0600 file (no command line, no inherited ZK_ROLLOUT_* variable).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminClient, ZK } from '../../lib/runtime/admin-client';
import { superDigest } from '../../lib/runtime/credentials';
import { fourLetterWord } from '../../lib/runtime/four-letter';
import { observeEnsemble } from '../../lib/runtime/observe';
import { installServerFiles } from '../../lib/runtime/server-config';
import { RolloutLock } from '../../lib/runtime/rollout-lock';
import { parseRecord, recordPath } from '../../lib/runtime/rollout-record';
import { sleep } from '../../lib/runtime/wait';
import { AUTH, TestCluster } from '../support/cluster';

jest.setTimeout(180000);
const cluster = new TestCluster('itsec', 20000);
const open = new TestCluster('itsecopen', 20400);
afterAll(async () => { await cluster.stopAll(); await open.stopAll(); });

/** TCP ports the process listens on, from /proc: its socket inodes matched against the listening sockets. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set(readdirSync(`/proc/${pid}/fd`).map((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } })
    .map((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1]).filter((x): x is string => x !== undefined));
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) ports.push(parseInt(f[1].split(':')[1], 16));
    }
  }
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** zk-rollout's own variables, set in this process as cdktf deploy sets them: no server may inherit them. */
const OWN_ENV = { ZK_ROLLOUT_SUPER_PASSWORD: AUTH.password!, ZK_ROLLOUT_DESIRED: '{"name":"itsec"}' };

beforeAll(async () => {
  Object.assign(process.env, OWN_ENV);
  await cluster.apply(cluster.ensemble([1, 2, 3]));
});
afterAll(() => { for (const k of Object.keys(OWN_ENV)) delete process.env[k]; });

/**
 * The superuser digest reached the server only through its 0600 argument file: on the command line
 * there is `@<file>` and no digest, in its environment no ZK_ROLLOUT_* variable and no password.
 */
function expectNoSecretInProcess(pid: number, serverDir: string): void {
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const argFile = join(serverDir, 'conf', 'jvm-secrets.args');
  expect(cmdline).toContain(`@${argFile}`);
  expect(cmdline.join(' ')).not.toMatch(/superDigest/);
  expect(cmdline.join(' ')).not.toContain(AUTH.password!);
  expect(statSync(argFile).mode & 0o777).toBe(0o600);
  expect(readFileSync(argFile, 'utf8')).toContain(`-Dzookeeper.DigestAuthenticationProvider.superDigest=${superDigest(AUTH.user!, AUTH.password!)}`);
  const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  expect(environ.filter((e) => e.startsWith('ZK_ROLLOUT_'))).toEqual([]);
  expect(environ.join('\n')).not.toContain(AUTH.password!);
}

test('only the four-letter words the tool uses answer; the others are refused by the server', async () => {
  const s = cluster.ensemble([1]).servers[0];
  for (const word of ['srvr', 'mntr', 'conf', 'ruok']) await expect(fourLetterWord(s.host, s.clientPort, word)).resolves.not.toMatch(/not in the whitelist/);
  // cons lists every client's address and session id: the tool never sends it, so no server answers it.
  for (const word of ['cons', 'stat', 'dump', 'envi', 'wchc', 'crst']) await expect(fourLetterWord(s.host, s.clientPort, word)).rejects.toThrow(/not in 4lw\.commands\.whitelist/);
});

test('a server listens on its client, quorum and election ports only: no AdminServer', async () => {
  for (const id of [1, 2, 3]) {
    const s = cluster.ensemble([id]).servers[0];
    const pid = await cluster.driver.pid(s);
    expect(pid).not.toBeNull();
    const ports = listeningPorts(pid!);
    expect(ports).toContain(s.clientPort);
    expect(ports).toContain(s.electionPort);
    expect(ports.filter((p) => ![s.clientPort, s.quorumPort, s.electionPort].includes(p))).toEqual([]);
  }
});

test('reconfig is refused without the superuser, and apply with a wrong password changes nothing', async () => {
  const before = (await observeEnsemble([{ host: '127.0.0.1', port: 20001 }])).snapshot;
  const anonymous = await AdminClient.open({ connect: cluster.connectString([1, 2, 3]) });
  try {
    await expect(anonymous.reconfig({ leaving: [3] }, before.configVersion)).rejects.toMatchObject({ code: ZK.NOAUTH });
  } finally {
    anonymous.close();
  }
  await expect(cluster.executor(cluster.ensemble([1, 2]), { auth: { ...AUTH, password: 'not-the-password' } }).run())
    .rejects.toThrow(/not authorised\): the superuser password does not match .*Nothing was changed.*then re-run apply/);
  const after = (await observeEnsemble([{ host: '127.0.0.1', port: 20001 }])).snapshot;
  expect(after.configVersion).toBe(before.configVersion);
  expect(after.members.map((m) => m.id)).toEqual([1, 2, 3]);
  expect(await cluster.running()).toEqual([1, 2, 3]);
  expect(readFileSync(cluster.driver.paths(cluster.ensemble([1]).servers[0]).zooCfg, 'utf8')).not.toMatch(/skipACL/);
});

test('skipACL only when opted into: such an ensemble says so in every zoo.cfg, and reconfig then needs no password', async () => {
  await open.executor(open.ensemble([1, 2, 3]), { auth: { mode: 'skip-acl' } }).run();
  for (const id of [1, 2, 3]) expect(readFileSync(open.driver.paths(open.ensemble([id]).servers[0]).zooCfg, 'utf8')).toMatch(/^skipACL=yes$/m);
  await open.executor(open.ensemble([1, 2]), { auth: { mode: 'skip-acl' }, bakeMs: 0 }).run();
  const { snapshot } = await observeEnsemble([{ host: '127.0.0.1', port: 20401 }]);
  expect(snapshot.members.map((m) => m.id)).toEqual([1, 2]);
});

test('the superuser password is in no file the servers or the rollout wrote; the digest is in no server\'s command line or environment, only in its 0600 argument file', async () => {
  const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
  const all = files(cluster.baseDir);
  expect(all.some((f) => f.endsWith('zookeeper.log'))).toBe(true);
  expect(all.some((f) => f.endsWith('rollout.log'))).toBe(true);
  expect(all.filter((f) => readFileSync(f).includes(AUTH.password!))).toEqual([]);
  for (const id of [1, 2, 3]) {
    const s = cluster.ensemble([id]).servers[0];
    expectNoSecretInProcess((await cluster.driver.pid(s))!, cluster.driver.paths(s).dir);
    // Its directory is its user's only, its log not world-readable.
    expect(statSync(cluster.driver.paths(s).dir).mode & 0o777).toBe(0o700);
    expect(statSync(cluster.driver.paths(s).log).mode & 0o007).toBe(0);
  }
});

test('a config write that fails leaves the server\'s zoo.cfg and dynamic file as they were, with no temporary file', async () => {
  const e = cluster.ensemble([1, 2, 3]);
  const s = e.servers[0];
  const paths = cluster.driver.paths(s);
  const zooCfg = readFileSync(paths.zooCfg, 'utf8');
  const dynamicName = /^dynamicConfigFile=(.*)$/m.exec(zooCfg)![1];
  const dynamic = readFileSync(dynamicName, 'utf8');
  // The next dynamic file's name is taken by a directory with something in it: its rename must fail.
  const blocked = `${paths.dynamicCfg}.ffffffff`;
  mkdirSync(blocked, { recursive: true });
  writeFileSync(join(blocked, 'keep'), 'x');
  await expect(installServerFiles(cluster.driver, e, s, e.servers, 'ffffffff', AUTH)).rejects.toThrow();
  expect(readFileSync(paths.zooCfg, 'utf8')).toBe(zooCfg);
  expect(readFileSync(dynamicName, 'utf8')).toBe(dynamic);
  const confDir = join(paths.zooCfg, '..');
  expect(readdirSync(confDir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  // The running server did not notice: still serving.
  await expect(fourLetterWord(s.host, s.clientPort, 'ruok')).resolves.toBe('imok');
});

test('zk-rollout\'s own znodes are read by anyone and changed only by the superuser: no unauthenticated client forges the lock, deletes a live lock or rewrites the record', async () => {
  const connect = cluster.connectString([1, 2, 3]);
  const admin = await AdminClient.open({ connect, auth: AUTH, superuserOnly: true });
  const anonymous = await AdminClient.open({ connect });
  const lock = new RolloutLock('itsec', 'a-rollout', () => undefined, sleep);
  try {
    const record = await anonymous.get(recordPath('itsec'));
    expect(parseRecord(record)).not.toBeNull(); // the apply in beforeAll wrote it; anyone may read it
    // A forged lock: no rollout runs now, so the lock is free, and still no one but the superuser may create it.
    await expect(anonymous.create(lock.path, '{"host":"attacker"}', 1)).rejects.toMatchObject({ code: ZK.NOAUTH });
    // A live lock: the superuser's session holds it; an unauthenticated client can neither delete nor change it.
    await lock.take(admin);
    await expect(anonymous.delete(lock.path)).rejects.toMatchObject({ code: ZK.NOAUTH });
    await expect(anonymous.set(lock.path, '{}')).rejects.toMatchObject({ code: ZK.NOAUTH });
    expect(await anonymous.get(lock.path)).toMatch(/"rollout":"a-rollout"/);
    // The record: hiding drift by rewriting or deleting it is refused too, and it stays as it was.
    await expect(anonymous.set(recordPath('itsec'), '{"configVersion":"0"}')).rejects.toMatchObject({ code: ZK.NOAUTH });
    await expect(anonymous.delete(recordPath('itsec'))).rejects.toMatchObject({ code: ZK.NOAUTH });
    await admin.barrierWrite('/zk-rollout/barrier/itsec', 'by the superuser');
    await expect(anonymous.set('/zk-rollout/barrier/itsec', 'x')).rejects.toMatchObject({ code: ZK.NOAUTH });
    expect(await anonymous.get(recordPath('itsec'))).toBe(record);
    // And a second rollout, with the password, sees the lock and refuses, naming it.
    await expect(cluster.executor(cluster.ensemble([1, 2, 3])).run()).rejects.toThrow(/another rollout of ensemble itsec is running/);
  } finally {
    await lock.release(admin).catch(() => undefined);
    anonymous.close();
    admin.close();
  }
});

test('the superuser\'s reconfig still works with the digest passed through the file: an observer joins, started with no secret on its command line or in its environment', async () => {
  await cluster.executor(cluster.ensemble([1, 2, 3], [4]), { bakeMs: 0 }).run();
  const { snapshot } = await observeEnsemble([{ host: '127.0.0.1', port: 20001 }]);
  expect(snapshot.members.map((m) => `${m.id}:${m.role}`)).toEqual(['1:participant', '2:participant', '3:participant', '4:observer']);
  const s4 = cluster.ensemble([1, 2, 3], [4]).servers.find((s) => s.id === 4)!;
  expectNoSecretInProcess((await cluster.driver.pid(s4))!, cluster.driver.paths(s4).dir);
});
