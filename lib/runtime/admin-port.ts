/** The admin session's interface, apart from its one real implementation (admin-client.ts). */
import { Membership, Server } from '../model/types';

/** What a rollout asks of an admin session; AdminClient is the real one, unit tests bring a fake. */
export interface AdminPort {
  readonly ended: boolean;
  /** The `host:port` entries the client connects to (those that accepted when it opened). */
  readonly hosts?: readonly string[];
  /** False while the client has lost its server and is looking for another (undefined: not known). */
  readonly connected?: boolean;
  close(): void;
  committedConfig(): Promise<Membership>;
  reconfig(change: { joining?: readonly Server[]; leaving?: readonly number[] }, expectedVersion: string): Promise<Membership>;
  ensurePath(path: string): Promise<void>;
  barrierWrite(path: string, payload: string): Promise<void>;
  create(path: string, data: string, flags?: number): Promise<string>;
  get(path: string): Promise<string>;
  delete(path: string): Promise<void>;
}
