/**
 * The ways a membership change is done, on the same real servers: this project, the manual runbook
 * operators follow (static configs rewritten and servers restarted), and ZooKeeper's dynamic
 * reconfiguration driven by a minimal script (one server at a time, no guards).
 */
import { Ensemble, Server } from '../lib/model/types';
import { Timeouts } from '../lib/model/defaults';
import { renderStaticConfig } from '../lib/model/zoocfg';
import { settingsHash } from '../lib/model/settings-hash';
import { AdminClient } from '../lib/runtime/admin-client';
import { connectString } from '../lib/model/connect-string';
import { fourLetterWord, parseSrvr } from '../lib/runtime/four-letter';
import { installServerFiles, startServer } from '../lib/runtime/server-config';
import { sleep } from '../lib/runtime/wait';
import { AUTH, TestCluster } from '../test/support/cluster';
import { Writer } from '../test/support/writer';

export type ScenarioName = 'migration' | 'scale-up' | 'scale-down' | 'rolling-restart' | 'tls-switch';

export interface Plan {
  readonly scenario: ScenarioName;
  readonly from: number[];
  readonly to: number[];
  /** The rolling restart's settings change. */
  readonly settings?: object;
}

export interface Ctx {
  readonly cluster: TestCluster;
  readonly writer: Writer;
  readonly mark: (label: string) => void;
}


async function mode(s: Server): Promise<string | null> {
  try { return parseSrvr(await fourLetterWord(s.host, s.clientPort, 'srvr', 1000)).mode ?? null; } catch { return null; }
}

/** What an operator waits for after a restart: the server answering and serving (or a deadline). */
async function untilServing(s: Server, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = await mode(s);
    if (m !== null && m !== 'not-serving') return;
    await sleep(200);
  }
}

async function untilAnswering(s: Server, ms = 30000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && (await mode(s)) === null) await sleep(200);
}

// ---- this project -------------------------------------------------------------------------------

/** `timeouts`: the shipped defaults, or (unset) the tests' short ones. The bake is 0 either way: like with like. */
export async function project(ctx: Ctx, desired: Ensemble, timeouts?: Timeouts): Promise<void> {
  await ctx.cluster.executor(desired, {
    bakeMs: 0,
    ...(timeouts ? { timeouts } : {}),
    onEvent: (e) => { if (e.type === 'step-start') ctx.mark(e.step.summary); },
  }).run();
}

// ---- the manual runbook (static configuration) --------------------------------------------------

function writeStatic(cluster: TestCluster, e: Ensemble, self: Server, list: readonly Server[]): Promise<void> {
  const p = cluster.driver.paths(self);
  return cluster.driver.writeFiles(self, { zooCfg: renderStaticConfig(e, self, list, { dataDir: p.dataDir }), settingsHash: settingsHash(e.settings) });
}

async function restart(cluster: TestCluster, e: Ensemble, s: Server): Promise<void> {
  await cluster.driver.stop(s);
  await startServer(cluster.driver, e, s, AUTH);
}

/**
 * Quorum TLS switched on by hand, the admin guide's way: three rolling restarts (port unification and
 * the stores, then sslQuorum, then port unification off), one server at a time in id order, each
 * waited for until it serves.
 */
async function tlsByHand(ctx: Ctx, plan: Plan, finalEnsemble: Ensemble): Promise<void> {
  const { cluster } = ctx;
  for (const phase of [1, 2, 3] as const) {
    for (const id of plan.to) {
      const s = finalEnsemble.servers.find((x) => x.id === id)!;
      ctx.mark(`phase ${phase}: restart ${id}`);
      const admin = await AdminClient.open({ connect: cluster.connectString(plan.to), auth: AUTH });
      const committed = await admin.committedConfig().finally(() => admin.close());
      await installServerFiles(cluster.driver, finalEnsemble, s, committed.servers, committed.version, AUTH, phase);
      await restart(cluster, finalEnsemble, s);
      await untilServing(s);
    }
  }
}

export async function runbook(ctx: Ctx, plan: Plan, finalEnsemble: Ensemble): Promise<void> {
  if (plan.scenario === 'tls-switch') return tlsByHand(ctx, plan, finalEnsemble);
  const { cluster } = ctx;
  const e = finalEnsemble;
  const server = (id: number, role: 'participant' | 'observer' = 'participant') => cluster.ensemble([id]).servers.map((s) => ({ ...s, role }))[0];
  const old = plan.from.map((id) => server(id));
  if (plan.scenario === 'migration') {
    // New servers as observers of the source, each listing the source and itself (peerType=observer).
    for (const id of plan.to) {
      const self = server(id, 'observer');
      ctx.mark(`start ${id} as observer of the source`);
      await writeStatic(cluster, e, self, [...old, self]);
      await startServer(cluster.driver, e, self, AUTH);
      await untilServing(self);
    }
    ctx.mark('clients switched to the new servers');
    await ctx.writer.switchTo(connectString(plan.to.map((id) => server(id))));
    const fresh = plan.to.map((id) => server(id));
    for (const s of fresh) {
      ctx.mark(`restart ${s.id} listing only the new servers`);
      await writeStatic(cluster, e, s, fresh);
      await restart(cluster, e, s);
      await untilAnswering(s);
    }
    for (const s of old) { ctx.mark(`stop ${s.id}`); await cluster.driver.stop(s); }
    return;
  }
  const list = plan.to.map((id) => server(id));
  if (plan.scenario === 'scale-up') {
    for (const s of list) await writeStatic(cluster, e, s, list);
    for (const s of list.filter((x) => !plan.from.includes(x.id))) { ctx.mark(`start ${s.id}`); await startServer(cluster.driver, e, s, AUTH); }
    for (const s of list.filter((x) => plan.from.includes(x.id))) { ctx.mark(`restart ${s.id}`); await restart(cluster, e, s); await untilServing(s); }
    return;
  }
  if (plan.scenario === 'scale-down') {
    for (const s of list) { ctx.mark(`restart ${s.id} with the shorter list`); await writeStatic(cluster, e, s, list); await restart(cluster, e, s); await untilServing(s); }
    for (const s of old.filter((x) => !plan.to.includes(x.id))) { ctx.mark(`stop ${s.id}`); await cluster.driver.stop(s); }
    return;
  }
  for (const s of list) { ctx.mark(`restart ${s.id}`); await writeStatic(cluster, e, s, list); await restart(cluster, e, s); await untilServing(s); }
}

// ---- a minimal dynamic-reconfig script ----------------------------------------------------------

/** A new server started as an observer of the committed configuration, waited for until it serves. */
async function startServingObserver(cluster: TestCluster, admin: AdminClient, s: Server, finalEnsemble: Ensemble): Promise<void> {
  const committed = await admin.committedConfig();
  await installServerFiles(cluster.driver, finalEnsemble, s, [...committed.servers, { ...s, role: 'observer' }], committed.version, AUTH);
  await startServer(cluster.driver, finalEnsemble, s, AUTH);
  await untilServing(s);
}

async function retry<T>(what: string, f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try { return await f(); } catch (e) {
      if (i >= 40) throw new Error(`${what}: ${(e as Error).message}`);
      await sleep(500);
    }
  }
}

export async function minimal(ctx: Ctx, plan: Plan, finalEnsemble: Ensemble): Promise<void> {
  const { cluster } = ctx;
  const server = (id: number) => cluster.ensemble([id]).servers[0];
  if (plan.scenario === 'rolling-restart') {
    for (const id of plan.to) {
      const s = server(id);
      ctx.mark(`restart ${id}`);
      const admin = await AdminClient.open({ connect: cluster.connectString(plan.to), auth: AUTH });
      const committed = await admin.committedConfig().finally(() => admin.close());
      await installServerFiles(cluster.driver, finalEnsemble, s, committed.servers, committed.version, AUTH);
      await restart(cluster, finalEnsemble, s);
      await untilServing(s);
    }
    return;
  }
  // One admin session, as a script would hold, opened again when it expires (after a leader change at
  // the defaults the native client can wait past its session timeout): the script's own weakness is not measured.
  const connect = cluster.connectString([...new Set([...plan.from, ...plan.to])]);
  let admin = await AdminClient.open({ connect, auth: AUTH });
  const session = async (): Promise<AdminClient> => {
    if (admin.ended) admin = await AdminClient.open({ connect, auth: AUTH });
    return admin;
  };
  try {
    for (const id of plan.to.filter((x) => !plan.from.includes(x))) {
      const s = server(id);
      ctx.mark(`start ${id}, reconfig add`);
      await startServingObserver(cluster, await session(), s, finalEnsemble);
      // A retry first reads whether the last try was applied after all (a reconfig answered with connection loss may be).
      await retry(`add ${id}`, async () => {
        const a = await session();
        const c = await a.committedConfig();
        if (!c.servers.some((x) => x.id === id)) await a.reconfig({ joining: [s] }, c.version);
      });
    }
    for (const id of plan.from.filter((x) => !plan.to.includes(x))) {
      ctx.mark(`reconfig remove ${id}, stop`);
      await retry(`remove ${id}`, async () => {
        const a = await session();
        const c = await a.committedConfig();
        if (c.servers.some((x) => x.id === id)) await a.reconfig({ leaving: [id] }, c.version);
      });
      await cluster.driver.stop(server(id));
    }
  } finally {
    admin.close();
  }
}

// ---- ZooKeeper alone: one server's sync ---------------------------------------------------------

/**
 * The least a scale-up with data can cost its writers: one new server started as an observer and waited
 * for until it serves, nothing else. An empty server always receives the whole data tree from the
 * leader (a full snapshot, DIFFs allowed or not), so however a server is added, its writers live through
 * at least this. The first new server of the plan (`plan.to`) is the one started.
 */
export async function oneObserverSynced(ctx: Ctx, plan: Plan, finalEnsemble: Ensemble): Promise<void> {
  const id = plan.to.find((x) => !plan.from.includes(x));
  if (id === undefined) throw new Error(`${plan.scenario} adds no server: nothing to sync`);
  ctx.mark(`start ${id} as an observer, wait until it serves`);
  const admin = await AdminClient.open({ connect: ctx.cluster.connectString(plan.from), auth: AUTH });
  try {
    await startServingObserver(ctx.cluster, admin, ctx.cluster.ensemble([id]).servers[0], finalEnsemble);
  } finally {
    admin.close();
  }
}
