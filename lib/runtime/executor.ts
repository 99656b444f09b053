/**
 * The executor: observe live state -> plan -> run the first step with its guards -> record progress ->
 * repeat until live equals desired. It never decides order: every step comes from a fresh plan. Step
 * kinds run in steps/, the session and lock in session.ts, the record in record-keeper.ts; the loop
 * reads no ZooKeeper error codes, it asks the session whether a failure may be re-planned.
 */
import { randomUUID } from 'node:crypto';
import { adoptedServers } from '../model/existing';
import { clientConnectString, connectString, transitionalConnectString } from '../model/connect-string';
import { DEFAULT_BAKE_MS, DEFAULT_TIMEOUTS, Timeouts } from '../model/defaults';
import { Ensemble, Server } from '../model/types';
import { HostDriver } from '../hosts/types';
import { plan } from '../planner/plan';
import { renderText } from '../planner/render';
import { ClusterSnapshot, PlanOptions, PlanResult, Step } from '../planner/types';
import { Pin } from '../planner/review/types';
import { checkReviewed } from './reviewed-plan';
import { AdminClient } from './admin-client';
import { guardedPrefix } from './batch';
import { AdminAuth } from './credentials';
import { emitter, EventSink, RolloutEventBody, stepRef } from './events';
import { textSink } from './event-text';
import { LiveView, ReadLive } from './live-view';
import { readLiveState } from './live-state';
import { probeServer } from './observe';
import { checkAdoption, checkWhereItRuns } from './preflight';
import { RecordKeeper } from './record-keeper';
import { notAuthorised, RolloutError } from './refusal';
import { rollbackTarget, withRollback } from './rollback';
import { RolloutLock } from './rollout-lock';
import { AdminSession, OpenAdmin } from './session';
import { Probe, runStep, StepContext } from './steps';
import { BackupPlace } from './steps/context';
import { sleep } from './wait';
import { classify } from './zk-errors';

export { guardedPrefix } from './batch';
export { RolloutError, NotReady } from './refusal';
export { LOCK_ROOT, deadLocalHolder } from './rollout-lock';
export { DEFAULT_BAKE_MS, DEFAULT_TIMEOUTS, Timeouts } from '../model/defaults';

/** What the executor reads and talks to; the real ones by default, fakes in the loop's unit tests. */
export interface ExecutorDeps {
  readonly readLive: ReadLive;
  readonly probe: Probe;
  readonly openAdmin: OpenAdmin;
  /** The pause before re-planning after a failed step. */
  readonly pause: (ms: number) => Promise<void>;
}

export interface ExecutorOptions {
  readonly desired: Ensemble;
  readonly driver: HostDriver;
  readonly auth: AdminAuth;
  readonly timeouts?: Partial<Timeouts>;
  /** The human log (event-text.ts renders the events into it). @default stdout, unless `onEvent` is given */
  readonly log?: (line: string) => void;
  /** Every event, as data (events.ts). */
  readonly onEvent?: EventSink;
  /** Hook for fault-injection tests: called before each step runs. */
  readonly beforeStep?: (step: Step, done: number) => Promise<void> | void;
  /** Upper bound on steps, against a plan that never converges. @default 2000 */
  readonly maxSteps?: number;
  /** Hold after the growth phase, checking health, before any server is removed (0: no hold). @default 10000 */
  readonly bakeMs?: number;
  /**
   * When the rollout fails, roll the membership back to what it started from (same planner, same
   * rules), then report the failure and the rollback. Settings are not rolled back. @default false
   */
  readonly rollbackOnFailure?: boolean;
  /**
   * Plan from the live ensemble even when its configuration moved since zk-rollout last changed it
   * (a member added by hand, say). Without it, such drift stops the rollout before it acts. @default false
   */
  readonly acceptDrift?: boolean;
  /**
   * Servers the previous deploy left (the construct reads them from the stack's state): looked at for
   * a running ensemble like the desired and the driver's own servers. @default none
   */
  readonly previous?: readonly Server[];
  /** The ensemble is being started on restored data (zk-rollout restore): a lock in that data is waited out. @default false */
  readonly restored?: boolean;
  /** Take and check a backup before the first server is removed (a plan step). @default none */
  readonly backup?: BackupPlace;
  /**
   * The plan a reviewer approved (zk-rollout plan --pin): the first plan must be the same, from the same
   * configuration, or the rollout is refused before it acts; with `replan`, it runs and says so. @default none
   */
  readonly reviewed?: { readonly pin: Pin; readonly replan: boolean };
  /** Replaces what the executor reads and talks to (unit tests). @default the real servers */
  readonly deps?: Partial<ExecutorDeps>;
}

export interface RolloutSummary {
  readonly steps: number;
  readonly elections: number;
  readonly longestWaitMs: number;
  readonly totalMs: number;
  readonly finalMembers: readonly Server[];
}

/** The same step batch planned this many times in a row without the live state moving: stop. */
const MAX_REPEATS = 3;
const REPLAN_PAUSE_MS = 1000;

export class Executor {
  private readonly emit: (e: RolloutEventBody) => void;
  private readonly deps: ExecutorDeps;
  /** The membership the rollout started from (null: a bootstrap, or not observed yet), for rollbackOnFailure. */
  private startMembers: readonly Server[] | null = null;

  constructor(private readonly o: ExecutorOptions) {
    const sinks = [...(o.onEvent ? [o.onEvent] : []), ...(o.log || !o.onEvent ? [textSink(o.log ?? ((l) => process.stdout.write(`${l}\n`)))] : [])];
    this.emit = emitter(o.desired.name, sinks);
    this.deps = {
      readLive: (known, drained) => readLiveState(o.desired, o.driver, known, drained),
      probe: probeServer,
      openAdmin: (connect) => AdminClient.open({ connect, auth: o.auth, superuserOnly: o.auth.mode === 'digest' }),
      pause: sleep,
      ...o.deps,
    };
  }

  async run(): Promise<RolloutSummary> {
    try {
      return await withRollback(this.o.rollbackOnFailure === true, () => this.converge(), () => this.startMembers,
        // The rollback is no plan anyone reviewed: it runs without the pin (which it would always differ from).
        (start) => new Executor({ ...this.o, desired: rollbackTarget(this.o.desired, start), rollbackOnFailure: false, reviewed: undefined }).run(), this.emit);
    } catch (caught) {
      // A refusal by ACL is the same wrong password wherever it shows first (the lock, the record, a reconfig).
      const e = !(caught instanceof RolloutError) && classify(caught) === 'not-authorised' ? notAuthorised(`${(caught as Error).message.split(':')[0]} (zk-rollout's own znodes may be changed only by the superuser)`, caught) : caught;
      this.emit(e instanceof RolloutError
        ? { type: 'refusal', code: e.code, reason: e.message.split('\n')[0], details: e.details }
        : { type: 'failed', cause: classify(e), message: (e as Error).message });
      throw e;
    }
  }

  private context(): StepContext {
    const { desired, driver, auth } = this.o;
    const t = { ...DEFAULT_TIMEOUTS, ...(this.o.timeouts ?? {}) };
    const live = new LiveView(desired, this.deps.readLive, this.emit, t.quorumMs, this.o.previous);
    // A restored lock's session lasts at most ZooKeeper's maxSessionTimeout (20 ticks by default).
    const lock = new RolloutLock(desired.name, randomUUID(), this.emit, sleep, this.o.restored ? Math.max(30000, 25 * desired.settings.tickTime) : 30000, this.o.restored === true);
    const session = new AdminSession(this.deps.openAdmin, lock, () => live.adminServers(), this.emit);
    const records = new RecordKeeper(desired, session, this.emit);
    return { desired, driver, auth, t, session, records, live, probe: this.deps.probe, emit: this.emit, resyncs: 0, stores: new Map(), ...(this.o.backup ? { backup: this.o.backup } : {}) };
  }

  private async converge(): Promise<RolloutSummary> {
    const ctx = this.context();
    const started = Date.now();
    let done = 0;
    let baked = false;
    let backedUp = false;
    let longest = 0;
    let first = true;
    let pinChecked = false;
    // The read that planned nothing more to do: the state the rollout ends in.
    let final: ClusterSnapshot | null = null;
    const repeats = { key: '', count: 0 };
    try {
      for (;;) {
        let snapshot = await ctx.live.observe();
        // Nothing seen after an ensemble was: never a bootstrap (it would start a second ensemble beside it).
        if (snapshot === null && !first) snapshot = await this.reappeared(ctx);
        if (first) {
          // A restore starts a new ensemble on its data: one that already runs is never joined or changed.
          if (this.o.restored && snapshot !== null) {
            throw new RolloutError('restore-over-running', `refused: a restore starts a new ensemble, and ensemble ${this.o.desired.name} already runs (members {${snapshot.members.map((m) => m.id).join(',')}}, leader ${snapshot.leaderId ?? 'none'}). Nothing was started or changed. Restore under another ensemble name, or stop that ensemble first`);
          }
          this.startMembers = snapshot?.members ?? null;
          await checkWhereItRuns(ctx, snapshot);
          first = false;
        }
        if (snapshot !== null && !(await this.prepare(ctx, snapshot))) continue;
        const options = (): PlanOptions => ({ bakeMs: baked ? 0 : (this.o.bakeMs ?? DEFAULT_BAKE_MS), grownAlready: ctx.records.grew, backup: this.o.backup !== undefined && !backedUp });
        let result = plan(snapshot, this.o.desired, options());
        // Right after a restart or an election, followers take a moment to reach broadcast: give a
        // refusal for a missing quorum or leader the quorum timeout to clear before reporting it.
        const settleUntil = Date.now() + ctx.t.quorumMs;
        while (unsettled(result) && Date.now() < settleUntil) {
          await sleep(500);
          snapshot = (await ctx.live.observe()) ?? (await this.reappeared(ctx));
          result = plan(snapshot, this.o.desired, options());
        }
        if (!result.ok) throw new RolloutError(result.refusal.code, `refused: ${result.refusal.reason}`, { details: result.refusal.details });
        if (done === 0 && !pinChecked) { pinChecked = true; if (this.o.reviewed) checkReviewed(this.o.reviewed, result.plan, snapshot, this.emit); }
        if (done === 0) this.announce(result, snapshot);
        const steps = result.plan.steps;
        if (steps.length === 0) { final = snapshot; break; }
        if (done >= (this.o.maxSteps ?? 2000)) throw new RolloutError('no-convergence', `no convergence after ${done} steps; last plan:\n${renderText(result)}`);
        // Bootstrap runs as one unit: there is nothing to re-read until a quorum exists.
        const batch = snapshot === null ? steps : guardedPrefix(steps);
        noProgressCheck(repeats, batch);
        for (const step of batch) {
          await this.o.beforeStep?.(step, done);
          const t0 = Date.now();
          this.emit({ type: 'step-start', n: done + 1, step: stepRef(step) });
          try {
            await runStep(ctx, step, snapshot);
          } catch (e) {
            // The session may re-plan after its own trouble or a step ZooKeeper declined: what the step did shows in the live state.
            const recovery = ctx.session.recover(e);
            if (!recovery) throw e;
            this.emit({ type: 'replan', cause: recovery.cause, message: (e as Error).message, newSession: recovery.newSession });
            await this.deps.pause(REPLAN_PAUSE_MS);
            break;
          }
          if (step.growth) ctx.records.markGrown();
          if (step.kind === 'bake') baked = true;
          if (step.kind === 'backup') backedUp = true;
          ctx.session.stepDone();
          const ms = Date.now() - t0;
          longest = Math.max(longest, ms);
          done++;
          this.emit({ type: 'step-end', n: done, step: stepRef(step), ms, morePlanned: steps.length - batch.indexOf(step) - 1 });
        }
      }
      if (final) await ctx.records.finish(final);
      const summary: RolloutSummary = { steps: done, elections: ctx.live.elections, longestWaitMs: longest, totalMs: Date.now() - started, finalMembers: final?.members ?? [] };
      this.emit({
        type: 'summary', steps: done, elections: summary.elections, longestStepMs: longest, totalMs: summary.totalMs,
        finalMembers: summary.finalMembers.map((m) => m.id), connectString: clientConnectString(this.o.desired.servers),
      });
      return summary;
    } finally {
      await ctx.session.close();
    }
  }

  /**
   * Before planning against a running ensemble: the session and its lock, the adoption check (first
   * deploy of a declared ensemble) and the drift check. False: session trouble was recovered from; observe again.
   */
  private async prepare(ctx: StepContext, snapshot: ClusterSnapshot): Promise<boolean> {
    try {
      await ctx.session.client();
      if (!ctx.records.isRead && adoptedServers(this.o.desired).length > 0) await checkAdoption(ctx, snapshot);
      if (this.o.desired.strategy === 'dynamic' && (snapshot.staticMembers ?? []).length === 0) await ctx.records.checkDrift(snapshot, this.o.acceptDrift === true);
      return true;
    } catch (e) {
      const recovery = ctx.session.recover(e);
      if (!recovery) throw e;
      this.emit({ type: 'replan', cause: recovery.cause, message: `before the next step: ${(e as Error).message}`, newSession: recovery.newSession });
      await this.deps.pause(REPLAN_PAUSE_MS);
      return false;
    }
  }

  /**
   * The ensemble again, after a look that found nothing of it mid-rollout (every process gone from the
   * hosts' view and no server answering): looked for until the quorum timeout, then a refusal.
   */
  private async reappeared(ctx: StepContext): Promise<ClusterSnapshot> {
    const until = Date.now() + ctx.t.quorumMs;
    while (Date.now() < until) {
      await sleep(500);
      const snapshot = await ctx.live.observe();
      if (snapshot !== null) return snapshot;
    }
    throw new RolloutError('ensemble-vanished', `refused: the ensemble this rollout is changing can no longer be seen: no server answers and no server process shows on its hosts (looked for ${(ctx.t.quorumMs / 1000).toFixed(0)} s)`, {
      details: [
        'starting it afresh would make a second, empty ensemble beside the one that ran: nothing was started',
        'check the servers (zk-rollout status, their processes and logs) and the host driver\'s access to them, then re-run apply',
      ],
    });
  }

  /** The first plan, and what clients should connect with while the membership moves and after. */
  private announce(result: Extract<PlanResult, { ok: true }>, snapshot: ClusterSnapshot | null): void {
    this.emit({ type: 'plan', plan: result.plan });
    if (snapshot === null) return;
    if (connectString(snapshot.members) === connectString(this.o.desired.servers)) return;
    this.emit({ type: 'clients', during: transitionalConnectString(snapshot.members, this.o.desired.servers), final: clientConnectString(this.o.desired.servers) });
  }
}

/** A refusal an election or a restart clears by itself in a moment. */
const unsettled = (r: PlanResult) => !r.ok && (r.refusal.code === 'no-quorum' || r.refusal.code === 'no-leader');

function noProgressCheck(repeats: { key: string; count: number }, batch: readonly Step[]): void {
  const key = batch.map((b) => b.summary).join(' | ');
  repeats.count = key === repeats.key ? repeats.count + 1 : 0;
  repeats.key = key;
  if (repeats.count >= MAX_REPEATS) {
    throw new RolloutError('no-progress', `no progress: the plan starts with the same step after running it ${repeats.count} times (${key}); the live state does not reflect it; check zk-rollout status and the servers' logs`);
  }
}
