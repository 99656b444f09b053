/**
 * Quorum TLS on real ZooKeeper 3.8 servers on loopback, certificates made with the JDK's keytool: one
 * ensemble switched to TLS while a writer runs, migrated under TLS, its certificates rotated, a server
 * with a certificate from another CA kept out, and TLS switched off again. No acknowledged write may be
 * lost, and the servers' own logs must show the quorum running over TLS (or not).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { Ensemble } from '../../lib/model/types';
import { RolloutSummary } from '../../lib/runtime/executor';
import { TestCluster } from '../support/cluster';
import { makeCa } from '../support/tls-certs';
import { withWriter as withWriterOn } from '../support/with-writer';

jest.setTimeout(300000);

const BASE = 29400;
const cluster = new TestCluster('ittls', BASE);
const ca = makeCa(join(cluster.baseDir, 'tls'));

afterAll(() => cluster.stopAll());

/** The change with a writer on the connect string users get, and what it lost on the final servers. */
async function withWriter(connectIds: number[], finalIds: number[], change: () => Promise<RolloutSummary>) {
  const { result: summary, report, missing } = await withWriterOn(cluster, connectIds, finalIds, change);
  process.stdout.write(`  elections ${summary.elections}\n`);
  return { summary, report, missing };
}

/** What server `id` logged since it last started (the log is appended to across restarts). */
function sinceLastStart(id: number): string {
  const log = readFileSync(cluster.driver.paths(cluster.server(id) as never).log, 'utf8');
  const starts = [...log.matchAll(/Starting quorum peer/g)];
  return starts.length > 0 ? log.slice(starts[starts.length - 1].index) : log;
}

/** The quorum TLS phases the rollout restarted servers into, in order, one entry per restart. */
function tlsRestarts(from: number): number[] {
  return cluster.events.slice(from).flatMap((e) => (e.type === 'step-start' && e.step.kind === 'restart-server' && /quorum TLS phase (\d)/.test(e.step.summary)
    ? [Number(/quorum TLS phase (\d)/.exec(e.step.summary)![1])] : []));
}

let tlsOn: Ensemble;

/** `srvr` over TLS on server `id`'s secure client port, presenting `keyStore` as the client's certificate. */
function srvrOverTls(id: number, keyStore: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: cluster.securePort(id), pfx: readFileSync(keyStore), passphrase: ca.password, ca: readFileSync(ca.caPem) }, () => socket.end('srvr'));
    let text = '';
    socket.on('data', (d) => { text += String(d); });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer over TLS within 5 s')));
  });
}

test('a plain ensemble switched to quorum TLS: three rolling restarts, no write lost, and the servers say their quorum runs over TLS only', async () => {
  await cluster.apply(cluster.ensemble([1, 2, 3]));
  const from = cluster.events.length;
  tlsOn = cluster.tlsEnsemble([1, 2, 3], { quorum: true, client: true, ca });
  const { summary, missing } = await withWriter([1, 2, 3], [1, 2, 3], () => cluster.apply(tlsOn));
  expect(missing).toEqual({});
  expect(tlsRestarts(from)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3]);
  // At most one election per phase: only the leader's restart in each makes one.
  expect(summary.elections).toBeLessThanOrEqual(3);
  for (const id of [1, 2, 3]) {
    const log = sinceLastStart(id);
    expect(log).toMatch(/Using TLS encrypted quorum communication/);
    expect(log).toMatch(/Creating TLS-only quorum server socket/);
  }
  // Connections made since: TLS handshakes, none in plain.
  const accepted = [1, 2, 3].map(sinceLastStart).join('\n');
  expect(accepted).toMatch(/Accepted TLS connection from|SSL handshake complete with/);
  expect(accepted).not.toMatch(/Accepted plaintext connection/);
  // Clients: TLS on the secure port, the server's certificate checked against the CA.
  expect(await srvrOverTls(1, join(ca.dir, 'server-1.p12'))).toMatch(/^Mode: (leader|follower)$/m);
});

test('a migration under TLS: the new servers start with TLS only and join; no write lost, no server restarted', async () => {
  const from = cluster.events.length;
  const desired = cluster.tlsEnsemble([3, 4, 5], { quorum: true, client: true, ca });
  const { missing } = await withWriter([1, 2, 3, 4, 5], [3, 4, 5], () => cluster.apply(desired));
  expect(missing).toEqual({});
  expect(tlsRestarts(from)).toEqual([]);
  expect(cluster.events.slice(from).some((e) => e.type === 'step-start' && e.step.kind === 'restart-server')).toBe(false);
  for (const id of [4, 5]) expect(sinceLastStart(id)).toMatch(/Creating TLS-only quorum server socket/);
  expect(await cluster.running()).toEqual([3, 4, 5]);
});

test('certificates rotated to new keystores: a rolling restart onto them, no write lost', async () => {
  const rotated = cluster.tlsEnsemble([3, 4, 5], { quorum: true, client: true, ca, keyStore: (id) => ca.issue(id, '127.0.0.1', join(ca.dir, `server-${id}-2.p12`)) });
  const { missing } = await withWriter([3, 4, 5], [3, 4, 5], () => cluster.apply(rotated));
  expect(missing).toEqual({});
  for (const id of [3, 4, 5]) {
    expect(await cluster.driver.readZooCfg(cluster.server(id) as never)).toContain(`ssl.quorum.keyStore.location=${join(ca.dir, `server-${id}-2.p12`)}`);
    expect(sinceLastStart(id)).toMatch(/Creating TLS-only quorum server socket/);
  }
  tlsOn = rotated;
});

/** The serial number of the certificate server `id` presents on its election port (a TLS handshake as server 4 would make it). */
function servedSerial(id: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: BASE + 200 + id, pfx: readFileSync(join(ca.dir, 'server-4-2.p12')), passphrase: ca.password, ca: readFileSync(ca.caPem) }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.destroy();
      resolve(serial.toLowerCase().replace(/^0+/, ''));
    });
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no TLS handshake within 5 s')));
  });
}

/** The serial number of the key entry's certificate in a keystore, as keytool prints it. */
function storedSerial(store: string): string {
  const text = execFileSync('keytool', ['-list', '-v', '-keystore', store, '-storepass', ca.password], { encoding: 'utf8' });
  const section = text.split(/^Alias name:/m).find((x) => /Entry type: PrivateKeyEntry/.test(x)) ?? '';
  return (/^Serial number:\s*([0-9a-f]+)/m.exec(section)?.[1] ?? '').replace(/^0+/, '');
}

test('a certificate replaced in place is used for new quorum connections without a restart (ZooKeeper reloads it)', async () => {
  const store = join(ca.dir, 'server-3-2.p12');
  const pids = await Promise.all([3, 4, 5].map((id) => cluster.driver.pid(cluster.server(id) as never)));
  expect(await servedSerial(3)).toBe(storedSerial(store));
  ca.issue(3, '127.0.0.1', store); // a new key and certificate, same CA, moved over the old file
  const renewed = storedSerial(store);
  const until = Date.now() + 20000;
  let served = await servedSerial(3);
  while (served !== renewed && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    served = await servedSerial(3);
  }
  expect(served).toBe(renewed);
  expect(await Promise.all([3, 4, 5].map((id) => cluster.driver.pid(cluster.server(id) as never)))).toEqual(pids);
  // The quorum still runs, and a rollout finds nothing to do.
  const from = cluster.events.length;
  await cluster.apply(tlsOn);
  expect(cluster.events.slice(from).some((e) => e.type === 'step-start')).toBe(false);
});

test('a server whose certificate another CA signed is refused before it starts, and so is a rotation to one: nothing is stopped or started', async () => {
  const other = makeCa(join(cluster.baseDir, 'other-ca'), 'other-ca');
  const intruder = other.keyStore(6, '127.0.0.1');
  const current = (id: number) => join(ca.dir, `server-${id}-2.p12`);
  const joining = cluster.tlsEnsemble([3, 4, 5, 6], { quorum: true, client: true, ca, keyStore: (id) => (id === 6 ? intruder : current(id)) });
  const from = cluster.events.length;
  const refused = await cluster.apply(joining).then(() => null, (e: Error) => e);
  expect(refused?.message).toMatch(/server 6 would start with a certificate the quorum does not trust/);
  expect(refused?.message).toMatch(/server 3's truststore .* does not hold CN=other-ca, which issued server 6's certificate \(CN=zk6\)/);
  expect(cluster.events.slice(from).some((e) => e.type === 'step-end')).toBe(false);
  expect(await cluster.running()).toEqual([3, 4, 5]);

  // Server 5 rotated to a certificate of the other CA: refused while it still runs with its old one.
  const rotating = cluster.tlsEnsemble([3, 4, 5], { quorum: true, client: true, ca, keyStore: (id) => (id === 5 ? other.keyStore(5, '127.0.0.1') : current(id)) });
  const pidBefore = await cluster.driver.pid(cluster.server(5) as never);
  await expect(cluster.apply(rotating)).rejects.toThrow(/server 5 would start with a certificate the quorum does not trust/);
  expect(await cluster.driver.pid(cluster.server(5) as never)).toBe(pidBefore);
  const { snapshot } = await (await import('../../lib/runtime/observe')).observeEnsemble([3, 4, 5].map((id) => ({ host: '127.0.0.1', port: BASE + id })));
  expect(snapshot.members.map((m) => m.id)).toEqual([3, 4, 5]);
});

test('quorum TLS switched off: the phases in reverse, no write lost; the servers say their quorum is plain', async () => {
  const from = cluster.events.length;
  const off = cluster.tlsEnsemble([3, 4, 5], { quorum: false, client: true, ca, keyStore: (id) => join(ca.dir, `server-${id}-2.p12`) });
  const { missing } = await withWriter([3, 4, 5], [3, 4, 5], () => cluster.apply(off));
  expect(missing).toEqual({});
  expect(tlsRestarts(from)).toEqual([2, 2, 2, 1, 1, 1, 0, 0, 0]);
  expect(await cluster.running()).toEqual([3, 4, 5]);
  for (const id of [3, 4, 5]) {
    const log = sinceLastStart(id);
    expect(log).toMatch(/Using insecure \(non-TLS\) quorum communication/);
    expect(log).not.toMatch(/Creating TLS-(only|enabled) quorum server socket/);
  }
});
