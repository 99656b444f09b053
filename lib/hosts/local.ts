/**
 * Local host driver: each server is a QuorumPeerMain process on this machine, under a base directory
 * (`<base>/<ensemble>/server-<id>/`), tracked by pid file and only ever signalled while /proc shows it
 * still running its own zoo.cfg. Adopted servers keep their declared paths and start commands.
 */
import { resolve } from 'node:path';
import { AdoptedServer, Server } from '../model/types';
import { AdoptedLayout } from './adopted-layout';
import { Layout } from './layout';
import { LocalMachine } from './local-machine';
import { OwnLayout } from './own-layout';
import { ServerDriver, ServerDriverOptions } from './server-driver';
import { zookeeperClasspath } from './zookeeper-install';

export interface LocalHostOptions {
  /** Where server directories live. */
  readonly baseDir: string;
  readonly ensemble: string;
  /** @default 'java' on PATH */
  readonly javaBin?: string;
  /** Servers zk-rollout did not start: those ids keep the paths and commands declared for them. @default none */
  readonly adopted?: readonly AdoptedServer[];
}

export class LocalHostDriver extends ServerDriver {
  constructor(options: LocalHostOptions) {
    super(localDriverOptions(options));
  }
}

function localDriverOptions(o: LocalHostOptions): ServerDriverOptions {
  const machine = new LocalMachine();
  const classpath = zookeeperClasspath();
  // Absolute: the server starts in its own directory, and its pid is recognised by its zoo.cfg path.
  const ensembleDir = resolve(o.baseDir, o.ensemble);
  const adopted = new Map((o.adopted ?? []).map((s) => [s.id, s]));
  const layout = (server: Server): Layout => {
    const declared = adopted.get(server.id);
    if (declared !== undefined) return new AdoptedLayout(declared);
    return new OwnLayout(server, { ensemble: o.ensemble, ensembleDir, javaBin: o.javaBin ?? 'java', classpath, runAs: async () => 'process' });
  };
  return {
    name: 'local', machine: () => machine, layout, inventory: () => [{ machine, ensembleDir }],
    remote: false, startCheckMs: 2000, pollMs: 100,
  };
}
