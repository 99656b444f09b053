/**
 * What the rollout has seen of the live ensemble: every server it has met (their addresses outlive
 * their membership), the servers drained, and the leaders in turn (elections are counted from them).
 */
import { Ensemble, Server } from '../model/types';
import { ClusterSnapshot } from '../planner/types';
import { RolloutEventBody } from './events';
import { LiveState } from './live-state';
import { clientsOf } from './observe';
import { RolloutError } from './refusal';
import { waitUntil, WaitTimeout } from './wait';

/** Reads the live state, looking also at the servers given (met earlier) and marking the drained ones. */
export type ReadLive = (known: readonly Server[], drained: ReadonlySet<number>) => Promise<LiveState>;

export class LiveView {
  private readonly known: Server[];
  private readonly drained = new Set<number>();
  /** Each leadership seen: its leader and, when a probe said, its epoch (a server that wins again after its restart leads a new epoch). */
  private readonly leaders: { readonly id: number; readonly epoch: bigint | null }[] = [];
  private latest: LiveState | null = null;
  private latestAt = 0;

  constructor(
    private readonly desired: Ensemble,
    private readonly read: ReadLive,
    private readonly emit: (e: RolloutEventBody) => void,
    private readonly quorumMs: number,
    previous: readonly Server[] = [],
  ) {
    this.known = [...previous];
  }

  /** The last live state read. */
  get state(): LiveState | null {
    return this.latest;
  }

  get elections(): number {
    return Math.max(0, this.leaders.length - 1);
  }

  /** Where the admin session connects: the members that stay, else the members now and the desired servers. */
  adminServers(): Server[] {
    // The members that stay, once there are two (or all there will be): a session there is not
    // dropped by a removal, nor counted by a drain, and survives one of them failing.
    const staying = (this.latest?.snapshot?.members ?? []).filter((m) => this.desired.servers.some((d) => d.id === m.id));
    if (staying.length >= 2 || (staying.length > 0 && staying.length === this.desired.servers.length)) return staying;
    const all = new Map([...(this.latest?.snapshot?.members ?? []), ...this.desired.servers].map((s) => [s.id, s]));
    return [...all.values()];
  }

  /** A server's client connections at the last read (its probe's own left out), and when that was. */
  clientsSeen(id: number): { readonly clients: number; readonly at: number } | undefined {
    const probe = this.latest?.probes.find((p) => p.server.id === id);
    const clients = probe ? clientsOf(probe) : undefined;
    return clients === undefined ? undefined : { clients, at: this.latestAt };
  }

  markDrained(id: number): void {
    this.drained.add(id);
  }

  /** One read of the live state, as it is (the bake judges it as such). */
  async snapshot(): Promise<ClusterSnapshot | null> {
    const at = Date.now();
    const live = await this.read(this.known, this.drained);
    this.latest = live;
    this.latestAt = at;
    const snap = live.snapshot;
    if (snap) {
      for (const m of snap.members) if (!this.known.some((k) => k.id === m.id)) this.known.push(m);
      const zxid = live.probes.find((p) => p.server.id === snap.leaderId)?.zxid;
      this.seeLeader(snap.leaderId, zxid !== undefined ? zxid >> 32n : null);
    }
    return snap;
  }

  /** The live state to plan from: between elections there is no leader, so give the ensemble time to elect one. */
  async observe(): Promise<ClusterSnapshot | null> {
    let snap = await this.snapshot();
    if (snap === null || snap.leaderId !== null || snap.members.length === 0) return snap;
    try {
      await waitUntil('a leader to be elected', this.quorumMs, async () => {
        snap = (await this.snapshot()) ?? snap;
        return { done: snap!.leaderId !== null, seen: `members {${snap!.members.map((m) => m.id).join(',')}}, ${snap!.observations.filter((o) => o.up).length} up, none leading` };
      }, 'check that a quorum of voters is running (zk-rollout status), then re-run apply');
    } catch (e) {
      // Nothing was done yet on this observation: a leaderless ensemble is a refusal, like the planner's.
      if (e instanceof WaitTimeout) throw new RolloutError('no-leader', `refused: no leader: ${e.message}`, { cause: e });
      throw e;
    }
    return snap;
  }

  private seeLeader(id: number | null, epoch: bigint | null): void {
    const last = this.leaders[this.leaders.length - 1];
    if (id === null) return;
    if (last !== undefined && last.id === id && (epoch === null || last.epoch === null || last.epoch === epoch)) return;
    this.leaders.push({ id, epoch });
    this.emit({ type: 'election', from: last?.id ?? null, to: id });
  }
}
