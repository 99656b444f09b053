/**
 * Local host driver: each server is a QuorumPeerMain process on this machine, under a base directory
 * (`<base>/<ensemble>/server-<id>/`). Processes are tracked by pid file and only ever signalled after
 * checking that the pid still runs our own command line.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Server } from '../model/types';
import { parseServerLine } from '../model/zoocfg';
import { startFailure, takenPorts } from './start-failure';
import { writeFileAtomic } from './atomic-write';
import { CLOSE_FDS } from './clean-spawn';
import { HostDriver, JvmOptions, ServerFiles, ServerPaths } from './types';
import { zookeeperClasspath } from './zookeeper-install';

export interface LocalHostOptions {
  /** Where server directories live. */
  readonly baseDir: string;
  readonly ensemble: string;
  /** @default 'java' on PATH */
  readonly javaBin?: string;
}

/** $1 is the pid file: written before exec, so a handler killed right after spawning leaves no orphan. */
const CLOSE_FDS_AND_EXEC = `echo $$ > "$1"; shift; ${CLOSE_FDS}; exec "$@"`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LocalHostDriver implements HostDriver {
  readonly name = 'local';
  private readonly classpath: string;

  constructor(private readonly options: LocalHostOptions) {
    this.classpath = zookeeperClasspath();
  }

  paths(server: Server): ServerPaths {
    const dir = join(this.options.baseDir, this.options.ensemble, `server-${server.id}`);
    return {
      dir,
      zooCfg: join(dir, 'conf', 'zoo.cfg'),
      dynamicCfg: join(dir, 'conf', 'zoo.cfg.dynamic'),
      dataDir: join(dir, 'data'),
      log: join(dir, 'zookeeper.log'),
    };
  }

  private pidFile(server: Server) { return join(this.paths(server).dir, 'zookeeper.pid'); }
  private hashFile(server: Server) { return join(this.paths(server).dir, 'conf', 'settings.hash'); }
  private runningHashFile(server: Server) { return join(this.paths(server).dir, 'running.settings.hash'); }

  async writeFiles(server: Server, files: ServerFiles): Promise<void> {
    const p = this.paths(server);
    await mkdir(p.dataDir, { recursive: true });
    await writeFileAtomic(join(p.dataDir, 'myid'), `${server.id}\n`);
    if (files.dynamic !== undefined) await writeFileAtomic(files.dynamic.path, files.dynamic.content);
    await writeFileAtomic(this.hashFile(server), `${files.settingsHash}\n`);
    // zoo.cfg last: it names the dynamic file, so it must never point at one not yet written.
    await writeFileAtomic(p.zooCfg, files.zooCfg);
  }

  async pid(server: Server): Promise<number | null> {
    let pid: number;
    try {
      pid = Number((await readFile(this.pidFile(server), 'utf8')).trim());
    } catch {
      return null;
    }
    if (!Number.isInteger(pid) || pid <= 0) return null;
    // Only our own process: the pid must still run QuorumPeerMain on this server's zoo.cfg.
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
      return cmdline.includes(this.paths(server).zooCfg) && cmdline.some((a) => a.endsWith('QuorumPeerMain')) ? pid : null;
    } catch {
      return null;
    }
  }

  async isRunning(server: Server): Promise<boolean> {
    return (await this.pid(server)) !== null;
  }

  async start(server: Server, jvm: JvmOptions): Promise<void> {
    if (await this.isRunning(server)) throw new Error(`server ${server.id}: already running (pid ${await this.pid(server)})`);
    const p = this.paths(server);
    const props = Object.entries({ 'zookeeper.log.dir': p.dir, ...(jvm.systemProperties ?? {}) }).map(([k, v]) => `-D${k}=${v}`);
    const args = [`-Xmx${jvm.heapMb}m`, ...props, '-cp', this.classpath, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', p.zooCfg];
    const log = openSync(p.log, 'a');
    try {
      // Through bash (multi-digit descriptors), closing every inherited descriptor above stderr before exec: the native ZooKeeper
      // client's sockets are not close-on-exec, and a server holding copies of them breaks the
      // client's later connections in this process.
      const child = spawn('/bin/bash', ['-c', CLOSE_FDS_AND_EXEC, 'bash', this.pidFile(server), this.options.javaBin ?? 'java', ...args], { detached: true, stdio: ['ignore', log, log] });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('error', (e) => reject(new Error(`server ${server.id}: cannot start java: ${e.message}`)));
        child.once('spawn', () => resolve(child.pid!));
      });
      child.unref();
      await writeFileAtomic(this.pidFile(server), `${pid}\n`);
      const hash = await readFile(this.hashFile(server), 'utf8').catch(() => '');
      await writeFileAtomic(this.runningHashFile(server), hash);
    } finally {
      closeSync(log);
    }
    // A JVM that dies at once (bad config, port taken) is reported here rather than as a later timeout.
    await sleep(300);
    if (!(await this.isRunning(server))) {
      const tail = (await readFile(p.log, 'utf8').catch(() => '')).split('\n').filter((l) => /ERROR|Exception|Caused/.test(l)).slice(-3).join('\n');
      // Our process is gone: anything still accepting on its ports belongs to another process.
      throw startFailure(server, '', p.log, tail, await takenPorts(server));
    }
  }

  async stop(server: Server, timeoutMs = 15000): Promise<void> {
    const pid = await this.pid(server);
    if (pid === null) { await rm(this.pidFile(server), { force: true }); return; }
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!(await this.isRunning(server))) break;
      await sleep(100);
    }
    if (await this.isRunning(server)) process.kill(pid, 'SIGKILL');
    while (await this.isRunning(server)) await sleep(50);
    await rm(this.pidFile(server), { force: true });
  }

  async kill(server: Server): Promise<void> {
    const pid = await this.pid(server);
    if (pid === null) return;
    process.kill(pid, 'SIGKILL');
    while (await this.isRunning(server)) await sleep(20);
  }

  async runningSettingsHash(server: Server): Promise<string | undefined> {
    if (!(await this.isRunning(server))) return undefined;
    const h = (await readFile(this.runningHashFile(server), 'utf8').catch(() => '')).trim();
    return h || undefined;
  }

  async knownServers(): Promise<Server[]> {
    const root = join(this.options.baseDir, this.options.ensemble);
    const dirs = await readdir(root).catch(() => [] as string[]);
    const out: Server[] = [];
    for (const d of dirs) {
      const m = /^server-(\d+)$/.exec(d);
      if (!m) continue;
      const id = Number(m[1]);
      const zooCfg = await readFile(join(root, d, 'conf', 'zoo.cfg'), 'utf8').catch(() => '');
      const dyn = /^dynamicConfigFile=(.+)$/m.exec(zooCfg)?.[1];
      const current = dyn ? await readFile(dyn.trim(), 'utf8').catch(() => '') : zooCfg;
      // A server reconfigured out rewrites its own dynamic file without itself (and may still run, if
      // its handler died before stopping it): its address is then in the older dynamic files.
      const conf = join(root, d, 'conf');
      const older = await Promise.all((await readdir(conf).catch(() => [] as string[])).filter((f) => f.startsWith('zoo.cfg.dynamic')).sort().reverse()
        .map((f) => readFile(join(conf, f), 'utf8').catch(() => '')));
      const line = [current, ...older].join('\n').split('\n').find((l) => l.startsWith(`server.${id}=`));
      if (line) out.push(parseServerLine(line));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  async deleteFiles(server: Server): Promise<void> {
    if (await this.isRunning(server)) throw new Error(`server ${server.id}: still running (pid ${await this.pid(server)}); stop it before deleting its files`);
    await rm(this.paths(server).dir, { recursive: true, force: true });
  }

  async readZooCfg(server: Server): Promise<string | undefined> {
    return readFile(this.paths(server).zooCfg, 'utf8').catch(() => undefined);
  }
}
