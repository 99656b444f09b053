/**
 * An ensemble built by hand, the way operators build one: per server a Debian-style tree (its own
 * root, `etc/zookeeper/conf/zoo.cfg`, `var/lib/zookeeper/myid`, `var/log/zookeeper/`) and an init-style
 * service script (`etc/init.d/zookeeper start|stop`) that starts QuorumPeerMain with a pid file.
 * zk-rollout is not involved in building or starting it. Processes are stopped by their pids only.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExistingServerSpec, ServerSpec } from '../../lib/model/types';
import { superDigest } from '../../lib/runtime/credentials';
import { AUTH, serverAt } from './cluster';

export interface HandBuiltOptions {
  /** Classic static `server.N` lines (the runbook's source cluster), or reconfig with a dynamic file. */
  readonly form: 'static' | 'dynamic';
  readonly portBase: number;
  readonly ids: readonly number[];
  /** Where each server's tree lives: a host root of the ssh bed, say. @default a new temp dir per server */
  readonly rootOf?: (id: number) => string;
  /** More zoo.cfg lines an operator put there, `key: value`. @default none */
  readonly extra?: Readonly<Record<string, string>>;
  /** Where each server listens. @default 127.0.0.1 with ports from portBase (serverAt) */
  readonly serverOf?: (id: number) => ServerSpec;
}

const CLASSPATH = '/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar';

/** The init script an operator would write: SERVER_JVMFLAGS from the environment, JVMFLAGS from java.env. */
function initScript(root: string): string {
  return `#!/bin/bash
# zookeeper service script (hand-built test ensemble)
CONF=${root}/etc/zookeeper/conf
PIDFILE=${root}/run/zookeeper/zookeeper.pid
LOG=${root}/var/log/zookeeper/zookeeper.log
[ -f "$CONF/java.env" ] && . "$CONF/java.env"
case "$1" in
  start)
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo "already running"; exit 0; fi
    mkdir -p "$(dirname "$PIDFILE")" "$(dirname "$LOG")"
    cd ${root}
    # Every inherited descriptor above stderr closed: a caller's sockets must not live on in the server.
    for fd in /proc/$$/fd/*; do n=\${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-" 2>/dev/null; done
    setsid java -Xmx128m $JVMFLAGS $SERVER_JVMFLAGS -Dzookeeper.log.dir=${root}/var/log/zookeeper -cp ${CLASSPATH} org.apache.zookeeper.server.quorum.QuorumPeerMain "$CONF/zoo.cfg" </dev/null >>"$LOG" 2>&1 &
    echo $! > "$PIDFILE"
    ;;
  stop)
    [ -f "$PIDFILE" ] || exit 0
    pid=$(cat "$PIDFILE")
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    rm -f "$PIDFILE"
    ;;
  *) echo "usage: $0 start|stop"; exit 2 ;;
esac
`;
}

export class HandBuiltEnsemble {
  private readonly roots = new Map<number, string>();
  /** Every pid this test bed saw running one of its servers: stopped at the end, by pid. */
  private readonly pids = new Set<number>();

  constructor(readonly o: HandBuiltOptions) {
    for (const id of o.ids) this.roots.set(id, o.rootOf?.(id) ?? mkdtempSync(join(tmpdir(), `zk-hand-${id}-`)));
  }

  server(id: number): Required<Omit<ServerSpec, 'keyStore' | 'secureClientPort'>> {
    const s = this.o.serverOf?.(id) ?? serverAt(this.o.portBase, id);
    return { clientPort: 2181, quorumPort: 2888, electionPort: 3888, role: 'participant', ...s };
  }
  root(id: number): string { return this.roots.get(id)!; }
  zooCfg(id: number): string { return join(this.root(id), 'etc/zookeeper/conf/zoo.cfg'); }
  pidFile(id: number): string { return join(this.root(id), 'run/zookeeper/zookeeper.pid'); }
  script(id: number): string { return join(this.root(id), 'etc/init.d/zookeeper'); }

  /**
   * How each server runs, as the user declares it under `existing.servers`. With `asOnMachine`, paths
   * are as the machine sees them (`/etc/zookeeper/conf/zoo.cfg`): the ssh bed's per-host root is the
   * machine's `/`. The service script is named by its full path either way (it is a command).
   */
  declaration(asOnMachine = false): ExistingServerSpec[] {
    const path = (id: number, p: string) => (asOnMachine ? `/${p}` : join(this.root(id), p));
    return this.o.ids.map((id) => ({
      ...this.server(id),
      run: {
        zooCfg: path(id, 'etc/zookeeper/conf/zoo.cfg'), dataDir: path(id, 'var/lib/zookeeper'), pidFile: path(id, 'run/zookeeper/zookeeper.pid'),
        start: `${this.script(id)} start`, stop: `${this.script(id)} stop`, log: path(id, 'var/log/zookeeper/zookeeper.log'),
      },
    }));
  }

  /** Writes each server's files as an operator would. */
  write(): void {
    const servers = this.o.ids.map((id) => this.server(id));
    for (const s of servers) {
      const root = this.root(s.id);
      for (const d of ['etc/zookeeper/conf', 'etc/init.d', 'var/lib/zookeeper', 'var/log/zookeeper', 'run/zookeeper']) mkdirSync(join(root, d), { recursive: true });
      writeFileSync(join(root, 'var/lib/zookeeper/myid'), `${s.id}\n`);
      const common = [
        '# /etc/zookeeper/conf/zoo.cfg', 'tickTime=200', 'initLimit=20', 'syncLimit=10',
        `dataDir=${join(root, 'var/lib/zookeeper')}`, '4lw.commands.whitelist=*', 'admin.enableServer=false',
        ...Object.entries(this.o.extra ?? {}).map(([k, v]) => `${k}=${v}`),
      ];
      const lines = this.o.form === 'static'
        ? [...common, `clientPort=${s.clientPort}`, `clientPortAddress=${s.host}`, ...servers.map((x) => `server.${x.id}=${x.host}:${x.quorumPort}:${x.electionPort}`)]
        : [...common, 'reconfigEnabled=true', 'standaloneEnabled=false', `dynamicConfigFile=${join(root, 'etc/zookeeper/conf/zoo.cfg.dynamic')}`];
      writeFileSync(this.zooCfg(s.id), `${lines.join('\n')}\n`);
      if (this.o.form === 'dynamic') {
        writeFileSync(join(root, 'etc/zookeeper/conf/zoo.cfg.dynamic'), servers.map((x) => `server.${x.id}=${x.host}:${x.quorumPort}:${x.electionPort}:participant;${x.host}:${x.clientPort}`).join('\n') + '\n');
        // The operator's superuser, set the way zkEnv.sh users do: JVMFLAGS in java.env.
        writeFileSync(join(root, 'etc/zookeeper/conf/java.env'), `JVMFLAGS="-Dzookeeper.DigestAuthenticationProvider.superDigest=${superDigest(AUTH.user ?? 'super', AUTH.password!)}"\n`);
      }
      writeFileSync(this.script(s.id), initScript(root));
      chmodSync(this.script(s.id), 0o755);
    }
  }

  /** `service zookeeper start` on each server. */
  start(ids: readonly number[] = this.o.ids): void {
    for (const id of ids) {
      execFileSync(this.script(id), ['start'], { stdio: 'ignore' });
      const pid = this.pid(id);
      if (pid !== null) this.pids.add(pid);
    }
  }

  pid(id: number): number | null {
    if (!existsSync(this.pidFile(id))) return null;
    const pid = Number(readFileSync(this.pidFile(id), 'utf8').trim());
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes(this.zooCfg(id)) ? pid : null;
    } catch {
      return null;
    }
  }

  /** Servers of this bed running now (by their pid files). */
  running(): number[] {
    return this.o.ids.filter((id) => {
      const pid = this.pid(id);
      if (pid !== null) this.pids.add(pid);
      return pid !== null;
    });
  }

  /** Stops every process this bed saw, by pid, whoever restarted it last. */
  stopAll(): void {
    this.running();
    for (const pid of this.pids) {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmdline.includes('QuorumPeerMain') && [...this.roots.values()].some((r) => cmdline.includes(r))) process.kill(pid, 'SIGKILL');
      } catch { /* gone */ }
    }
  }
}
