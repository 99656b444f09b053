/**
 * What a rollout reports, as data: one typed event per thing that happens. The human log is one
 * renderer of these (event-text.ts); `zk-rollout apply --events` writes them as JSON lines. The
 * schema is versioned: a field is only ever added within a version (docs/events.md).
 */
import { Plan, Step, stepServerId } from '../planner/types';
import { ErrorClass } from './zk-errors';
import { RolloutCode } from './refusal';

export const EVENTS_SCHEMA_VERSION = 1;

/** A step as events name it. */
export interface StepRef {
  readonly index: number;
  readonly kind: Step['kind'];
  readonly serverId?: number;
  readonly summary: string;
  readonly guard: boolean;
  readonly growth: boolean;
}

export const stepRef = (s: Step): StepRef => ({
  index: s.index, kind: s.kind, ...(stepServerId(s) !== undefined ? { serverId: stepServerId(s) } : {}), summary: s.summary, guard: s.guard, growth: s.growth,
});

/** Things worth saying that need no fields of their own. */
export type NoticeCode =
  | 'session-reopened' | 'session-moved' | 'session-stalled' | 'session-waiting' | 'lock-dead-holder' | 'record-unreadable' | 'drift-accepted' | 'resume-grown'
  | 'replica-reset' | 'record-final-failed' | 'write-retry' | 'plan-as-reviewed' | 'replanned';

export type RolloutEventBody =
  /** The first plan of a rollout (later plans show as the steps they start). */
  | { readonly type: 'plan'; readonly plan: Plan }
  /** Nothing answered: a new ensemble is started. */
  | { readonly type: 'bootstrap'; readonly looked: readonly string[] }
  /** A declared existing ensemble matched what runs and was recorded. */
  | { readonly type: 'adopted'; readonly members: readonly number[]; readonly leader: number | null; readonly staticMembers: readonly number[] }
  /** The client addresses change: what clients should use during and after. */
  | { readonly type: 'clients'; readonly during: string; readonly final: string }
  /** `n` counts the steps run in this rollout, across re-plans. */
  | { readonly type: 'step-start'; readonly n: number; readonly step: StepRef }
  | { readonly type: 'step-end'; readonly n: number; readonly step: StepRef; readonly ms: number; readonly morePlanned: number }
  /** A wait still running (every few seconds). */
  | { readonly type: 'wait'; readonly what: string; readonly elapsedMs: number; readonly seen: string }
  | { readonly type: 'reconfig'; readonly serverId: number; readonly version: string; readonly outcome: 'committed' | 'applied-after-connection-loss' }
  | { readonly type: 'drain'; readonly serverId: number; readonly outcome: 'drained' | 'stalled' | 'timed-out'; readonly clients: number; readonly ms: number }
  /** A backup was taken and checked before the first removal; `pruned`: older backups deleted to keep the newest ones. */
  | { readonly type: 'backup'; readonly path: string; readonly sourceId: number; readonly zxid: string; readonly nodeCount: number; readonly bytes: number; readonly copyMs: number; readonly verifyMs: number; readonly pruned: readonly string[] }
  | { readonly type: 'bake'; readonly phase: 'start' | 'progress' | 'passed'; readonly holdMs: number; readonly elapsedMs: number; readonly leader: number | null; readonly members: number }
  /** A step did not complete and the rollout plans again from the live state. */
  | { readonly type: 'replan'; readonly cause: ErrorClass | 'not-ready'; readonly message: string; readonly newSession: boolean }
  | { readonly type: 'election'; readonly from: number | null; readonly to: number }
  | { readonly type: 'notice'; readonly code: NoticeCode; readonly message: string }
  /** The rollout stopped on purpose, saying why; nothing unsafe was done. */
  | { readonly type: 'refusal'; readonly code: RolloutCode; readonly reason: string; readonly details: readonly string[] }
  /** The rollout stopped on an error that is not a refusal (a wait that timed out, a host that failed). */
  | { readonly type: 'failed'; readonly cause: ErrorClass; readonly message: string }
  | { readonly type: 'rollback'; readonly to: readonly number[]; readonly cause: string }
  | { readonly type: 'summary'; readonly steps: number; readonly elections: number; readonly longestStepMs: number; readonly totalMs: number; readonly finalMembers: readonly number[]; readonly connectString: string };

export type RolloutEvent = RolloutEventBody & { readonly v: typeof EVENTS_SCHEMA_VERSION; readonly at: string; readonly ensemble: string };

export type EventSink = (e: RolloutEvent) => void;

/** Stamps bodies with the schema version, the time and the ensemble, and hands them to every sink. */
export function emitter(ensemble: string, sinks: readonly EventSink[]): (body: RolloutEventBody) => void {
  return (body) => {
    const e = { v: EVENTS_SCHEMA_VERSION, at: new Date().toISOString(), ensemble, ...body } as RolloutEvent;
    for (const sink of sinks) sink(e);
  };
}

/** One JSON object per line; bigints (none today) as strings. */
export const eventLine = (e: RolloutEvent): string => JSON.stringify(e, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** The events in JSON-lines text (what `--events` wrote); a last line still being written, and any other text, is skipped. */
export function parseEvents(text: string): RolloutEvent[] {
  const lines = text.split('\n');
  lines.pop(); // incomplete (or empty) last line
  return lines.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const e = JSON.parse(line) as Partial<RolloutEvent>;
      return e.v === EVENTS_SCHEMA_VERSION && typeof e.type === 'string' ? [e as RolloutEvent] : [];
    } catch {
      return [];
    }
  });
}
