/**
 * Ensembles zk-rollout did not start, on real ZooKeeper 3.8 servers built by hand (Debian layout, an
 * init-style service script): the runbook's static {1,2,3} adopted, converted to dynamic leader last
 * and migrated to {4,5,6}; a hand-built dynamic ensemble adopted with no restart and migrated; and the
 * refusals, each with nothing started or changed. Through the CLI, as cdktf deploy runs it, with a
 * writer on the connect string the handler tells clients to use.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHostDriver } from '../../lib/hosts/local';
import { observeEnsemble } from '../../lib/runtime/observe';
import { fourLetterWord } from '../../lib/runtime/four-letter';
import { startCli } from '../support/cli-process';
import { FAST_SETTINGS, serverAt } from '../support/cluster';
import { HandBuiltEnsemble } from '../support/hand-built';
import { ElectionMonitor } from '../support/monitor';
import { missingWrites, Writer } from '../support/writer';

jest.setTimeout(300000);

const work = mkdtempSync(join(tmpdir(), 'zk-adopt-'));
const beds: HandBuiltEnsemble[] = [];
const drivers: LocalHostDriver[] = [];
afterAll(async () => {
  for (const d of drivers) for (const s of await d.knownServers()) await d.stop(s, 5000);
  for (const b of beds) b.stopAll();
});

function specFile(name: string, spec: object): string {
  const path = join(work, `${name}-${Date.now()}.json`);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

async function apply(name: string, spec: object, extra: string[] = []) {
  const cli = startCli(['apply', '--desired', specFile(name, spec), '--base-dir', join(work, 'zk-local'), '--bake-time', '1', '--drain-timeout', '1', ...extra]);
  const { code } = await cli.exited;
  return { code, out: cli.stdout(), err: cli.stderr() };
}

const addresses = (portBase: number, ids: number[]) => ids.map((id) => `127.0.0.1:${portBase + id}`).join(',');

async function confOf(portBase: number, id: number): Promise<string> {
  return fourLetterWord('127.0.0.1', portBase + id, 'conf');
}

/** Runs `change` with a writer on `connect` and a leader monitor; returns what they saw. */
async function underLoad(connect: string, portBase: number, ids: number[], change: () => Promise<{ code: number | null; out: string; err: string }>) {
  const writer = new Writer(connect);
  const monitor = new ElectionMonitor(ids.map((id) => serverAt(portBase, id) as { id: number; host: string; clientPort: number }));
  await writer.start();
  monitor.start();
  await new Promise((r) => setTimeout(r, 500));
  const result = await change();
  await new Promise((r) => setTimeout(r, 500));
  const report = await writer.stop();
  const leaders = await monitor.stop();
  return { result, report, leaders, root: writer.root };
}

describe('the runbook\'s static ensemble', () => {
  const base = 22000;
  const { bed, spec } = runningBed('runbook', 'static', base);

  test('GIVEN it runs static THEN status sees every member up with its client port', async () => {
    const cli = startCli(['status', '--desired', specFile('runbook', spec([1, 2, 3])), '--base-dir', join(work, 'zk-local')]);
    expect((await cli.exited).code).toBe(0);
    for (const id of [1, 2, 3]) expect(cli.stdout()).toMatch(new RegExp(`^${id}\\s+127\\.0\\.0\\.1:${base + id}\\s+participant\\s+(leader|follower)`, 'm'));
  });

  test('GIVEN it runs static THEN a plan from its live addresses converts it leader last, then migrates', async () => {
    const cli = startCli(['plan', '--current', addresses(base, [1, 2, 3]), '--desired', specFile('runbook', spec([4, 5, 6])), '--bake-time', '0']);
    expect((await cli.exited).code).toBe(0);
    const out = cli.stdout();
    expect(out).toMatch(/^\s+1\. restart server \d with dynamic reconfiguration enabled, members unchanged \{1,2,3\}/m);
    expect(out).toMatch(/^\s+7\. start server 4 as a joining observer/m);
    expect(out).toMatch(/reconfig: remove server/);
  });

  test('GIVEN a spec that leaves out a setting the servers run with THEN apply refuses before rewriting anything', async () => {
    const pids = [1, 2, 3].map((id) => bed.pid(id));
    const r = await apply('runbook', { ...spec([1, 2, 3]), settings: FAST_SETTINGS });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/would lose what it runs with:\n\s+- server 1 \(.*zoo\.cfg\): maxClientCnxns=50 would not be carried over: declare it in settings/);
    expect([1, 2, 3].map((id) => bed.pid(id))).toEqual(pids);
  });

  test('GIVEN a declaration with a wrong port THEN apply refuses with the difference and changes nothing', async () => {
    const pids = [1, 2, 3].map((id) => bed.pid(id));
    // The user's belief, wrong in both lists alike: only the live ensemble can show it.
    const servers = bed.declaration().map((s) => (s.id === 2 ? { ...s, quorumPort: 22999 } : s));
    const r = await apply('runbook', { ...spec([1, 2, 3]), servers: servers.map(({ run: _run, ...s }) => s), existing: { servers } });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/declared existing ensemble does not match the running one:\n\s+- server 2: declared quorumPort 22999, runs with 22102/);
    expect([1, 2, 3].map((id) => bed.pid(id))).toEqual(pids);
  });

  test('GIVEN the previous deploy\'s servers run an ensemble the spec does not declare THEN apply refuses to start new servers beside it', async () => {
    const r = await apply('runbook', { name: 'runbook', servers: [4, 5, 6].map((id) => serverAt(base, id)), settings: FAST_SETTINGS }, ['--previous', specFile('prev', { name: 'runbook', servers: [1, 2, 3].map((id) => serverAt(base, id)) })]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/refused: server 1 \(127\.0\.0\.1:22001\), server 2 \(127\.0\.0\.1:22002\), server 3 \(127\.0\.0\.1:22003\) are members of the running ensemble, but zk-rollout neither started them/);
    expect(await drivers[0].knownServers()).toEqual([]);
  });

  test('GIVEN the declaration THEN the first deploy adopts it and converts it to dynamic, leader last, with one election and no write lost', async () => {
    const before = (await observeEnsemble([{ host: '127.0.0.1', port: base + 1 }], { candidates: bed.declaration() as never })).snapshot.leaderId;
    const { result, report, leaders, root } = await underLoad(addresses(base, [1, 2, 3]), base, [1, 2, 3], () => apply('runbook', spec([1, 2, 3])));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/adopting the running ensemble: members \{1,2,3\} match the declaration.*static configuration \(reconfig disabled\) on \{1,2,3\}/);
    const restarts = [...result.out.matchAll(/restart server (\d) with dynamic reconfiguration enabled/g)].map((m) => Number(m[1]));
    expect(new Set(restarts)).toEqual(new Set([1, 2, 3]));
    expect(restarts[restarts.length - 1]).toBe(before);
    expect(await missingWrites([1, 2, 3].map((id) => serverAt(base, id) as never), report.acknowledged, root)).toEqual({});
    expect(report.acknowledged.length).toBeGreaterThan(20);
    expect(leaders.elections).toBeLessThanOrEqual(1);
    const conf = await confOf(base, 1);
    expect(conf).toMatch(/^version=[1-9a-f][0-9a-f]*$/m);
    expect(conf).toMatch(/^server\.2=127\.0\.0\.1:22102:22202:participant;127\.0\.0\.1:22002$/m);
    expect(bed.running()).toEqual([1, 2, 3]);
  });

  test('GIVEN it was adopted THEN the next deploy migrates it to {4,5,6}, stops the old servers with their script, and loses no write', async () => {
    const { result, report, leaders, root } = await underLoad(addresses(base, [1, 2, 3, 4, 5, 6]), base, [1, 2, 3, 4, 5, 6], () => apply('runbook', spec([4, 5, 6])));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/clients: during this change connect with 127\.0\.0\.1:22001,127\.0\.0\.1:22002,127\.0\.0\.1:22003,127\.0\.0\.1:22004/);
    expect(await missingWrites([4, 5, 6].map((id) => serverAt(base, id) as never), report.acknowledged, root)).toEqual({});
    expect(report.acknowledged.length).toBeGreaterThan(20);
    expect(leaders.elections).toBeLessThanOrEqual(1);
    expect(bed.running()).toEqual([]);
    const live = await observeEnsemble([{ host: '127.0.0.1', port: base + 4 }]);
    expect(live.snapshot.members.map((m) => m.id)).toEqual([4, 5, 6]);
  });
});

describe('a hand-built dynamic ensemble', () => {
  const base = 22300;
  const { bed, spec } = runningBed('handdyn', 'dynamic', base);

  test('GIVEN the declaration THEN the first deploy adopts it with no restart', async () => {
    const pids = [1, 2, 3].map((id) => bed.pid(id));
    const r = await apply('handdyn', spec([1, 2, 3]));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/adopting the running ensemble: members \{1,2,3\} match the declaration/);
    expect(r.out).toMatch(/nothing to do/);
    expect([1, 2, 3].map((id) => bed.pid(id))).toEqual(pids);
  });

  test('GIVEN it was adopted THEN the next deploy migrates it to {4,5,6} with no write lost', async () => {
    const { result, report, leaders, root } = await underLoad(addresses(base, [1, 2, 3, 4, 5, 6]), base, [1, 2, 3, 4, 5, 6], () => apply('handdyn', spec([4, 5, 6])));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(await missingWrites([4, 5, 6].map((id) => serverAt(base, id) as never), report.acknowledged, root)).toEqual({});
    expect(leaders.elections).toBeLessThanOrEqual(1);
    expect(bed.running()).toEqual([]);
  });
});

describe('a static ensemble kept static', () => {
  const base = 22900;
  const { bed, spec } = runningBed('keepstatic', 'static', base, 'static');

  test('GIVEN strategy static THEN the first deploy adopts it with no restart, and the static strategy grows it by one with no write lost', async () => {
    const pids = [1, 2, 3].map((id) => bed.pid(id));
    const first = await apply('keepstatic', spec([1, 2, 3]));
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/adopting the running ensemble/);
    expect([1, 2, 3].map((id) => bed.pid(id))).toEqual(pids);
    const { result, report, root } = await underLoad(addresses(base, [1, 2, 3, 4]), base, [1, 2, 3, 4], () => apply('keepstatic', spec([1, 2, 3, 4])));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(await missingWrites([1, 2, 3, 4].map((id) => serverAt(base, id) as never), report.acknowledged, root)).toEqual({});
    // The adopted servers were restarted with the new list, through their own script, at their own paths.
    expect(bed.running()).toEqual([1, 2, 3]);
    expect(require('node:fs').readFileSync(bed.zooCfg(1), 'utf8')).toMatch(/^server\.4=127\.0\.0\.1:23004:23104:participant;127\.0\.0\.1:22904$/m);
    const conf = await confOf(base, 4);
    expect(conf).toMatch(/^server\.4=/m);
    expect(conf).toMatch(/^version=0$/m);
  });
});

describe('a declared existing ensemble that does not run', () => {
  test('GIVEN nothing answers at the declared addresses THEN apply refuses and starts nothing', async () => {
    const bed = new HandBuiltEnsemble({ form: 'static', portBase: 22700, ids: [1, 2, 3] });
    bed.write();
    const r = await apply('ghost', { name: 'ghost', servers: [1, 2, 3].map((id) => serverAt(22700, id)), settings: FAST_SETTINGS, existing: { servers: bed.declaration() } });
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/refused: none of the declared existing servers answers \(server 1 at 127\.0\.0\.1:22701, .*nothing was started/);
    expect(bed.running()).toEqual([]);
  });
});

describe('kept data', () => {
  const base = 22600;
  const driver = new LocalHostDriver({ baseDir: join(work, 'zk-local'), ensemble: 'kept' });
  drivers.push(driver);
  const spec = (ids: number[]) => ({ name: 'kept', servers: ids.map((id) => serverAt(base, id)), settings: FAST_SETTINGS });

  test('GIVEN an ensemble moved to {4,5,6} and stopped with its data THEN starting {1,2,3} again is refused, naming where the newest data is', async () => {
    expect((await apply('kept', spec([1, 2, 3]))).code).toBe(0);
    expect((await apply('kept', spec([4, 5, 6]))).code).toBe(0);
    const down = startCli(['teardown', '--ensemble', 'kept', '--base-dir', join(work, 'zk-local')]);
    expect((await down.exited).code).toBe(0);
    const r = await apply('kept', spec([1, 2, 3]));
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/newest data kept by its stopped servers is on \{4,5,6\} .*Nothing was started/);
    for (const s of await driver.knownServers()) expect(await driver.isRunning(s)).toBe(false);
    const back = await apply('kept', spec([4, 5, 6]));
    expect(back.err).toBe('');
    expect(back.code).toBe(0);
  });
});

/** A hand-built ensemble of servers 1-3 started before the describe's tests, and the spec that declares it. */
function runningBed(name: string, form: 'static' | 'dynamic', base: number, strategy?: 'static') {
  // A setting of the operator's own, which the spec must declare to keep it through zk-rollout's rewrites.
  const bed = new HandBuiltEnsemble({ form, portBase: base, ids: [1, 2, 3], extra: { maxClientCnxns: '50' } });
  beds.push(bed);
  drivers.push(new LocalHostDriver({ baseDir: join(work, 'zk-local'), ensemble: name }));
  beforeAll(async () => {
    bed.write();
    bed.start();
    await waitForLeader(base, [1, 2, 3]);
  });
  const spec = (ids: number[]) => ({ name, ...(strategy ? { strategy } : {}), servers: ids.map((id) => serverAt(base, id)), settings: { ...FAST_SETTINGS, extra: { maxClientCnxns: 50 } }, existing: { servers: bed.declaration() } });
  return { bed, spec };
}

async function waitForLeader(portBase: number, ids: number[]): Promise<void> {
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      const { snapshot } = await observeEnsemble(ids.map((id) => ({ host: '127.0.0.1', port: portBase + id })));
      if (snapshot.leaderId !== null && snapshot.observations.filter((o) => o.synced).length === ids.length) return;
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`hand-built ensemble on ${portBase} did not elect a leader`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
