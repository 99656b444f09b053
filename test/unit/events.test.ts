/**
 * The event schema: every event type and every refusal code is documented in docs/events.md, the human
 * log is a rendering of the events (the lines users and old scripts know), and parseEvents reads back
 * what --events writes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { plan } from '../../lib/planner/plan';
import { snapshotFromEnsemble } from '../../lib/planner/snapshot';
import { emitter, eventLine, EVENTS_SCHEMA_VERSION, parseEvents, RolloutEvent, RolloutEventBody, stepRef } from '../../lib/runtime/events';
import { eventText } from '../../lib/runtime/event-text';
import { RolloutCode } from '../../lib/runtime/refusal';
import { ensemble } from '../support/fixtures';
import { repoRoot } from '../support/repo-root';

const docs = readFileSync(join(repoRoot(), 'docs', 'events.md'), 'utf8');
const migration = (() => {
  const r = plan(snapshotFromEnsemble(ensemble([1, 2, 3])), ensemble([4, 5, 6]), { bakeMs: 5000 });
  if (!r.ok) throw new Error(r.refusal.reason);
  return r.plan;
})();
const step = stepRef(migration.steps[0]);

/** One sample of every event type: a type added to the union without a sample does not compile. */
const SAMPLES: { [K in RolloutEventBody['type']]: Extract<RolloutEventBody, { type: K }> } = {
  plan: { type: 'plan', plan: migration },
  bootstrap: { type: 'bootstrap', looked: ['127.0.0.1:2181'] },
  adopted: { type: 'adopted', members: [1, 2, 3], leader: 3, staticMembers: [1, 2, 3] },
  clients: { type: 'clients', during: 'a:1,b:2', final: 'b:2' },
  'step-start': { type: 'step-start', n: 7, step },
  'step-end': { type: 'step-end', n: 7, step, ms: 1234, morePlanned: 3 },
  wait: { type: 'wait', what: 'server 4 to sync with the leader', elapsedMs: 5000, seen: 'mode observer' },
  reconfig: { type: 'reconfig', serverId: 4, version: '100000004', outcome: 'applied-after-connection-loss' },
  drain: { type: 'drain', serverId: 1, outcome: 'timed-out', clients: 2, ms: 5000 },
  backup: { type: 'backup', path: '/var/backups/zk/dev-20261126T081500Z', sourceId: 2, zxid: '0x10000002b', nodeCount: 120, bytes: 1048576, copyMs: 120, verifyMs: 900, pruned: [] },
  bake: { type: 'bake', phase: 'passed', holdMs: 10000, elapsedMs: 10021, leader: 3, members: 6 },
  replan: { type: 'replan', cause: 'connection-lost', message: 'reconfig: ZooKeeper error -4 (connection loss)', newSession: true },
  election: { type: 'election', from: 3, to: 6 },
  notice: { type: 'notice', code: 'lock-dead-holder', message: 'lock /zk-rollout/locks/x is held by process 9, which is no longer running; waiting for its session to expire' },
  refusal: { type: 'refusal', code: 'drift', reason: 'refused: the ensemble was changed outside zk-rollout', details: [] },
  failed: { type: 'failed', cause: 'other', message: 'timed out' },
  rollback: { type: 'rollback', to: [1, 2, 3], cause: 'bake failed' },
  summary: { type: 'summary', steps: 19, elections: 1, longestStepMs: 2500, totalMs: 12600, finalMembers: [4, 5, 6], connectString: '127.0.0.1:2184' },
};

const CODES: Record<RolloutCode, true> = {
  'desired-no-voters': true, 'no-members': true, 'id-reused': true, 'no-quorum': true, 'no-leader': true, 'static-role-change': true,
  'restart-breaks-quorum': true, 'no-safe-plan': true, 'unmanaged-servers': true, 'membership-unreadable': true, 'existing-silent': true,
  'kept-data-older': true, 'rewrite-loses-settings': true, 'declaration-mismatch': true, drift: true, 'lock-held': true, 'incomplete-copy': true,
  'bake-failed': true, 'no-progress': true, 'no-convergence': true, 'not-authorised': true, 'reconfig-unexpected': true, 'rolled-back': true,
  'rollback-failed': true, 'ensemble-vanished': true, 'tls-untrusted': true, 'backup-failed': true, 'restore-over-running': true, 'plan-stale': true,
};

const stamp = (body: RolloutEventBody): RolloutEvent => {
  let out!: RolloutEvent;
  emitter('dev', [(e) => { out = e; }])(body);
  return out;
};

describe('the event schema', () => {
  test.each(Object.keys(SAMPLES))('event type %s is documented', (type) => {
    expect(docs).toContain(`\`${type}\``);
  });

  test.each(Object.keys(CODES))('refusal code %s is documented', (code) => {
    expect(docs).toContain(`\`${code}\``);
  });

  test('every event carries the schema version, a time and the ensemble, and survives a JSON-lines round trip', () => {
    const events = Object.values(SAMPLES).map(stamp);
    for (const e of events) expect(e).toMatchObject({ v: EVENTS_SCHEMA_VERSION, ensemble: 'dev', at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const text = `human log line\n${events.map(eventLine).join('\n')}\n{"v":1,"type":"step-st`;
    // A line still being written, and lines that are not events, are skipped.
    expect(parseEvents(text)).toEqual(JSON.parse(JSON.stringify(events)));
    expect(parseEvents('{"v":2,"type":"plan"}\n')).toEqual([]);
  });
});

describe('the human log renders the events', () => {
  const lines = (body: RolloutEventBody) => eventText(stamp(body));

  test('step lines as users (and older scripts) know them', () => {
    expect(lines(SAMPLES['step-start'])).toEqual([`[step 7] ${migration.steps[0].summary} ...`]);
    expect(lines(SAMPLES['step-end'])).toEqual(['[step 7] done in 1.2 s (3 more planned)']);
    expect(lines(SAMPLES.summary)).toEqual([
      'converged: 19 steps, 1 leader election(s) seen, longest step 2.5 s, total 12.6 s',
      'clients: final connect string 127.0.0.1:2184',
    ]);
  });

  test('the plan renders as the text plan; a refusal or failure prints nothing (the command reports its error)', () => {
    expect(lines(SAMPLES.plan)[0]).toMatch(/^Rollout plan for ensemble/);
    expect(lines(SAMPLES.refusal)).toEqual([]);
    expect(lines(SAMPLES.failed)).toEqual([]);
  });

  test('re-plans say why and whether a new session is opened', () => {
    expect(lines(SAMPLES.replan)).toEqual(['  the admin session lost its server (reconfig: ZooKeeper error -4 (connection loss)); opening a new one and re-planning from live state']);
    expect(lines({ type: 'replan', cause: 'not-ready', message: 'ZooKeeper did not apply the reconfig', newSession: false })).toEqual(['  ZooKeeper did not apply the reconfig; re-planning from live state']);
  });

  test('every event type renders without throwing', () => {
    for (const body of Object.values(SAMPLES)) expect(Array.isArray(lines(body))).toBe(true);
  });
});
