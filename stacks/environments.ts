/**
 * The example app's environments. Every environment runs the same membership (MEMBERS) on its own
 * loopback addresses, so all three run side by side on one machine; a change to MEMBERS is promoted
 * by deploying dev, then staging, then prod, each planning from its own live servers.
 */
import { ZooKeeperEnsembleProps } from '../lib/constructs';

/** Server ids of the ensemble. Edit this (add ids, replace ids) and deploy to change membership. */
export const MEMBERS: readonly number[] = [1, 2, 3];

export interface Environment {
  readonly stack: 'dev' | 'staging' | 'prod';
  /** First three octets of the environment's loopback addresses: server N listens on `<subnet>.N`. */
  readonly subnet: string;
  readonly heapMb: number;
}

export const ENVIRONMENTS: readonly Environment[] = [
  { stack: 'dev', subnet: '127.0.10', heapMb: 128 },
  { stack: 'staging', subnet: '127.0.11', heapMb: 128 },
  { stack: 'prod', subnet: '127.0.12', heapMb: 256 },
];

export function ensembleProps(env: Environment, members: readonly number[] = MEMBERS): ZooKeeperEnsembleProps {
  return {
    name: `${env.stack}-zk`,
    // Standard ports on distinct addresses, as on real machines.
    servers: members.map((id) => ({ id, host: `${env.subnet}.${id}` })),
    settings: { tickTime: 500, initLimit: 10, syncLimit: 5, jvmHeapMb: env.heapMb },
    hosts: { driver: 'local', baseDir: '.zk-local' },
    // A local demo generates its own superuser password; a real environment names a secret file
    // (or sets ZK_ROLLOUT_SUPER_PASSWORD in the deploy job) instead.
    superuser: { passwordFile: `.zk-local/${env.stack}.password`, createPasswordFile: true },
  };
}
