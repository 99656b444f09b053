/**
 * SSH host driver: servers run on remote machines; files and processes are handled over the OpenSSH
 * client (one multiplexed connection per machine), while probes and the admin client reach servers at
 * their client addresses as before. zk-rollout's own servers run under a systemd unit the driver
 * writes (where systemd runs) or as a plain process with a pid file; adopted servers run as declared.
 */
import { posix } from 'node:path';
import { AdoptedServer, Server } from '../model/types';
import { DEFAULT_SSH_BASE_DIR } from '../model/defaults';
import { AdoptedLayout } from './adopted-layout';
import { Layout, rooted } from './layout';
import { OwnLayout, RunAs } from './own-layout';
import { ServerDriver, ServerDriverOptions } from './server-driver';
import { RemoteMachine } from './ssh-machine';
import { DEBIAN_CLASSPATH } from './zookeeper-install';
import { SshRunner, SshTarget } from './ssh-exec';

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
  /**
   * The account a systemd unit runs the server as; a machine without it refuses the start, naming it.
   * A plain process runs as the ssh user. @default 'zookeeper' (Debian's zookeeper package creates it)
   */
  readonly serviceUser?: string;
  /** The group of the systemd unit. @default the service user's own group */
  readonly serviceGroup?: string;
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
  /** Servers zk-rollout did not start: those ids keep the paths and service declared for them. @default none */
  readonly adopted?: readonly AdoptedServer[];
}

export { DEFAULT_SSH_BASE_DIR };

export class SshHostDriver extends ServerDriver {
  constructor(options: SshHostOptions) {
    super(sshDriverOptions(options));
  }
}

function sshDriverOptions(o: SshHostOptions): ServerDriverOptions {
  const ssh = new SshRunner();
  const settings = (host: string): SshMachine => ({ ...(o.defaults ?? {}), ...(o.machines?.[host] ?? {}) });
  const machines = new Map<string, RemoteMachine>();
  const machine = (host: string): RemoteMachine => {
    let m = machines.get(host);
    if (m === undefined) {
      const s = settings(host);
      m = new RemoteMachine(ssh, {
        address: s.address ?? host, port: s.port, user: s.user, identityFile: s.identityFile, knownHostsFile: s.knownHostsFile,
        strictHostKeyChecking: s.strictHostKeyChecking, jumpHost: s.jumpHost, connectTimeoutSeconds: s.connectTimeoutSeconds,
      });
      machines.set(host, m);
    }
    return m;
  };
  // Whether a machine runs systemd is looked up once per machine, and only when serviceManager is auto.
  const detected = new Map<string, Promise<RunAs>>();
  const runAs = (host: string) => async (): Promise<RunAs> => {
    const chosen = settings(host).serviceManager ?? 'auto';
    if (chosen !== 'auto') return chosen;
    let found = detected.get(host);
    if (found === undefined) {
      found = machine(host).run('[ -d /run/systemd/system ] && command -v systemctl >/dev/null && echo systemd || echo process')
        .then((r) => (r.stdout.trim() === 'systemd' ? 'systemd' : 'process'));
      // A failed look (ssh down) is not remembered: the next call asks again.
      found.catch(() => detected.delete(host));
      detected.set(host, found);
    }
    return found;
  };
  const ensembleDir = (host: string) => rooted(settings(host).root ?? '', posix.join(o.baseDir ?? DEFAULT_SSH_BASE_DIR, o.ensemble));
  const adopted = new Map((o.adopted ?? []).map((s) => [s.id, s]));
  const layout = (server: Server): Layout => {
    const root = settings(server.host).root ?? '';
    const declared = adopted.get(server.id);
    if (declared !== undefined) return new AdoptedLayout(declared, root);
    const s = settings(server.host);
    return new OwnLayout(server, {
      ensemble: o.ensemble, ensembleDir: ensembleDir(server.host), javaBin: s.javaBin ?? 'java', classpath: s.classpath ?? DEBIAN_CLASSPATH.join(':'),
      runAs: runAs(server.host), unitDir: rooted(root, '/etc/systemd/system'),
      ...(s.serviceUser !== undefined ? { serviceUser: s.serviceUser } : {}), ...(s.serviceGroup !== undefined ? { serviceGroup: s.serviceGroup } : {}),
    });
  };
  return {
    name: 'ssh', machine, layout,
    inventory: () => Object.keys(o.machines ?? {}).map((host) => ({ machine: machine(host), ensembleDir: ensembleDir(host) })),
    remote: true, startCheckMs: 3000, pollMs: 200,
    close: () => ssh.close(),
  };
}
