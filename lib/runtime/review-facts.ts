/**
 * What `zk-rollout plan` reads from the live ensemble for a review: per server its clients, lag and
 * data size, and the preflight lines (voters synced, digests, reconfig and credentials, the lock, drift,
 * free disk where snapshots land). It only reads: the one request that looks like a change, a reconfig
 * conditional on a version no configuration has, is refused by ZooKeeper before it changes anything.
 */
import { DEFAULT_MAX_LAG } from '../model/defaults';
import { Ensemble, Server } from '../model/types';
import { HostDriver } from '../hosts/types';
import { voterIds } from '../planner/sim-state';
import { ClusterSnapshot, Plan, PlanResult } from '../planner/types';
import { removesLeader } from '../planner/review/verdict';
import { LiveFacts, PreflightLine, ServerFacts } from '../planner/review/types';
import { AdminClient } from './admin-client';
import { ROLLOUT_ROOT } from './rollout-znodes';
import { AdminAuth, superDigest } from './credentials';
import { memberLags } from './lag';
import { clientsOf, ServerProbe } from './observe';
import { LOCK_ROOT } from './rollout-lock';
import { DRIFT_ADVICE, driftFrom, parseRecord, recordPath } from './rollout-record';
import { classify } from './zk-errors';

export interface FactsInput {
  readonly desired: Ensemble;
  readonly snapshot: ClusterSnapshot;
  readonly probes: readonly ServerProbe[];
  readonly result: PlanResult;
  /** The superuser credentials deploy will use; null when none were given to the plan command. */
  readonly auth: AdminAuth | null;
  /** Why the credentials deploy names could not be loaded (a password file that cannot be read). */
  readonly authProblem?: string;
  /** The host driver deploy will use; null when the plan command was given none. */
  readonly driver: HostDriver | null;
}

/** Room a server receiving a snapshot needs: the snapshot and the log behind it, twice the data, and a margin. */
const roomFor = (dataBytes: number) => 2 * dataBytes + 64 * 1024 * 1024;
const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;

export async function gatherFacts(i: FactsInput): Promise<LiveFacts> {
  const members = i.snapshot.members.map((m) => m.id);
  const lags = memberLags(i.probes, members, BigInt(DEFAULT_MAX_LAG));
  const leader = i.probes.find((p) => p.mode === 'leader' && members.includes(p.server.id));
  const servers: ServerFacts[] = i.probes.filter((p) => p.reachable).map((p) => {
    const lag = lags.find((l) => l.id === p.server.id);
    return {
      id: p.server.id, ...(p.mode ? { mode: p.mode } : {}),
      ...(clientsOf(p) !== undefined ? { clients: clientsOf(p) } : {}),
      ...(lag ? { behind: lag.behind === null ? null : lag.behind.toString() } : {}),
      ...(p.dataBytes !== undefined ? { dataBytes: p.dataBytes } : {}),
    };
  });
  const preflight: PreflightLine[] = [votersLine(i, lags), digestsLine(i.probes)];
  preflight.push(...await sessionLines(i));
  const disk = await diskLine(i, leader?.dataBytes ?? 0, servers);
  preflight.push(disk);
  return { zxid: leader?.zxid !== undefined ? `0x${leader.zxid.toString(16)}` : null, servers, preflight };
}

function votersLine(i: FactsInput, lags: ReturnType<typeof memberLags>): PreflightLine {
  const voters = voterIds(i.snapshot.members);
  const problems = lags.filter((l) => voters.includes(l.id) && l.problem !== undefined && !/digest mismatch/.test(l.problem)).map((l) => l.problem!);
  if (problems.length > 0) return { check: 'voters', status: 'warn', message: `${problems.join('; ')} (the plan waits for them, and tolerates fewer failures until they are back)` };
  const most = lags.filter((l) => voters.includes(l.id)).reduce((n, l) => (l.behind !== null && l.behind > n ? l.behind : n), 0n);
  return { check: 'voters', status: 'pass', message: `every voter (${voters.length}) is up and in broadcast, at most ${most} transaction(s) behind the leader` };
}

function digestsLine(probes: readonly ServerProbe[]): PreflightLine {
  const bad = probes.filter((p) => (p.digestMismatches ?? 0) > 0);
  if (bad.length > 0) return { check: 'digests', status: 'fail', message: bad.map((p) => `server ${p.server.id} reported ${p.digestMismatches} digest mismatch(es): its copy of the data differs from the leader's`).join('; ') };
  const known = probes.filter((p) => p.digestMismatches !== undefined).length;
  return known > 0 ? { check: 'digests', status: 'pass', message: `no digest mismatch on any of ${known} server(s)` } : { check: 'digests', status: 'warn', message: 'no server reported zk_digest_mismatches_count (digests off?)' };
}

/** The lines that need a session: reconfig enabled, the credentials, the lock, drift since the last deploy. */
async function sessionLines(i: FactsInput): Promise<PreflightLine[]> {
  // Only servers that answered as serving: a frozen or syncing one may accept the connection and never answer.
  const serving = i.probes.filter((p) => p.reachable && p.mode !== undefined && p.mode !== 'not-serving' && i.snapshot.members.some((m) => m.id === p.server.id));
  const connect = serving.map((p) => `${p.server.host}:${p.server.clientPort}`).join(',');
  let admin: AdminClient;
  try {
    admin = await AdminClient.open({ connect, ...(i.auth ? { auth: i.auth } : {}), connectTimeoutMs: 5000 });
  } catch (e) {
    const why = `no session could be opened on ${connect}: ${(e as Error).message.split('\n')[0]}`;
    return (['reconfig', 'credentials', 'lock', 'drift'] as const).map((check) => ({ check, status: 'warn' as const, message: `not checked: ${why}` }));
  }
  try {
    return [await reconfigLine(i, admin), await credentialsLine(i, admin), await lockLine(i, admin), await driftLine(i, admin)];
  } finally {
    admin.close();
  }
}

async function reconfigLine(i: FactsInput, admin: AdminClient): Promise<PreflightLine> {
  const converted = i.snapshot.staticMembers ?? [];
  if (i.desired.strategy === 'static') return { check: 'reconfig', status: 'pass', message: 'static strategy: config files are rewritten and servers restarted; no reconfig' };
  if (converted.length > 0) return { check: 'reconfig', status: 'warn', message: `servers {${converted.join(',')}} run without dynamic reconfiguration: the plan first restarts them with it enabled, members unchanged` };
  if (i.snapshot.members.filter((m) => m.role === 'participant').length === 1 && i.snapshot.members.length === 1) return { check: 'reconfig', status: 'warn', message: 'a standalone server: reconfig is not checked' };
  try {
    return (await admin.reconfigEnabled())
      ? { check: 'reconfig', status: 'pass', message: 'the leader accepts reconfig (asked with a version no configuration has: refused for the version; data and configuration unchanged)' }
      : { check: 'reconfig', status: 'fail', message: 'the servers run with reconfigEnabled=false: declare the ensemble under existing (adoption converts it), or enable it' };
  } catch (e) {
    return { check: 'reconfig', status: 'warn', message: `not checked: ${(e as Error).message.split('\n')[0]}` };
  }
}

async function credentialsLine(i: FactsInput, admin: AdminClient): Promise<PreflightLine> {
  if (i.authProblem !== undefined) return { check: 'credentials', status: 'fail', message: `${i.authProblem}: deploy would stop there` };
  if (i.auth === null) return { check: 'credentials', status: 'warn', message: 'not checked: no superuser password given (--password-file, or ZK_ROLLOUT_SUPER_PASSWORD)' };
  if (i.auth.mode === 'skip-acl') return { check: 'credentials', status: 'warn', message: 'skipACL: reconfig runs without authentication' };
  const ids = await admin.digestIdentities(ROLLOUT_ROOT).catch(() => undefined);
  if (ids === undefined) return { check: 'credentials', status: 'warn', message: `not checked: the ACL of ${ROLLOUT_ROOT} could not be read` };
  if (ids === null || ids.length === 0) return { check: 'credentials', status: 'warn', message: `${ROLLOUT_ROOT} has no superuser ACL yet (never deployed by zk-rollout): deploy's first reconfig checks the password` };
  return ids.includes(superDigest(i.auth.user!, i.auth.password!))
    ? { check: 'credentials', status: 'pass', message: `the superuser password is the one zk-rollout's znodes were made with (${ROLLOUT_ROOT}'s ACL)` }
    : { check: 'credentials', status: 'fail', message: `the superuser password is not the one zk-rollout's znodes were made with (${ROLLOUT_ROOT}'s ACL names another digest): deploy would be refused` };
}

async function lockLine(i: FactsInput, admin: AdminClient): Promise<PreflightLine> {
  const path = `${LOCK_ROOT}/${i.desired.name}`;
  try {
    const text = await admin.get(path);
    let holder = text;
    try {
      const h = JSON.parse(text) as { host?: string; pid?: number; rollout?: string; since?: string };
      holder = `process ${h.pid} on ${h.host} (rollout ${h.rollout}) since ${h.since}`;
    } catch { /* shown as it is */ }
    return { check: 'lock', status: 'fail', message: `${path} is held by ${holder}: another rollout is running` };
  } catch (e) {
    if (classify(e) === 'no-node') return { check: 'lock', status: 'pass', message: `free (${path})` };
    return { check: 'lock', status: 'warn', message: `not checked: ${(e as Error).message.split('\n')[0]}` };
  }
}

async function driftLine(i: FactsInput, admin: AdminClient): Promise<PreflightLine> {
  let record;
  try {
    record = parseRecord(await admin.get(recordPath(i.desired.name)));
  } catch (e) {
    if (classify(e) === 'no-node') {
      return { check: 'drift', status: 'warn', message: `no rollout record (${recordPath(i.desired.name)}), so drift cannot be checked: every deploy of an ensemble named ${i.desired.name} writes one, so zk-rollout never deployed one under this name (a first deploy, an adoption, or a spec whose name differs from the deployed one)` };
    }
    return { check: 'drift', status: 'warn', message: `not checked: ${(e as Error).message.split('\n')[0]}` };
  }
  const drift = driftFrom(record, i.snapshot);
  if (drift !== null) return { check: 'drift', status: 'fail', message: `${drift}. ${DRIFT_ADVICE}` };
  return { check: 'drift', status: 'pass', message: `the configuration is where zk-rollout left it (version ${i.snapshot.configVersion})` };
}

/**
 * Every server that receives a full snapshot (forceSnapshotSync): those the plan starts or restarts,
 * those whose role changes, and, when the leader goes, every server that stays (they sync again with the new one).
 */
export function snapshotReceivers(plan: Plan): Server[] {
  const out = new Map<number, Server>();
  for (const s of plan.steps) {
    if (s.kind === 'start-joiner' || s.kind === 'start-member' || s.kind === 'restart-server' || s.kind === 'start-initial' || s.kind === 'reconfig-role') out.set(s.serverId, s.server);
    if (removesLeader(s, plan)) for (const m of s.membersAfter) if (m.id !== plan.leaderId) out.set(m.id, m);
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}

/** Free disk where a snapshot lands. */
async function diskLine(i: FactsInput, dataBytes: number, servers: ServerFacts[]): Promise<PreflightLine> {
  if (!i.result.ok) return { check: 'disk', status: 'warn', message: 'not checked: no plan' };
  const receivers = snapshotReceivers(i.result.plan);
  if (receivers.length === 0) return { check: 'disk', status: 'pass', message: 'no server receives a snapshot' };
  if (i.driver === null) return { check: 'disk', status: 'warn', message: `not checked: where deploy runs the servers was not given (--hosts or --base-dir; servers ${receivers.map((r) => r.id).join(', ')} receive a snapshot of about ${gib(dataBytes)})` };
  const need = roomFor(dataBytes);
  const found: string[] = [];
  let status: PreflightLine['status'] = 'pass';
  for (const r of receivers) {
    try {
      const free = await i.driver.freeBytes(r);
      const f = servers.find((x) => x.id === r.id);
      if (f) servers[servers.indexOf(f)] = { ...f, freeBytes: free };
      if (free < dataBytes) status = 'fail';
      else if (free < need && status !== 'fail') status = 'warn';
      found.push(`server ${r.id} ${gib(free)} free`);
    } catch (e) {
      if (status === 'pass') status = 'warn';
      found.push(`server ${r.id}: not read (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return { check: 'disk', status, message: `snapshot about ${gib(dataBytes)}, room wanted ${gib(need)}: ${found.join('; ')}` };
}
