/**
 * One cell of the fault matrix, on real servers: bootstrap the scenario's start ensemble, keep a
 * writer and a leader monitor going, run `zk-rollout apply` (in its own process, as cdktf deploy
 * runs it) with one fault injected at one point, clear the fault, run apply again, then check:
 * converged, no acknowledged write lost, never longer without a leader than one election.
 *
 * Run as a process of its own (`node dist/test/reliability/cell.js <cell-json> <port-base>`): the
 * native ZooKeeper client can crash a process, and a crash must cost one cell, not the matrix.
 */
import { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, Server as NetServer } from 'node:net';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server } from '../../lib/model/types';
import { observeEnsemble, probeServer } from '../../lib/runtime/observe';
import { sleep } from '../../lib/runtime/wait';
import { parseEvents, RolloutEvent } from '../../lib/runtime/events';
import { TestCluster } from '../support/cluster';
import { ElectionMonitor } from '../support/monitor';
import { CliProcess, startCli } from '../support/cli-process';
import { missingWrites, Writer } from '../support/writer';
import { CellSpec, cellId, MATRIX_BAKE_SECONDS, planTarget, Point, SCENARIO_DEFS, scenarioEnsembles, scenarioSteps } from './cells';

/**
 * The longest the ensemble may be without a leader: one election. With the matrix's ticks a
 * follower notices a dead leader after syncLimit x tickTime = 2 s, and the election itself takes
 * well under a second here; 5 s leaves room for a loaded machine, and stays below two elections.
 */
export const ONE_ELECTION_MS = 5000;
/** Sync timeout of the matrix's applies: a server that never syncs is reported after this long. */
const SYNC_TIMEOUT_S = 10;
/** No apply may run longer than this: a hang is a failed cell. */
const APPLY_LIMIT_MS = 240000;

export interface ApplyRun {
  readonly code: number | null;
  readonly signal: string | null;
  /** What the handler said when it failed (its error lines), else ''. */
  readonly message: string;
  readonly ms: number;
}

export interface CellResult {
  readonly id: string;
  readonly cell: CellSpec;
  readonly stepSummary: string;
  readonly target: string;
  readonly landed: boolean;
  readonly note?: string;
  readonly first: ApplyRun;
  readonly next: ApplyRun;
  readonly outcome: 'converged' | 'refused, then converged' | 'handler killed, then resumed' | 'failed' | 'fault missed';
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly acknowledged: number;
  readonly lost: number;
  readonly longestGapMs: number;
  readonly longestNoLeaderMs: number;
  readonly elections: number;
  readonly twoLeadersMs: number;
  readonly durationMs: number;
  /** Kept for reading when the cell failed; deleted when it passed. */
  readonly baseDir?: string;
}


/** A refusal is clear when it names what happened (a server, port, lock or leader) and what to do. */
export function isClearRefusal(message: string): boolean {
  return /server \d+|port \d+|lock|leader|quorum|bake/.test(message) && /re-run|check|find out|wait|then|deploy/.test(message);
}

class Handler {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<ApplyRun>;
  private readonly cli: CliProcess;

  constructor(specPath: string, baseDir: string, log: (s: string) => void) {
    const t0 = Date.now();
    // Events on stdout (the cell reads them), the human log on stderr (kept in handlers.log).
    this.cli = startCli(['apply', '--events', '-', '--desired', specPath, '--base-dir', baseDir,
      '--drain-timeout', '1', '--bake-time', String(MATRIX_BAKE_SECONDS), '--sync-timeout', String(SYNC_TIMEOUT_S), '--quorum-timeout', '30',
      // The reference steps the faults land at were recorded without the backup step (the backup has tests of its own).
      '--skip-backup'], {}, log);
    this.child = this.cli.child;
    const limit = setTimeout(() => { log(`apply still running after ${APPLY_LIMIT_MS} ms: killing it\n`); this.child.kill('SIGKILL'); }, APPLY_LIMIT_MS);
    this.exited = this.cli.exited.then(({ code, signal }) => {
      clearTimeout(limit);
      const message = this.cli.stderr().split('\n').filter((l) => l.startsWith('zk-rollout')).join('\n').trim();
      return { code, signal, message, ms: Date.now() - t0 };
    });
  }

  /** The events the handler wrote so far (complete lines only). */
  events(): RolloutEvent[] { return parseEvents(this.cli.stdout()); }

  /** Resolves when the handler's events first satisfy `seen`, or with false when it ends first. */
  when(seen: (events: readonly RolloutEvent[]) => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => { if (seen(this.events())) { this.child.stdout.off('data', check); resolve(true); } };
      this.child.stdout.on('data', check);
      void this.exited.then(() => resolve(seen(this.events())));
      check();
    });
  }
}

interface Injected { target: string; landed: boolean; note?: string; clear: () => Promise<void> }

/** The fault itself; `handler` is paused (SIGSTOP) around it at a step boundary. */
async function inject(spec: CellSpec, cluster: TestCluster, servers: readonly Server[], handler: Handler, startIds: readonly number[]): Promise<Injected> {
  const steps = scenarioSteps(SCENARIO_DEFS[spec.scenario]);
  const byId = (id: number) => servers.find((s) => s.id === id)!;
  const nothing = async () => undefined;
  const probeAll = async () => Promise.all(servers.map(async (s) => ({ s, p: await probeServer(s, 1000) })));
  // Right after a leader restart the servers are electing: give the fault's target up to 5 s to appear.
  const modes = async () => {
    let all = await probeAll();
    for (let i = 0; i < 25 && !all.some((m) => m.p.mode === 'leader'); i++) { await sleep(200); all = await probeAll(); }
    return all;
  };
  switch (spec.fault) {
    case 'kill-handler':
      handler.child.kill('SIGKILL');
      return { target: `handler (pid ${handler.child.pid})`, landed: true, clear: nothing };
    case 'kill-leader': {
      const leader = (await modes()).find((m) => m.p.mode === 'leader');
      if (!leader) return { target: 'the leader', landed: false, note: 'no server was leading when the fault was due', clear: nothing };
      await cluster.driver.kill(leader.s);
      return { target: `server ${leader.s.id} (leader)`, landed: true, clear: nothing };
    }
    case 'kill-follower': {
      const joiner = planTarget(steps, 'kill-joiner', spec.point)?.serverId;
      const followers = (await modes()).filter((m) => m.p.mode === 'follower' && m.s.id !== joiner);
      // A server of the ensemble as it was (not one the rollout brought in) when there is one.
      const victim = followers.find((m) => startIds.includes(m.s.id)) ?? followers[0];
      if (!victim) return { target: 'a follower', landed: false, note: 'no follower was running when the fault was due', clear: nothing };
      await cluster.driver.kill(victim.s);
      return { target: `server ${victim.s.id} (follower)`, landed: true, clear: nothing };
    }
    case 'kill-joiner': {
      const id = planTarget(steps, 'kill-joiner', spec.point)!.serverId;
      if (!(await cluster.driver.isRunning(byId(id)))) return { target: `server ${id} (joining)`, landed: false, note: `server ${id} was not running when the fault was due`, clear: nothing };
      await cluster.driver.kill(byId(id));
      return { target: `server ${id} (joining)`, landed: true, clear: nothing };
    }
    case 'never-syncs': {
      const t = planTarget(steps, 'never-syncs', spec.point)!;
      const s = byId(t.serverId);
      const before = await cluster.driver.pid(s);
      let frozen: number | null = null;
      let watching = true;
      // Freeze the process the rollout will wait on: the running one, or the next one started.
      const freeze = async () => {
        while (watching && frozen === null) {
          const pid = await cluster.driver.pid(s);
          if (pid !== null && (!t.restartedFirst || pid !== before)) { process.kill(pid, 'SIGSTOP'); frozen = pid; return; }
          await sleep(20);
        }
      };
      const done = freeze();
      if (!t.restartedFirst) {
        // It should be running now; while the handler is held, waiting longer for it would wait forever.
        const gaveUp = sleep(5000).then(() => { watching = false; });
        await Promise.race([done, gaveUp]);
        watching = false;
        await done;
        if (frozen === null) return { target: `server ${t.serverId}`, landed: false, note: `server ${t.serverId} was not running when the fault was due`, clear: nothing };
      }
      return {
        target: `server ${t.serverId} (frozen with SIGSTOP)`,
        get landed() { return frozen !== null; },
        clear: async () => { watching = false; await done; if (frozen !== null) { try { process.kill(frozen, 'SIGCONT'); } catch { /* gone */ } } },
      } as Injected;
    }
    case 'port-taken': {
      const t = planTarget(steps, 'port-taken', spec.point)!;
      const s = byId(t.serverId);
      let squatter: NetServer | null = null;
      let watching = true;
      const take = async () => {
        while (watching && squatter === null) {
          if (!(await cluster.driver.isRunning(s))) {
            const srv = createServer((c) => c.destroy());
            const ok = await new Promise<boolean>((resolve) => { srv.once('error', () => resolve(false)); srv.listen(s.clientPort, s.host, () => resolve(true)); });
            if (ok) { squatter = srv; return; }
          }
          await sleep(t.restartedFirst ? 5 : 20);
        }
      };
      const done = take();
      if (!t.restartedFirst) await Promise.race([done, sleep(2000)]);
      return {
        target: `port ${s.clientPort} of server ${t.serverId}`,
        get landed() { return squatter !== null; },
        clear: async () => { watching = false; await done; if (squatter) await new Promise((r) => squatter!.close(r)); },
      } as Injected;
    }
  }
}

/** The step the handler started as its n-th, if it has. */
const started = (events: readonly RolloutEvent[], n: number) => events.find((e): e is Extract<RolloutEvent, { type: 'step-start' }> => e.type === 'step-start' && e.n === n);
const ended = (events: readonly RolloutEvent[], n: number) => events.some((e) => e.type === 'step-end' && e.n === n);

/** During step N: once it started; before step N: once step N-1 ended (before step 1: once the plan is out). */
function triggerOf(p: Point): (events: readonly RolloutEvent[]) => boolean {
  if (p.when === 'during') return (events) => started(events, p.step) !== undefined;
  return p.step === 1 ? (events) => events.some((e) => e.type === 'plan') : (events) => ended(events, p.step - 1);
}

export async function runCell(spec: CellSpec, portBase: number, echo: (s: string) => void = () => undefined): Promise<CellResult> {
  const t0 = Date.now();
  const def = SCENARIO_DEFS[spec.scenario];
  const steps = scenarioSteps(def);
  const cluster = new TestCluster('rel', portBase);
  // Every handler's output, timestamped, kept with the servers' logs for a cell that fails.
  const log = (s: string) => { echo(s); appendFileSync(join(cluster.baseDir, 'handlers.log'), s.split('\n').filter(Boolean).map((l) => `${new Date().toISOString()} ${l}\n`).join('')); };
  process.stdout.write(`CELL-DIR ${cluster.baseDir}\n`);
  const { start, desired } = scenarioEnsembles(def, 'rel', portBase);
  const ids = [...new Set([...def.start, ...def.desired])].sort((a, b) => a - b);
  const servers = cluster.ensemble(ids).servers; // registers every server for stopAll
  const startPath = join(cluster.baseDir, 'start.json');
  const desiredPath = join(cluster.baseDir, 'desired.json');
  writeFileSync(startPath, JSON.stringify(start));
  writeFileSync(desiredPath, JSON.stringify(desired));
  const problems: string[] = [];
  let passed = false;
  try {
    const boot = await new Handler(startPath, cluster.baseDir, log).exited;
    if (boot.code !== 0) throw new Error(`bootstrap of ${def.start.join(',')} failed: ${boot.message}`);

    // The writer stays off a port the fault takes: a squatter there speaks no ZooKeeper.
    const squatted = spec.fault === 'port-taken' ? planTarget(steps, 'port-taken', spec.point)?.serverId : undefined;
    const writer = new Writer(cluster.connectString(ids.filter((id) => id !== squatted)));
    const monitor = new ElectionMonitor(servers);
    await writer.start();
    monitor.start();
    await sleep(500);

    const handler = new Handler(desiredPath, cluster.baseDir, log);
    let injected: Injected | null = null;
    const mark = (what: string) => log(`--- ${what}\n`);
    mark(`writer and monitor running; apply to ${def.desired.join(',')} with ${spec.fault} ${spec.point.when} step ${spec.point.step}`);
    const land = async () => { const f = await inject(spec, cluster, servers, handler, def.start); mark(`fault injected at ${f.target}`); return f; };
    const injection = (async () => {
      if (!(await handler.when(triggerOf(spec.point)))) return;
      if (spec.point.when === 'during') {
        await sleep(300);
        injected = await land();
        if (ended(handler.events(), spec.point.step)) injected.note = 'the wait had ended when the fault landed';
      } else if (spec.fault === 'kill-handler') {
        injected = await land();
      } else {
        // Hold the handler at the boundary while the fault lands, so that it lands before the next step.
        process.kill(handler.child.pid!, 'SIGSTOP');
        try { injected = await land(); } finally { process.kill(handler.child.pid!, 'SIGCONT'); }
      }
    })();
    const first = await handler.exited;
    await injection;
    const fault: Injected = injected ?? { target: '-', landed: false, note: 'the handler ended before the point was reached', clear: async () => undefined };
    // Points are numbered after a fault-free run; a run whose bootstrap elected another leader can order removals differently.
    const actual = started(handler.events(), spec.point.step)?.step.summary;
    if (actual !== undefined && actual !== steps[spec.point.step - 1].summary) fault.note = [fault.note, `this run's step ${spec.point.step} was: ${actual}`].filter(Boolean).join('; ');
    const landed = fault.landed;
    mark(`first apply ended (exit ${first.code ?? first.signal}); fault at ${fault.target} ${landed ? 'landed' : 'did not land'}; clearing it`);
    await fault.clear();
    mark('next apply');

    const next = await new Handler(desiredPath, cluster.baseDir, log).exited;
    await sleep(500);
    const report = await writer.stop();
    const leaders = await monitor.stop();

    if (next.code !== 0) problems.push(`the next apply failed: ${next.message || `exit ${next.code ?? next.signal}`}`);
    const lostBy = next.code === 0 ? await missingWrites(desired.servers, report.acknowledged, writer.root) : {};
    const lost = Math.max(0, ...Object.values(lostBy).map((l) => l.length));
    if (lost > 0) problems.push(`${lost} acknowledged write(s) lost`);
    if (next.code === 0) {
      const { snapshot } = await observeEnsemble(desired.servers.map((s) => ({ host: s.host, port: s.clientPort })));
      const got = snapshot.members.map((m) => `${m.id}${m.role[0]}`).sort().join(',');
      const want = desired.servers.map((m) => `${m.id}${m.role[0]}`).sort().join(',');
      if (got !== want) problems.push(`members {${got}}, expected {${want}}`);
      const running = await cluster.running();
      if (running.join(',') !== desired.servers.map((s) => s.id).join(',')) problems.push(`running {${running.join(',')}}, expected {${desired.servers.map((s) => s.id).join(',')}}`);
    }
    if (leaders.longestNoLeaderMs > ONE_ELECTION_MS) problems.push(`no leader for ${leaders.longestNoLeaderMs} ms (more than one election, ${ONE_ELECTION_MS} ms)`);
    const killedHandler = spec.fault === 'kill-handler' && landed;
    if (first.code !== 0 && !killedHandler && !isClearRefusal(first.message)) problems.push(`unclear refusal: ${first.message || '(no message)'}`);

    const outcome: CellResult['outcome'] = !landed ? 'fault missed'
      : problems.length > 0 ? 'failed'
        : killedHandler ? 'handler killed, then resumed'
          : first.code === 0 ? 'converged' : 'refused, then converged';
    const ok = landed && problems.length === 0;
    passed = ok;
    return {
      id: cellId(spec), cell: spec, stepSummary: steps[spec.point.step - 1].summary, target: fault.target, landed,
      ...(fault.note ? { note: fault.note } : {}),
      first, next, outcome, ok, problems,
      acknowledged: report.acknowledged.length, lost, longestGapMs: report.longestGapMs,
      longestNoLeaderMs: leaders.longestNoLeaderMs, elections: leaders.elections, twoLeadersMs: leaders.twoLeadersMs,
      durationMs: Date.now() - t0,
      ...(ok ? {} : { baseDir: cluster.baseDir }),
    };
  } finally {
    await cluster.stopAll();
    if (passed) rmSync(cluster.baseDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const spec = JSON.parse(process.argv[2]) as CellSpec;
  const portBase = Number(process.argv[3]);
  const verbose = process.env.ZK_MATRIX_VERBOSE === '1';
  runCell(spec, portBase, verbose ? (s) => process.stderr.write(s) : undefined)
    .then((r) => { process.stdout.write(`CELL-RESULT ${JSON.stringify(r)}\n`); process.exit(0); })
    .catch((e) => { process.stdout.write(`CELL-ERROR ${JSON.stringify(String((e as Error).stack ?? e))}\n`); process.exit(1); });
}
