/** The drain's rule (wait only while clients leave) and the admin session moving off leaving servers, on stand-ins. */
import { Server } from '../../lib/model/types';
import { DEFAULT_TIMEOUTS, DRAIN_STALL_MS } from '../../lib/model/defaults';
import { AdminPort } from '../../lib/runtime/admin-port';
import { RolloutEventBody } from '../../lib/runtime/events';
import { ServerProbe } from '../../lib/runtime/observe';
import { RolloutLock } from '../../lib/runtime/rollout-lock';
import { AdminSession } from '../../lib/runtime/session';
import { StepContext } from '../../lib/runtime/steps';
import { runDrain } from '../../lib/runtime/steps/wait-steps';
import { StepOf } from '../../lib/planner/types';
import { pendingTimers } from '../support/timers';

const server = (id: number): Server => ({ id, host: '127.0.0.1', clientPort: 2180 + id, quorumPort: 2880 + id, electionPort: 3880 + id, role: 'participant' });

/** A drain of server 1 whose probes see these connection counts (the probe's own included), the last one repeated. */
async function drain(counts: number[], drainMs = 5000, seen?: { clients: number; at: number }): Promise<{ outcome: string; clients: number; ms: number; probes: number }> {
  const events: RolloutEventBody[] = [];
  let probes = 0;
  const ctx = {
    t: { ...DEFAULT_TIMEOUTS, drainMs },
    probe: async (s: Server): Promise<ServerProbe> => ({ server: s, reachable: true, mode: 'follower', connections: counts[Math.min(probes++, counts.length - 1)] }),
    emit: (e: RolloutEventBody) => events.push(e),
    live: { markDrained: () => undefined, clientsSeen: () => seen },
  } as unknown as StepContext;
  await runDrain(ctx, { kind: 'drain-clients', serverId: 1, server: server(1) } as unknown as StepOf<'drain-clients'>, null);
  const e = events.find((x) => x.type === 'drain');
  if (e?.type !== 'drain') throw new Error('no drain event');
  return { outcome: e.outcome, clients: e.clients, ms: e.ms, probes };
}

describe('drain', () => {
  test('GIVEN no client but the probe THEN drained at the first look', async () => {
    expect(await drain([1])).toMatchObject({ outcome: 'drained', clients: 0, probes: 1 });
  });

  test('GIVEN clients leaving one by one THEN it waits for them, and ends drained', async () => {
    expect(await drain([4, 3, 2, 1])).toMatchObject({ outcome: 'drained', clients: 0, probes: 4 });
  });

  test('GIVEN clients that stay THEN it ends stalled after about DRAIN_STALL_MS, not at the drain timeout', async () => {
    const r = await drain([3]);
    expect(r).toMatchObject({ outcome: 'stalled', clients: 2 });
    expect(r.ms).toBeGreaterThanOrEqual(DRAIN_STALL_MS);
    expect(r.ms).toBeLessThan(2000);
  });

  test('GIVEN the rollout\'s last look saw as many clients a while ago THEN no client is leaving: stalled at the first probe', async () => {
    const r = await drain([3], 5000, { clients: 2, at: Date.now() - DRAIN_STALL_MS - 50 });
    expect(r).toMatchObject({ outcome: 'stalled', clients: 2, probes: 1 });
  });

  test('GIVEN the last look saw more clients THEN they are leaving: it waits while they go', async () => {
    expect(await drain([4, 3, 2, 1], 5000, { clients: 5, at: Date.now() - DRAIN_STALL_MS - 50 })).toMatchObject({ outcome: 'drained', clients: 0, probes: 4 });
  });

  test('GIVEN the last look was just now THEN the stall is still counted from it', async () => {
    const r = await drain([3], 5000, { clients: 2, at: Date.now() });
    expect(r).toMatchObject({ outcome: 'stalled', clients: 2 });
    expect(r.ms).toBeGreaterThanOrEqual(DRAIN_STALL_MS - 20);
  });

  test('GIVEN clients still leaving at the drain timeout THEN it ends timed-out', async () => {
    const falling = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(await drain(falling, 500)).toMatchObject({ outcome: 'timed-out' });
  });
});

/** A stand-in client on the given hosts. */
function client(hosts: string[]): AdminPort & { closed: boolean } {
  const c = { ended: false, hosts, closed: false, close: () => { c.closed = true; } };
  return c as unknown as AdminPort & { closed: boolean };
}

describe('admin session', () => {
  const hostsOf = (ids: number[]) => ids.map((id) => `127.0.0.1:${2180 + id}`);

  async function scenario(sessionOn: number[], servers: number[]) {
    const opened: string[] = [];
    const taken: AdminPort[] = [];
    const events: RolloutEventBody[] = [];
    const first = client(hostsOf(sessionOn));
    const lock = { take: async (c: AdminPort) => { taken.push(c); } } as unknown as RolloutLock;
    let list = sessionOn;
    const session = new AdminSession(async (connect) => { opened.push(connect); return opened.length === 1 ? first : client(connect.split(',')); }, lock, () => list.map(server), (e) => events.push(e));
    await session.client();
    list = servers;
    const after = await session.client();
    return { first, after, opened, taken, events };
  }

  test('GIVEN a session on servers that all leave WHEN two that stay are members THEN it moves there with the lock, and the old one is closed', async () => {
    const { first, after, opened, taken, events } = await scenario([1, 2, 3], [4, 5]);
    expect(opened).toEqual([hostsOf([1, 2, 3]).join(','), hostsOf([4, 5]).join(',')]);
    expect(after.hosts).toEqual(hostsOf([4, 5]));
    expect(taken).toEqual([first, after]);
    expect(first.closed).toBe(true);
    expect(events).toEqual([expect.objectContaining({ type: 'notice', code: 'session-moved' })]);
  });

  test('GIVEN a session with one server that stays THEN it stays where it is', async () => {
    const { first, after, opened } = await scenario([1, 2, 3], [3, 4]);
    expect(after).toBe(first);
    expect(opened).toHaveLength(1);
  });
});

describe('admin session: the lock released at the end', () => {
  /** A stand-in client; a broken one's requests fail (its server was stopped). */
  function stub(hosts: string[], broken: boolean) {
    const c = { ended: false, hosts, closed: false, broken, close: () => { c.closed = true; c.ended = true; } };
    return c;
  }

  async function closing(broken: boolean) {
    const released: unknown[] = [];
    const tried: unknown[] = [];
    const opened: string[] = [];
    const first = stub(['127.0.0.1:2181'], broken);
    const fresh = stub(['127.0.0.1:2184', '127.0.0.1:2185'], false);
    const lock = {
      take: async () => undefined,
      release: async (c: { broken: boolean }) => { tried.push(c); if (c.broken) throw new Error('connection loss'); released.push(c); },
    } as unknown as RolloutLock;
    const session = new AdminSession(async (connect) => { opened.push(connect); return (opened.length === 1 ? first : fresh) as unknown as AdminPort; },
      lock, () => [server(4), server(5)], () => undefined);
    await session.client();
    await session.close();
    return { released, tried, opened, first, fresh };
  }

  test('GIVEN the session sits on a server the rollout stopped (its release fails) THEN a short session on the servers that stay releases the lock, and both are closed', async () => {
    const r = await closing(true);
    expect(r.tried).toEqual([r.first, r.fresh]);
    expect(r.released).toEqual([r.fresh]);
    expect(r.opened[1]).toBe('127.0.0.1:2184,127.0.0.1:2185');
    expect(r.first.closed).toBe(true);
    expect(r.fresh.closed).toBe(true);
  });

  test('GIVEN the release answers on the session THEN no other session is opened', async () => {
    const r = await closing(false);
    expect(r.released).toEqual([r.first]);
    expect(r.opened).toHaveLength(1);
    expect(r.first.closed).toBe(true);
  });

  test('GIVEN the release answers THEN close leaves no timer behind (a CLI process would wait it out before exiting)', async () => {
    const before = pendingTimers();
    await closing(false);
    expect(pendingTimers()).toBe(before);
  });
});

describe('admin session: a client left waiting while its servers serve', () => {
  /** A stand-in whose requests hang (its client waits out its backoff) until closed, or answer at once. */
  function stalling(hosts: string[], hangs: boolean, connected: boolean) {
    const c = {
      ended: false, hosts, connected, closed: false, reads: 0,
      close: () => { c.closed = true; c.ended = true; },
      committedConfig: () => { c.reads++; return hangs ? new Promise<never>(() => undefined) : Promise.resolve({ version: 'v2' }); },
    };
    return c;
  }

  async function scenario(o: { hangs: boolean; connected: boolean; serving: string[] }) {
    const events: RolloutEventBody[] = [];
    const taken: unknown[] = [];
    const first = stalling(['127.0.0.1:2181', '127.0.0.1:2182'], o.hangs, o.connected);
    const fresh = stalling(['127.0.0.1:2181'], false, true);
    const opened: string[] = [];
    let asked = 0;
    const lock = { take: async (c: unknown) => { taken.push(c); } } as unknown as RolloutLock;
    const session = new AdminSession(async (connect) => { opened.push(connect); return (opened.length === 1 ? first : fresh) as unknown as AdminPort; },
      lock, () => [server(1), server(2)], (e) => events.push(e), async () => { asked++; return o.serving; });
    await session.client();
    const started = Date.now();
    const answer = await session.readAfresh((c) => c.committedConfig(), 60000);
    return { answer, ms: Date.now() - started, first, fresh, opened, taken, events, asked, after: await session.client() };
  }

  test('GIVEN the request hangs while a server serves THEN a new session there answers it, takes over the lock and stays; the old one is closed', async () => {
    const r = await scenario({ hangs: true, connected: false, serving: ['127.0.0.1:2181'] });
    expect(r.answer).toEqual({ version: 'v2' });
    expect(r.opened[1]).toBe('127.0.0.1:2181');
    expect(r.taken).toEqual([r.first, r.fresh]);
    expect(r.first.closed).toBe(true);
    expect(r.after).toBe(r.fresh);
    expect(r.events).toEqual([expect.objectContaining({ type: 'notice', code: 'session-stalled' })]);
    expect(r.ms).toBeLessThan(3000);
  });

  test('GIVEN the client still says connected THEN it is looked into only after the request stays unanswered a while, and the same way', async () => {
    const r = await scenario({ hangs: true, connected: true, serving: ['127.0.0.1:2182'] });
    expect(r.answer).toEqual({ version: 'v2' });
    expect(r.opened[1]).toBe('127.0.0.1:2182');
    expect(r.first.closed).toBe(true);
  });

  test('GIVEN the request answers THEN nothing else is opened and nobody is asked who serves', async () => {
    const r = await scenario({ hangs: false, connected: true, serving: ['127.0.0.1:2181'] });
    expect(r.answer).toEqual({ version: 'v2' });
    expect(r.opened).toHaveLength(1);
    expect(r.events).toEqual([]);
    expect(r.asked).toBe(0);
    expect(r.after).toBe(r.first);
  });
});

describe('admin session: reading the committed configuration after a connection loss', () => {
  /** A session whose own client has ended (the reconfig lost it) and whose new sessions fail `failures` times before one reads. */
  async function afterLoss(failures: number, withinMs: number) {
    const events: RolloutEventBody[] = [];
    const opened: string[] = [];
    const closed: number[] = [];
    const first = { ended: false, hosts: ['127.0.0.1:2181'], connected: false, close: () => { first.ended = true; }, committedConfig: () => Promise.reject(new Error('connection loss')) };
    const lock = { take: async () => undefined } as unknown as RolloutLock;
    const session = new AdminSession(async (connect) => {
      opened.push(connect);
      if (opened.length === 1) return first as unknown as AdminPort;
      if (opened.length - 1 <= failures) throw new Error(`could not connect to ${connect}: no server accepts connections`);
      const n = opened.length;
      return { ended: false, close: () => closed.push(n), committedConfig: async () => ({ version: 'v9' }) } as unknown as AdminPort;
    }, lock, () => [server(1), server(2)], (e) => events.push(e), async () => []);
    await session.client();
    first.ended = true;
    const started = Date.now();
    const answer = await session.readAfresh((c) => c.committedConfig(), withinMs).catch((e: Error) => e);
    return { answer, ms: Date.now() - started, opened, closed, events };
  }

  test('GIVEN no server answers for a while (a hand-off with data) THEN new sessions try again until one reads, each closed, and a notice says it waits', async () => {
    const r = await afterLoss(3, 60000);
    expect(r.answer).toEqual({ version: 'v9' });
    expect(r.opened).toHaveLength(5); // the rollout's own session, three that failed, the one that read
    expect(r.opened.slice(1)).toEqual(Array(4).fill('127.0.0.1:2181,127.0.0.1:2182'));
    expect(r.closed).toEqual([5]);
    expect(r.events).toEqual([expect.objectContaining({ type: 'notice', code: 'session-waiting' })]);
  });

  test('GIVEN no server answers within the bound THEN the read fails, saying for how long and what the last try met', async () => {
    const r = await afterLoss(1000, 600);
    expect(r.answer).toBeInstanceOf(Error);
    expect((r.answer as Error).message).toMatch(/^timed out after 1 s waiting for a server of 127\.0\.0\.1:2181,127\.0\.0\.1:2182 to answer after the connection loss; last seen: could not connect to .*no server accepts connections; /);
    expect(r.ms).toBeLessThan(5000);
    expect(r.opened.length).toBeGreaterThan(2);
  });
});
