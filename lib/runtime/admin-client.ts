/**
 * The admin client on the `zookeeper` npm package: superuser auth, sync + getconfig, conditional
 * reconfig, barrier writes and the rollout lock. One client per connection; a closed client is never reused.
 */
import ZooKeeper from 'zookeeper';
import { acceptingHosts } from './accepting-hosts';
import { Membership, Server } from '../model/types';
import { parseMembership, renderServerLine } from '../model/zoocfg';
import { AdminPort } from './admin-port';
import { AdminAuth, superDigest } from './credentials';
import { superuserOnly, underRoot } from './rollout-znodes';
import { within } from './wait';
import { classify, ConnectFailed, toZkError, ZK, ZkError } from './zk-errors';

export { ZK, ZkError } from './zk-errors';

const wrap = toZkError;

/** Every request gets a deadline: a session stuck on a departed server must not hang a rollout. */
const OP_TIMEOUT_MS = 15000;

function deadline<T>(operation: string, p: Promise<T>, ms = OP_TIMEOUT_MS): Promise<T> {
  return within(p, ms, () => { throw new ZkError(ZK.OPERATIONTIMEOUT, operation, `no answer within ${ms} ms`); });
}

interface NativeClient {
  on(event: string, cb: (...args: unknown[]) => void): void;
  once(event: string, cb: (...args: unknown[]) => void): void;
  init(config: object): void;
  close(): void;
  add_auth(scheme: string, auth: string, cb: (rc: number, error: string) => void): void;
  sync(path: string): Promise<unknown>;
  getconfig(watch: boolean): Promise<unknown>;
  reconfig(joining: string | null, leaving: string | null, members: string | null, version: number): Promise<unknown>;
  create(path: string, data: string | Buffer, flags: number): Promise<string>;
  get(path: string, watch: boolean): Promise<unknown>;
  set(path: string, data: string | Buffer, version: number): Promise<unknown>;
  exists(path: string, watch: boolean): Promise<unknown>;
  delete_(path: string, version: number): Promise<unknown>;
  get_children(path: string, watch: boolean): Promise<string[]>;
  set_acl(path: string, version: number, acl: { perms: number; scheme: string; auth: string }[]): Promise<unknown>;
  get_acl(path: string): Promise<unknown>;
}

/** No configuration has a negative version, and -1 would turn the version check off: -2 matches none. */
const NO_SUCH_CONFIG_VERSION = -2;

export interface AdminClientOptions {
  readonly connect: string;
  readonly auth?: AdminAuth;
  /** Session timeout; short sessions release the lock of a killed handler quickly. @default 6000 */
  readonly sessionTimeoutMs?: number;
  /** @default 10000 */
  readonly connectTimeoutMs?: number;
  /**
   * Give every znode under ROLLOUT_ROOT this client creates (or ensures) the superuser-only ACL; for a
   * client authenticated as the superuser. @default false
   */
  readonly superuserOnly?: boolean;
  /**
   * Keep every address of `connect`, also those that accept no connection now (servers that start
   * later): what an application's client does. Admin sessions keep only those that accept. @default false
   */
  readonly everyAddress?: boolean;
}

export class AdminClient implements AdminPort {
  private closed = false;
  /** Paths this session has created or found, with their ACL set: not asked for again. */
  private readonly ensured = new Set<string>();
  /** The digest identity the rollout's znodes are restricted to (null: not restricted). */
  private protect: string | null = null;

  /**
   * `state.ended`: the library closed the handle itself (the session expired). Calling into it after
   * that, close() included, crashes the process (the package's README, "Known Bugs"), so every call
   * checks first and a new client is opened instead.
   */
  private constructor(private readonly zk: NativeClient, readonly connect: string, private readonly state: { ended: boolean; connected: boolean }, readonly hosts: readonly string[]) {}

  static async open(options: AdminClientOptions): Promise<AdminClient> {
    // Only servers that accept a TCP connection now: a native client left retrying refused
    // connections churns socket descriptors, and closing it then can leave the process's later
    // clients unable to connect at all.
    const reachable = options.everyAddress === true ? options.connect.split(',').map((e) => e.trim()).filter(Boolean) : await acceptingHosts(options.connect);
    if (reachable.length === 0) throw new ConnectFailed(`could not connect to ${options.connect}: no server accepts connections`);
    const zk = new (ZooKeeper as unknown as new (cfg: object) => NativeClient)({
      connect: reachable.join(','),
      timeout: options.sessionTimeoutMs ?? 6000,
      debug_level: 0, // silent: the C client prints reconnect noise to stdout
      host_order_deterministic: false,
    });
    const state = { ended: false, connected: false };
    zk.on('close', () => { state.ended = true; state.connected = false; });
    zk.on('connect', () => { state.connected = true; });
    zk.on('connecting', () => { state.connected = false; });
    const timeoutMs = options.connectTimeoutMs ?? 10000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { if (!state.ended) { state.ended = true; zk.close(); } reject(new ConnectFailed(`could not connect to ${options.connect} within ${timeoutMs} ms`)); }, timeoutMs);
      zk.once('connect', () => { clearTimeout(timer); resolve(); });
      zk.init({});
    });
    const client = new AdminClient(zk, options.connect, state, reachable);
    const auth = options.auth;
    if (options.superuserOnly === true && auth?.mode === 'digest' && auth.user !== undefined && auth.password !== undefined) client.protect = superDigest(auth.user, auth.password);
    if (options.auth?.mode === 'digest') {
      await new Promise<void>((resolve, reject) => {
        zk.add_auth('digest', `${options.auth!.user}:${options.auth!.password}`, (rc, error) => (rc === 0 ? resolve() : reject(new ZkError(rc, 'add_auth', error))));
      }).catch((e) => { client.close(); throw e; });
    }
    return client;
  }

  private live(): NativeClient {
    if (this.closed) throw new Error('admin client already closed');
    if (this.state.ended) throw new ZkError(ZK.SESSIONEXPIRED, 'session', 'the session ended (expired); a new client is needed');
    return this.zk;
  }

  /** Whether the client has a server now (it says 'connecting' while it looks for another). */
  get connected(): boolean {
    return !this.ended && this.state.connected;
  }

  /** Whether the session is gone (closed by us, or expired). */
  get ended(): boolean {
    return this.closed || this.state.ended;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.state.ended) return;
    this.state.ended = true;
    this.zk.close();
  }

  /** The committed configuration, read after `sync` so that it is not stale. */
  async committedConfig(): Promise<Membership> {
    const zk = this.live();
    try {
      await deadline('sync', zk.sync('/zookeeper/config'));
      const res = await deadline('getconfig', zk.getconfig(false));
      // Resolves [stat, data] whatever the type declarations say.
      const data = Array.isArray(res) ? res[1] : res;
      return parseMembership(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    } catch (e) {
      throw wrap('getconfig', e);
    }
  }

  /** Incremental reconfig, only if the committed config is still at `expectedVersion`. */
  async reconfig(change: { joining?: readonly Server[]; leaving?: readonly number[] }, expectedVersion: string): Promise<Membership> {
    const zk = this.live();
    const joining = change.joining && change.joining.length > 0 ? change.joining.map((s) => renderServerLine(s)).join(',') : null;
    const leaving = change.leaving && change.leaving.length > 0 ? change.leaving.join(',') : null;
    try {
      const res = await deadline('reconfig', zk.reconfig(joining, leaving, null, Number(BigInt(`0x${expectedVersion}`))));
      const data = Array.isArray(res) ? res[1] : res;
      return parseMembership(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
    } catch (e) {
      throw wrap('reconfig', e);
    }
  }

  /**
   * Whether the leader accepts reconfig at all, changing nothing: a reconfig conditional on a version
   * no configuration has is refused for its version (BADVERSION) only after ZooKeeper checked that
   * reconfig is enabled (PrepRequestProcessor); with it disabled, RECONFIGDISABLED comes first. Like any
   * refused conditional update, the refusal is committed as an error transaction (one zxid); the data
   * and the configuration are unchanged.
   */
  async reconfigEnabled(): Promise<boolean> {
    try {
      await deadline('reconfig', this.live().reconfig(null, null, null, NO_SUCH_CONFIG_VERSION));
    } catch (e) {
      const err = wrap('reconfig', e);
      const c = classify(err);
      if (c === 'version-moved' || c === 'not-applied') return true;
      if (c === 'reconfig-disabled') return false;
      throw err;
    }
    throw new Error(`a reconfig conditional on config version ${NO_SUCH_CONFIG_VERSION} was applied; no configuration has that version`);
  }

  /** The digest identities that may change `path` (its ACL's digest entries), null when there is no such node. */
  async digestIdentities(path: string): Promise<string[] | null> {
    // get_acl of a node that does not exist crashes the native client (SIGSEGV, seen on 7.3.0): ask first.
    if (!(await this.exists(path))) return null;
    try {
      const res = await deadline('get_acl', this.live().get_acl(path));
      const acl = (Array.isArray(res) && Array.isArray(res[0]) ? res[0] : res) as { scheme?: string; auth?: string; id?: string }[];
      return acl.filter((a) => a.scheme === 'digest').map((a) => a.auth ?? a.id ?? '');
    } catch (e) {
      const err = wrap(`get_acl ${path}`, e);
      if (classify(err) === 'no-node') return null;
      throw err;
    }
  }

  /** Whether the node exists (after sync). */
  async exists(path: string): Promise<boolean> {
    try {
      await deadline('sync', this.live().sync(path));
      await deadline('exists', this.live().exists(path, false));
      return true;
    } catch (e) {
      const err = wrap(`exists ${path}`, e);
      if (classify(err) === 'no-node') return false;
      throw err;
    }
  }

  /** Creates the path's missing nodes; under ROLLOUT_ROOT, when protecting, also (re)sets their ACL (nodes an older version left open included). */
  async ensurePath(path: string): Promise<void> {
    const zk = this.live();
    let prefix = '';
    for (const part of path.split('/').filter(Boolean)) {
      prefix += `/${part}`;
      if (this.ensured.has(prefix)) continue;
      try {
        await deadline('create', zk.create(prefix, '', 0));
      } catch (e) {
        const err = wrap('create', e);
        if (classify(err) !== 'node-exists') throw err;
      }
      await this.restrict(prefix);
      this.ensured.add(prefix);
    }
  }

  private async restrict(path: string): Promise<void> {
    if (this.protect === null || !underRoot(path)) return;
    try {
      await deadline('set_acl', this.live().set_acl(path, -1, superuserOnly(this.protect)));
    } catch (e) {
      throw wrap(`set_acl ${path}`, e);
    }
  }

  /** A write that must be committed by the current quorum before it returns. */
  async barrierWrite(path: string, payload: string): Promise<void> {
    await this.ensurePath(path);
    await this.set(path, payload, 'barrier write');
  }

  /** Sets an existing node's data, whatever its version. */
  async set(path: string, payload: string, what = `set ${path}`): Promise<void> {
    try {
      await deadline('set', this.live().set(path, payload, -1));
    } catch (e) {
      throw wrap(what, e);
    }
  }

  async create(path: string, data: string, flags = 0): Promise<string> {
    let created: string;
    try {
      created = await deadline('create', this.live().create(path, data, flags));
    } catch (e) {
      throw wrap(`create ${path}`, e);
    }
    // Its parent is protected already, so no one else could delete it in between.
    await this.restrict(path);
    return created;
  }

  async get(path: string): Promise<string> {
    try {
      await deadline('sync', this.live().sync(path));
      const res = await deadline('get', this.live().get(path, false));
      const data = Array.isArray(res) ? res[1] : res;
      return Buffer.isBuffer(data) ? data.toString('utf8') : String(data ?? '');
    } catch (e) {
      throw wrap(`get ${path}`, e);
    }
  }

  async children(path: string): Promise<string[]> {
    try {
      await deadline('sync', this.live().sync(path));
      return await deadline('get_children', this.live().get_children(path, false));
    } catch (e) {
      throw wrap(`get_children ${path}`, e);
    }
  }

  async delete(path: string): Promise<void> {
    try {
      await deadline('delete', this.live().delete_(path, -1));
    } catch (e) {
      const err = wrap(`delete ${path}`, e);
      if (classify(err) !== 'no-node') throw err;
    }
  }
}
