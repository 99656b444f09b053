/**
 * An in-memory ZooKeeper ensemble for the executor loop's unit tests: members with roles, a config
 * version, a leader, the processes a fake host driver runs, and a znode store for the lock, the record
 * and the barriers. It hands the executor its deps (readLive, probe, openAdmin, pause) and a HostDriver,
 * logs every admin request, and fails requests on cue (faults, queued per test).
 */
import { HostDriver, JvmOptions, ServerFiles, ServerPaths } from '../../lib/hosts/types';
import { Membership, Server } from '../../lib/model/types';
import { ClusterSnapshot, ServerObservation } from '../../lib/planner/types';
import { AdminPort } from '../../lib/runtime/admin-port';
import { ExecutorDeps } from '../../lib/runtime/executor';
import { LiveState } from '../../lib/runtime/live-state';
import { ServerProbe } from '../../lib/runtime/observe';
import { ZK, ZkError } from '../../lib/runtime/zk-errors';

export type AdminOp = 'committedConfig' | 'reconfig' | 'ensurePath' | 'barrierWrite' | 'create' | 'get' | 'delete';

/** One request to fail, the first time it matches. */
export interface Fault {
  readonly op: AdminOp;
  /** The ZooKeeper code thrown (ZK.CONNECTIONLOSS, ZK.SESSIONEXPIRED, ...). */
  readonly error: number;
  /** Only requests on this path (or whose payload matches `payload`). */
  readonly path?: string;
  readonly payload?: RegExp;
  /** reconfig: the change is applied before the error is thrown (the reply was lost). */
  readonly apply?: boolean;
  /** The session expired: the client reports `ended` and its ephemeral znodes are gone. */
  readonly endSession?: boolean;
  /** The client's server went away: closing it reaches no server, so its ephemeral znodes stay (its session lingers). */
  readonly lostServer?: boolean;
}

/** A fault that fired, and on which client. */
export interface Fired extends Fault {
  readonly client: number;
}

export interface OpRecord {
  readonly client: number;
  readonly op: AdminOp;
  readonly path?: string;
  /** The ZooKeeper code the request failed with, if it failed. */
  readonly error?: number;
}

/** What one live read shows instead of the truth (a test's view of an ensemble in trouble). */
export interface LiveOverride {
  readonly members?: readonly Server[];
  readonly configVersion?: string;
  readonly leaderId?: number | null;
  /** The read finds nothing at all: no server answers, no process shows (readLive's null snapshot). */
  readonly nothing?: boolean;
  /** Running servers the read does not see at all. */
  readonly invisible?: readonly number[];
  /** Servers the read sees up but not synced. */
  readonly unsynced?: readonly number[];
}

const EPOCH = 1n << 32n;
const hex = (z: bigint) => z.toString(16);

export class FakeEnsemble {
  members: Server[];
  configVersion: string;
  leaderId: number | null;
  zxid: bigint;
  readonly running = new Set<number>();
  readonly synced = new Set<number>();
  /** Every server the driver has files for: the initial members and every server it started. */
  readonly known = new Map<number, Server>();
  readonly store = new Map<string, { data: string; owner: number | null }>();
  readonly faults: Fault[] = [];
  readonly fired: Fired[] = [];
  readonly ops: OpRecord[] = [];
  readonly clients: FakeClient[] = [];
  readonly starts: number[] = [];
  readonly stops: number[] = [];
  reconfigCalls = 0;
  reconfigsApplied = 0;
  liveReads = 0;
  /** Per live read (1-based): what it shows instead of the truth; undefined: the truth. */
  liveOverride: (read: number) => LiveOverride | undefined = () => undefined;
  /** Servers the driver starts that never sync (their probes say so). */
  readonly neverSync = new Set<number>();
  /** Servers whose process exits while it syncs (the first isRunning after it answered a probe), and the error lines their log then holds. */
  readonly exitsWhileSyncing = new Map<number, string>();
  /** Servers whose process exits before it answers (the first isRunning after its start), and their log's error lines. */
  readonly exitsWhileBooting = new Map<number, string>();
  /** Servers that answered a probe since they started. */
  private readonly answered = new Set<number>();

  constructor(members: readonly Server[], leaderId: number) {
    this.members = [...members];
    this.leaderId = leaderId;
    this.zxid = EPOCH + BigInt(members.length);
    this.configVersion = hex(this.zxid);
    for (const m of members) {
      this.running.add(m.id);
      this.synced.add(m.id);
      this.known.set(m.id, m);
    }
  }

  fail(...faults: Fault[]): this {
    this.faults.push(...faults);
    return this;
  }

  /** The first queued fault matching the request, taken off the queue. */
  takeFault(op: AdminOp, path?: string, payload?: string): Fault | undefined {
    const i = this.faults.findIndex((f) => f.op === op && (f.path === undefined || f.path === path) && (f.payload === undefined || (payload !== undefined && f.payload.test(payload))));
    return i < 0 ? undefined : this.faults.splice(i, 1)[0];
  }

  write(): bigint {
    this.zxid += 1n;
    return this.zxid;
  }

  membership(): Membership {
    return { version: this.configVersion, servers: [...this.members].sort((a, b) => a.id - b.id) };
  }

  /** The leader after it left or stopped: the highest running voter (what an election among equals picks). */
  private elect(): void {
    const voters = this.members.filter((m) => m.role === 'participant' && this.running.has(m.id)).map((m) => m.id);
    this.leaderId = voters.length > 0 ? Math.max(...voters) : null;
  }

  applyReconfig(change: { joining?: readonly Server[]; leaving?: readonly number[] }): void {
    const byId = new Map(this.members.map((m) => [m.id, m]));
    for (const j of change.joining ?? []) byId.set(j.id, j);
    for (const id of change.leaving ?? []) byId.delete(id);
    this.members = [...byId.values()].sort((a, b) => a.id - b.id);
    this.configVersion = hex(this.write());
    this.reconfigsApplied++;
    if (this.leaderId === null || !byId.has(this.leaderId)) this.elect();
  }

  dropEphemerals(client: number): void {
    for (const [path, node] of this.store) if (node.owner === client) this.store.delete(path);
  }

  /** The live state as readLive reports it (the truth, or the test's override of it). */
  snapshot(o: LiveOverride = {}): ClusterSnapshot {
    const members = o.members ?? this.members;
    const ids = new Set(members.map((m) => m.id));
    const hidden = new Set(o.invisible ?? []);
    const unsynced = new Set(o.unsynced ?? []);
    const synced = (id: number) => this.running.has(id) && this.synced.has(id) && !unsynced.has(id);
    const observations: ServerObservation[] = members.map((m) => ({ id: m.id, up: this.running.has(m.id), synced: synced(m.id) }));
    const joiners: Server[] = [];
    for (const id of [...this.running].sort((a, b) => a - b)) {
      if (ids.has(id) || hidden.has(id)) continue;
      joiners.push(this.known.get(id)!);
      observations.push({ id, up: true, synced: synced(id) });
    }
    const leader = o.leaderId !== undefined ? o.leaderId : this.leaderId;
    return {
      configVersion: o.configVersion ?? this.configVersion,
      members,
      leaderId: leader !== null && ids.has(leader) && this.running.has(leader) ? leader : null,
      observations,
      joiners,
    };
  }

  probe(server: Server): ServerProbe {
    const id = server.id;
    if (!this.running.has(id)) return { server, reachable: false, error: 'connection refused' };
    this.answered.add(id);
    const member = this.members.find((m) => m.id === id);
    const mode = id === this.leaderId ? 'leader' : member?.role === 'participant' ? 'follower' : 'observer';
    const synced = this.synced.has(id);
    const peerState = mode === 'leader' ? 'leading - broadcast' : `${mode === 'observer' ? 'observing' : 'following'} - ${synced ? 'broadcast' : 'synchronization'}`;
    return {
      server, reachable: true, mode, peerState, connections: 1, digestMismatches: 0,
      zxid: synced ? this.zxid : EPOCH, membership: this.membership(),
    };
  }

  /** What the executor reads and talks to. */
  deps(): ExecutorDeps {
    return {
      readLive: async (known, drained): Promise<LiveState> => {
        this.liveReads++;
        const override = this.liveOverride(this.liveReads);
        if (override?.nothing) return { snapshot: null, probes: [], looked: [...known] };
        const snap = this.snapshot(override);
        const marked = { ...snap, observations: snap.observations.map((x) => (drained.has(x.id) ? { ...x, drained: true } : x)) };
        return { snapshot: marked, probes: [], looked: [...known] };
      },
      probe: async (server) => this.probe(server),
      openAdmin: async () => {
        const c = new FakeClient(this, this.clients.length + 1);
        this.clients.push(c);
        return c;
      },
      pause: async () => undefined,
    };
  }

  readonly driver: HostDriver = {
    name: 'local',
    paths: (s): ServerPaths => ({
      dir: `/fake/${s.id}`, zooCfg: `/fake/${s.id}/zoo.cfg`, dynamicCfg: `/fake/${s.id}/zoo.cfg.dynamic`, dataDir: `/fake/${s.id}/data`, log: `/fake/${s.id}/zookeeper.log`,
    }),
    writeFiles: async (_s: Server, _f: ServerFiles) => undefined,
    start: async (s: Server, _jvm: JvmOptions) => {
      this.starts.push(s.id);
      this.known.set(s.id, s);
      this.running.add(s.id);
      this.answered.delete(s.id);
      if (!this.neverSync.has(s.id) && !this.exitsWhileSyncing.has(s.id) && !this.exitsWhileBooting.has(s.id)) this.synced.add(s.id);
      if (this.leaderId === null) this.elect();
    },
    stop: async (s: Server) => {
      if (!this.running.has(s.id)) return;
      this.stops.push(s.id);
      this.running.delete(s.id);
      this.synced.delete(s.id);
      if (s.id === this.leaderId) this.elect();
    },
    kill: async (s: Server) => this.driver.stop(s),
    isRunning: async (s: Server) => {
      if (this.exitsWhileBooting.has(s.id) || (this.exitsWhileSyncing.has(s.id) && this.answered.has(s.id))) this.running.delete(s.id);
      return this.running.has(s.id);
    },
    logErrors: async (s: Server) => this.exitsWhileSyncing.get(s.id) ?? this.exitsWhileBooting.get(s.id) ?? '',
    takenPorts: async () => [],
    pid: async (s: Server) => (this.running.has(s.id) ? 10000 + s.id : null),
    runningSettingsHash: async () => undefined,
    statuses: async (servers: readonly Server[]) => new Map(servers.map((s) => [s.id, { pid: this.running.has(s.id) ? 10000 + s.id : null }])),
    knownServers: async () => [...this.known.values()],
    checkCanStart: async () => undefined,
    survey: async () => ({ servers: [...this.known.values()], unreachable: [] }),
    deleteFiles: async () => undefined,
    readZooCfg: async () => undefined,
    listStore: async () => [],
    readDynamicConfig: async () => undefined,
    listData: async () => [],
    fetchData: async () => { throw new Error('the fake ensemble has no data files'); },
    placeData: async () => { throw new Error('the fake ensemble has no data files'); },
    freeBytes: async () => 100 * 2 ** 30,
  };

  /** Requests that failed or succeeded on one client, in order. */
  opsOf(client: number): OpRecord[] {
    return this.ops.filter((o) => o.client === client);
  }

  /** The clients that took the lock (a create of `lockPath` that succeeded): the rollout's sessions, not its fresh reads. */
  lockSessions(lockPath: string): number[] {
    return this.ops.filter((o) => o.op === 'create' && o.path === lockPath && o.error === undefined).map((o) => o.client);
  }
}

export class FakeClient implements AdminPort {
  private closed = false;
  private expired = false;
  private lostServer = false;

  constructor(private readonly zk: FakeEnsemble, readonly id: number) {}

  get ended(): boolean {
    return this.closed || this.expired;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // A close that reaches a server ends the session and its ephemeral znodes with it.
    if (!this.expired && !this.lostServer) this.zk.dropEphemerals(this.id);
  }

  /** Runs one request: refused on an ended client, failed when a fault matches, else `body`. */
  private async request<T>(op: AdminOp, path: string | undefined, payload: string | undefined, body: () => T): Promise<T> {
    if (this.closed) throw new Error('admin client already closed');
    if (this.expired) {
      this.zk.ops.push({ client: this.id, op, ...(path !== undefined ? { path } : {}), error: ZK.SESSIONEXPIRED });
      throw new ZkError(ZK.SESSIONEXPIRED, op, 'the session ended (expired)');
    }
    const fault = this.zk.takeFault(op, path, payload);
    if (fault) {
      this.zk.fired.push({ ...fault, client: this.id });
      this.zk.ops.push({ client: this.id, op, ...(path !== undefined ? { path } : {}), error: fault.error });
      if (fault.apply) body();
      if (fault.lostServer) this.lostServer = true;
      if (fault.endSession) {
        this.expired = true;
        this.zk.dropEphemerals(this.id);
      }
      throw new ZkError(fault.error, op, 'injected');
    }
    try {
      const r = body();
      this.zk.ops.push({ client: this.id, op, ...(path !== undefined ? { path } : {}) });
      return r;
    } catch (e) {
      this.zk.ops.push({ client: this.id, op, ...(path !== undefined ? { path } : {}), error: (e as ZkError).code });
      throw e;
    }
  }

  committedConfig(): Promise<Membership> {
    return this.request('committedConfig', undefined, undefined, () => this.zk.membership());
  }

  reconfig(change: { joining?: readonly Server[]; leaving?: readonly number[] }, expectedVersion: string): Promise<Membership> {
    this.zk.reconfigCalls++;
    return this.request('reconfig', undefined, undefined, () => {
      if (BigInt(`0x${expectedVersion}`) !== BigInt(`0x${this.zk.configVersion}`)) throw new ZkError(ZK.BADVERSION, 'reconfig', 'bad version');
      this.zk.applyReconfig(change);
      return this.zk.membership();
    });
  }

  private ensure(path: string): void {
    let prefix = '';
    for (const part of path.split('/').filter(Boolean)) {
      prefix += `/${part}`;
      if (!this.zk.store.has(prefix)) this.zk.store.set(prefix, { data: '', owner: null });
    }
  }

  ensurePath(path: string): Promise<void> {
    return this.request('ensurePath', path, undefined, () => this.ensure(path));
  }

  barrierWrite(path: string, payload: string): Promise<void> {
    return this.request('barrierWrite', path, payload, () => {
      this.ensure(path);
      this.zk.store.set(path, { data: payload, owner: null });
      this.zk.write();
    });
  }

  create(path: string, data: string, flags = 0): Promise<string> {
    return this.request('create', path, data, () => {
      if (this.zk.store.has(path)) throw new ZkError(ZK.NODEEXISTS, `create ${path}`, 'node exists');
      this.zk.store.set(path, { data, owner: (flags & 1) === 1 ? this.id : null });
      this.zk.write();
      return path;
    });
  }

  get(path: string): Promise<string> {
    return this.request('get', path, undefined, () => {
      const node = this.zk.store.get(path);
      if (!node) throw new ZkError(ZK.NONODE, `get ${path}`, 'no node');
      return node.data;
    });
  }

  delete(path: string): Promise<void> {
    return this.request('delete', path, undefined, () => {
      if (this.zk.store.delete(path)) this.zk.write();
    });
  }
}
