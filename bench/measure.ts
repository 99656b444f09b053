/**
 * One bench run: a scenario done one way on fresh real servers (loopback), with two writers (the
 * native C client and ZooKeeper's own Java client) on the connect string a user is told to use while
 * the membership moves, and a monitor of leaders.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TIMEOUTS } from '../lib/model/defaults';
import { transitionalConnectString } from '../lib/model/connect-string';
import { Ensemble } from '../lib/model/types';
import { AdminClient } from '../lib/runtime/admin-client';
import { SYNC_PROPERTIES } from '../lib/runtime/server-config';
import { parseEvents } from '../lib/runtime/events';
import { observeEnsemble } from '../lib/runtime/observe';
import { sleep } from '../lib/runtime/wait';
import { LocalHostDriver } from '../lib/hosts/local';
import { AUTH, FAST_SETTINGS, TestCluster } from '../test/support/cluster';
import { JavaWriter } from '../test/support/java-writer';
import { ElectionMonitor } from '../test/support/monitor';
import { makeCa } from '../test/support/tls-certs';
import { spawnClean } from '../test/support/spawn-clean';
import { missingWrites, Writer, WriterReport } from '../test/support/writer';
import { heapFor, initLimitFor, seed } from './seed';
import { Ctx, minimal, oneObserverSynced, Plan, project, runbook, ScenarioName } from './ways';

export const REPO = join(__dirname, '..', '..');
export const PORT_BASE = 29000;
/** The rollout events the e2e app's handler appends, relative to the project directory. */
const EVENTS_FILE = 'rollout-events.jsonl';

/** `one observer synced`: not a way to scale up but ZooKeeper's own cost of the one sync every scale-up pays (ways.ts). */
export const WAYS = ['zk-rollout apply', 'cdktf deploy', 'manual runbook', 'minimal reconfig script', 'one observer synced'] as const;
export type Way = typeof WAYS[number];
/** `bench`: tickTime 200 and short waits; `defaults`: ZooKeeper's and zk-rollout's shipped defaults (bake 0). */
export type Profile = 'bench' | 'defaults';

export interface RunSpec {
  readonly scenario: ScenarioName; readonly way: Way; readonly profile: Profile; readonly dataMb: number;
  /**
   * Every server started to sync by DIFF from the leader's memory where it can (`snapshotSizeFactor=-1`)
   * instead of a full snapshot each time: the alternative the fault matrix rejected (ZOOKEEPER-4394),
   * run to show what the full snapshots cost.
   */
  readonly diffSync?: boolean;
}

export interface WriterFigures { readonly acknowledged: number; readonly lost: number; readonly longestGapMs: number; readonly failed: number; readonly sessionsExpired: number; readonly ackTimesS: number[] }

export interface Repeats {
  readonly totalMs: readonly number[];
  readonly nativeGapMs: readonly number[];
  readonly javaGapMs: readonly number[];
  /** Acknowledged writes lost per run, the worse writer. */
  readonly lost: readonly number[];
}

export interface Result extends RunSpec {
  /** The day it was measured (rows a later partial run did not repeat keep theirs). */
  readonly measured?: string;
  readonly from: number[];
  readonly to: number[];
  readonly native: WriterFigures;
  /** Null where the way moves clients by hand (the runbook): the Java writer does not switch. */
  readonly java: WriterFigures | null;
  readonly elections: number;
  readonly electionsAt: { at: number; leader: number }[];
  readonly twoLeadersMs: number;
  /** Until the way returned. */
  readonly wayMs: number;
  /** Until the way returned and the final ensemble acknowledged a write: the change is over for its users. */
  readonly totalMs: number;
  /** cdktf deploy only: the rollout's own time, from its summary event (the rest is cdktf and Terraform). */
  readonly rolloutMs?: number;
  readonly marks: { at: number; label: string }[];
  readonly error?: string;
  /** With --repeat: every run's figures (this row is the run with the median total). */
  readonly repeats?: Repeats;
}

/** The settings of a profile; data needs a larger heap. */
export function profileSettings(profile: Profile, dataMb: number): object {
  const base = profile === 'bench' ? FAST_SETTINGS : { tickTime: 2000, initLimit: 10, syncLimit: 5, jvmHeapMb: 512 };
  return { ...base, jvmHeapMb: heapFor(dataMb, base.jvmHeapMb), initLimit: initLimitFor(dataMb, base.tickTime, base.initLimit) };
}

async function cdktfDeploy(projectDir: string, members: number[], mark: (l: string) => void): Promise<number | undefined> {
  // Through spawnClean: cdktf, Terraform and the handler must not hold copies of the writers' native
  // sockets. A copy outlives the writer's own close, and the package then closes that writer's
  // session when its server stops (lib/hosts/clean-spawn.ts).
  const child = spawnClean(join(REPO, 'node_modules', '.bin', 'cdktf'), ['deploy', 'e2e', '--auto-approve'], {
    cwd: projectDir,
    env: { ...process.env, ZK_E2E_EVENTS_FILE: EVENTS_FILE, ZK_E2E_MEMBERS: members.join(','), ZK_E2E_PORT_BASE: String(PORT_BASE), ZK_ROLLOUT_SUPER_PASSWORD: AUTH.password, CHECKPOINT_DISABLE: '1', CI: 'true', NO_COLOR: '1' },
  });
  let out = '';
  // The handler appends its events to the app's events file as they happen; each new step start is a mark.
  const eventsPath = join(projectDir, EVENTS_FILE);
  const events = () => (existsSync(eventsPath) ? parseEvents(readFileSync(eventsPath, 'utf8')) : []);
  let marked = 0;
  const markNew = () => {
    const starts = events().filter((e) => e.type === 'step-start');
    for (const e of starts.slice(marked)) if (e.type === 'step-start') mark(e.step.summary);
    marked = Math.max(marked, starts.length);
  };
  rmSync(eventsPath, { force: true });
  child.stdout.on('data', (d) => { markNew(); out += String(d); });
  child.stderr.on('data', (d) => { out += String(d); });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`cdktf deploy exited ${code}:\n${out.slice(-2000)}`);
  const summary = events().find((e) => e.type === 'summary');
  return summary?.type === 'summary' ? summary.totalMs : undefined;
}

/** A write through the final servers, retried until one is acknowledged (or 120 s). */
async function finalWrite(connect: string): Promise<void> {
  const end = Date.now() + 120000;
  for (;;) {
    try {
      const c = await AdminClient.open({ connect, connectTimeoutMs: 5000 });
      try { await c.create(`/bench-final-${Date.now()}`, 'done'); return; } finally { c.close(); }
    } catch (e) {
      if (Date.now() > end) throw e;
      await sleep(50);
    }
  }
}

function blank(report: WriterReport, t0: number): WriterFigures {
  return { acknowledged: report.acknowledged.length, lost: 0, longestGapMs: report.longestGapMs, failed: report.failed, sessionsExpired: report.sessionsExpired, ackTimesS: report.ackTimes.map((t) => (t - t0) / 1000) };
}

async function figures(report: WriterReport, t0: number, final: Ensemble['servers'], root: string): Promise<WriterFigures> {
  const missing = await missingWrites(final, report.acknowledged, root);
  return {
    acknowledged: report.acknowledged.length, lost: Math.max(0, ...Object.values(missing).map((m) => m.length)),
    longestGapMs: report.longestGapMs, failed: report.failed, sessionsExpired: report.sessionsExpired, ackTimesS: report.ackTimes.map((t) => (t - t0) / 1000),
  };
}

/** Sets the JVM options every server of the run starts with; returns how to put them back. */
function syncPolicy(diffSync: boolean): () => void {
  const props = SYNC_PROPERTIES as Record<string, string>;
  const saved = { ...props };
  if (diffSync) {
    for (const k of Object.keys(props)) delete props[k];
    props['zookeeper.snapshotSizeFactor'] = '-1';
  }
  return () => {
    for (const k of Object.keys(props)) delete props[k];
    Object.assign(props, saved);
  };
}

export async function runOne(spec: RunSpec, log: (s: string) => void): Promise<Result> {
  const restore = syncPolicy(spec.diffSync === true);
  try {
    return await runOneWith(spec, log);
  } finally {
    restore();
  }
}

async function runOneWith(spec: RunSpec, log: (s: string) => void): Promise<Result> {
  const { scenario, way, profile, dataMb } = spec;
  // The runbook's membership changes rewrite static lists; switching TLS by hand keeps the ensemble dynamic.
  const strategy = way === 'manual runbook' && scenario !== 'tls-switch' ? 'static' : 'dynamic';
  const cluster = new TestCluster(`bench-${scenario}-${way.split(' ')[0]}`.replace(/[^a-z0-9-]/g, ''), PORT_BASE, strategy);
  const settings = profileSettings(profile, dataMb);
  const from = scenario === 'scale-down' || scenario === 'rolling-restart' ? [1, 2, 3, 4, 5] : [1, 2, 3];
  const projectDir = mkdtempSync(join(tmpdir(), 'zk-bench-cdktf-'));
  const stopAll = async () => {
    // Stop exactly what this run started, by pid; then its files go.
    for (const id of [1, 2, 3, 4, 5, 6]) {
      const s = cluster.ensemble([id]).servers[0];
      if (way === 'cdktf deploy') await new LocalHostDriver({ baseDir: join(projectDir, '.zk-local'), ensemble: 'e2e-zk' }).stop(s, 5000);
      else await cluster.driver.stop(s, 5000);
    }
    rmSync(cluster.baseDir, { recursive: true, force: true });
    rmSync(projectDir, { recursive: true, force: true });
  };
  try {
    if (way === 'cdktf deploy') {
      writeFileSync(join(projectDir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: `node ${join(REPO, 'dist', 'test', 'e2e', 'app', 'main.js')}`, projectId: 'bench', sendCrashReports: 'false' }));
      await cdktfDeploy(projectDir, from, () => undefined);
    } else {
      await cluster.executor(cluster.ensemble(from, [], settings), { log: () => undefined }).run();
    }
    if (dataMb > 0) {
      const t = Date.now();
      const n = await seed(cluster.connectString(from), dataMb);
      log(`[bench]   seeded ${dataMb} MiB (${n} znodes) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    const leader = (await observeEnsemble(from.map((id) => ({ host: '127.0.0.1', port: PORT_BASE + id })))).snapshot.leaderId;
    const to = way === 'one observer synced' ? [...from, 4] : scenario === 'migration' ? [4, 5, 6] : scenario === 'scale-up' ? [1, 2, 3, 4, 5]
      : scenario === 'scale-down' ? [...from.filter((id) => id !== leader).slice(0, 3)] : from;
    const plan: Plan = { scenario, from, to, ...(scenario === 'rolling-restart' ? { settings: { tickTime: (settings as { tickTime: number }).tickTime + 50 } } : {}) };
    const desired: Ensemble = scenario === 'tls-switch'
      ? cluster.tlsEnsemble(to, { quorum: true, ca: makeCa(join(cluster.baseDir, 'tls')) }, settings)
      : cluster.ensemble(to, [], { ...settings, ...(plan.settings ?? {}) });
    const all = [...new Set([...from, ...to])];
    // What a user is told while the membership moves: the servers before and after (the runbook switches by hand).
    const during = transitionalConnectString(cluster.ensemble(from).servers, cluster.ensemble(to).servers);
    const native = new Writer(way === 'manual runbook' && scenario === 'migration' ? cluster.connectString(from) : during, 15, true);
    const java = way === 'manual runbook' ? null : new JavaWriter(during);
    const monitor = new ElectionMonitor(all.map((id) => ({ id, host: '127.0.0.1', clientPort: PORT_BASE + id })));
    await native.start();
    await java?.start();
    monitor.start();
    await sleep(1000);
    const t0 = Date.now();
    const marks: { at: number; label: string }[] = [];
    const ctx: Ctx = { cluster, writer: native, mark: (label) => marks.push({ at: (Date.now() - t0) / 1000, label }) };
    let error: string | undefined;
    let rolloutMs: number | undefined;
    try {
      if (way === 'zk-rollout apply') await project(ctx, desired, profile === 'defaults' ? DEFAULT_TIMEOUTS : undefined);
      else if (way === 'cdktf deploy') rolloutMs = await cdktfDeploy(projectDir, to, ctx.mark);
      else if (way === 'manual runbook') await runbook(ctx, plan, desired);
      else if (way === 'one observer synced') await oneObserverSynced(ctx, plan, desired);
      else await minimal(ctx, plan, desired);
    } catch (e) {
      error = (e as Error).message.split('\n')[0];
    }
    const wayMs = Date.now() - t0;
    await finalWrite(cluster.connectString(to)).catch((e) => { error = `${error ? `${error}; ` : ''}no write acknowledged by the final servers: ${(e as Error).message}`; });
    const totalMs = Date.now() - t0;
    await sleep(2000);
    const nativeReport = await native.stop();
    const javaReport = await java?.stop();
    const seen = await monitor.stop();
    const final = cluster.ensemble(to).servers;
    // A final server that cannot be read is the run's failure, said in its row: the bench goes on.
    const unreadable = (e: unknown) => { error = `${error ? `${error}; ` : ''}reading the final servers failed: ${(e as Error).message.split('\n')[0]}`; return null; };
    const nativeFigures = (await figures(nativeReport, t0, final, native.root).catch(unreadable)) ?? { ...blank(nativeReport, t0), lost: -1 };
    const javaFigures = javaReport && java ? (await figures(javaReport, t0, final, java.root).catch(unreadable)) ?? { ...blank(javaReport, t0), lost: -1 } : null;
    return {
      ...spec, from, to, native: nativeFigures, java: javaFigures, elections: seen.elections,
      electionsAt: seen.leaders.slice(1).map((l) => ({ at: (l.at - t0) / 1000, leader: l.leader })), twoLeadersMs: seen.twoLeadersMs,
      wayMs, totalMs, ...(rolloutMs !== undefined ? { rolloutMs } : {}), marks, ...(error ? { error } : {}),
    };
  } finally {
    await stopAll();
  }
}
