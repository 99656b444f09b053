/**
 * zk-rollout's own layout: `<ensembleDir>/server-<id>/` holds conf/zoo.cfg, the dynamic files,
 * conf/settings.hash, data/, zookeeper.log, zookeeper.pid and running.settings.hash. The server runs as
 * a plain process tracked by its pid file or, where the driver chose systemd, as the unit
 * `zookeeper-<ensemble>-<id>.service` written from renderSystemdUnit.
 */
import { posix } from 'node:path';
import { Server } from '../model/types';
import { parseServerLine } from '../model/zoocfg';
import { jvmArgs, QUORUM_PEER_MAIN } from './jvm';
import { Layout, ServerStatus } from './layout';
import { Machine, runChecked } from './machine';
import { killPid, pidFromFile, pidFromUnit, readStatus, recordRunningHash } from './process-scripts';
import { sq } from './shell';
import { renderSystemdUnit } from './systemd-unit';
import { JvmOptions, ServerPaths } from './types';

export type RunAs = 'process' | 'systemd';

export interface OwnLayoutOptions {
  readonly ensemble: string;
  /** `<baseDir>/<ensemble>` as a path on the server's machine. */
  readonly ensembleDir: string;
  readonly javaBin: string;
  readonly classpath: string;
  /** How the server runs on its machine; asked when needed (the ssh driver detects it once per machine). */
  readonly runAs: () => Promise<RunAs>;
  /** Where systemd units are written on that machine. @default none: never systemd */
  readonly unitDir?: string;
}

export class OwnLayout implements Layout {
  readonly paths: ServerPaths;
  readonly settingsHashFile: string;
  private readonly pidFile: string;
  private readonly runningHashFile: string;
  private readonly unit: string;

  constructor(private readonly server: Server, private readonly o: OwnLayoutOptions) {
    const dir = posix.join(o.ensembleDir, `server-${server.id}`);
    this.paths = { dir, zooCfg: `${dir}/conf/zoo.cfg`, dynamicCfg: `${dir}/conf/zoo.cfg.dynamic`, dataDir: `${dir}/data`, log: `${dir}/zookeeper.log` };
    this.settingsHashFile = `${dir}/conf/settings.hash`;
    this.pidFile = `${dir}/zookeeper.pid`;
    this.runningHashFile = `${dir}/running.settings.hash`;
    this.unit = `zookeeper-${o.ensemble}-${server.id}.service`;
  }

  private get unitPath(): string | undefined {
    return this.o.unitDir === undefined ? undefined : `${this.o.unitDir}/${this.unit}`;
  }

  private commandLine(jvm: JvmOptions): string[] {
    return [this.o.javaBin, ...jvmArgs(jvm, { 'zookeeper.log.dir': this.paths.dir }), '-cp', this.o.classpath, QUORUM_PEER_MAIN, this.paths.zooCfg];
  }

  async status(m: Machine): Promise<ServerStatus> {
    // Only our own process: it must still run QuorumPeerMain on this server's zoo.cfg.
    const findPid = (await this.o.runAs()) === 'systemd' ? pidFromUnit(this.unit) : pidFromFile(this.pidFile, this.paths.zooCfg);
    return readStatus(m, findPid, this.runningHashFile);
  }

  async launch(m: Machine, jvm: JvmOptions): Promise<void> {
    const p = this.paths;
    const record = recordRunningHash(this.settingsHashFile, this.runningHashFile);
    const unitPath = this.unitPath;
    if ((await this.o.runAs()) === 'systemd' && unitPath !== undefined) {
      const unit = renderSystemdUnit({ description: `ZooKeeper ${this.o.ensemble} server ${this.server.id}`, workingDirectory: p.dir, command: this.commandLine(jvm), log: p.log });
      await m.writeFileAtomic(unitPath, unit);
      await runChecked(m, `${record}; systemctl daemon-reload && systemctl enable --now ${sq(this.unit)} >/dev/null 2>&1 || systemctl start ${sq(this.unit)}`, `starting ${this.unit}`);
      return;
    }
    // The subshell writes its own pid before it becomes java, so that a rollout killed right after
    // this leaves no server without a pid file. setsid: the server outlives this script (and the ssh
    // session); every descriptor redirected, so the script returns at once. The fingerprint is
    // recorded first: a status that sees the pid must see the fingerprint it started with.
    await runChecked(m, `cd ${sq(p.dir)} || exit 1; ${record}; `
      + `( echo $BASHPID > ${sq(this.pidFile)}.tmp && mv -f ${sq(this.pidFile)}.tmp ${sq(this.pidFile)} && exec setsid ${this.commandLine(jvm).map(sq).join(' ')} ) </dev/null >>${sq(p.log)} 2>&1 &`,
      `starting server ${this.server.id}`);
  }

  async signal(m: Machine, sig: 'TERM' | 'KILL', pid: number): Promise<void> {
    if ((await this.o.runAs()) === 'systemd') {
      await m.run(sig === 'TERM' ? `systemctl disable --now ${sq(this.unit)} >/dev/null 2>&1 || systemctl stop ${sq(this.unit)}` : `systemctl kill -s KILL ${sq(this.unit)}`);
      return;
    }
    await killPid(m, sig, pid);
  }

  async afterStop(m: Machine): Promise<void> {
    await m.run(`rm -f ${sq(this.pidFile)}`);
  }

  async deleteFiles(m: Machine, ensureStopped: () => Promise<void>): Promise<void> {
    await ensureStopped();
    const unitPath = this.unitPath;
    await runChecked(m, `rm -rf ${sq(this.paths.dir)}${unitPath === undefined ? '' : ` && rm -f ${sq(unitPath)}`}`, `deleting the files of server ${this.server.id}`);
  }
}

/**
 * Prints every own server directory under `ensembleDir` with its zoo.cfg, its current dynamic file and
 * then its older ones, newest first: a server reconfigured out rewrites its current file without
 * itself (and may still run, if its handler died before stopping it), so its address is in an older one.
 */
export function ownServersScript(ensembleDir: string): string {
  // Each file followed by a newline: ZooKeeper writes its dynamic files without a final one, and two
  // files run together would glue one server's line to the next.
  return `shopt -s nullglob; for d in ${sq(ensembleDir)}/server-*; do [ -f "$d/conf/zoo.cfg" ] || continue; echo "@@ $d"; cat "$d/conf/zoo.cfg"; echo; `
    + `dyn=$(sed -n 's/^dynamicConfigFile=//p' "$d/conf/zoo.cfg"); [ -n "$dyn" ] && [ -f "$dyn" ] && cat "$dyn" && echo; `
    + `older=("$d"/conf/zoo.cfg.dynamic*); for ((i=\${#older[@]}-1; i>=0; i--)); do cat "\${older[i]}"; echo; done; done; exit 0`;
}

/** The servers in ownServersScript's output: each directory's own `server.<id>=` line, first found. */
export function parseOwnServers(listing: string): Server[] {
  const out: Server[] = [];
  for (const section of listing.split(/^@@ /m).slice(1)) {
    const id = Number(/server-(\d+)\s*$/m.exec(section.split('\n')[0])?.[1]);
    const line = section.split('\n').find((l) => l.startsWith(`server.${id}=`));
    if (line) out.push(parseServerLine(line));
  }
  return out;
}
