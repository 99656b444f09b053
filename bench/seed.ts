/** Bench data: an ensemble filled with znodes before a change, so that syncs carry a realistic amount. */
import { AdminClient } from '../lib/runtime/admin-client';

/** Each znode's size: well under ZooKeeper's 1 MiB jute.maxbuffer, large enough that the count stays small. */
export const ZNODE_BYTES = 512 * 1024;
const IN_FLIGHT = 8;

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
        await client.create(`${DATA_ROOT}/n-${String(i).padStart(6, '0')}`, payload);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return count;
  } finally {
    client.close();
  }
}

/** Heap for a server holding `mb` MiB of znodes: the tree, a snapshot being written, and room. */
export function heapFor(mb: number, base: number): number {
  return mb <= 0 ? base : Math.max(base, Math.ceil((mb * 2.5) / 256) * 256);
}
