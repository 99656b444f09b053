/**
 * The layout of a server zk-rollout did not start (adoption): its files stay where they were declared
 * (zoo.cfg, its dynamic files beside it, myid in the declared data directory) and it runs the way it
 * was declared: a systemd service, or a pid file with start (and stop) commands. The superuser digest
 * goes in `zk-rollout.jvm-secrets.args` beside zoo.cfg (mode 0600, owned like the data directory,
 * whose owner is the account the server runs as), named `@<file>` in SERVER_JVMFLAGS.
 */
import { posix } from 'node:path';
import { AdoptedServer } from '../model/types';
import { hasSecrets, parseArgFile, renderArgFile, secretPropertyArgs, serverJvmFlags, systemPropertyArgs } from './jvm';
import { Layout, rooted } from './layout';
import { Machine, runChecked } from './machine';
import { killPid, onlyOnConfig, pidFromFile, pidFromUnit, recordRunningHash, statusScript } from './process-scripts';
import { sq } from './shell';
import { renderJvmFlagsDropIn } from './systemd-unit';
import { JvmOptions, ServerPaths } from './types';

export class AdoptedLayout implements Layout {
  readonly paths: ServerPaths;
  readonly settingsHashFile: string;
  private readonly runningHashFile: string;
  private readonly pidFile?: string;
  /** The 0600 argument file with the secret JVM options (the superuser digest). */
  readonly argFile: string;

  /** `root`: where the machine's filesystem starts (a test bed's per-host directory; '' for the real root). */
  constructor(private readonly server: AdoptedServer, private readonly root = '') {
    const run = server.run;
    const zooCfg = rooted(root, run.zooCfg);
    const dir = posix.dirname(zooCfg);
    this.paths = { dir, zooCfg, dynamicCfg: `${zooCfg}.dynamic`, dataDir: rooted(root, run.dataDir), ...(run.dataLogDir !== undefined ? { dataLogDir: rooted(root, run.dataLogDir) } : {}), log: run.log ? rooted(root, run.log) : `${dir}/zookeeper.log` };
    this.settingsHashFile = `${dir}/zk-rollout.settings.hash`;
    this.runningHashFile = `${dir}/zk-rollout.running.settings.hash`;
    this.argFile = `${dir}/zk-rollout.jvm-secrets.args`;
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

  async statusScript(): Promise<string> {
    return statusScript(this.findPid(), this.runningHashFile);
  }

  async launch(m: Machine, jvm: JvmOptions): Promise<void> {
    const { service, start } = this.server.run;
    if (service === undefined && start === undefined) throw new Error(`${this.name}: declared with no start command, so zk-rollout cannot start it`);
    const flags = serverJvmFlags(jvm, this.argFile);
    const record = recordRunningHash(this.settingsHashFile, this.runningHashFile);
    const secrets = await this.writeArgFile(m, jvm);
    if (service !== undefined) {
      // A drop-in rather than an edit of the unit: the unit stays the user's, and the options reach
      // java through the SERVER_JVMFLAGS its start script already honours.
      await m.writeFileAtomic(rooted(this.root, dropInPath(service)), renderJvmFlagsDropIn(flags), { mode: 0o644 });
      await runChecked(m, `${secrets}; ${record}; systemctl daemon-reload && systemctl start ${sq(service)}`, `starting ${service}`);
      return;
    }
    await runChecked(m, `${secrets}; ${record}; ${start}`, `starting ${this.name} (${start})`, { env: { SERVER_JVMFLAGS: flags } });
  }

  /**
   * Writes the argument file (or removes an old one when there is no secret) and returns the script
   * that gives it to the account the server runs as, the owner of its data directory; mode 0600.
   */
  private async writeArgFile(m: Machine, jvm: JvmOptions): Promise<string> {
    const f = sq(this.argFile);
    if (!hasSecrets(jvm)) return `rm -f ${f}`;
    await m.writeFileAtomic(this.argFile, renderArgFile(jvm), { mode: 0o600 });
    const data = sq(this.paths.dataDir);
    return `if [ "$(stat -c %u:%g ${f})" != "$(stat -c %u:%g ${data})" ] && ! chown --reference=${data} ${f}; then `
      + `echo ${sq(`cannot give ${this.argFile} the owner of ${this.paths.dataDir} (the account the server runs as, which must read it)`)} >&2; exit 1; fi`;
  }

  /**
   * The options must have reached java: without the superuser digest a converted ensemble would refuse
   * every later reconfig. The open ones are on the command line; the secret ones are there as
   * `@<argFile>`, and that file holds them (or, put there by the server's own scripts, as they are). A
   * start command or unit that drops SERVER_JVMFLAGS is named, with what to do.
   */
  async checkStarted(m: Machine, pid: number, jvm: JvmOptions): Promise<void> {
    const cmdline = (await m.run(`tr '\\0' '\\n' < /proc/${pid}/cmdline 2>/dev/null; exit 0`)).stdout.split('\n');
    const missing = systemPropertyArgs(jvm).filter((a) => !cmdline.includes(a)).map((a) => a.split('=')[0]);
    const secret = secretPropertyArgs(jvm).filter((a) => !cmdline.includes(a));
    if (secret.length > 0) {
      const named = cmdline.includes(`@${this.argFile}`);
      const held = named ? parseArgFile((await m.readFile(this.argFile)) ?? '') : [];
      missing.push(...secret.filter((a) => !held.includes(a)).map((a) => `${a.split('=')[0]} (through @${this.argFile}${named ? ', which does not hold it' : ''})`));
    }
    if (missing.length === 0) return;
    const how = this.server.run.service !== undefined ? `the unit ${this.server.run.service} (through the drop-in ${dropInPath(this.server.run.service)})` : `its start command (${this.server.run.start})`;
    throw new Error(`${this.name} started without the JVM options zk-rollout passes in SERVER_JVMFLAGS (missing ${missing.join(', ')}): `
      + `${how} must pass $SERVER_JVMFLAGS to java, unquoted, as ZooKeeper's zkServer.sh does (java 9 or newer reads the @file it names); fix that, then re-run apply`);
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
