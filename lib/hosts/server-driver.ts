/**
 * The one HostDriver: what every server goes through, whatever its machine (local or over ssh) and
 * its layout (zk-rollout's own or adopted): the order files are written in, the start check, and
 * the stop escalation. The local and ssh drivers only say which machine and which layout.
 */
import { Server } from '../model/types';
import { DataFile } from '../model/backup';
import { DEFAULT_TIMEOUTS } from '../model/defaults';
import { dynamicConfigFileOf } from '../model/zoocfg';
import { Layout, ServerStatus } from './layout';
import { Machine, runChecked } from './machine';
import { ownServersScript, parseOwnServers } from './own-layout';
import { listStoreScript, parseKeytoolList, StoreEntry } from './keystore';
import { logErrorsScript, QUORUM_TLS_TOKEN, quorumPeerAlive, readStatuses } from './process-scripts';
import { sq } from './shell';
import { SshError } from './ssh-exec';
import { startFailure, takenPorts } from './start-failure';
import { HostDriver, JvmOptions, ServerFiles, ServerPaths } from './types';

export interface ServerDriverOptions {
  readonly name: string;
  /** The machine a server's host is. */
  readonly machine: (host: string) => Machine;
  /** The server's layout on its machine. */
  readonly layout: (server: Server) => Layout;
  /** Where zk-rollout's own servers of this ensemble may have files: `<baseDir>/<ensemble>` on each machine. */
  readonly inventory: () => ReadonlyArray<{ readonly machine: Machine; readonly ensembleDir: string }>;
  /** Messages name the host ("server 3 on 10.0.0.3") when servers run elsewhere. */
  readonly remote: boolean;
  /** How long a started server's process has to show (longer over ssh: a round trip more). */
  readonly startCheckMs: number;
  /** The pace of the stop loop's looks. */
  readonly pollMs: number;
  /** Releases what the machines hold open (the ssh connections). */
  readonly close?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ServerDriver implements HostDriver {
  readonly name: string;

  constructor(private readonly o: ServerDriverOptions) {
    this.name = o.name;
  }

  private at(server: Server): { m: Machine; layout: Layout } {
    return { m: this.o.machine(server.host), layout: this.o.layout(server) };
  }

  private who(server: Server): string {
    return `server ${server.id}${this.o.remote ? ` on ${server.host}` : ''}`;
  }

  paths(server: Server): ServerPaths {
    return this.o.layout(server).paths;
  }

  async writeFiles(server: Server, files: ServerFiles): Promise<void> {
    const { m, layout } = this.at(server);
    await m.writeFileAtomic(`${layout.paths.dataDir}/myid`, `${server.id}\n`);
    if (files.dynamic !== undefined) await m.writeFileAtomic(files.dynamic.path, files.dynamic.content);
    await m.writeFileAtomic(layout.settingsHashFile, `${files.settingsHash}${files.quorumTls ? ` ${QUORUM_TLS_TOKEN}${files.quorumTls}` : ''}\n`);
    // zoo.cfg last: it names the dynamic file, so it must never point at one not yet written.
    await m.writeFileAtomic(layout.paths.zooCfg, files.zooCfg);
  }

  private async status(server: Server): Promise<ServerStatus> {
    const { m, layout } = this.at(server);
    return (await readStatuses(m, [await layout.statusScript()]))[0];
  }

  async pid(server: Server): Promise<number | null> {
    return (await this.status(server)).pid;
  }

  /** Every server's status with one round trip per machine (an observation looks at all of them). */
  async statuses(servers: readonly Server[]): Promise<Map<number, ServerStatus>> {
    const byMachine = new Map<Machine, Server[]>();
    for (const s of servers) {
      const m = this.o.machine(s.host);
      byMachine.set(m, [...(byMachine.get(m) ?? []), s]);
    }
    const out = new Map<number, ServerStatus>();
    await Promise.all([...byMachine].map(async ([m, group]) => {
      const found = await readStatuses(m, await Promise.all(group.map((s) => this.o.layout(s).statusScript())));
      group.forEach((s, i) => out.set(s.id, found[i]));
    }));
    return out;
  }

  async isRunning(server: Server): Promise<boolean> {
    return (await this.pid(server)) !== null;
  }

  async runningSettingsHash(server: Server): Promise<string | undefined> {
    return (await this.status(server)).runningHash;
  }

  async start(server: Server, jvm: JvmOptions): Promise<void> {
    const { m, layout } = this.at(server);
    const running = await this.pid(server);
    if (running !== null) throw new Error(`${this.who(server)}: already running (pid ${running})`);
    await layout.launch(m, jvm);
    // The start is done when the server's process shows (its pid file names a live JVM on its zoo.cfg);
    // one that never shows within startCheckMs failed at once and is reported here. A JVM that dies
    // later (a port taken) is caught by the sync wait that follows every start.
    const deadline = Date.now() + this.o.startCheckMs;
    let pid = await this.pid(server);
    while (pid === null && Date.now() < deadline) {
      await sleep(this.o.pollMs / 4);
      pid = await this.pid(server);
    }
    if (pid !== null) {
      await layout.checkStarted?.(m, pid, jvm);
      return;
    }
    const log = layout.paths.log;
    // Its process is gone: anything still accepting on its ports belongs to another process.
    throw startFailure(server, this.o.remote ? ` on ${server.host}` : '', this.o.remote ? `${log} there` : log, await this.logErrors(server), await this.takenPorts(server));
  }

  takenPorts(server: Server): Promise<string[]> {
    return takenPorts(server);
  }

  async logErrors(server: Server): Promise<string> {
    const { m, layout } = this.at(server);
    try {
      return (await m.run(logErrorsScript(layout.paths.log))).stdout.trim();
    } catch {
      return '';
    }
  }

  async stop(server: Server, timeoutMs = DEFAULT_TIMEOUTS.stopMs): Promise<void> {
    const { m, layout } = this.at(server);
    const pid = await this.pid(server);
    if (pid !== null) {
      await layout.signal(m, 'TERM', pid);
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline && (await this.stillRunning(m, layout, pid)) !== null) await sleep(this.o.pollMs);
      const still = await this.stillRunning(m, layout, pid);
      if (still !== null) await layout.signal(m, 'KILL', still);
      while ((await this.stillRunning(m, layout, pid)) !== null) await sleep(this.o.pollMs / 2);
    }
    await layout.afterStop(m);
  }

  async checkCanStart(server: Server): Promise<void> {
    const { m, layout } = this.at(server);
    await layout.canLaunch?.(m);
  }

  /** kill -9, for fault-injection tests. */
  async kill(server: Server): Promise<void> {
    const { m, layout } = this.at(server);
    const pid = await this.pid(server);
    if (pid === null) return;
    await layout.signal(m, 'KILL', pid);
    while ((await this.stillRunning(m, layout, pid)) !== null) await sleep(this.o.pollMs / 4);
  }

  /**
   * The server's pid while it runs. A stop command may remove its pid file before its process has
   * exited, so the process that was signalled counts until it is gone too.
   */
  private async stillRunning(m: Machine, layout: Layout, signalled: number): Promise<number | null> {
    const pid = (await readStatuses(m, [await layout.statusScript()]))[0].pid;
    if (pid !== null) return pid;
    return (await quorumPeerAlive(m, signalled)) ? signalled : null;
  }

  /** zk-rollout's own servers with files on any machine of the inventory; a machine ssh cannot reach is skipped. */
  async knownServers(): Promise<Server[]> {
    return (await this.survey()).servers;
  }

  async survey(): Promise<{ servers: Server[]; unreachable: string[] }> {
    const unreachable: string[] = [];
    const listings = await Promise.all(this.o.inventory().map(async ({ machine, ensembleDir }) => {
      try {
        return (await machine.run(ownServersScript(ensembleDir))).stdout;
      } catch (e) {
        if (!(e instanceof SshError)) throw e;
        unreachable.push(`${machine.describe()} (${e.message.split('\n')[0]})`);
        return '';
      }
    }));
    const out = new Map<number, Server>();
    for (const s of listings.flatMap(parseOwnServers)) if (!out.has(s.id)) out.set(s.id, s);
    return { servers: [...out.values()].sort((a, b) => a.id - b.id), unreachable };
  }

  async deleteFiles(server: Server): Promise<void> {
    const { m, layout } = this.at(server);
    await layout.deleteFiles(m, async () => {
      const pid = await this.pid(server);
      if (pid !== null) throw new Error(`${this.who(server)}: still running (pid ${pid}); stop it before deleting its files`);
    });
  }

  async readZooCfg(server: Server): Promise<string | undefined> {
    const { m, layout } = this.at(server);
    return m.readFile(layout.paths.zooCfg);
  }

  async listStore(server: Server, store: string, passwordFile: string): Promise<StoreEntry[]> {
    const { m } = this.at(server);
    const r = await m.run(listStoreScript(store, passwordFile));
    if (r.code !== 0) throw new Error(`cannot read ${store} on ${m.describe()} (keytool exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).split('\n')[0] || 'no message'}`);
    return parseKeytoolList(r.stdout);
  }

  async readDynamicConfig(server: Server): Promise<string | undefined> {
    const { m } = this.at(server);
    const path = dynamicConfigFileOf((await this.readZooCfg(server)) ?? '');
    return path === undefined ? undefined : m.readFile(path);
  }

  async listData(server: Server): Promise<Array<DataFile & { path: string }>> {
    const { m, layout } = this.at(server);
    const dirs = [...new Set([layout.paths.dataDir, layout.paths.dataLogDir ?? layout.paths.dataDir].map((d) => `${d}/version-2`))];
    // A snapshot is complete when it ends with SnapStream's seal (00 00 00 01 '/'); one being written does not.
    const out = await runChecked(m, `for d in ${dirs.map(sq).join(' ')}; do [ -d "$d" ] || continue; for f in "$d"/snapshot.* "$d"/log.*; do [ -f "$f" ] || continue; `
      + `seal=1; case "\${f##*/}" in snapshot.*) [ "$(tail -c 5 "$f" | od -An -tx1 | tr -d ' \n')" = 000000012f ] || seal=0;; esac; `
      + `printf '%s\t%s\t%s\n' "$f" "$(stat -c %s "$f")" "$seal"; done; done`, `listing the data of ${this.who(server)}`);
    return out.split('\n').filter(Boolean).map((line) => {
      const [path, bytes, seal] = line.split('\t');
      return { path, name: path.slice(path.lastIndexOf('/') + 1), bytes: Number(bytes), sealed: seal === '1' };
    });
  }

  async freeBytes(server: Server): Promise<number> {
    const { m, layout } = this.at(server);
    // The data directory may not exist yet (a joiner): the nearest existing parent holds it.
    const out = await runChecked(m, `d=${sq(layout.paths.dataDir)}; while [ ! -d "$d" ] && [ "$d" != / ]; do d=$(dirname "$d"); done; df -Pk "$d" | awk 'NR==2 {print $4}'`, `reading the free disk space of ${this.who(server)}`);
    const kib = Number(out.trim());
    if (!Number.isFinite(kib)) throw new Error(`reading the free disk space of ${this.who(server)}: df printed ${JSON.stringify(out.trim())}`);
    return kib * 1024;
  }

  async fetchData(server: Server, path: string, localPath: string): Promise<void> {
    await this.at(server).m.download(path, localPath);
  }

  async placeData(server: Server, files: ReadonlyArray<{ name: string; localPath: string }>): Promise<void> {
    const { m, layout } = this.at(server);
    if ((await this.listData(server)).length > 0) throw new Error(`${this.who(server)} already has data in ${layout.paths.dataDir}: a restore never writes over data; move it away first`);
    for (const f of files) {
      const dir = f.name.startsWith('log.') ? layout.paths.dataLogDir ?? layout.paths.dataDir : layout.paths.dataDir;
      await m.upload(f.localPath, `${dir}/version-2/${f.name}`);
    }
  }

  async close(): Promise<void> {
    await this.o.close?.();
  }
}
