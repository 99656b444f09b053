/** Bench data: an ensemble filled with znodes before a change, so that syncs carry a realistic amount. */
import { AdminClient } from '../lib/runtime/admin-client';
import { sleep } from '../lib/runtime/wait';
import { classify } from '../lib/runtime/zk-errors';

/** Each znode's size: a leader keeps its last 500 proposals in memory (commitLogCount), so large znodes cost heap there as well. */
export const ZNODE_BYTES = 32 * 1024;
const IN_FLIGHT = 32;

export const DATA_ROOT = '/bench-data';

/** Creates `mb` MiB of znodes under DATA_ROOT through `connect`; returns how many. */
export async function seed(connect: string, mb: number): Promise<number> {
  if (mb <= 0) return 0;
  const count = Math.ceil((mb * 1024 * 1024) / ZNODE_BYTES);
  const client = await AdminClient.open({ connect, sessionTimeoutMs: 30000 });
  try {
    await client.ensurePath(DATA_ROOT);
    const payload = 'z'.repeat(ZNODE_BYTES);
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const path = `${DATA_ROOT}/n-${String(i).padStart(6, '0')}`;
        for (let attempt = 1; ; attempt++) {
          try {
            await client.create(path, payload);
            break;
          } catch (e) {
            // A lost reply may have been applied: that create is done.
            if (classify(e) === 'node-exists') break;
            if (classify(e) !== 'connection-lost' || attempt >= 5) throw e;
            await sleep(500);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return count;
  } finally {
    client.close();
  }
}

/** Heap for a server holding `mb` MiB of znodes: the tree, a full snapshot being received or sent (every sync is one), and room. */
export function heapFor(mb: number, base: number): number {
  return mb <= 0 ? base : Math.max(base, 512 + Math.ceil((mb * 4) / 256) * 256);
}

/**
 * initLimit (in ticks) for servers holding `mb` MiB: every sync is a full snapshot, and the leader waits
 * at most initLimit ticks after its last byte for the learner's ACK, which comes only once the learner
 * has loaded the snapshot and written its own to disk (Learner.syncWithLeader, NEWLEADER). At 1 GiB
 * that took longer than the bench's 4 s and the restarted server never synced. Allowed here: 10 s plus
 * twice the time a full snapshot takes at 64 MiB/s.
 */
export function initLimitFor(mb: number, tickTime: number, base: number): number {
  return mb <= 0 ? base : Math.max(base, Math.ceil((10000 + (2 * mb * 1000) / 64) / tickTime));
}
