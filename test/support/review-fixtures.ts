/** Reviews of the typical rollouts, built from fixed snapshots and live facts (for the golden Markdown and the review tests). */
import { Ensemble } from '../../lib/model/types';
import { plan } from '../../lib/planner/plan';
import { buildReview } from '../../lib/planner/review/review';
import { LiveFacts, PreflightLine, Review } from '../../lib/planner/review/types';
import { ClusterSnapshot } from '../../lib/planner/types';
import { ensemble, healthy, tlsEnsemble } from './fixtures';

export const REVIEW_TIME = new Date('2026-11-26T12:00:00Z');

const PASSING: PreflightLine[] = [
  { check: 'voters', status: 'pass', message: 'every voter is up and in broadcast, at most 0 transaction(s) behind the leader' },
  { check: 'digests', status: 'pass', message: 'no digest mismatch on any server' },
  { check: 'reconfig', status: 'pass', message: 'the leader accepts reconfig' },
  { check: 'credentials', status: 'pass', message: 'the superuser password is the one zk-rollout\'s znodes were made with' },
  { check: 'lock', status: 'pass', message: 'free (/zk-rollout/locks/test)' },
  { check: 'drift', status: 'pass', message: 'the configuration is where zk-rollout left it' },
  { check: 'disk', status: 'pass', message: 'snapshot about 0.1 GiB, room wanted 0.3 GiB: every receiver has 40.0 GiB free' },
];

/** What the preflight says of a static ensemble: no reconfig to check. */
const STATIC: PreflightLine[] = PASSING.map((l) => (l.check === 'reconfig' ? { check: 'reconfig', status: 'pass', message: 'static strategy: config files are rewritten and servers restarted; no reconfig' } : l));

/** Live facts: `clients` connections on each running server, 100 MiB of data, nobody behind. */
export function facts(ids: readonly number[], clients: Readonly<Record<number, number>> = {}, preflight: readonly PreflightLine[] = PASSING): LiveFacts {
  return {
    zxid: '0x100000042',
    servers: ids.map((id) => ({ id, mode: 'follower', clients: clients[id] ?? 2, behind: '0', dataBytes: 100 * 1024 * 1024 })),
    preflight,
  };
}

export function reviewOf(snapshot: ClusterSnapshot, desired: Ensemble, f: LiveFacts | null, options = { bakeMs: 10000, backup: true }): Review {
  const result = plan(snapshot, desired, options);
  return buildReview({ desired, snapshot, result, source: 'the live ensemble', facts: f, drainMs: 5000, rollbackCommand: 'git revert <this change> && cdktf deploy prod', planOptions: options, now: REVIEW_TIME });
}

/** The five rollouts the golden files show. */
export const SCENARIOS: Record<string, () => Review> = {
  migration: () => reviewOf({ ...healthy([1, 2, 3], [], 3), configVersion: '100000003' }, ensemble([4, 5, 6]), facts([1, 2, 3], { 1: 4, 2: 3, 3: 5 })),
  'scale-down-with-leader': () => reviewOf({ ...healthy([1, 2, 3, 4, 5], [], 5), configVersion: '200000007' }, ensemble([1, 2, 3]), facts([1, 2, 3, 4, 5])),
  'observer-add': () => reviewOf({ ...healthy([1, 2, 3], [], 3), configVersion: '100000003' }, ensemble([1, 2, 3], [4]), facts([1, 2, 3])),
  'static-strategy': () => reviewOf(healthy([1, 2, 3], [], 3, 'static'), ensemble([1, 2, 3, 4, 5], [], 'static'), facts([1, 2, 3], {}, STATIC)),
  'tls-phases': () => reviewOf({ ...healthy([1, 2, 3], [], 3), configVersion: '100000003' }, tlsEnsemble([1, 2, 3], [], { quorum: true }), facts([1, 2, 3])),
};
