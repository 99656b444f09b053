/**
 * The layout of a server zk-rollout did not start (adoption): its files stay where they were declared
 * (zoo.cfg, its dynamic files beside it, myid in the declared data directory) and it runs the way it
 * was declared: a systemd service, or a pid file with start (and stop) commands.
 */
import { posix } from 'node:path';
import { AdoptedServer } from '../model/types';
import { serverJvmFlags } from './jvm';
import { Layout, rooted, ServerStatus } from './layout';
import { Machine, runChecked } from './machine';
import { killPid, pidFromFile, pidFromUnit, readStatus, recordRunningHash } from './process-scripts';
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
    this.paths = { dir, zooCfg, dynamicCfg: `${zooCfg}.dynamic`, dataDir: rooted(root, run.dataDir), log: run.log ? rooted(root, run.log) : `${dir}/zookeeper.log` };
    this.settingsHashFile = `${dir}/zk-rollout.settings.hash`;
    this.runningHashFile = `${dir}/zk-rollout.running.settings.hash`;
    if (run.pidFile !== undefined) this.pidFile = rooted(root, run.pidFile);
  }

  private get name(): string { return `server ${this.server.id} on ${this.server.host}`; }

  /** How we tell it runs: its service's main process, else the pid in its pid file. */
  private findPid(): string {
    const { service } = this.server.run;
    if (service !== undefined) return pidFromUnit(service);
    if (this.pidFile !== undefined) return pidFromFile(this.pidFile);
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
