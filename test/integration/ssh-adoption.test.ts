/**
 * Adoption over the ssh driver, against a real sshd: a static ensemble built by hand on "machines"
 * 127.0.1.1-3 (Debian's paths under each host's root, the standard ports, an init-style service
 * script) is taken over, converted to dynamic leader last and migrated to 127.0.1.4-6, with a writer
 * running. First, the refusal: a migration whose machine inventory forgot the old hosts.
 */
import { adoptedServers } from '../../lib/model/existing';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SshHostDriver } from '../../lib/hosts/ssh';
import { Ensemble } from '../../lib/model/types';
import { parseEnsembleSpec } from '../../lib/model/validate';
import { Executor } from '../../lib/runtime/executor';
import { observeEnsemble } from '../../lib/runtime/observe';
import { AUTH, FAST_SETTINGS } from '../support/cluster';
import { HandBuiltEnsemble } from '../support/hand-built';
import { ElectionMonitor } from '../support/monitor';
import { SshBed } from '../support/ssh-bed';
import { missingWrites, Writer } from '../support/writer';

jest.setTimeout(300000);

const IDS = [1, 2, 3, 4, 5, 6];
const bed = new SshBed(IDS);
const hand = new HandBuiltEnsemble({ form: 'static', portBase: 0, ids: [1, 2, 3], rootOf: (id) => bed.root(id), serverOf: (id) => ({ id, host: bed.address(id) }) });
const drivers: SshHostDriver[] = [];
const lines: string[] = [];
const log = (l: string) => { lines.push(l); appendFileSync(join(bed.dir, 'rollout.log'), `${new Date().toISOString()} ${l}\n`); };

const spec = (ids: number[], adopt: boolean): Ensemble => parseEnsembleSpec({
  name: 'sshadopt', servers: ids.map((id) => ({ id, host: bed.address(id) })), settings: FAST_SETTINGS,
  ...(adopt ? { existing: { servers: hand.declaration(true) } } : {}),
});

function driverFor(desired: Ensemble, machines: number[]): SshHostDriver {
  const o = bed.options('sshadopt');
  const d = new SshHostDriver({ ...o, machines: Object.fromEntries(machines.map((id) => [bed.address(id), { root: bed.root(id) }])), adopted: adoptedServers(desired) });
  drivers.push(d);
  return d;
}

function apply(desired: Ensemble, machines: number[], previous: readonly number[] = []) {
  return new Executor({
    desired, driver: driverFor(desired, machines), auth: AUTH, log, previous: previous.length > 0 ? spec([...previous], false).servers : [],
    timeouts: { syncMs: 60000, quorumMs: 60000, drainMs: 1000, stopMs: 10000 }, bakeMs: 1000,
  }).run();
}

async function members(): Promise<{ ids: number[]; leader: number | null; version: string }> {
  const { snapshot } = await observeEnsemble(IDS.map((id) => ({ host: bed.address(id), port: 2181 })));
  return { ids: snapshot.members.map((m) => m.id).sort((a, b) => a - b), leader: snapshot.leaderId, version: snapshot.configVersion };
}

beforeAll(async () => {
  await bed.start();
  hand.write();
  hand.start();
  const deadline = Date.now() + 60000;
  while ((await members().catch(() => ({ leader: null }))).leader === null) {
    if (Date.now() > deadline) throw new Error('the hand-built ensemble elected no leader');
    await new Promise((r) => setTimeout(r, 300));
  }
});

afterAll(async () => {
  const d = new SshHostDriver(bed.options('sshadopt'));
  for (const id of [4, 5, 6]) await d.stop({ id, host: bed.address(id), clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant' }, 5000).catch(() => undefined);
  await d.close();
  for (const x of drivers) await x.close();
  hand.stopAll();
  bed.stop();
});

test('GIVEN a migration whose machines forgot the old hosts (the previous deploy\'s servers still run there) THEN it refuses and starts nothing beside them', async () => {
  await expect(apply(spec([4, 5, 6], false), [4, 5, 6], [1, 2, 3])).rejects.toThrow(/refused: server 1 \(127\.0\.1\.1:2181\), server 2 .* are members of the running ensemble, but zk-rollout neither started them .*list their machines in hosts\.machines/);
  for (const id of [4, 5, 6]) expect(existsSync(join(bed.root(id), 'var/lib/zk-rollout/sshadopt'))).toBe(false);
  expect((await members()).ids).toEqual([1, 2, 3]);
});

test('GIVEN the declaration THEN the static ensemble is adopted over ssh, converted leader last and migrated to new machines with no write lost', async () => {
  const writer = new Writer(IDS.map((id) => `${bed.address(id)}:2181`).join(','));
  const monitor = () => new ElectionMonitor(IDS.map((id) => ({ id, host: bed.address(id), clientPort: 2181 })));
  const conversion = monitor();
  await writer.start();
  conversion.start();
  await new Promise((r) => setTimeout(r, 500));
  await apply(spec([1, 2, 3], true), [1, 2, 3]);
  expect((await conversion.stop()).elections).toBeLessThanOrEqual(1);
  const converted = await members();
  expect(converted.ids).toEqual([1, 2, 3]);
  expect(converted.version).not.toBe('0');
  expect(lines.join('\n')).toMatch(/adopting the running ensemble: members \{1,2,3\} match the declaration/);
  const migration = monitor();
  migration.start();
  await apply(spec([4, 5, 6], true), [1, 2, 3, 4, 5, 6]);
  await new Promise((r) => setTimeout(r, 500));
  const report = await writer.stop();
  const leaders = await migration.stop();
  expect(await missingWrites(spec([4, 5, 6], false).servers, report.acknowledged, writer.root)).toEqual({});
  expect(report.acknowledged.length).toBeGreaterThan(20);
  // The old leader leaves last: one election.
  expect(leaders.elections).toBeLessThanOrEqual(1);
  expect((await members()).ids).toEqual([4, 5, 6]);
  expect(hand.running()).toEqual([]);
  // The adopted servers' files stayed where they were declared; the new servers' are zk-rollout's own.
  expect(existsSync(join(bed.root(1), 'etc/zookeeper/conf/zoo.cfg'))).toBe(true);
  expect(existsSync(join(bed.root(4), 'var/lib/zk-rollout/sshadopt/server-4/conf/zoo.cfg'))).toBe(true);
});
