/** `zk-rollout apply | status | verify`: the commands that act on, or read, live servers. */
import { SshError } from '../hosts/ssh-exec';
import { resolve } from 'node:path';
import { hostDriver, HostsConfig, parseHostsConfig } from '../hosts/config';
import { DEFAULT_BACKUP_DIR, DEFAULT_LOCAL_BASE_DIR, DEFAULT_MAX_LAG, DEFAULT_SSH_BASE_DIR, TEARDOWN_PROBE_TIMEOUT_MS, VERIFY_CONNECT_TIMEOUT_MS } from '../model/defaults';
import { APPLY_FLAGS, ApplyCommandArgs, FlagValueError, parseNumberFlag, SpecAndHostArgs, TeardownArgs } from '../model/handler-args';
import { HostDriver } from '../hosts/types';
import { Ensemble, Server } from '../model/types';
import { adoptedServers } from '../model/existing';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { AdminClient } from '../runtime/admin-client';
import { connectString } from '../model/connect-string';
import { createPasswordFileIfMissing, loadAdminAuth } from '../runtime/credentials';
import { Executor, ExecutorOptions } from '../runtime/executor';
import { eventLine } from '../runtime/events';
import { readLiveState } from '../runtime/live-state';
import { clientsOf, probeServer } from '../runtime/observe';
import { memberLags } from '../runtime/lag';
import { InputError, loadDesired, loadPrevious } from './inputs';
import { DEFAULT_BACKUP_KEEP } from '../model/backup';
import { BackupPlace } from '../runtime/steps/context';
import { REPLAN_ENV, REVIEWED_PLAN_ENV, reviewedPin } from './pins-file';

export type RuntimeOptions = SpecAndHostArgs;

type HostOptions = Pick<RuntimeOptions, 'baseDir' | 'hosts' | 'hostsEnv'>;

/** The host driver: `--hosts <file>` or `--hosts-env <variable>` (JSON, see lib/hosts/config), else local under --base-dir. */
export function driverFor(desired: Ensemble, opts: HostOptions, env: NodeJS.ProcessEnv = process.env): HostDriver {
  return hostDriver(desired.name, hostsConfig(opts, env), adoptedServers(desired));
}

function hostsConfig(opts: HostOptions, env: NodeJS.ProcessEnv = process.env): HostsConfig {
  if (opts.hosts !== undefined && opts.hostsEnv !== undefined) throw new InputError('give either --hosts or --hosts-env, not both');
  let text: string | undefined;
  let source = '';
  if (opts.hosts !== undefined) {
    source = `hosts file ${opts.hosts}`;
    if (!existsSync(opts.hosts)) throw new InputError(`${source}: no such file`);
    text = readFileSync(opts.hosts, 'utf8');
  } else if (opts.hostsEnv !== undefined) {
    source = `hosts in $${opts.hostsEnv}`;
    text = env[opts.hostsEnv];
    if (!text) throw new InputError(`--hosts-env ${opts.hostsEnv}: the variable is not set`);
  }
  if (text === undefined) return { driver: 'local', baseDir: opts.baseDir ?? DEFAULT_LOCAL_BASE_DIR };
  let data: unknown;
  try { data = JSON.parse(text); } catch (e) { throw new InputError(`${source}: not valid JSON (${(e as Error).message})`); }
  try { return parseHostsConfig(data, source); } catch (e) { throw new InputError((e as Error).message); }
}

async function liveState(desired: Ensemble, opts: HostOptions) {
  const driver = driverFor(desired, opts);
  try {
    return await readLiveState(desired, driver, [], new Set());
  } finally {
    await driver.close?.();
  }
}

/** Where an ensemble's files are, for messages. */
function whereFiles(ensemble: string, c: HostsConfig): string {
  return c.driver === 'local' ? resolve(c.baseDir ?? DEFAULT_LOCAL_BASE_DIR, ensemble) : `${c.baseDir ?? DEFAULT_SSH_BASE_DIR}/${ensemble} on each machine`;
}

/** `--bake-time`: whole or fractional seconds, 0 allowed (no hold). */
export function bakeMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNumberFlag(APPLY_FLAGS.bakeSeconds, value) * 1000;
  } catch (e) {
    throw e instanceof FlagValueError ? new InputError(e.message) : e;
  }
}

/** Set to 1 to accept drift for one deploy: `ZK_ROLLOUT_ACCEPT_DRIFT=1 cdktf deploy <stack>`. */
export const ACCEPT_DRIFT_ENV = 'ZK_ROLLOUT_ACCEPT_DRIFT';

const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : seconds * 1000);

/**
 * `--events -`: the JSON lines go to stdout and the human log to stderr; `--events <file>`: the lines
 * are appended to the file as they happen (a killed handler leaves what it said), the log stays on stdout.
 */
export function eventOutputs(events: string | undefined, out: (s: string) => void): Pick<ExecutorOptions, 'log' | 'onEvent'> {
  if (events === undefined) return { log: (l) => out(`${l}\n`) };
  if (events === '-') return { onEvent: (e) => out(`${eventLine(e)}\n`), log: (l) => process.stderr.write(`${l}\n`) };
  if (events.trim() === '') throw new InputError('--events: give a file name, or - for stdout');
  try { appendFileSync(events, ''); } catch (e) { throw new InputError(`--events ${events}: cannot write (${(e as Error).message})`); }
  return { onEvent: (e) => appendFileSync(events, `${eventLine(e)}\n`), log: (l) => out(`${l}\n`) };
}

/** Where apply's backup goes: `--backup-dir` (default .zk-backups), keeping `--backup-keep` (a whole number) of them. */
function backupPlace(opts: Pick<ApplyCommandArgs, 'backupDir' | 'backupKeep'>): BackupPlace {
  // --backup-keep is checked as a whole number from 1 where the flags are read (handler-args).
  return { dir: resolve(opts.backupDir ?? DEFAULT_BACKUP_DIR), keep: opts.backupKeep ?? DEFAULT_BACKUP_KEEP };
}

/** `--reviewed-plan` (or ZK_ROLLOUT_REVIEWED_PLAN): the reviewed pin of this ensemble, and `--replan` (or ZK_ROLLOUT_REPLAN=1). */
function reviewedOption(opts: Pick<ApplyCommandArgs, 'reviewedPlan' | 'replan'>, ensemble: string): Pick<ExecutorOptions, 'reviewed'> {
  const file = opts.reviewedPlan ?? (process.env[REVIEWED_PLAN_ENV] || undefined);
  if (file === undefined) {
    if (opts.replan) throw new InputError('--replan goes with --reviewed-plan (or ZK_ROLLOUT_REVIEWED_PLAN): without a reviewed plan there is nothing to re-plan from');
    return {};
  }
  return { reviewed: { pin: reviewedPin(file, ensemble), replan: opts.replan === true || process.env[REPLAN_ENV] === '1' } };
}

/** `apply`: the arguments as the CLI parsed them from APPLY_FLAGS (seconds already checked). */
export async function runApply(opts: ApplyCommandArgs, out: (s: string) => void): Promise<number> {
  const desired = loadDesired(opts);
  const previous = loadPrevious(opts);
  const driver = driverFor(desired, opts);
  if (opts.createPasswordFile) {
    if (!opts.passwordFile) throw new InputError('--create-password-file needs --password-file');
    if (opts.skipAcl) throw new InputError('--create-password-file and --skip-acl exclude each other');
    if (createPasswordFileIfMissing(opts.passwordFile, (await driver.knownServers()).length > 0)) out(`created superuser password file ${opts.passwordFile} (mode 0600)\n`);
  }
  const auth = loadAdminAuth({ skipAcl: opts.skipAcl === true, ...(opts.passwordFile ? { passwordFile: opts.passwordFile } : {}) });
  const timeouts = {
    ...(opts.syncSeconds !== undefined ? { syncMs: ms(opts.syncSeconds)! } : {}),
    ...(opts.drainSeconds !== undefined ? { drainMs: ms(opts.drainSeconds)! } : {}),
    ...(opts.quorumSeconds !== undefined ? { quorumMs: ms(opts.quorumSeconds)! } : {}),
  };
  const executor = new Executor({ desired, driver, auth, timeouts, bakeMs: ms(opts.bakeSeconds), rollbackOnFailure: opts.rollbackOnFailure === true,
    // The variable reaches the handler through cdktf deploy and Terraform's local-exec, which pass the environment on.
    acceptDrift: opts.acceptDrift === true || process.env[ACCEPT_DRIFT_ENV] === '1',
    previous,
    ...(opts.skipBackup ? {} : { backup: backupPlace(opts) }),
    ...reviewedOption(opts, desired.name),
    ...eventOutputs(opts.events, out) });
  try {
    await executor.run();
  } finally {
    await driver.close?.();
  }
  return 0;
}

const pad = (cells: string[], widths: number[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();

export async function runStatus(opts: RuntimeOptions & { check?: boolean; maxLag?: string }, out: (s: string) => void): Promise<number> {
  const desired = loadDesired(opts);
  const maxLag = opts.maxLag === undefined ? BigInt(DEFAULT_MAX_LAG) : /^\d+$/.test(opts.maxLag) ? BigInt(opts.maxLag) : null;
  if (maxLag === null) throw new InputError(`--max-lag ${opts.maxLag}: must be a whole number of transactions`);
  const live = await liveState(desired, opts);
  if (!live.snapshot) { out(`ensemble ${desired.name}: nothing running\n`); return 1; }
  const snap = live.snapshot;
  const header = ['id', 'address', 'role', 'mode', 'zxid', 'behind', 'state', 'config', 'synced', 'clients', 'digest'];
  const lags = memberLags(live.probes, [...snap.members, ...(snap.joiners ?? [])].map((s) => s.id), maxLag);
  const rows = [...snap.members, ...(snap.joiners ?? [])].map((s) => {
    const p = live.probes.find((x) => x.server.id === s.id);
    const o = snap.observations.find((x) => x.id === s.id);
    const member = snap.members.some((m) => m.id === s.id);
    return [
      String(s.id), `${s.host}:${s.clientPort}`, member ? s.role : 'joiner',
      p?.reachable ? (p.mode ?? '?') : 'down',
      p?.zxid !== undefined ? `0x${p.zxid.toString(16)}` : '-',
      lags.find((l) => l.id === s.id)?.behind?.toString() ?? '?',
      p?.mode === 'leader' ? 'leading' : (p?.peerState?.split(' - ')[1] ?? '-'),
      p?.membership?.version ?? '-',
      o?.synced ? 'yes' : 'no',
      p && clientsOf(p) !== undefined ? String(clientsOf(p)) : '-',
      p?.digestMismatches === undefined ? '-' : p.digestMismatches === 0 ? 'ok' : `${p.digestMismatches} mismatches`,
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  out(`ensemble ${desired.name}: config version ${snap.configVersion}, leader ${snap.leaderId ?? 'none'}\n`);
  out(`${pad(header, widths)}\n`);
  for (const r of rows) out(`${pad(r, widths)}\n`);
  if (!opts.check) return snap.leaderId === null ? 1 : 0;
  // --check: for cron and monitoring; any member down, out of broadcast or behind the threshold fails it.
  const problems = [...(snap.leaderId === null ? ['no leader'] : []), ...lags.flatMap((l) => (l.problem ? [l.problem] : []))];
  out(problems.length === 0 ? `check passed: every member in broadcast and at most ${maxLag} transactions behind the leader\n` : `check FAILED:\n${[...new Set(problems)].map((p) => `  - ${p}`).join('\n')}\n`);
  return problems.length === 0 ? 0 : 1;
}

export async function runVerify(opts: RuntimeOptions, out: (s: string) => void): Promise<number> {
  const desired = loadDesired(opts);
  const live = await liveState(desired, opts);
  if (!live.snapshot || live.snapshot.leaderId === null) { out(`ensemble ${desired.name}: no leader, cannot verify\n`); return 1; }
  const members = live.snapshot.members;
  const writer = await AdminClient.open({ connect: connectString(members) });
  // Outside zk-rollout's own znodes, which only the superuser may change: verify needs no password.
  const path = `/zk-rollout-canary/${desired.name}-${Date.now()}`;
  let failures = 0;
  try {
    await writer.ensurePath('/zk-rollout-canary');
    const value = `canary ${new Date().toISOString()}`;
    await writer.create(path, value);
    out(`wrote ${path}\n`);
    for (const s of members) {
      try {
        const c = await AdminClient.open({ connect: `${s.host}:${s.clientPort}`, connectTimeoutMs: VERIFY_CONNECT_TIMEOUT_MS });
        try {
          const got = await c.get(path);
          const ok = got === value;
          if (!ok) failures++;
          out(`  server ${s.id}: ${ok ? 'ok' : `MISMATCH (${got})`}\n`);
        } finally { c.close(); }
      } catch (e) {
        failures++;
        out(`  server ${s.id}: FAILED (${(e as Error).message})\n`);
      }
    }
    await writer.delete(path);
  } finally {
    writer.close();
  }
  out(failures === 0 ? `verified: the canary write is on all ${members.length} members\n` : `${failures} member(s) failed verification\n`);
  return failures === 0 ? 0 : 1;
}

/**
 * `teardown` (what `cdktf destroy` runs): stops every server of the ensemble the host driver knows,
 * observers and followers first, and keeps their data unless deletion was asked for.
 */
export async function runTeardown(opts: TeardownArgs, out: (s: string) => void): Promise<number> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(opts.ensemble)) throw new InputError(`--ensemble ${opts.ensemble}: not an ensemble name (lower-case letters, digits and dashes)`);
  const config = hostsConfig(opts);
  // The spec, when given, names the adopted servers: they are stopped too, the way they are declared to run.
  const existing = opts.desired !== undefined || opts.desiredEnv !== undefined ? adoptedServers(loadDesired(opts)) : [];
  const driver = hostDriver(opts.ensemble, config, existing);
  try {
    return await teardown(driver, opts.ensemble, whereFiles(opts.ensemble, config), opts.deleteData === true, out, existing);
  } finally {
    await driver.close?.();
  }
}

async function teardown(driver: HostDriver, ensemble: string, where: string, deleteData: boolean, out: (s: string) => void, adopted: readonly Server[]): Promise<number> {
  const surveyed = await driver.survey();
  const own = surveyed.servers;
  const unreachable = [...surveyed.unreachable];
  const servers = [...own, ...adopted.filter((a) => !own.some((s) => s.id === a.id))];
  // A machine not reached may still run servers: never report success then (cdktf destroy would drop the state).
  const unreached = () => new Error(`teardown of ensemble ${ensemble} could not reach ${unreachable.length} machine(s), whose servers may still run: `
    + `${unreachable.join('; ')}. Nothing is reported done: make them reachable (or stop their servers by hand), then run teardown (cdktf destroy) again`);
  if (servers.length === 0) {
    if (unreachable.length > 0) throw unreached();
    out(`ensemble ${ensemble}: no servers in ${where}; nothing to stop\n`);
    return 0;
  }
  // The leader last, so the ensemble serves as long as it can while it goes.
  const modes = new Map<number, string | undefined>();
  for (const s of servers) modes.set(s.id, (await probeServer(s, TEARDOWN_PROBE_TIMEOUT_MS)).mode);
  const order = [...servers].sort((a, b) => Number(modes.get(a.id) === 'leader') - Number(modes.get(b.id) === 'leader') || a.id - b.id);
  for (const s of order) {
    let running: boolean;
    try {
      running = await driver.isRunning(s);
      if (running) await driver.stop(s);
    } catch (e) {
      if (!(e instanceof SshError)) throw e;
      unreachable.push(`server ${s.id}'s machine (${e.message.split('\n')[0]})`);
      out(`server ${s.id} (${s.host}:${s.clientPort}): machine not reached\n`);
      continue;
    }
    out(`server ${s.id} (${s.host}:${s.clientPort}): ${running ? 'stopped' : 'was not running'}\n`);
  }
  if (unreachable.length > 0) throw unreached();
  if (deleteData) {
    for (const s of own) await driver.deleteFiles(s);
    out(`ensemble ${ensemble}: data of ${own.length} server(s) deleted${own.length < servers.length ? '; adopted servers keep theirs (zk-rollout did not create it)' : ''}\n`);
  } else {
    out(`ensemble ${ensemble}: data kept in ${where}\n`);
  }
  return 0;
}
