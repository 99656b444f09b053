/** The live view counts elections by leadership (leader and epoch), not by leader id alone. */
import { Server } from '../../lib/model/types';
import { RolloutEventBody } from '../../lib/runtime/events';
import { LiveState } from '../../lib/runtime/live-state';
import { LiveView } from '../../lib/runtime/live-view';
import { ServerProbe } from '../../lib/runtime/observe';
import { ensemble } from '../support/fixtures';

const desired = ensemble([1, 2, 3]);
const server = (id: number): Server => desired.servers.find((s) => s.id === id)!;

/** Reads that see `leader` leading with `epoch` (no probes: epoch unknown). */
function view(reads: { leader: number; epoch?: number }[]) {
  const events: RolloutEventBody[] = [];
  let n = 0;
  const live = new LiveView(desired, async (): Promise<LiveState> => {
    const r = reads[Math.min(n++, reads.length - 1)];
    const probes: ServerProbe[] = r.epoch === undefined ? [] : [{ server: server(r.leader), reachable: true, mode: 'leader', zxid: (BigInt(r.epoch) << 32n) + 5n }];
    return { snapshot: { configVersion: '1', members: desired.servers, leaderId: r.leader, observations: desired.servers.map((s) => ({ id: s.id, up: true, synced: true })) }, probes, looked: desired.servers };
  }, (e) => events.push(e), 1000);
  return { live, events };
}

test('GIVEN the leader restarted and won again WHEN its epoch moved on THEN that is an election', async () => {
  const { live, events } = view([{ leader: 3, epoch: 1 }, { leader: 3, epoch: 1 }, { leader: 3, epoch: 2 }]);
  for (let i = 0; i < 3; i++) await live.snapshot();
  expect(live.elections).toBe(1);
  expect(events.filter((e) => e.type === 'election')).toEqual([{ type: 'election', from: null, to: 3 }, { type: 'election', from: 3, to: 3 }]);
});

test('GIVEN another server leads THEN that is an election; the same leadership seen again is not', async () => {
  const { live } = view([{ leader: 3, epoch: 1 }, { leader: 2, epoch: 2 }, { leader: 2, epoch: 2 }]);
  for (let i = 0; i < 3; i++) await live.snapshot();
  expect(live.elections).toBe(1);
});

test('GIVEN no epoch known THEN only a change of leader counts', async () => {
  const { live } = view([{ leader: 3 }, { leader: 3 }, { leader: 1 }]);
  for (let i = 0; i < 3; i++) await live.snapshot();
  expect(live.elections).toBe(1);
});
