/**
 * zk-rollout's own layout: `<ensembleDir>/server-<id>/` (mode 0700) holds conf/zoo.cfg, the dynamic
 * files, conf/settings.hash, conf/jvm-secrets.args (the superuser digest, mode 0600), data/,
 * zookeeper.log (0640), zookeeper.pid and running.settings.hash. The server runs as a plain process
 * tracked by its pid file (as the user that runs the scripts) or, where the driver chose systemd, as
 * the unit `zookeeper-<ensemble>-<id>.service` written from renderSystemdUnit, as `serviceUser`.
 */
import { posix } from 'node:path';
import { Server } from '../model/types';
import { parseServerLine } from '../model/zoocfg';
import { hasSecrets, jvmArgs, QUORUM_PEER_MAIN, renderArgFile } from './jvm';
import { Layout } from './layout';
import { Machine, runChecked } from './machine';
import { killPid, pidFromFile, pidFromUnit, recordRunningHash, statusScript } from './process-scripts';
import { sq } from './shell';
import { renderSystemdUnit } from './systemd-unit';
import { JvmOptions, ServerPaths } from './types';

/** slf4j-simple, the server's log backend here, prints no time unless told: a log without times cannot be read against a rollout's events. */
const LOG_TIMESTAMPS = { 'org.slf4j.simpleLogger.showDateTime': 'true', 'org.slf4j.simpleLogger.dateTimeFormat': 'yyyy-MM-dd HH:mm:ss.SSS' };

export type RunAs = 'process' | 'systemd';

/** The account a systemd-run server runs as unless told otherwise: Debian's zookeeper package creates it. */
export const DEFAULT_SERVICE_USER = 'zookeeper';

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
  /** The account a systemd unit runs the server as; it must exist on the machine. @default DEFAULT_SERVICE_USER */
  readonly serviceUser?: string;
  /** Its group. @default the user's own group */
  readonly serviceGroup?: string;
}

export class OwnLayout implements Layout {
  readonly paths: ServerPaths;
  readonly settingsHashFile: string;
  /** The 0600 argument file with the secret JVM options (the superuser digest). */
  readonly argFile: string;
  private readonly pidFile: string;
  private readonly runningHashFile: string;
  private readonly unit: string;

  constructor(private readonly server: Server, private readonly o: OwnLayoutOptions) {
    const dir = posix.join(o.ensembleDir, `server-${server.id}`);
    this.paths = { dir, zooCfg: `${dir}/conf/zoo.cfg`, dynamicCfg: `${dir}/conf/zoo.cfg.dynamic`, dataDir: `${dir}/data`, log: `${dir}/zookeeper.log` };
    this.settingsHashFile = `${dir}/conf/settings.hash`;
    this.argFile = `${dir}/conf/jvm-secrets.args`;
    this.pidFile = `${dir}/zookeeper.pid`;
    this.runningHashFile = `${dir}/running.settings.hash`;
    this.unit = `zookeeper-${o.ensemble}-${server.id}.service`;
  }

  private get unitPath(): string | undefined {
    return this.o.unitDir === undefined ? undefined : `${this.o.unitDir}/${this.unit}`;
  }

  /** The command line: no secret on it, only `@<argFile>` when there are secret options. */
  commandLine(jvm: JvmOptions): string[] {
    return [this.o.javaBin, ...jvmArgs(jvm, { 'zookeeper.log.dir': this.paths.dir, ...LOG_TIMESTAMPS }, this.argFile), '-cp', this.o.classpath, QUORUM_PEER_MAIN, this.paths.zooCfg];
  }

  /** The unit's text for these options (what launch writes for a systemd-run server). */
  unitText(jvm: JvmOptions): string {
    const s = this.server;
    return renderSystemdUnit({
      description: `ZooKeeper ${this.o.ensemble} server ${s.id}`, workingDirectory: this.paths.dir, command: this.commandLine(jvm), log: this.paths.log,
      user: this.o.serviceUser ?? DEFAULT_SERVICE_USER, ...(this.o.serviceGroup !== undefined ? { group: this.o.serviceGroup } : {}),
      readWritePaths: [this.paths.dir], privilegedPort: [s.clientPort, s.quorumPort, s.electionPort].some((port) => port > 0 && port < 1024),
    });
  }

  async statusScript(): Promise<string> {
    // Only our own process: it must still run QuorumPeerMain on this server's zoo.cfg.
    const findPid = (await this.o.runAs()) === 'systemd' ? pidFromUnit(this.unit) : pidFromFile(this.pidFile, this.paths.zooCfg);
    return statusScript(findPid, this.runningHashFile);
  }

  async launch(m: Machine, jvm: JvmOptions): Promise<void> {
    const p = this.paths;
    const record = recordRunningHash(this.settingsHashFile, this.runningHashFile);
    // The secret options go in a file only the server reads; without any, an older file goes.
    const secrets = hasSecrets(jvm);
    if (secrets) await m.writeFileAtomic(this.argFile, renderArgFile(jvm), { mode: 0o600 });
    const argFile = secrets ? '' : `rm -f ${sq(this.argFile)}; `;
    // Logs and files the server creates are not world-readable (umask 027).
    const log = `umask 027; : >> ${sq(p.log)} && chmod 0640 ${sq(p.log)} || exit 1`;
    const unitPath = this.unitPath;
    if ((await this.o.runAs()) === 'systemd' && unitPath !== undefined) {
      const unit = this.unitText(jvm);
      await m.writeFileAtomic(unitPath, unit, { mode: 0o644 });
      await runChecked(m, `${argFile}${log}; ${this.ownedByService()}; ${record}; systemctl daemon-reload && systemctl enable --now ${sq(this.unit)} >/dev/null 2>&1 || systemctl start ${sq(this.unit)}`, `starting ${this.unit}`);
      return;
    }
    // The subshell writes its own pid before it becomes java, so that a rollout killed right after
    // this leaves no server without a pid file. setsid: the server outlives this script (and the ssh
    // session); every descriptor redirected, so the script returns at once. The fingerprint is
    // recorded first: a status that sees the pid must see the fingerprint it started with. The
    // server runs as this script's user: its directories are that user's only.
    await runChecked(m, `cd ${sq(p.dir)} || exit 1; ${argFile}${log}; chmod 0700 ${sq(this.o.ensembleDir)} ${sq(p.dir)} || exit 1; ${record}; `
      + `( echo $BASHPID > ${sq(this.pidFile)}.tmp && mv -f ${sq(this.pidFile)}.tmp ${sq(this.pidFile)} && exec setsid ${this.commandLine(jvm).map(sq).join(' ')} ) </dev/null >>${sq(p.log)} 2>&1 &`,
      `starting server ${this.server.id}`);
  }

  /**
   * A systemd-run server's files become its service user's (it rewrites zoo.cfg and writes its data
   * and the dynamic files), its directory 0700; the directories above it stay the script user's, with
   * only the right to pass through (x) given to others. A service user the machine lacks is refused.
   */
  private ownedByService(): string {
    const user = this.o.serviceUser ?? DEFAULT_SERVICE_USER;
    const owner = `${user}:${this.o.serviceGroup ?? ''}`;
    const d = this.paths.dir;
    return `if ! getent passwd ${sq(user)} >/dev/null; then echo ${sq(this.noUser(user))} >&2; exit 1; fi; `
      + `chown -hR ${sq(owner)} ${sq(d)} && chmod 0700 ${sq(d)} && chmod 0711 ${sq(this.o.ensembleDir)} && chmod o+x ${sq(posix.dirname(this.o.ensembleDir))} || exit 1`;
  }

  private noUser(user: string): string {
    return `no user ${user} on this machine to run ${this.unit} as: create it `
      + `(useradd --system --no-create-home --shell /usr/sbin/nologin ${user}; Debian's zookeeper package creates a zookeeper user), or set serviceUser `
      + 'in the ssh driver\'s settings to the account the server should run as';
  }

  /** A systemd-run server needs its service user: checked before a restart stops the running server. */
  async canLaunch(m: Machine): Promise<void> {
    if ((await this.o.runAs()) !== 'systemd' || this.unitPath === undefined) return;
    const user = this.o.serviceUser ?? DEFAULT_SERVICE_USER;
    if ((await m.run(`getent passwd ${sq(user)} >/dev/null`)).code !== 0) throw new Error(`server ${this.server.id} on ${m.describe()}: ${this.noUser(user)}; nothing was stopped`);
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

  /** Its directory (the argument file with the digest in it) and its unit. */
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
  // The server's own line, from the first file that has it: zoo.cfg, the dynamic file it names, then
  // the older dynamic files, newest first (a server reconfigured out is only in those). Bash builtins
  // only: every observation runs this.
  const lines = (file: string, body: string) => `while IFS= read -r l || [ -n "$l" ]; do ${body}; done < ${file}`;
  return `shopt -s nullglob; for d in ${sq(ensembleDir)}/server-*; do [ -f "$d/conf/zoo.cfg" ] || continue; id=\${d##*/server-}; echo "@@ $d"; `
    + `dyn=; ${lines('"$d/conf/zoo.cfg"', '[[ $l == dynamicConfigFile=* ]] && dyn=${l#dynamicConfigFile=}')}; `
    + `files=("$d/conf/zoo.cfg"); [ -n "$dyn" ] && [ -f "$dyn" ] && files+=("$dyn"); older=("$d"/conf/zoo.cfg.dynamic*); `
    + `for ((i=\${#older[@]}-1; i>=0; i--)); do files+=("\${older[i]}"); done; `
    + `found=; for f in "\${files[@]}"; do ${lines('"$f"', '[[ $l == "server.$id="* ]] && { echo "$l"; found=1; break; }')}; [ -n "$found" ] && break; done; done; exit 0`;
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
