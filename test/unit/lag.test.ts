/** Lag behind the leader, from probes (pure). */
import { memberLags } from '../../lib/runtime/lag';
import { ServerProbe } from '../../lib/runtime/observe';
import { normaliseServer } from '../../lib/model/validate';
import { server as spec } from '../support/fixtures';

const server = (id: number) => normaliseServer(spec(id));

const probe = (id: number, p: Partial<ServerProbe>): ServerProbe => ({ server: server(id), reachable: true, ...p });
const zxid = (epoch: number, counter: number) => (BigInt(epoch) << 32n) | BigInt(counter);

test('distance in transactions within the leader\'s epoch; older epochs, out-of-broadcast and down members are problems', () => {
  const probes = [
    probe(1, { mode: 'leader', zxid: zxid(3, 500) }),
    probe(2, { mode: 'follower', zxid: zxid(3, 498), peerState: 'following - broadcast' }),
    probe(3, { mode: 'observer', zxid: zxid(3, 100), peerState: 'observing - broadcast' }),
    probe(4, { mode: 'follower', zxid: zxid(2, 900), peerState: 'following - synchronization' }),
    { server: server(5), reachable: false } as ServerProbe,
  ];
  expect(memberLags(probes, [1, 2, 3, 4, 5], 50n)).toEqual([
    { id: 1, behind: 0n, broadcast: true },
    { id: 2, behind: 2n, broadcast: true },
    { id: 3, behind: 400n, broadcast: true, problem: 'server 3 is 400 transactions behind the leader (threshold 50)' },
    { id: 4, behind: null, broadcast: false, problem: 'server 4 is on epoch 2, the leader on 3 (not synced since the last election)' },
    { id: 5, behind: null, broadcast: false, problem: 'server 5 is down' },
  ]);
  expect(memberLags(probes.slice(0, 3), [1, 2, 3], 1000n).every((l) => l.problem === undefined)).toBe(true);
});

test('without a leader nobody\'s lag is known', () => {
  expect(memberLags([probe(2, { mode: 'follower', zxid: 5n })], [2], 10n)).toEqual([{ id: 2, behind: null, broadcast: true, problem: 'no leader' }]);
});

test('right after an election, before the first write of the new epoch, a follower in broadcast is not behind', () => {
  const probes = [
    probe(1, { mode: 'leader', zxid: zxid(9, 0) }),
    probe(2, { mode: 'follower', zxid: zxid(8, 2), peerState: 'following - broadcast' }),
    probe(3, { mode: 'follower', zxid: zxid(8, 2), peerState: 'following - synchronization' }),
  ];
  expect(memberLags(probes, [1, 2, 3], 10n).map((l) => [l.id, l.behind, l.problem])).toEqual([
    [1, 0n, undefined], [2, 0n, undefined], [3, null, 'server 3 is on epoch 8, the leader on 9 (not synced since the last election)'],
  ]);
});

test('a member whose copy differs from the leader\'s (digest mismatches) is a problem even when caught up', () => {
  const probes = [
    probe(1, { mode: 'leader', zxid: zxid(3, 500), digestMismatches: 0 }),
    probe(2, { mode: 'follower', zxid: zxid(3, 500), peerState: 'following - broadcast', digestMismatches: 343 }),
    probe(3, { mode: 'follower', zxid: zxid(3, 500), peerState: 'following - broadcast', digestMismatches: 0 }),
  ];
  expect(memberLags(probes, [1, 2, 3], 50n)).toEqual([
    { id: 1, behind: 0n, broadcast: true },
    { id: 2, behind: 0n, broadcast: true, problem: 'server 2: ZooKeeper reported 343 digest mismatch(es): its copy of the data differs from the leader\'s' },
    { id: 3, behind: 0n, broadcast: true },
  ]);
});
