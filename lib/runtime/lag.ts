/**
 * How far each member is behind the leader: the zxid distance (transactions, within the leader's
 * epoch) and whether it is in broadcast. A member on an older epoch has not synced since the last
 * election and is behind by an unknown amount.
 */
import { ServerProbe } from './observe';

export interface MemberLag {
  readonly id: number;
  /** Transactions behind the leader; null when unknown (down, no leader, or an older epoch). */
  readonly behind: bigint | null;
  readonly broadcast: boolean;
  /** Why the member is not healthy, for `status --check`. */
  readonly problem?: string;
}

const epoch = (zxid: bigint) => zxid >> 32n;

export function memberLags(probes: readonly ServerProbe[], memberIds: readonly number[], maxBehind: bigint): MemberLag[] {
  const leader = probes.find((p) => p.mode === 'leader' && memberIds.includes(p.server.id));
  return memberIds.map((id) => {
    const p = probes.find((x) => x.server.id === id);
    if (!p?.reachable || p.mode === 'not-serving') return { id, behind: null, broadcast: false, problem: `server ${id} is ${p?.reachable ? 'not serving' : 'down'}` };
    // A copy that differs from the leader's is worse than any lag (see the executor's replica check).
    const damaged = (p.digestMismatches ?? 0) > 0 ? `server ${id}: ZooKeeper reported ${p.digestMismatches} digest mismatch(es): its copy of the data differs from the leader's` : undefined;
    if (p === leader) return { id, behind: 0n, broadcast: true, ...(damaged ? { problem: damaged } : {}) };
    const broadcast = p.peerState === undefined || /broadcast/.test(p.peerState);
    if (!leader?.zxid || p.zxid === undefined) return { id, behind: null, broadcast, problem: leader ? `server ${id}: no zxid` : 'no leader' };
    // A leader with no write in its new epoch yet (<epoch>:0): a follower in broadcast has synced with it.
    if (broadcast && epoch(p.zxid) < epoch(leader.zxid) && (leader.zxid & 0xffffffffn) === 0n) return { id, behind: 0n, broadcast };
    if (epoch(p.zxid) !== epoch(leader.zxid)) return { id, behind: null, broadcast, problem: `server ${id} is on epoch ${epoch(p.zxid)}, the leader on ${epoch(leader.zxid)} (not synced since the last election)` };
    const behind = leader.zxid > p.zxid ? leader.zxid - p.zxid : 0n;
    const problem = damaged
      ?? (!broadcast ? `server ${id} is not in broadcast (${p.peerState})` : behind > maxBehind ? `server ${id} is ${behind} transactions behind the leader (threshold ${maxBehind})` : undefined);
    return { id, behind, broadcast, ...(problem ? { problem } : {}) };
  });
}
