/**
 * The layout of a server zk-rollout did not start (adoption): its files stay where they were declared
 * (zoo.cfg, its dynamic files beside it, myid in the declared data directory) and it runs the way it
 * was declared: a systemd service, or a pid file with start (and stop) commands.
 */
import { posix } from 'node:path';
import { AdoptedServer } from '../model/types';
import { serverJvmFlags, systemPropertyArgs } from './jvm';
import { Layout, rooted, ServerStatus } from './layout';
import { Machine, runChecked } from './machine';
import { killPid, onlyOnConfig, pidFromFile, pidFromUnit, readStatus, recordRunningHash } from './process-scripts';
import { sq } from './shell';
import { renderJvmFlagsDropIn } from './systemd-unit';
import { JvmOptions, ServerPaths } from './types';

export class AdoptedLayout implements Layout {
  readonly paths: ServerPaths;
  readonly settingsHashFile: string;
  private readonly runningHashFile: string;
  private readonly pidFile?: string;

  /** `root`: where the machine's filesystem starts (a test bed's per-host directory; '' for the real root). */
  constructor(private readonly server: AdoptedServer, private readonly root = '') {
    const run = server.run;
    const zooCfg = rooted(root, run.zooCfg);
    const dir = posix.dirname(zooCfg);
    this.paths = { dir, zooCfg, dynamicCfg: `${zooCfg}.dynamic`, dataDir: rooted(root, run.dataDir), ...(run.dataLogDir !== undefined ? { dataLogDir: rooted(root, run.dataLogDir) } : {}), log: run.log ? rooted(root, run.log) : `${dir}/zookeeper.log` };
    this.settingsHashFile = `${dir}/zk-rollout.settings.hash`;
    this.runningHashFile = `${dir}/zk-rollout.running.settings.hash`;
    if (run.pidFile !== undefined) this.pidFile = rooted(root, run.pidFile);
  }

  private get name(): string { return `server ${this.server.id} on ${this.server.host}`; }

  /** How we tell it runs: its service's main process, else the pid in its pid file. */
  /** Its process: the service's main process or the pid in its pid file, and only while it runs on the declared zoo.cfg. */
  private findPid(): string {
    const { service } = this.server.run;
    if (service !== undefined) return `${pidFromUnit(service)}; ${onlyOnConfig(this.paths.zooCfg)}`;
    if (this.pidFile !== undefined) return pidFromFile(this.pidFile, this.paths.zooCfg);
    throw new Error(`${this.name}: declared with neither a service nor a pid file, so zk-rollout cannot tell whether it runs`);
  }

  async status(m: Machine): Promise<ServerStatus> {
    return readStatus(m, this.findPid(), this.runningHashFile);
  }

  async launch(m: Machine, jvm: JvmOptions): Promise<void> {
    const { service, start } = this.server.run;
    const flags = serverJvmFlags(jvm);
    const record = recordRunningHash(this.settingsHashFile, this.runningHashFile);
    if (service !== undefined) {
      // A drop-in rather than an edit of the unit: the unit stays the user's, and the options reach
      // java through the SERVER_JVMFLAGS its start script already honours.
      await m.writeFileAtomic(rooted(this.root, dropInPath(service)), renderJvmFlagsDropIn(flags));
      await runChecked(m, `${record}; systemctl daemon-reload && systemctl start ${sq(service)}`, `starting ${service}`);
      return;
    }
    if (start === undefined) throw new Error(`${this.name}: declared with no start command, so zk-rollout cannot start it`);
    await runChecked(m, `${record}; ${start}`, `starting ${this.name} (${start})`, { env: { SERVER_JVMFLAGS: flags } });
  }

  /**
   * The options must have reached java: without the superuser digest a converted ensemble would refuse
   * every later reconfig. A start command or unit that drops SERVER_JVMFLAGS is named, with what to do.
   */
  async checkStarted(m: Machine, pid: number, jvm: JvmOptions): Promise<void> {
    const cmdline = (await m.run(`tr '\\0' '\\n' < /proc/${pid}/cmdline 2>/dev/null; exit 0`)).stdout.split('\n');
    const missing = systemPropertyArgs(jvm).filter((a) => !cmdline.includes(a)).map((a) => a.split('=')[0]);
    if (missing.length === 0) return;
    const how = this.server.run.service !== undefined ? `the unit ${this.server.run.service} (through the drop-in ${dropInPath(this.server.run.service)})` : `its start command (${this.server.run.start})`;
    throw new Error(`${this.name} started without the JVM options zk-rollout passes in SERVER_JVMFLAGS (missing ${missing.join(', ')}): `
      + `${how} must pass $SERVER_JVMFLAGS to java, as ZooKeeper's zkServer.sh does; fix that, then re-run apply`);
  }

  async signal(m: Machine, sig: 'TERM' | 'KILL', pid: number): Promise<void> {
    const { service, stop } = this.server.run;
    if (service !== undefined) {
      await m.run(sig === 'TERM' ? `systemctl stop ${sq(service)}` : `systemctl kill -s KILL ${sq(service)}`);
      return;
    }
    // The declared stop command when there is one; if it fails, the signal it would have sent.
    if (sig === 'TERM' && stop !== undefined && (await m.run(stop)).code === 0) return;
    await killPid(m, sig, pid);
  }

  /** The pid file is the start script's: it is left as the stop command leaves it. */
  async afterStop(): Promise<void> { /* nothing of ours */ }

  /** Refused whether it runs or not: its data may be the only copy, and zk-rollout never created it. */
  async deleteFiles(): Promise<void> {
    throw new Error(`${this.name}: zk-rollout does not delete the data of a server it did not create (its data directory ${this.paths.dataDir} is left as it is); remove it by hand if it is no longer needed`);
  }
}

/** Where the drop-in with the JVM options goes for a unit. */
export function dropInPath(service: string): string {
  const unit = service.includes('.') ? service : `${service}.service`;
  return `/etc/systemd/system/${unit}.d/zk-rollout.conf`;
}
