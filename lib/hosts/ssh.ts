/**
 * SSH host driver: servers run on remote machines; files and processes are handled over the OpenSSH
 * client, while probes and the admin client reach servers at their client addresses as before.
 * Processes run under a systemd unit the driver writes (where systemd runs) or as a plain process
 * with a pid file. Every file is written to a temporary name and renamed into place.
 */
import { startFailure, takenPorts } from './start-failure';
import { posix } from 'node:path';
import { Server } from '../model/types';
import { parseServerLine } from '../model/zoocfg';
import { HostDriver, JvmOptions, ServerFiles, ServerPaths } from './types';
import { SshError, SshRunner, SshTarget, sq } from './ssh-exec';
import { renderSystemdUnit } from './systemd-unit';

export type ServiceManager = 'systemd' | 'process' | 'auto';

/** One machine's settings; every field falls back to the driver's defaults. */
export interface SshMachine extends Partial<Omit<SshTarget, 'address'>> {
  /** Address ssh connects to. @default the server's host */
  readonly address?: string;
  /** Prefix of every path on the machine (a test bed's per-host directory). @default '' (the real root) */
  readonly root?: string;
  /** @default 'auto': systemd where /run/systemd/system exists, else a plain process */
  readonly serviceManager?: ServiceManager;
  /** @default 'java' */
  readonly javaBin?: string;
  /** @default Debian's jars: /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar */
  readonly classpath?: string;
}

export interface SshHostOptions {
  readonly ensemble: string;
  /** Where server directories live on each machine. @default '/var/lib/zk-rollout' */
  readonly baseDir?: string;
  /** Settings shared by every machine. */
  readonly defaults?: SshMachine;
  /**
   * Machines by server host. This is also the inventory: servers are looked for on every machine
   * listed, so keep a machine here until the deploy that retires it has run.
   */
  readonly machines?: Readonly<Record<string, SshMachine>>;
}

export const DEFAULT_SSH_BASE_DIR = '/var/lib/zk-rollout';
const DEBIAN_CLASSPATH = '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SshHostDriver implements HostDriver {
  readonly name = 'ssh';
  private readonly ssh = new SshRunner();
  private readonly managers = new Map<string, 'systemd' | 'process'>();

  constructor(private readonly options: SshHostOptions) {}

  private machine(host: string): SshMachine {
    return { ...(this.options.defaults ?? {}), ...(this.options.machines?.[host] ?? {}) };
  }

  private target(host: string): SshTarget {
    const m = this.machine(host);
    return {
      address: m.address ?? host, port: m.port, user: m.user, identityFile: m.identityFile, knownHostsFile: m.knownHostsFile,
      strictHostKeyChecking: m.strictHostKeyChecking, jumpHost: m.jumpHost, connectTimeoutSeconds: m.connectTimeoutSeconds,
    };
  }

  private rooted(host: string, path: string): string {
    const root = this.machine(host).root ?? '';
    return root ? posix.join(root, path) : path;
  }

  private ensembleDir(host: string): string {
    return this.rooted(host, posix.join(this.options.baseDir ?? DEFAULT_SSH_BASE_DIR, this.options.ensemble));
  }

  paths(server: Server): ServerPaths {
    const dir = posix.join(this.ensembleDir(server.host), `server-${server.id}`);
    return { dir, zooCfg: `${dir}/conf/zoo.cfg`, dynamicCfg: `${dir}/conf/zoo.cfg.dynamic`, dataDir: `${dir}/data`, log: `${dir}/zookeeper.log` };
  }

  private pidFile(s: Server) { return `${this.paths(s).dir}/zookeeper.pid`; }
  private hashFile(s: Server) { return `${this.paths(s).dir}/conf/settings.hash`; }
  private runningHashFile(s: Server) { return `${this.paths(s).dir}/running.settings.hash`; }
  private unitName(s: Server) { return `zookeeper-${this.options.ensemble}-${s.id}.service`; }
  private unitPath(s: Server) { return this.rooted(s.host, `/etc/systemd/system/${this.unitName(s)}`); }

  private async manager(host: string): Promise<'systemd' | 'process'> {
    const chosen = this.machine(host).serviceManager ?? 'auto';
    if (chosen !== 'auto') return chosen;
    const known = this.managers.get(host);
    if (known) return known;
    const r = await this.ssh.run(this.target(host), '[ -d /run/systemd/system ] && command -v systemctl >/dev/null && echo systemd || echo process');
    const found = r.stdout.trim() === 'systemd' ? 'systemd' : 'process';
    this.managers.set(host, found);
    return found;
  }

  /** Temporary file, then rename: a reader sees the old file or the new one, never half of one. */
  private async writeRemote(host: string, path: string, content: string, what: string): Promise<void> {
    const tmp = `${sq(path)}.tmp-$$`;
    await this.ssh.check(this.target(host), `umask 027 && mkdir -p ${sq(posix.dirname(path))} && cat > ${tmp} && (sync ${tmp} 2>/dev/null || :) && mv -f ${tmp} ${sq(path)}`, `writing ${what} ${path}`, content);
  }

  async writeFiles(server: Server, files: ServerFiles): Promise<void> {
    const p = this.paths(server);
    await this.writeRemote(server.host, `${p.dataDir}/myid`, `${server.id}\n`, 'myid');
    if (files.dynamic !== undefined) await this.writeRemote(server.host, files.dynamic.path, files.dynamic.content, 'dynamic config');
    await this.writeRemote(server.host, this.hashFile(server), `${files.settingsHash}\n`, 'settings fingerprint');
    // zoo.cfg last: it names the dynamic file, so it must never point at one not yet written.
    await this.writeRemote(server.host, p.zooCfg, files.zooCfg, 'zoo.cfg');
  }

  private commandLine(server: Server, jvm: JvmOptions): string[] {
    const m = this.machine(server.host);
    const p = this.paths(server);
    const props = Object.entries({ 'zookeeper.log.dir': p.dir, ...(jvm.systemProperties ?? {}) }).map(([k, v]) => `-D${k}=${v}`);
    return [m.javaBin ?? 'java', `-Xmx${jvm.heapMb}m`, ...props, '-cp', m.classpath ?? DEBIAN_CLASSPATH, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', p.zooCfg];
  }

  async pid(server: Server): Promise<number | null> {
    const t = this.target(server.host);
    if ((await this.manager(server.host)) === 'systemd') {
      const out = (await this.ssh.run(t, `systemctl show -p MainPID --value ${sq(this.unitName(server))} 2>/dev/null`)).stdout.trim();
      const pid = Number(out);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    }
    return (await this.processStatus(server)).pid;
  }

  /**
   * One round trip: the pid (only our own process: it must still run QuorumPeerMain on this server's
   * zoo.cfg) and the settings fingerprint it was started with.
   */
  private async processStatus(server: Server): Promise<{ pid: number | null; hash?: string }> {
    const script = `pid=$(cat ${sq(this.pidFile(server))} 2>/dev/null) || exit 0; [ -r /proc/$pid/cmdline ] || exit 0; `
      + `tr '\\0' '\\n' < /proc/$pid/cmdline | grep -qxF ${sq(this.paths(server).zooCfg)} && tr '\\0' '\\n' < /proc/$pid/cmdline | grep -q QuorumPeerMain `
      + `&& echo "$pid $(cat ${sq(this.runningHashFile(server))} 2>/dev/null)"; exit 0`;
    const [pid, hash] = (await this.ssh.run(this.target(server.host), script)).stdout.trim().split(/\s+/);
    return pid ? { pid: Number(pid), ...(hash ? { hash } : {}) } : { pid: null };
  }

  async isRunning(server: Server): Promise<boolean> {
    return (await this.pid(server)) !== null;
  }

  async start(server: Server, jvm: JvmOptions): Promise<void> {
    const running = await this.pid(server);
    if (running !== null) throw new Error(`server ${server.id} on ${server.host}: already running (pid ${running})`);
    const t = this.target(server.host);
    const p = this.paths(server);
    const command = this.commandLine(server, jvm);
    const recordHash = `cp -f ${sq(this.hashFile(server))} ${sq(this.runningHashFile(server))} 2>/dev/null || :`;
    if ((await this.manager(server.host)) === 'systemd') {
      const unit = renderSystemdUnit({ description: `ZooKeeper ${this.options.ensemble} server ${server.id}`, workingDirectory: p.dir, command, log: p.log });
      await this.writeRemote(server.host, this.unitPath(server), unit, 'systemd unit');
      await this.ssh.check(t, `systemctl daemon-reload && systemctl enable --now ${sq(this.unitName(server))} >/dev/null 2>&1 || systemctl start ${sq(this.unitName(server))}; ${recordHash}`, `starting ${this.unitName(server)}`);
    } else {
      // setsid: the server outlives the ssh session; every descriptor redirected so ssh returns at once.
      // `cd` on its own: `cd x && cmd &` would background a subshell, and $! would be its pid, not java's.
      await this.ssh.check(t, `cd ${sq(p.dir)} || exit 1; setsid ${command.map(sq).join(' ')} </dev/null >>${sq(p.log)} 2>&1 & `
        + `echo $! > ${sq(this.pidFile(server))}.tmp && mv -f ${sq(this.pidFile(server))}.tmp ${sq(this.pidFile(server))}; ${recordHash}`, `starting server ${server.id}`);
    }
    // A JVM that dies at once (bad config, port taken) is reported here rather than as a later timeout.
    await sleep(500);
    if (!(await this.isRunning(server))) {
      const tail = (await this.ssh.run(t, `grep -E 'ERROR|Exception|Caused' ${sq(p.log)} 2>/dev/null | tail -3`)).stdout.trim();
      throw startFailure(server, ` on ${server.host}`, `${p.log} there`, tail, await takenPorts(server));
    }
  }

  private async signal(server: Server, sig: 'TERM' | 'KILL'): Promise<void> {
    const t = this.target(server.host);
    if ((await this.manager(server.host)) === 'systemd') {
      await this.ssh.run(t, sig === 'TERM' ? `systemctl disable --now ${sq(this.unitName(server))} >/dev/null 2>&1 || systemctl stop ${sq(this.unitName(server))}` : `systemctl kill -s KILL ${sq(this.unitName(server))}`);
      return;
    }
    const pid = await this.pid(server);
    if (pid !== null) await this.ssh.run(t, `kill -${sig} ${pid} 2>/dev/null; exit 0`);
  }

  async stop(server: Server, timeoutMs = 15000): Promise<void> {
    if (!(await this.isRunning(server))) return;
    await this.signal(server, 'TERM');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (await this.isRunning(server))) await sleep(200);
    if (await this.isRunning(server)) await this.signal(server, 'KILL');
    while (await this.isRunning(server)) await sleep(100);
    await this.ssh.run(this.target(server.host), `rm -f ${sq(this.pidFile(server))}`);
  }

  async kill(server: Server): Promise<void> {
    await this.signal(server, 'KILL');
    while (await this.isRunning(server)) await sleep(50);
  }

  async runningSettingsHash(server: Server): Promise<string | undefined> {
    if ((await this.manager(server.host)) === 'process') return (await this.processStatus(server)).hash;
    if (!(await this.isRunning(server))) return undefined;
    const h = (await this.ssh.run(this.target(server.host), `cat ${sq(this.runningHashFile(server))} 2>/dev/null; exit 0`)).stdout.trim();
    return h || undefined;
  }

  /** Every server with files on any machine of the inventory; a machine that cannot be reached is skipped. */
  async knownServers(): Promise<Server[]> {
    const out = new Map<number, Server>();
    const listings = await Promise.all(Object.keys(this.options.machines ?? {}).map(async (host) => {
      const script = `for d in ${sq(this.ensembleDir(host))}/server-*; do [ -f "$d/conf/zoo.cfg" ] || continue; echo "@@ $d"; cat "$d/conf/zoo.cfg"; `
        // Older dynamic files last: a server reconfigured out has rewritten its current one without itself.
        + `dyn=$(sed -n 's/^dynamicConfigFile=//p' "$d/conf/zoo.cfg"); [ -n "$dyn" ] && [ -f "$dyn" ] && cat "$dyn"; cat "$d"/conf/zoo.cfg.dynamic* 2>/dev/null; done; exit 0`;
      try {
        return (await this.ssh.run(this.target(host), script)).stdout;
      } catch (e) {
        if (e instanceof SshError) return '';
        throw e;
      }
    }));
    for (const text of listings) {
      for (const section of text.split(/^@@ /m).slice(1)) {
        const id = Number(/server-(\d+)\s*$/m.exec(section.split('\n')[0])?.[1]);
        const line = section.split('\n').find((l) => l.startsWith(`server.${id}=`));
        if (line && !out.has(id)) out.set(id, parseServerLine(line));
      }
    }
    return [...out.values()].sort((a, b) => a.id - b.id);
  }

  async deleteFiles(server: Server): Promise<void> {
    if (await this.isRunning(server)) throw new Error(`server ${server.id} on ${server.host}: still running; stop it before deleting its files`);
    await this.ssh.check(this.target(server.host), `rm -rf ${sq(this.paths(server).dir)} && rm -f ${sq(this.unitPath(server))}`, `deleting the files of server ${server.id}`);
  }

  async readZooCfg(server: Server): Promise<string | undefined> {
    const r = await this.ssh.run(this.target(server.host), `cat ${sq(this.paths(server).zooCfg)} 2>/dev/null`);
    return r.code === 0 ? r.stdout : undefined;
  }

  async close(): Promise<void> {
    await this.ssh.close();
  }
}
