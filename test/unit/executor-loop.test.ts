/**
 * The executor's loop (observe -> plan -> run the guarded batch -> record) driven entirely by fakes:
 * an in-memory ensemble behind readLive, probe and openAdmin, and a fake host driver. One test per
 * path the loop takes when something goes wrong, and the event stream of a plain migration.
 */
import { Ensemble } from '../../lib/model/types';
import { RolloutEvent } from '../../lib/runtime/events';
import { Executor, ExecutorOptions, LOCK_ROOT, RolloutError } from '../../lib/runtime/executor';
import { recordPath } from '../../lib/runtime/rollout-record';
import { barrierPath } from '../../lib/runtime/steps/replica-check';
import { ZK } from '../../lib/runtime/zk-errors';
import { FakeEnsemble } from '../support/fake-ensemble';
import { ensemble, healthy } from '../support/fixtures';
import { plan } from '../../lib/planner/plan';
import { pinOf } from '../../lib/planner/review/pin';

jest.setTimeout(20000);

const LOCK = `${LOCK_ROOT}/test`;
const RECORD = recordPath('test');
/** The record written right before a reconfig (it names the members the reconfig is about to commit). */
const PENDING = /"pending":/;

/** Three voters 1,2,3 running, 3 leading. */
const threeVoters = () => new FakeEnsemble(ensemble([1, 2, 3]).servers, 3);
/** Voters 1,2,3 and observer 4 running, 3 leading. */
const withObserver4 = () => new FakeEnsemble(ensemble([1, 2, 3], [4]).servers, 3);

function rollout(fake: FakeEnsemble, desired: Ensemble, extra: Partial<ExecutorOptions> = {}) {
  const events: RolloutEvent[] = [];
  const executor = new Executor({
    desired, driver: fake.driver, auth: { mode: 'skip-acl' },
    timeouts: { syncMs: 3000, quorumMs: 3000, drainMs: 200, stopMs: 1000 },
    bakeMs: 0,
    onEvent: (e) => { events.push(e); },
    deps: fake.deps(),
    ...extra,
  });
  return { events, run: () => executor.run() };
}

const ofType = <T extends RolloutEvent['type']>(events: readonly RolloutEvent[], type: T) =>
  events.filter((e): e is Extract<RolloutEvent, { type: T }> => e.type === type);

const ids = (fake: FakeEnsemble) => fake.members.map((m) => `${m.id}${m.role === 'observer' ? 'o' : ''}`);

/** Rejects with a RolloutError; returns it. */
async function refusal(p: Promise<unknown>): Promise<RolloutError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof RolloutError)) throw new Error(`expected a RolloutError, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  return e;
}

describe('executor loop: the happy path', () => {
  test('GIVEN {1,2,3} WHEN migrating to {4,5,6} THEN it converges and the events run: the first observation, plan, clients, step-start/step-end pairs with n = 1..N, summary last; every event has v 1 and the ensemble', async () => {
    const fake = threeVoters();
    const { events, run } = rollout(fake, ensemble([4, 5, 6]));
    const summary = await run();

    expect(ids(fake)).toEqual(['4', '5', '6']);
    expect([...fake.running].sort()).toEqual([4, 5, 6]);
    expect(summary.finalMembers.map((m) => m.id)).toEqual([4, 5, 6]);
    for (const e of events) expect(e).toMatchObject({ v: 1, ensemble: 'test' });

    // Only the first observation of the leader comes before the plan.
    const planAt = events.findIndex((e) => e.type === 'plan');
    expect(events.slice(0, planAt).map((e) => e.type)).toEqual(['election']);
    expect(events[0]).toMatchObject({ type: 'election', from: null, to: 3 });
    expect(events[planAt + 1]).toMatchObject({ type: 'clients' });
    expect(ofType(events, 'plan')).toHaveLength(1);

    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'summary', steps: summary.steps, finalMembers: [4, 5, 6] });
    const steps = events.filter((e) => e.type === 'step-start' || e.type === 'step-end') as Extract<RolloutEvent, { type: 'step-start' | 'step-end' }>[];
    expect(steps.length).toBe(2 * summary.steps);
    steps.forEach((e, i) => {
      expect(e.type).toBe(i % 2 === 0 ? 'step-start' : 'step-end');
      expect(e.n).toBe(Math.floor(i / 2) + 1);
      if (i % 2 === 1) expect(e.step).toEqual(steps[i - 1].step);
    });
    expect(steps[0].step.kind).toBe('start-joiner');
    // Nothing went wrong on the way, and each of the six membership changes was committed once.
    expect(ofType(events, 'replan')).toEqual([]);
    expect(fake.reconfigCalls).toBe(6);
    expect(ofType(events, 'reconfig').map((e) => e.outcome)).toEqual(Array(6).fill('committed'));
    // The lock was released at the end, and the record says done.
    expect(fake.store.has(LOCK)).toBe(false);
    expect(JSON.parse(fake.store.get(RECORD)!.data)).toMatchObject({ phase: 'done', configVersion: fake.configVersion });
  });

  test('GIVEN an ensemble that already matches THEN one read of the live state: the read that planned nothing is the state it ends in', async () => {
    const fake = threeVoters();
    const summary = await rollout(fake, ensemble([1, 2, 3])).run();
    expect(summary.steps).toBe(0);
    expect(summary.finalMembers.map((m) => m.id)).toEqual([1, 2, 3]);
    expect(fake.liveReads).toBe(1);
  });

  test('GIVEN a scale-up THEN no read after the one that planned nothing more', async () => {
    const fake = threeVoters();
    let readsAtLastStep = 0;
    await rollout(fake, ensemble([1, 2, 3, 4]), { onEvent: (e) => { if (e.type === 'step-end' && e.morePlanned === 0) readsAtLastStep = fake.liveReads; } }).run();
    expect(fake.liveReads).toBe(readsAtLastStep + 1);
  });
});

describe('executor loop: a reconfig whose connection is lost', () => {
  test('GIVEN the reconfig was applied and then the connection lost WHEN the executor reads the committed config on the same session (it reconnects) THEN it sees it applied, says so, and converges without applying it again', async () => {
    const fake = threeVoters().fail({ op: 'reconfig', error: ZK.CONNECTIONLOSS, apply: true, lostServer: true });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    await run();

    expect(ids(fake)).toEqual(['1', '2', '3', '4']);
    expect(fake.fired).toHaveLength(1);
    expect(fake.reconfigCalls).toBe(1);
    expect(fake.reconfigsApplied).toBe(1);
    expect(ofType(events, 'reconfig')).toEqual([expect.objectContaining({ serverId: 4, version: fake.configVersion, outcome: 'applied-after-connection-loss' })]);
    expect(ofType(events, 'replan')).toEqual([]);
    // Read on the session that lost its connection: a client reconnects by itself, and a new session
    // opened while a new leader takes over would wait out the client's connect backoff.
    const readers = fake.ops.filter((o) => o.op === 'committedConfig' && o.error === undefined).map((o) => o.client);
    expect(readers).toEqual([fake.fired[0].client]);
    expect(fake.lockSessions(LOCK)).toEqual([fake.fired[0].client]);
    expect(ofType(events, 'summary')).toHaveLength(1);
  });

  test('GIVEN the reconfig was applied, the connection lost, and the same session ended while reading WHEN the executor reads on a fresh client THEN it sees it applied and converges without applying it again', async () => {
    const fake = threeVoters().fail({ op: 'reconfig', error: ZK.CONNECTIONLOSS, apply: true, lostServer: true }, { op: 'committedConfig', error: ZK.SESSIONEXPIRED, endSession: true });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    await run();

    expect(ids(fake)).toEqual(['1', '2', '3', '4']);
    expect(fake.reconfigCalls).toBe(1);
    expect(ofType(events, 'reconfig')).toEqual([expect.objectContaining({ serverId: 4, outcome: 'applied-after-connection-loss' })]);
    // The second read on a client of its own: not the one that lost its server, not one that holds the lock.
    const readers = fake.ops.filter((o) => o.op === 'committedConfig' && o.error === undefined).map((o) => o.client);
    expect(readers).toHaveLength(1);
    expect(readers[0]).not.toBe(fake.fired[0].client);
    expect(fake.lockSessions(LOCK)).not.toContain(readers[0]);
  });

  test('GIVEN the reconfig was not applied when the connection was lost WHEN the committed config read afresh shows that THEN a replan (not-ready), and the next attempt applies it once', async () => {
    const fake = threeVoters().fail({ op: 'reconfig', error: ZK.CONNECTIONLOSS, apply: false, lostServer: true });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    await run();

    expect(ids(fake)).toEqual(['1', '2', '3', '4']);
    expect(fake.reconfigCalls).toBe(2);
    expect(fake.reconfigsApplied).toBe(1);
    const replans = ofType(events, 'replan');
    expect(replans).toEqual([expect.objectContaining({ cause: 'not-ready', newSession: false })]);
    expect(replans[0].message).toMatch(/not applied/);
    // The outcome was read, not guessed: one committed-config read on a fresh client.
    expect(fake.ops.filter((o) => o.op === 'committedConfig')).toHaveLength(1);
    expect(ofType(events, 'reconfig')).toEqual([expect.objectContaining({ serverId: 4, outcome: 'committed' })]);
    // The replan comes between the failed attempt and the one that committed.
    const order = events.filter((e) => e.type === 'replan' || e.type === 'reconfig').map((e) => e.type);
    expect(order).toEqual(['replan', 'reconfig']);
    // The joiner was started once; the second attempt planned only its sync check and the reconfig.
    expect(fake.starts).toEqual([4]);
  });
});

describe('executor loop: session expiry', () => {
  test('GIVEN the session expires during the reconfig WHEN the executor recovers THEN a replan with newSession true, a new session takes the lock again, and it converges', async () => {
    const fake = threeVoters().fail({ op: 'reconfig', error: ZK.SESSIONEXPIRED, endSession: true });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    await run();

    expect(ids(fake)).toEqual(['1', '2', '3', '4']);
    expect(ofType(events, 'replan')).toEqual([expect.objectContaining({ cause: 'session-ended', newSession: true })]);
    expect(fake.clients).toHaveLength(2); // openAdmin called again, no fresh read needed
    const lockers = fake.lockSessions(LOCK);
    expect(lockers).toEqual([1, 2]);
    expect(fake.fired[0].client).toBe(1);
    // The expired session's lock went with it: the new session created it at once, nothing to take over.
    expect(fake.ops.filter((o) => o.op === 'create' && o.path === LOCK && o.error === ZK.NODEEXISTS)).toEqual([]);
    expect(fake.reconfigCalls).toBe(2);
    expect(fake.reconfigsApplied).toBe(1);
    expect(fake.ops.find((o) => o.op === 'reconfig' && o.error === undefined)?.client).toBe(2);
  });

  // ZCLOSING: the native client closed the expired session's handle under the request (as after a pause of the deploying machine).
  test.each([['expires', ZK.SESSIONEXPIRED], ['is closed under it (ZCLOSING)', ZK.CLOSING]])('GIVEN the session %s on the record write before the reconfig WHEN the executor recovers THEN the same: new session, lock again, converges', async (_, error) => {
    const fake = threeVoters().fail({ op: 'barrierWrite', path: RECORD, payload: PENDING, error, endSession: true });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    await run();

    expect(ids(fake)).toEqual(['1', '2', '3', '4']);
    expect(ofType(events, 'replan')).toEqual([expect.objectContaining({ cause: 'session-ended', newSession: true })]);
    expect(fake.lockSessions(LOCK)).toEqual([1, 2]);
    expect(fake.reconfigCalls).toBe(1);
  });

  test('GIVEN the session expires on a barrier write (a write any session may repeat) THEN the session writes again on a new session (write-retry), takes the lock again, and no replan is needed', async () => {
    const fake = threeVoters().fail({ op: 'barrierWrite', path: barrierPath('test'), error: ZK.SESSIONEXPIRED, endSession: true });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    await run();

    expect(ids(fake)).toEqual(['1', '2', '3', '4']);
    expect(ofType(events, 'replan')).toEqual([]);
    expect(ofType(events, 'notice').map((e) => e.code)).toContain('write-retry');
    expect(fake.lockSessions(LOCK)).toEqual([1, 2]);
    expect(fake.opsOf(2).some((o) => o.op === 'barrierWrite' && o.path === barrierPath('test') && o.error === undefined)).toBe(true);
  });
});

describe('executor loop: an operation deadline', () => {
  // On the removal of observer 4 (drain, then reconfig-remove): once 4 is drained the re-plan is the
  // reconfig alone, so two deadlines on its record write come with no step completed between them.
  // (On the add path the re-planned batch re-runs await-synced first, and a completed step starts the count again.)
  test('GIVEN an operation timeout (connection-lost) on the write before a removal THEN the first keeps the session (newSession false) and a second in a row opens a new one', async () => {
    const fault = { op: 'barrierWrite', path: RECORD, payload: PENDING, error: ZK.OPERATIONTIMEOUT } as const;
    const fake = withObserver4().fail(fault, fault);
    const { events, run } = rollout(fake, ensemble([1, 2, 3]));
    await run();

    expect(ids(fake)).toEqual(['1', '2', '3']);
    expect(fake.running.has(4)).toBe(false);
    const replans = ofType(events, 'replan');
    expect(replans.map((r) => [r.cause, r.newSession])).toEqual([['connection-lost', false], ['connection-lost', true]]);
    // Both deadlines hit the same session (kept after the first); the reconfig then ran on a new one.
    expect(fake.fired.map((f) => f.client)).toEqual([1, 1]);
    expect(fake.lockSessions(LOCK)).toEqual([1, 2]);
    expect(fake.ops.filter((o) => o.op === 'reconfig').map((o) => o.client)).toEqual([2]);
    // The old session, closed on a server it could still reach, took its lock with it: no takeover needed.
    expect(fake.ops.filter((o) => o.op === 'create' && o.path === LOCK && o.error === ZK.NODEEXISTS)).toEqual([]);
    expect(fake.reconfigsApplied).toBe(1);
  });
});

describe('executor loop: the rollout lock', () => {
  test('GIVEN this rollout\'s own session lost its server twice and its lock lingers WHEN the new session takes the lock THEN it takes it over at once (delete + create), well inside the lock\'s 30 s patience', async () => {
    const fault = { op: 'barrierWrite', path: RECORD, payload: PENDING, error: ZK.CONNECTIONLOSS, lostServer: true } as const;
    const fake = withObserver4().fail(fault, fault);
    const { events, run } = rollout(fake, ensemble([1, 2, 3]));
    const started = Date.now();
    await run();
    const took = Date.now() - started;

    expect(took).toBeLessThan(5000);
    expect(ids(fake)).toEqual(['1', '2', '3']);
    expect(ofType(events, 'replan').map((r) => r.newSession)).toEqual([false, true]);
    // The second session found the first one's lock (same rollout id), deleted it and took it.
    const [first, second] = fake.lockSessions(LOCK);
    expect(first).toBe(1);
    const lockOps = fake.opsOf(second).filter((o) => o.path === LOCK).map((o) => `${o.op}${o.error !== undefined ? ` ${o.error}` : ''}`);
    expect(lockOps.slice(0, 4)).toEqual([`create ${ZK.NODEEXISTS}`, 'get', 'delete', 'create']);
    expect(ofType(events, 'notice').map((e) => e.code)).not.toContain('lock-dead-holder');
  });

  test.each([
    ['another host', { host: 'elsewhere.example', pid: 4242 }],
    ['a live process on this machine (pid 1)', { host: require('node:os').hostname() as string, pid: 1 }],
  ])('GIVEN the lock is held by another rollout on %s THEN it refuses with lock-held and changes nothing', async (_, holder) => {
    const fake = threeVoters();
    const theirs = JSON.stringify({ ...holder, rollout: 'another-rollout', since: '2024-01-01T00:00:00.000Z' });
    fake.store.set(LOCK_ROOT, { data: '', owner: null });
    fake.store.set(LOCK, { data: theirs, owner: 999 });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    const started = Date.now();
    const e = await refusal(run());

    expect(Date.now() - started).toBeLessThan(5000);
    expect(e.code).toBe('lock-held');
    expect(ofType(events, 'refusal')).toEqual([expect.objectContaining({ code: 'lock-held' })]);
    expect(fake.store.get(LOCK)?.data).toBe(theirs);
    expect(fake.ops.filter((o) => o.op === 'delete' || o.op === 'barrierWrite' || o.op === 'reconfig')).toEqual([]);
    expect(fake.starts).toEqual([]);
    expect(fake.stops).toEqual([]);
    expect(fake.store.has(RECORD)).toBe(false);
    expect(ofType(events, 'step-start')).toEqual([]);
  });
});

describe('executor loop: a refusal that clears by itself', () => {
  test('GIVEN the first live reads show voters 1 and 2 not synced (no quorum) WHEN they catch up within quorumMs THEN the executor waits (re-observing every 500 ms) and converges', async () => {
    const fake = threeVoters();
    fake.liveOverride = (n) => (n <= 2 ? { unsynced: [1, 2] } : undefined);
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    const started = Date.now();
    await run();

    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // two pauses of 500 ms before the third read
    expect(ids(fake)).toEqual(['1', '2', '3', '4']);
    expect(ofType(events, 'refusal')).toEqual([]);
    // Nothing ran while the quorum was missing: the first step started after the third read.
    expect(ofType(events, 'plan')[0].plan.steps[0].kind).toBe('start-joiner');
  });

  test('GIVEN the first live reads show no leader WHEN one is elected within quorumMs THEN the executor waits for it and converges', async () => {
    const fake = threeVoters();
    fake.liveOverride = (n) => (n <= 3 ? { leaderId: null } : undefined);
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    await run();

    expect(fake.liveReads).toBeGreaterThan(4);
    expect(ids(fake)).toEqual(['1', '2', '3', '4']);
    expect(ofType(events, 'refusal')).toEqual([]);
    expect(ofType(events, 'election')).toEqual([expect.objectContaining({ from: null, to: 3 })]);
  });

  test('GIVEN a quorum that never returns (1 and 2 never synced) and quorumMs 1500 THEN it refuses with no-quorum after waiting, emits a refusal event, and changes nothing', async () => {
    const fake = threeVoters();
    fake.liveOverride = () => ({ unsynced: [1, 2] });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]), { timeouts: { syncMs: 3000, quorumMs: 1500, drainMs: 200, stopMs: 1000 } });
    const started = Date.now();
    const e = await refusal(run());

    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(e.code).toBe('no-quorum');
    expect(ofType(events, 'refusal')).toEqual([expect.objectContaining({ code: 'no-quorum' })]);
    expect(fake.liveReads).toBeGreaterThanOrEqual(3);
    expect(fake.starts).toEqual([]);
    expect(fake.reconfigCalls).toBe(0);
    expect(ofType(events, 'step-start')).toEqual([]);
    expect(fake.store.has(LOCK)).toBe(false);
  });

  test('GIVEN a leader that never appears and quorumMs 1500 THEN the live view\'s leader wait runs out: a no-leader refusal, and nothing changed', async () => {
    // LiveView.observe waits up to quorumMs for a leader itself; running out is a refusal like the planner's.
    const fake = threeVoters();
    fake.liveOverride = () => ({ leaderId: null });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]), { timeouts: { syncMs: 3000, quorumMs: 1500, drainMs: 200, stopMs: 1000 } });
    const started = Date.now();
    const e = await run().then(() => undefined, (x: unknown) => x as Error);

    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(e).toMatchObject({ name: 'RolloutError', code: 'no-leader' });
    expect(e?.message).toMatch(/a leader to be elected/);
    expect(ofType(events, 'refusal')).toEqual([expect.objectContaining({ code: 'no-leader' })]);
    expect(ofType(events, 'failed')).toEqual([]);
    expect(fake.starts).toEqual([]);
    expect(fake.clients).toEqual([]); // it failed before it even opened a session
  });
});

describe('executor loop: a step the live state never reflects', () => {
  test('GIVEN a joiner that starts and syncs but never shows in the live reads THEN the same batch is planned again and again: no-progress after the third run, and no reconfig', async () => {
    const fake = threeVoters();
    fake.liveOverride = () => ({ invisible: [4] });
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    const e = await refusal(run());

    expect(e.code).toBe('no-progress');
    expect(e.message).toMatch(/start-joiner|server 4/);
    expect(ofType(events, 'refusal')).toEqual([expect.objectContaining({ code: 'no-progress' })]);
    // MAX_REPEATS = 3: planned a fourth time, refused before running it.
    expect(fake.starts).toEqual([4, 4, 4]);
    expect(fake.reconfigCalls).toBe(0);
  });

  test('GIVEN a reconfig that returns success but the live config never shows it THEN drift (the record holds the version the reconfig returned, live shows the old one), not a second reconfig', async () => {
    const fake = threeVoters();
    const before = { members: fake.members, configVersion: fake.configVersion };
    fake.liveOverride = () => before;
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 4]));
    const e = await refusal(run());

    expect(e.code).toBe('drift');
    expect(e.message).toMatch(/changed under this rollout/);
    expect(ofType(events, 'reconfig')).toEqual([expect.objectContaining({ serverId: 4, outcome: 'committed' })]);
    expect(fake.reconfigCalls).toBe(1);
    expect(ofType(events, 'refusal')).toEqual([expect.objectContaining({ code: 'drift' })]);
  });
});

describe('executor loop: a start the host cannot carry out', () => {
  test('GIVEN a host that refuses to start server 4 (a service user it lacks) THEN the rollout stops with that message before starting or stopping anything', async () => {
    const fake = threeVoters();
    const driver = { ...fake.driver, checkCanStart: async (s: { id: number }) => { if (s.id === 4) throw new Error('server 4 on m4: no user zookeeper on this machine; nothing was stopped'); } };
    const { run } = rollout(fake, ensemble([1, 2, 3, 4]), { driver });
    await expect(run()).rejects.toThrow(/no user zookeeper/);
    expect(fake.starts).toEqual([]);
    expect(fake.stops).toEqual([]);
    expect(ids(fake)).toEqual(['1', '2', '3']);
  });
});

describe('executor loop: the ensemble cannot be seen mid-rollout', () => {
  test('GIVEN a migration under way WHEN one look finds nothing of the ensemble THEN it looks again and goes on: nothing is started as a new ensemble', async () => {
    const fake = threeVoters();
    let blindFrom = 0;
    fake.liveOverride = (read) => (blindFrom > 0 && read === blindFrom ? { nothing: true } : undefined);
    const { events, run } = rollout(fake, ensemble([4, 5, 6]), { beforeStep: (_s, done) => { if (done === 3 && blindFrom === 0) blindFrom = fake.liveReads + 1; } });
    await run();
    expect(ids(fake)).toEqual(['4', '5', '6']);
    expect(ofType(events, 'step-start').map((e) => e.step.kind)).not.toContain('start-initial');
  });

  test('GIVEN a migration under way WHEN the ensemble stays unseen THEN it refuses with ensemble-vanished, says nothing was started, and starts nothing', async () => {
    const fake = threeVoters();
    let blind = false;
    fake.liveOverride = () => (blind ? { nothing: true } : undefined);
    const { events, run } = rollout(fake, ensemble([4, 5, 6]), { beforeStep: (_s, done) => { if (done === 3) blind = true; } });
    const e = await refusal(run());
    expect(e.code).toBe('ensemble-vanished');
    expect(e.message).toMatch(/nothing was started/);
    expect(ofType(events, 'step-start').map((x) => x.step.kind)).not.toContain('start-initial');
  });
});

describe('executor loop: a restore', () => {
  test('GIVEN the ensemble answers WHEN a restore would start it THEN refusal restore-over-running before any step, members unchanged', async () => {
    const fake = threeVoters();
    const { events, run } = rollout(fake, ensemble([4, 5, 6]), { restored: true });
    const e = await refusal(run());
    expect(e.code).toBe('restore-over-running');
    expect(e.message).toMatch(/a restore starts a new ensemble, and ensemble test already runs \(members \{1,2,3\}, leader 3\)\. Nothing was started or changed/);
    expect(ofType(events, 'step-start')).toHaveLength(0);
    expect(ids(fake)).toEqual(['1', '2', '3']);
  });
});

describe('executor loop: a reviewed plan', () => {
  const reviewedPin = () => {
    const snapshot = { ...healthy([1, 2, 3], [], 3), configVersion: '100000003' };
    const p = plan(snapshot, ensemble([1, 2, 4]));
    if (!p.ok) throw new Error(p.refusal.reason);
    return pinOf(p.plan, snapshot, null, new Date());
  };

  test('GIVEN a joiner whose process exits while it syncs THEN the rollout stops naming it, where its log is, and the log\'s last error lines', async () => {
    const fake = threeVoters();
    fake.exitsWhileSyncing.set(4, 'ERROR [SyncThread:4] Severe unrecoverable error, exiting');
    const { run } = rollout(fake, ensemble([1, 2, 4]));
    await expect(run()).rejects.toThrow(/server 4 stopped while waiting for it to sync \(see \/fake\/4\/zookeeper\.log\); re-run apply to resume\nthe last error lines of its log:\nERROR \[SyncThread:4\] Severe unrecoverable error, exiting/);
    expect(ids(fake)).toEqual(['1', '2', '3']);
  });

  test('GIVEN a joiner whose process exits before it answers THEN the rollout stops at its start, naming it and its log\'s last error lines, and starts it once', async () => {
    const fake = threeVoters();
    fake.exitsWhileBooting.set(4, 'ERROR [main:QuorumPeerConfig] Invalid configuration, exiting abnormally');
    const { run } = rollout(fake, ensemble([1, 2, 4]));
    await expect(run()).rejects.toThrow(/server 4 stopped while waiting for it to answer on its client port \(see \/fake\/4\/zookeeper\.log\); re-run apply to resume\nthe last error lines of its log:\nERROR \[main:QuorumPeerConfig\] Invalid configuration/);
    expect(fake.starts).toEqual([4]);
    expect(ids(fake)).toEqual(['1', '2', '3']);
  });

  test('GIVEN the plan reviewed WHEN it fails and rolls back THEN the rollback runs without the pin (it is no reviewed plan) and is not refused as stale', async () => {
    const fake = threeVoters();
    fake.neverSync.add(4);
    const { events, run } = rollout(fake, ensemble([1, 2, 4]), { rollbackOnFailure: true, reviewed: { pin: reviewedPin(), replan: false } });
    const e = await refusal(run());
    expect(e.code).toBe('rolled-back');
    expect(ofType(events, 'notice').map((n) => n.code)).toContain('plan-as-reviewed');
    expect(ofType(events, 'refusal').map((r) => r.code)).not.toContain('plan-stale');
    expect(ids(fake)).toEqual(['1', '2', '3']);
  });

  test('GIVEN another plan than the one reviewed THEN it is refused before any step, and with replan it runs', async () => {
    const fake = threeVoters();
    const { events, run } = rollout(fake, ensemble([1, 2, 3, 5]), { reviewed: { pin: reviewedPin(), replan: false } });
    const e = await refusal(run());
    expect(e.code).toBe('plan-stale');
    expect(e.message).toMatch(/the ensemble did not move: the desired spec changed since the review/);
    expect(e.message).toMatch(/- start server 4 as a joining observer/);
    expect(e.message).toMatch(/\+ start server 5 as a joining observer/);
    expect(ofType(events, 'step-start')).toHaveLength(0);
    expect(fake.starts).toEqual([]);

    const again = rollout(fake, ensemble([1, 2, 3, 5]), { reviewed: { pin: reviewedPin(), replan: true } });
    await again.run();
    expect(ofType(again.events, 'notice').map((n) => n.code)).toContain('replanned');
    expect(ids(fake)).toEqual(['1', '2', '3', '5']);
  });
});
