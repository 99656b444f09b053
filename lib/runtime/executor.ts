/**
 * The executor: observe live state -> plan -> (plan verifies itself) -> run the first step -> check
 * it -> repeat until live equals desired. It never decides order: every step comes from a fresh plan.
 */
import { adoptedServers } from '../model/existing';
import { hostname } from 'node:os';
import { Ensemble, Server } from '../model/types';
import { HostDriver } from '../hosts/types';
import { takenPorts } from '../hosts/start-failure';
import { plan } from '../planner/plan';
import { renderText } from '../planner/render';
import { ClusterSnapshot, PlanOptions, Step } from '../planner/types';
import { AdminClient, ZK, ZkError } from './admin-client';
import { connectString, transitionalConnectString } from '../model/connect-string';
import { AdminAuth } from './credentials';
import { LiveState, readLiveState } from './live-state';
import { answeringRefusal, existingSilentRefusal, keptDataRefusal, unmanagedRefusal, unmanagedServers } from './adoption';
import { declarationProblems, keptConfigs, keptVersion, rewriteProblems } from './where-it-runs';
import { isSynced, probeServer } from './observe';
import { fourLetterWord, parseSrvr } from './four-letter';
import { installServerFiles, startServer } from './server-config';
import { sleep, WaitAborted, waitUntil } from './wait';
import { randomUUID } from 'node:crypto';
import { desiredFingerprint, DRIFT_ADVICE, driftFrom, membersKey, parseRecord, recordPath, RolloutRecord, sameVersion } from './rollout-record';

export interface Timeouts {
  /** A joiner or restarted server reaching broadcast and the leader's zxid. @default 120000 */
  readonly syncMs: number;
  /** A leader being elected (bootstrap, after the leader leaves). @default 60000 */
  readonly quorumMs: number;
  /** Clients leaving a server before it is removed; then the rollout proceeds. @default 5000 */
  readonly drainMs: number;
  /** A server stopping gracefully before it is killed. @default 15000 */
  readonly stopMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { syncMs: 120000, quorumMs: 60000, drainMs: 5000, stopMs: 15000 };

export interface ExecutorOptions {
  readonly desired: Ensemble;
  readonly driver: HostDriver;
  readonly auth: AdminAuth;
  readonly timeouts?: Partial<Timeouts>;
  readonly log?: (line: string) => void;
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
}

export const DEFAULT_BAKE_MS = 10000;

export interface RolloutSummary {
  readonly steps: number;
  readonly elections: number;
  readonly longestWaitMs: number;
  readonly totalMs: number;
  readonly finalMembers: readonly Server[];
}

export class RolloutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolloutError';
  }
}

/** Errors of the admin session itself, not of the ensemble: its server went away mid-request, or the session ended. */
const CONNECTION_LOST = new Set<number>([ZK.CONNECTIONLOSS, ZK.OPERATIONTIMEOUT]);
const SESSION_ENDED = new Set<number>([ZK.SESSIONEXPIRED, ZK.INVALIDSTATE]);
const isSessionTrouble = (e: unknown) => e instanceof ZkError && (CONNECTION_LOST.has(e.code) || SESSION_ENDED.has(e.code));

/** ZooKeeper refused a reconfig without applying it (e.g. a new quorum is not connected yet): re-plan. */
export class NotReady extends Error {}

export const LOCK_ROOT = '/zk-rollout/locks';

/** The pid of a lock holder on this machine whose process is gone, else null. */
export function deadLocalHolder(lockData: string): number | null {
  let holder: { host?: unknown; pid?: unknown };
  try { holder = JSON.parse(lockData) as typeof holder; } catch { return null; }
  if (holder.host !== hostname() || typeof holder.pid !== 'number') return null;
  try {
    process.kill(holder.pid, 0);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' ? holder.pid : null;
  }
}

/** Waits and checks that exist only to make the following step safe. */
const GUARDS = new Set<Step['kind']>(['await-synced', 'drain-clients', 'await-quorum', 'barrier-write', 'bake']);

const STARTS = new Set<Step['kind']>(['start-member', 'start-joiner', 'restart-server']);

/**
 * The first step, preceded by the guards in front of it; a (re)start also with the sync wait the plan
 * puts after it. That wait runs even when the server looks synced at once: it is also where a copy
 * ZooKeeper synced incompletely is caught (checkReplica), and the steps of a run stay those planned.
 */
export function guardedPrefix(steps: readonly Step[]): Step[] {
  let end = 0;
  while (end < steps.length - 1 && GUARDS.has(steps[end].kind)) end++;
  const main = steps[end];
  const next = steps[end + 1];
  if (STARTS.has(main.kind) && next?.kind === 'await-synced' && next.serverId === main.serverId) end++;
  return steps.slice(0, end + 1);
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export class Executor {
  private readonly t: Timeouts;
  private readonly log: (line: string) => void;
  private admin: AdminClient | null = null;
  private known: Server[];
  private live: LiveState | null = null;
  private readonly drained = new Set<number>();
  private leaders: number[] = [];
  private longestWaitMs = 0;
  private lockPath: string;
  private readonly rolloutId = randomUUID();
  private grew = false;
  /** The membership the rollout started from (null: a bootstrap), for rollbackOnFailure. */
  private startMembers: readonly Server[] | null | undefined = undefined;
  private baked = false;
  /** What zk-rollout last recorded in the ensemble (undefined: not read yet in this rollout). */
  private record: RolloutRecord | null | undefined = undefined;
  /** Connection losses of the admin session since the last step that ran to the end. */
  private connectionLosses = 0;
  /** Non-voters wiped and re-synced after an incomplete sync, against a sync that keeps failing. */
  private resyncs = 0;

  constructor(private readonly o: ExecutorOptions) {
    this.t = { ...DEFAULT_TIMEOUTS, ...(o.timeouts ?? {}) };
    this.log = o.log ?? ((l) => process.stdout.write(`${l}\n`));
    this.lockPath = `${LOCK_ROOT}/${o.desired.name}`;
    this.known = [...(o.previous ?? [])];
  }

  async run(): Promise<RolloutSummary> {
    try {
      return await this.runToDesired();
    } catch (e) {
      const start = this.startMembers;
      if (!this.o.rollbackOnFailure || !start) throw e;
      const back: Ensemble = { ...this.o.desired, servers: start, standalone: start.filter((s) => s.role === 'participant').length === 1 };
      const ids = (xs: readonly Server[]) => `{${membersKey(xs)}}`;
      this.log(`rollout failed: ${(e as Error).message}`);
      this.log(`rolling back to the membership it started from, ${ids(start)}`);
      try {
        await new Executor({ ...this.o, desired: back, rollbackOnFailure: false }).run();
      } catch (again) {
        throw new RolloutError(`rollout failed (${(e as Error).message}); the rollback to ${ids(start)} failed too: ${(again as Error).message}`);
      }
      throw new RolloutError(`rollout failed (${(e as Error).message}); rolled back to the membership it started from, ${ids(start)}`);
    }
  }

  private async runToDesired(): Promise<RolloutSummary> {
    const started = Date.now();
    let done = 0;
    let lastKey = '';
    let repeats = 0;
    let notReady = 0;
    try {
      for (;;) {
        let snapshot = await this.observe();
        if (this.startMembers === undefined) {
          this.startMembers = snapshot?.members ?? null;
          await this.checkWhereItRuns(snapshot);
        }
        // Take the rollout lock before acting on a running ensemble.
        try {
          if (snapshot !== null) await this.adminClient(snapshot);
          if (snapshot !== null && this.record === undefined && adoptedServers(this.o.desired).length > 0) await this.checkAdoption(snapshot);
          if (snapshot !== null && this.o.desired.strategy === 'dynamic' && (snapshot.staticMembers ?? []).length === 0) await this.checkDrift(snapshot);
        } catch (e) {
          // The session's server went away (an election, a server leaving) before anything was done: a new session.
          if (!isSessionTrouble(e) || notReady >= 10) throw e;
          notReady++;
          this.log(`  the admin session failed before the next step (${(e as Error).message}); opening a new one`);
          this.admin?.close();
          this.admin = null;
          await sleep(1000);
          continue;
        }
        let result = plan(snapshot, this.o.desired, this.planOptions());
        // Right after a restart or an election, followers take a moment to reach broadcast: give a
        // refusal for a missing quorum or leader the quorum timeout to clear before reporting it.
        const settleUntil = Date.now() + this.t.quorumMs;
        while (!result.ok && /^no quorum|no leader/.test(result.refusal.reason) && Date.now() < settleUntil) {
          await sleep(500);
          snapshot = await this.observe();
          result = plan(snapshot, this.o.desired, this.planOptions());
        }
        if (!result.ok) {
          throw new RolloutError(`refused: ${result.refusal.reason}\n${result.refusal.details.map((d) => `  - ${d}`).join('\n')}`);
        }
        if (done === 0) {
          this.log(renderText(result).trimEnd());
          if (snapshot !== null) this.logTransition(snapshot);
        }
        const steps = result.plan.steps;
        if (steps.length === 0) break;
        if (done >= (this.o.maxSteps ?? 2000)) throw new RolloutError(`no convergence after ${done} steps; last plan:\n${renderText(result)}`);
        // A guard (a wait) runs together with the step it guards: re-planning in between would only
        // plan the same guard again. Bootstrap runs as one unit: nothing to re-read until a quorum exists.
        const batch = snapshot === null ? steps : guardedPrefix(steps);
        const key = batch.map((b) => b.summary).join(' | ');
        repeats = key === lastKey ? repeats + 1 : 0;
        lastKey = key;
        if (repeats >= 3) throw new RolloutError(`no progress: the plan starts with the same step after running it ${repeats} times (${key}); the live state does not reflect it; check zk-rollout status and the servers' logs`);
        for (const step of batch) {
          await this.o.beforeStep?.(step, done);
          const t0 = Date.now();
          this.log(`[step ${done + 1}] ${step.summary} ...`);
          try {
            await this.runStep(step, snapshot);
          } catch (e) {
            // A lost admin session (it expired while its server left) takes the lock with it: open a
            // new one, take the lock again, and re-plan; a request it carried shows in the live state.
            const sessionLost = e instanceof ZkError && SESSION_ENDED.has(e.code);
            // The server the admin session was on went away mid-request; the client moves to another
            // by itself, keeping the session and the lock. What the request did shows in the live state.
            const connectionLost = e instanceof ZkError && CONNECTION_LOST.has(e.code);
            if (!(e instanceof NotReady || sessionLost || connectionLost) || notReady >= 10) throw e;
            notReady++;
            if (connectionLost && this.connectionLosses++ === 0) {
              this.log(`  the admin session lost its server (${(e as Error).message}); re-planning from live state`);
            } else if (connectionLost || sessionLost) {
              // A session that ended, or lost its server twice in a row (the native client may not find another by itself).
              this.log(`  the admin session ${sessionLost ? 'ended' : 'lost its server again'} (${(e as Error).message}); opening a new one and re-planning from live state`);
              this.admin?.close();
              this.admin = null;
            } else {
              this.log(`  ${(e as Error).message}; re-planning from live state`);
            }
            await sleep(1000);
            break;
          }
          if (step.kind === 'start-joiner' || step.kind === 'reconfig-add' || (step.kind === 'reconfig-role' && step.role === 'participant')) this.grew = true;
          if (step.kind === 'bake') this.baked = true;
          this.connectionLosses = 0;
          const took = Date.now() - t0;
          this.longestWaitMs = Math.max(this.longestWaitMs, took);
          done++;
          this.log(`[step ${done}] done in ${secs(took)} (${steps.length - batch.indexOf(step) - 1} more planned)`);
        }
      }
      const final = await this.observe();
      if (final && this.record !== undefined && this.admin && !this.admin.ended) {
        await this.saveRecord(final.configVersion, final.members, undefined, 'done').catch((e) => this.log(`  could not record the final config version (${(e as Error).message}); the next apply records it`));
      }
      const summary: RolloutSummary = {
        steps: done,
        elections: Math.max(0, this.leaders.length - 1),
        longestWaitMs: this.longestWaitMs,
        totalMs: Date.now() - started,
        finalMembers: final?.members ?? [],
      };
      this.log(`converged: ${done} steps, ${summary.elections} leader election(s) seen, longest step ${secs(summary.longestWaitMs)}, total ${secs(summary.totalMs)}`);
      this.log(`clients: final connect string ${connectString(this.o.desired.servers)}`);
      return summary;
    } finally {
      // Release the lock explicitly: closing alone may not reach a server mid-restart, and then
      // the lock would linger until the session expires.
      if (this.admin && !this.admin.ended) await this.releaseLock(this.admin).catch(() => undefined);
      this.admin?.close();
      this.admin = null;
    }
  }

  /**
   * Before the first step: never start a second ensemble beside a running one, never start servers on
   * data older than their peers kept, and act only on servers zk-rollout knows how to run.
   */
  private async checkWhereItRuns(snapshot: ClusterSnapshot | null): Promise<void> {
    const { desired, driver } = this.o;
    const existing = adoptedServers(desired);
    if (snapshot !== null) {
      const unmanaged = unmanagedServers(snapshot, await driver.knownServers(), existing);
      if (unmanaged.length > 0) throw new RolloutError(unmanagedRefusal(unmanaged, driver.name));
      const losses = await rewriteProblems(driver, desired, snapshot, this.o.auth);
      if (losses.length > 0) {
        throw new RolloutError(`refused: zk-rollout rewrites an adopted server's zoo.cfg when it restarts it, and that would lose what it runs with:\n${losses.map((l) => `  - ${l}`).join('\n')}\n`
          + 'Nothing was changed. Declare those settings and directories in the spec, then re-run apply');
      }
      return;
    }
    const answering = this.live?.answering ?? [];
    if (answering.length > 0) throw new RolloutError(answeringRefusal(answering.map((p) => p.server)));
    if (existing.length > 0) throw new RolloutError(existingSilentRefusal(existing));
    const refusal = keptDataRefusal(await keptConfigs(driver), desired.servers);
    if (refusal) throw new RolloutError(refusal);
    const looked = (this.live?.looked ?? desired.servers).map((s) => `${s.host}:${s.clientPort}`);
    this.log(`no server answers at ${looked.join(', ')}: starting ensemble ${desired.name} as a new ensemble`);
  }

  /**
   * The first deploy of a declared existing ensemble (no rollout record in it yet): the declaration must
   * describe what runs. Then it is recorded, and later deploys plan from the live ensemble as usual.
   */
  private async checkAdoption(snapshot: ClusterSnapshot): Promise<void> {
    const admin = await this.adminClient(snapshot);
    const text = await admin.get(recordPath(this.o.desired.name)).catch((e) => {
      if (e instanceof ZkError && e.code === ZK.NONODE) return '';
      throw e;
    });
    if (text !== '') return;
    const diff = await declarationProblems(this.o.driver, this.o.desired, snapshot);
    if (diff.length > 0) {
      throw new RolloutError(`refused: the declared existing ensemble does not match the running one:\n${diff.map((d) => `  - ${d}`).join('\n')}\n`
        + 'Nothing was changed. Make existing.servers describe the ensemble as it runs (zk-rollout status --desired <spec> lists the live members), then re-run apply');
    }
    const statics = snapshot.staticMembers ?? [];
    this.log(`adopting the running ensemble: members {${membersKey(snapshot.members)}} match the declaration, leader ${snapshot.leaderId}`
      + `${statics.length > 0 ? `; static configuration (reconfig disabled) on {${statics.join(',')}}` : ''}`);
    await this.saveRecord(snapshot.configVersion, snapshot.members, undefined, 'done');
  }

  private async observe(): Promise<ClusterSnapshot | null> {
    const live = await readLiveState(this.o.desired, this.o.driver, this.known, this.drained);
    this.live = live;
    const snap = live.snapshot;
    if (snap) {
      for (const m of snap.members) if (!this.known.some((k) => k.id === m.id)) this.known.push(m);
      if (snap.leaderId !== null && this.leaders[this.leaders.length - 1] !== snap.leaderId) this.leaders.push(snap.leaderId);
      if (snap.leaderId === null && snap.members.length > 0) return this.awaitLeader(snap);
    }
    return snap;
  }

  /** Between elections there is no leader; give the ensemble time to elect one before planning. */
  private async awaitLeader(first: ClusterSnapshot): Promise<ClusterSnapshot> {
    let snap = first;
    await waitUntil('a leader to be elected', this.t.quorumMs, async () => {
      const live = await readLiveState(this.o.desired, this.o.driver, this.known, this.drained);
      if (live.snapshot) snap = live.snapshot;
      return { done: snap.leaderId !== null, seen: `members {${snap.members.map((m) => m.id).join(',')}}, ${snap.observations.filter((o) => o.up).length} up, none leading` };
    }, 'check that a quorum of voters is running (zk-rollout status), then re-run apply');
    if (snap.leaderId !== null && this.leaders[this.leaders.length - 1] !== snap.leaderId) this.leaders.push(snap.leaderId);
    return snap;
  }

  private server(id: number, snapshot: ClusterSnapshot | null): Server {
    // A joiner left by an interrupted rollout (and not in the spec) is known only from the live state.
    const s = this.o.desired.servers.find((x) => x.id === id) ?? snapshot?.members.find((x) => x.id === id)
      ?? snapshot?.joiners?.find((x) => x.id === id) ?? this.known.find((x) => x.id === id);
    if (!s) throw new RolloutError(`step names server ${id}, whose address is unknown`);
    return s;
  }

  /**
   * One admin session for the whole rollout, on the current members and the desired servers together,
   * so that it (and the lock it holds) survives the membership moving from one set to the other.
   */
  private async adminClient(snapshot: ClusterSnapshot): Promise<AdminClient> {
    if (this.admin && !this.admin.ended) return this.admin;
    // An expired session took the lock with it: a new session takes it again.
    if (this.admin) { this.log('  the admin session ended; opening a new one'); this.admin.close(); this.admin = null; }
    const servers = new Map([...snapshot.members, ...this.o.desired.servers].map((s) => [s.id, s]));
    this.admin = await AdminClient.open({ connect: connectString([...servers.values()]), auth: this.o.auth });
    await this.takeLock(this.admin);
    return this.admin;
  }

  /** An ephemeral znode: a second rollout fails fast naming the holder; a dead handler's lock goes with its session. */
  private async takeLock(client: AdminClient): Promise<void> {
    await client.ensurePath(LOCK_ROOT);
    const holder = JSON.stringify({ host: hostname(), pid: process.pid, rollout: this.rolloutId, since: new Date().toISOString() });
    const deadline = Date.now() + 30000;
    let waitedForDead = false;
    for (;;) {
      try {
        await client.create(this.lockPath, holder, 1 /* ZOO_EPHEMERAL */);
        return;
      } catch (e) {
        if (!(e instanceof ZkError && e.code === ZK.NODEEXISTS)) throw e;
        const current = await client.get(this.lockPath).catch(() => '');
        // Our own earlier session (closed after a connection loss) releases the lock when it expires;
        // a holder we could not read (the znode just went, or the read failed) is looked at again;
        // so is a handler on this machine that is dead (killed, say): its session ends soon.
        const deadHolder = deadLocalHolder(current);
        if (deadHolder !== null && !waitedForDead) { this.log(`  lock ${this.lockPath} is held by process ${deadHolder}, which is no longer running; waiting for its session to expire`); waitedForDead = true; }
        if ((current === '' || current.includes(this.rolloutId) || deadHolder !== null) && Date.now() < deadline) { await sleep(500); continue; }
        throw new RolloutError(`another rollout of ensemble ${this.o.desired.name} is running: lock ${this.lockPath} is held by ${current || 'an unknown holder'}; wait for it to finish (a killed handler's lock expires with its session)`);
      }
    }
  }

  /**
   * The live config must be where zk-rollout left it: at the start of a rollout (against the record
   * in the ensemble) and between its steps (against its own last reconfig). Anything else is drift.
   */
  private async checkDrift(snapshot: ClusterSnapshot): Promise<void> {
    const admin = await this.adminClient(snapshot);
    const first = this.record === undefined;
    if (first) {
      const text = await admin.get(recordPath(this.o.desired.name)).catch((e) => {
        if (e instanceof ZkError && e.code === ZK.NONODE) return '';
        throw e;
      });
      this.record = parseRecord(text);
      if (this.record === null && text !== '') this.log(`  the rollout record ${recordPath(this.o.desired.name)} is unreadable (edited by hand?): drift cannot be checked this time; it is written anew`);
    }
    const drift = driftFrom(this.record ?? null, snapshot);
    if (drift !== null) {
      const where = first ? 'the ensemble was changed outside zk-rollout since its last change' : 'the ensemble\'s configuration changed under this rollout, not by it';
      if (!this.o.acceptDrift) throw new RolloutError(`refused: ${where}: ${drift}. ${DRIFT_ADVICE}.`);
      this.log(`  ${where}: ${drift}; planning from the live ensemble as asked (--accept-drift)`);
    }
    const r = this.record;
    if (first && r?.phase === 'running' && r.grew && r.desired === desiredFingerprint(this.o.desired)) {
      this.grew = true;
      this.log('  resuming an interrupted rollout to this spec, which had already added servers: it bakes again before the first removal');
    }
    if (first || drift !== null || !sameVersion(r?.configVersion ?? '', snapshot.configVersion)) await this.saveRecord(snapshot.configVersion, snapshot.members);
  }

  private async saveRecord(configVersion: string, members: readonly Server[], pending?: string, phase: RolloutRecord['phase'] = 'running'): Promise<void> {
    const record: RolloutRecord = {
      configVersion, members: membersKey(members), ...(pending !== undefined ? { pending } : {}),
      desired: desiredFingerprint(this.o.desired), phase, grew: this.grew, at: new Date().toISOString(),
    };
    const admin = this.admin && !this.admin.ended ? this.admin : null;
    if (!admin) throw new RolloutError('no admin session to record the rollout state with');
    await admin.barrierWrite(recordPath(this.o.desired.name), JSON.stringify(record));
    this.record = record;
  }

  /**
   * A write committed by the current quorum (a barrier, the bake's client write). Our own session
   * losing its server says nothing about the ensemble: a fresh session on the members writes once
   * more (the write is idempotent), and only a second failure counts.
   */
  private async idempotentWrite(path: string, snapshot: ClusterSnapshot, what: string): Promise<void> {
    try {
      await (await this.adminClient(snapshot)).barrierWrite(path, new Date().toISOString());
    } catch (e) {
      this.log(`  ${what} failed (${(e as Error).message}); retrying on a new session`);
      this.admin?.close();
      this.admin = null;
      await (await this.adminClient(snapshot)).barrierWrite(path, new Date().toISOString());
    }
  }

  /** Deletes the lock only while it is still ours (never another rollout's). */
  private async releaseLock(client: AdminClient): Promise<void> {
    if ((await client.get(this.lockPath)).includes(this.rolloutId)) await client.delete(this.lockPath);
  }

  private async runStep(step: Step, snapshot: ClusterSnapshot | null): Promise<void> {
    const { driver, desired, auth } = this.o;
    const id = step.serverId;
    const srv = () => this.server(id!, snapshot);
    const version = snapshot?.configVersion ?? null;
    switch (step.kind) {
      case 'start-initial':
      case 'start-member':
      case 'start-joiner': {
        const config = step.config ?? snapshot!.members;
        if (await driver.isRunning(srv())) await driver.stop(srv(), this.t.stopMs);
        await installServerFiles(driver, desired, srv(), config, step.kind === 'start-initial' ? await keptVersion(driver, srv(), config) : version, auth);
        await startServer(driver, desired, srv(), auth);
        return;
      }
      case 'restart-server': {
        const config = step.config ?? snapshot!.members;
        await driver.stop(srv(), this.t.stopMs);
        await installServerFiles(driver, desired, srv(), config, version, auth);
        await startServer(driver, desired, srv(), auth);
        return;
      }
      case 'rewrite-config': {
        const config = step.config ?? [];
        const everyone = new Map([...config, ...(snapshot?.members ?? [])].map((s) => [s.id, this.server(s.id, snapshot)]));
        for (const s of everyone.values()) await installServerFiles(driver, desired, s, config, null, auth);
        return;
      }
      case 'stop-joiner':
      case 'stop-server':
        await driver.stop(srv(), this.t.stopMs);
        return;
      case 'await-quorum':
        await waitUntil('a leader and every started server in broadcast', this.t.quorumMs, async () => {
          const probes = await Promise.all(desired.servers.map((s) => probeServer(s, 2000)));
          const leader = probes.find((p) => p.mode === 'leader');
          const synced = probes.filter(isSynced).length;
          return { done: leader !== undefined && synced === desired.servers.length, seen: `${leader ? `leader ${leader.server.id}` : 'no leader'}, ${synced}/${desired.servers.length} synced` };
        }, 'check the servers\' logs and that their ports are free, then re-run apply');
        return;
      case 'await-synced':
        await this.awaitSynced(srv(), snapshot);
        return;
      case 'drain-clients':
        await this.drain(srv());
        return;
      case 'bake':
        await this.bake(step.holdMs ?? 0, snapshot);
        return;
      case 'barrier-write':
        await this.idempotentWrite(`/zk-rollout/barrier/${desired.name}`, snapshot!, 'barrier write');
        return;
      case 'reconfig-add':
      case 'reconfig-role':
      case 'reconfig-remove':
        await this.reconfig(step, snapshot!);
        return;
    }
  }

  private async awaitSynced(s: Server, snapshot: ClusterSnapshot | null): Promise<void> {
    const leader = snapshot?.leaderId != null ? this.server(snapshot.leaderId, snapshot) : null;
    let target: bigint | null = null;
    if (leader && leader.id !== s.id) {
      target = parseSrvr(await fourLetterWord(leader.host, leader.clientPort, 'srvr').catch(() => '')).zxid ?? null;
    }
    const { driver } = this.o;
    await waitUntil(`server ${s.id} to sync with the leader`, this.t.syncMs, async () => {
      if (!(await driver.isRunning(s))) {
        const taken = await takenPorts(s);
        throw new WaitAborted(taken.length > 0
          ? `server ${s.id} stopped while waiting for it to sync: ${taken.join(' and ')} ${taken.length > 1 ? 'are' : 'is'} taken by another process; free the port (or give the server other ports in the spec), then re-run apply`
          : `server ${s.id} stopped while waiting for it to sync (see ${driver.paths(s).log}); re-run apply to resume`);
      }
      const p = await probeServer(s, 2000);
      // A leader fresh from an election reports <epoch>:0 until the first write of its epoch, while a
      // follower synced with it still shows its last write of the old epoch: broadcast says enough then.
      const freshEpoch = target !== null && (target & 0xffffffffn) === 0n;
      const caughtUp = target === null || (p.zxid !== undefined && p.zxid >= target) || freshEpoch;
      return {
        done: isSynced(p) && caughtUp,
        seen: p.reachable ? `mode ${p.mode}, peer state '${p.peerState ?? '?'}', zxid ${p.zxid !== undefined ? `0x${p.zxid.toString(16)}` : '?'}${target !== null ? ` (leader was at 0x${target.toString(16)})` : ''}` : (p.error ?? 'unreachable'),
      };
    }, `check ${driver.paths(s).log}; re-run apply to resume from where the ensemble is`);
    if (snapshot !== null) await this.checkReplica(s, snapshot);
  }

  /**
   * ZooKeeper 3.8 can bring a server up to date with a DIFF that lacks older transactions (seen here
   * when a server that joined with a snapshot becomes leader and an empty joiner syncs from it;
   * ZOOKEEPER-4352). That server then serves a partial copy, and as a voter could later lead with it.
   * ZooKeeper notices on the next write, when the server's tree digest stops matching the leader's:
   * so write once, wait until the server has applied the write, and read its mismatch count.
   */
  private async checkReplica(s: Server, snapshot: ClusterSnapshot): Promise<void> {
    await this.idempotentWrite(`/zk-rollout/barrier/${this.o.desired.name}`, snapshot, 'check write');
    const everyone = new Map([...snapshot.members, ...this.o.desired.servers].map((m) => [m.id, m]));
    const leader = (await Promise.all([...everyone.values()].map((m) => probeServer(m, 2000)))).find((p) => p.mode === 'leader');
    let mismatches = 0;
    await waitUntil(`server ${s.id} to apply a check write`, this.t.syncMs, async () => {
      const p = await probeServer(s, 2000);
      const zxid = p.zxid;
      mismatches = p.digestMismatches ?? 0;
      return { done: leader?.zxid === undefined || (zxid !== undefined && zxid >= leader.zxid), seen: `zxid ${zxid !== undefined ? `0x${zxid.toString(16)}` : '?'}` };
    }, `check ${this.o.driver.paths(s).log}; re-run apply`);
    if (mismatches === 0) return;
    const voter = snapshot.members.some((m) => m.id === s.id && m.role === 'participant');
    const what = `server ${s.id}'s copy of the data differs from the leader's: ZooKeeper reported ${mismatches} digest mismatch(es) on it, the sign of an incomplete sync (ZOOKEEPER-4352 in 3.8)`;
    // A server zk-rollout did not create keeps its files: it is never reset (its data may be the only copy).
    const adopted = adoptedServers(this.o.desired).some((a) => a.id === s.id);
    if (!voter && !adopted && this.resyncs < 3) {
      this.resyncs++;
      this.log(`  ${what}; it does not vote: stopping it and deleting its files, so that it starts again and syncs afresh`);
      await this.o.driver.stop(s, this.t.stopMs);
      await this.o.driver.deleteFiles(s);
      throw new NotReady(`server ${s.id} had an incomplete copy of the data and was reset`);
    }
    throw new RolloutError(`refused: ${what}. ${voter || adopted
      ? `${voter ? 'It votes' : 'zk-rollout did not create it, so it does not reset it'}, and its copy must not be trusted: stop it, delete its data directory (${this.o.driver.paths(s).dataDir}) so that it syncs afresh, start it, and check zk_digest_mismatches_count in its mntr output before re-running apply.`
      : 'It was reset and re-synced 3 times and the copy was incomplete each time: let the ensemble take more writes (the leader\'s in-memory log then reaches further back) or restart the leader, then re-run apply.'}`);
  }

  /**
   * Clients (Kafka and the like) should list old and new servers while the membership moves, and
   * only the new ones once it is done: say both when the set of client addresses changes.
   */
  private logTransition(snapshot: ClusterSnapshot): void {
    const now = connectString(snapshot.members);
    const final = connectString(this.o.desired.servers);
    if (now === final) return;
    this.log(`clients: during this change connect with ${transitionalConnectString(snapshot.members, this.o.desired.servers)}`);
    this.log(`clients: once it is done, ${final} (servers that leave stop serving as they go)`);
  }

  /** Bake once per rollout, after its growth phase; a re-plan after the growth still holds before the first removal. */
  private planOptions(): PlanOptions {
    return { bakeMs: this.baked ? 0 : (this.o.bakeMs ?? DEFAULT_BAKE_MS), grownAlready: this.grew };
  }

  /**
   * The hold between growth and shrink: every second the ensemble must keep its leader (no election),
   * every member up and synced, and serve a client write. The first failure stops the rollout before
   * anything is removed.
   */
  private async bake(holdMs: number, snapshot: ClusterSnapshot | null): Promise<void> {
    // A server promoted a moment ago re-syncs as a follower: the hold starts once every member is synced.
    let leader = snapshot?.leaderId ?? null;
    try {
      await this.untilSyncedForBake((l) => { leader = l; });
    } catch (e) {
      // Not a failed bake: the plan was made before a member went down; the next plan starts it again, then bakes.
      if (e instanceof WaitAborted) throw new NotReady(`${e.message} before the bake began`);
      throw e;
    }
    const started = Date.now();
    const every = Math.max(1000, Math.ceil(holdMs / 5000) * 1000);
    let lastReport = started;
    this.log(`  baking ${secs(holdMs)}: leader ${leader}, checking every second`);
    for (;;) {
      const live = await readLiveState(this.o.desired, this.o.driver, this.known, this.drained);
      const snap = live.snapshot;
      const problems: string[] = [];
      if (!snap || snap.leaderId === null) problems.push('no leader');
      else if (snap.leaderId !== leader) problems.push(`the leader changed from ${leader} to ${snap.leaderId} (an election)`);
      for (const m of this.staying(snap)) {
        const o = snap!.observations.find((x) => x.id === m.id);
        if (!o?.up) problems.push(`server ${m.id} is down`);
        else if (!o.synced) problems.push(`server ${m.id} is not synced`);
      }
      if (problems.length === 0) {
        try {
          await this.idempotentWrite(`/zk-rollout/bake/${this.o.desired.name}`, snap!, 'bake write');
        } catch (e) {
          problems.push(`a client write failed, also on a new session (${(e as Error).message})`);
        }
      }
      const elapsed = Date.now() - started;
      if (problems.length > 0) {
        throw new RolloutError(`bake failed after ${secs(elapsed)} of ${secs(holdMs)}: ${problems.join('; ')}. Nothing was removed: the old and new servers are all still members. `
          + 'Find out why (zk-rollout status, the servers\' logs), then re-run apply to bake again and continue, or deploy the previous membership to go back.');
      }
      if (elapsed >= holdMs) { this.log(`  bake passed: healthy for ${secs(elapsed)}`); return; }
      if (Date.now() - lastReport >= every) { lastReport = Date.now(); this.log(`  bake: ${secs(holdMs - elapsed)} left, healthy (leader ${leader}, ${snap!.members.length} members synced)`); }
      await sleep(Math.min(1000, holdMs - elapsed));
    }
  }

  /**
   * The members the bake judges: those the desired ensemble keeps. A leaving member that is down
   * says nothing about the new servers' health; the plan removes it next.
   */
  private staying(snap: ClusterSnapshot | null): readonly Server[] {
    return (snap?.members ?? []).filter((m) => this.o.desired.servers.some((d) => d.id === m.id));
  }

  /** Until every member is synced with a leader; a member that is down ends the wait (WaitAborted). */
  private async untilSyncedForBake(onLeader: (leader: number | null) => void): Promise<void> {
    await waitUntil('every member synced before the bake', this.t.syncMs, async () => {
      const snap = (await readLiveState(this.o.desired, this.o.driver, this.known, this.drained)).snapshot;
      const staying = this.staying(snap);
      const down = staying.filter((m) => !snap!.observations.find((o) => o.id === m.id)?.up).map((m) => m.id);
      if (down.length > 0) throw new WaitAborted(down.map((id) => `server ${id} is down`).join('; '));
      const lagging = staying.filter((m) => !snap!.observations.find((o) => o.id === m.id)?.synced).map((m) => m.id);
      const leader = snap?.leaderId ?? null;
      onLeader(leader);
      return { done: snap !== null && leader !== null && lagging.length === 0, seen: leader === null ? 'no leader' : `not synced: ${lagging.join(', ') || 'none'}` };
    }, 'check the servers\' logs (zk-rollout status), then re-run apply');
  }

  private async drain(s: Server): Promise<void> {
    try {
      await waitUntil(`clients to leave server ${s.id}`, this.t.drainMs, async () => {
        const r = parseSrvr(await fourLetterWord(s.host, s.clientPort, 'srvr', 2000));
        const clients = Math.max(0, (r.connections ?? 1) - 1); // our own probe is one connection
        return { done: clients === 0, seen: `${clients} client connection(s)` };
      }, '');
    } catch (e) {
      this.log(`  drain of server ${s.id}: ${(e as Error).message.split(';')[1]?.trim() ?? 'timed out'} after ${secs(this.t.drainMs)}; proceeding: those clients reconnect to the remaining servers`);
    }
    this.drained.add(s.id);
  }

  /** Conditional reconfig; connection loss is resolved by reading the committed config, never by a blind retry. */
  private async reconfig(step: Step, snapshot: ClusterSnapshot): Promise<void> {
    const id = step.serverId!;
    const change = step.kind === 'reconfig-remove'
      ? { leaving: [id] }
      : { joining: step.servers ?? [{ ...this.server(id, snapshot), role: step.role! }] };
    const applied = (m: { servers: readonly Server[] }) => step.kind === 'reconfig-remove'
      ? !m.servers.some((s) => s.id === id)
      : (change.joining ?? []).every((j) => m.servers.some((s) => s.id === j.id && s.role === j.role));
    const client = await this.adminClient(snapshot);
    const others = snapshot.members.filter((m) => m.id !== id && !(change.joining ?? []).some((j) => j.id === m.id));
    const expected = step.kind === 'reconfig-remove' ? others : [...others, ...(change.joining ?? [])];
    const grows = step.kind === 'reconfig-add' || (step.kind === 'reconfig-role' && step.role === 'participant');
    if (this.o.desired.strategy === 'dynamic') {
      if (grows) this.grew = true;
      // Recorded before the reconfig: a handler killed right after it must not take its own change for drift.
      await this.saveRecord(snapshot.configVersion, snapshot.members, membersKey(expected));
    }
    try {
      const after = await client.reconfig(change, snapshot.configVersion);
      if (!applied(after)) throw new RolloutError(`reconfig returned a configuration without the change: ${JSON.stringify(after)}`);
      if (this.o.desired.strategy === 'dynamic') await this.saveRecord(after.version, after.servers);
      this.log(`  committed config version ${after.version}`);
    } catch (e) {
      if (e instanceof ZkError && e.code === ZK.BADVERSION) {
        throw new RolloutError(`refused: the ensemble's configuration changed under this rollout, not by it (expected version ${snapshot.configVersion}); the reconfig was not applied. ${DRIFT_ADVICE}.`);
      }
      if (e instanceof ZkError && (e.code === ZK.CONNECTIONLOSS || e.code === ZK.OPERATIONTIMEOUT)) {
        // Indeterminate: decide from the committed configuration.
        this.admin?.close();
        this.admin = null;
        const members = [...snapshot.members, ...(change.joining ?? [])];
        const fresh = await AdminClient.open({ connect: connectString(members), auth: this.o.auth, connectTimeoutMs: 30000 });
        try {
          const committed = await fresh.committedConfig();
          if (applied(committed)) { this.log(`  reconfig outcome was unknown (connection loss); committed config ${committed.version} shows it applied`); return; }
          // Now determinate: not applied. The next plan starts from this committed config; no blind retry.
          throw new NotReady(`reconfig outcome was unknown (connection loss); committed config ${committed.version} shows it was not applied`);
        } finally {
          fresh.close();
        }
      }
      if (e instanceof ZkError && (e.code === ZK.NEWCONFIGNOQUORUM || e.code === ZK.RECONFIGINPROGRESS)) {
        throw new NotReady(`ZooKeeper did not apply the reconfig (${e.message})`);
      }
      if (e instanceof ZkError && e.code === ZK.NOAUTH) {
        throw new RolloutError('reconfig was refused (not authorised): the superuser password does not match the servers\' superDigest, or skipACL is off while no password was given. '
          + 'Nothing was changed. Give the password the servers were started with (ZK_ROLLOUT_SUPER_PASSWORD, ZK_ROLLOUT_SUPER_PASSWORD_FILE or --password-file), then re-run apply');
      }
      throw e;
    }
  }
}
