/**
 * Rollouts through the ssh host driver against a real sshd: eight "hosts" 127.0.1.1-8, each with its
 * own root directory, every ZooKeeper server on the standard ports 2181/2888/3888 as on real machines.
 * A writer runs through every change; no acknowledged write may be lost.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SshHostDriver } from '../../lib/hosts/ssh';
import { Ensemble } from '../../lib/model/types';
import { parseEnsembleSpec } from '../../lib/model/validate';
import { Executor } from '../../lib/runtime/executor';
import { takeBackup } from '../../lib/runtime/backup/take';
import { checkBackup } from '../../lib/runtime/backup/verify';
import { observeEnsemble } from '../../lib/runtime/observe';
import { AUTH, FAST_SETTINGS } from '../support/cluster';
import { SshBed } from '../support/ssh-bed';
import { missingWrites, Writer } from '../support/writer';

jest.setTimeout(300000);

const IDS = [1, 2, 3, 4, 5, 6, 7, 8];
const bed = new SshBed(IDS);
let driver: SshHostDriver;
const lines: string[] = [];
// Kept in the bed's directory too, so a failed run can be read afterwards.
const log = (l: string) => { lines.push(l); appendFileSync(join(bed.dir, 'rollout.log'), `${new Date().toISOString()} ${l}\n`); };

const ensemble = (ids: number[]): Ensemble => parseEnsembleSpec({
  name: 'itssh', servers: ids.map((id) => ({ id, host: bed.address(id) })), settings: FAST_SETTINGS, standalone: ids.length === 1,
});

function apply(ids: number[]) {
  return new Executor({
    desired: ensemble(ids), driver, auth: AUTH, log,
    timeouts: { syncMs: 60000, quorumMs: 60000, drainMs: 1000, stopMs: 10000 }, bakeMs: 2000,
  }).run();
}

async function members(): Promise<{ ids: number[]; leader: number | null }> {
  const { snapshot } = await observeEnsemble(IDS.map((id) => ({ host: bed.address(id), port: 2181 })));
  return { ids: snapshot.members.map((m) => m.id).sort((a, b) => a - b), leader: snapshot.leaderId };
}

/** Runs a change with the writer going throughout and checks every acknowledged write on the final servers. */
async function withWriter(finalIds: number[], change: () => Promise<unknown>): Promise<void> {
  const writer = new Writer(IDS.map((id) => `${bed.address(id)}:2181`).join(','));
  await writer.start();
  await new Promise((r) => setTimeout(r, 500));
  try { await change(); } finally { await new Promise((r) => setTimeout(r, 500)); }
  const report = await writer.stop();
  process.stdout.write(`  itssh: acknowledged ${report.acknowledged.length}, failed attempts ${report.failed}, longest gap between acknowledgements ${report.longestGapMs} ms\n`);
  expect(await missingWrites(ensemble(finalIds).servers, report.acknowledged, writer.root)).toEqual({});
}

beforeAll(async () => {
  await bed.start();
  driver = new SshHostDriver(bed.options('itssh'));
});

afterAll(async () => {
  if (driver) {
    for (const s of ensemble(IDS).servers) await driver.stop(s, 5000).catch(() => undefined);
    await driver.close();
  }
  bed.stop();
});

test('bootstrap 3 over ssh: files land under each host\'s own root, servers on the standard ports', async () => {
  await apply([1, 2, 3]);
  expect((await members()).ids).toEqual([1, 2, 3]);
  for (const id of [1, 2, 3]) {
    expect(existsSync(join(bed.root(id), 'var/lib/zk-rollout/itssh', `server-${id}`, 'data', 'myid'))).toBe(true);
    expect(await driver.isRunning(ensemble([id]).servers[0])).toBe(true);
  }
  expect(existsSync(join(bed.root(1), 'var/lib/zk-rollout/itssh/server-2'))).toBe(false);
});

test('scale-up 3 -> 5 over ssh: no write lost', async () => {
  await withWriter([1, 2, 3, 4, 5], () => apply([1, 2, 3, 4, 5]));
  expect((await members()).ids).toEqual([1, 2, 3, 4, 5]);
});

test('scale-down 5 -> 3 over ssh with the leader among the removed: no write lost', async () => {
  const { leader } = await members();
  expect(leader).not.toBeNull();
  const keep = [1, 2, 3, 4, 5].filter((id) => id !== leader).slice(0, 3);
  await withWriter(keep, () => apply(keep));
  expect((await members()).ids).toEqual(keep);
  for (const id of [1, 2, 3, 4, 5].filter((x) => !keep.includes(x))) expect(await driver.isRunning(ensemble([id]).servers[0])).toBe(false);
});

test('migration to new hosts {6,7,8} over ssh: no write lost, the old servers stopped', async () => {
  await withWriter([6, 7, 8], () => apply([6, 7, 8]));
  expect((await members()).ids).toEqual([6, 7, 8]);
  for (const id of [1, 2, 3, 4, 5]) expect(await driver.isRunning(ensemble([id]).servers[0])).toBe(false);
});

test('zk-rollout status --hosts <file> reads the same ensemble through the ssh driver', () => {
  const hostsFile = join(bed.dir, 'hosts.json');
  const specFile = join(bed.dir, 'spec.json');
  const { ensemble: _e, defaults, ...rest } = bed.options('itssh');
  writeFileSync(hostsFile, JSON.stringify({ driver: 'ssh', ...defaults, ...rest }));
  writeFileSync(specFile, JSON.stringify(ensemble([6, 7, 8])));
  const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'lib', 'cli', 'main.js'), 'status', '--desired', specFile, '--hosts', hostsFile], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  for (const id of [6, 7, 8]) expect(r.stdout).toMatch(new RegExp(`^${id}\\s+127\\.0\\.1\\.${id}:2181\\s+participant\\s+(leader|follower)`, 'm'));
});

test('a backup through the ssh driver: copied from a follower over ssh, checked, and placed on another host byte for byte', async () => {
  const { path, manifest } = await takeBackup({ desired: ensemble([6, 7, 8]), driver, dir: join(bed.dir, 'backups') });
  expect(manifest.source.host).toMatch(/^127\.0\.1\.[678]$/);
  expect(manifest.source.mode).toBe('follower');
  expect(manifest.loaded.zxid).toBe(manifest.zxid.last);
  await checkBackup(path);
  // The upload a restore does: server 1's host has no data of this ensemble's server 9.
  const target = { ...ensemble([1]).servers[0], id: 9 };
  await driver.placeData(target, manifest.files.map((f) => ({ name: f.name, localPath: join(path, f.name) })));
  const placed = await driver.listData(target);
  expect(placed.map((f) => [f.name, f.bytes]).sort()).toEqual(manifest.files.map((f) => [f.name, f.bytes]).sort());
  await expect(driver.placeData(target, [])).rejects.toThrow(/server 9 on 127\.0\.1\.1 already has data in .*: a restore never writes over data/);
  await driver.deleteFiles(target);
});

describe('ssh failures name the host and what to check', () => {
  const one = () => ensemble([6]).servers[0];

  test('a host key that does not match known_hosts', async () => {
    const wrong = join(bed.dir, 'known_hosts.wrong');
    writeFileSync(wrong, `[127.0.1.6]:${bed.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDXzuHcbQ5Lvm4Vm4gyTjWQ1S1C2bx1ezKE7TgEYA4zX\n`);
    const d = new SshHostDriver(bed.options('itssh', { knownHostsFile: wrong }));
    await expect(d.isRunning(one())).rejects.toThrow(/ssh to .*@127\.0\.1\.6:22022: host key verification failed; check .*known_hosts\.wrong holds this host's current key/);
    await d.close();
  });

  test('a key the host does not accept', async () => {
    const other = join(bed.dir, 'other_key');
    require('node:child_process').execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const d = new SshHostDriver(bed.options('itssh', { identityFile: other }));
    await expect(d.isRunning(one())).rejects.toThrow(/ssh to .*@127\.0\.1\.6:22022: permission denied; check that user .* exists there and that the public key of .*other_key is in its authorized_keys/);
    await d.close();
  });

  test('no sshd on the port', async () => {
    const d = new SshHostDriver(bed.options('itssh', { port: 22099 }));
    await expect(d.isRunning(one())).rejects.toThrow(/ssh to .*@127\.0\.1\.6:22099: connection refused; is sshd running there and listening on port 22099\?/);
    await d.close();
  });
});
