/** Backups as pure code: the log format, which files and which server, which backups go, and where the step sits in a plan. */
import fc from 'fast-check';
import { backupName, backupsToPrune, chooseBackupFiles, chooseSource, parseManifest } from '../../lib/model/backup';
import { adler32, scanTxnLog, snapshotSealed, zxidOfName } from '../../lib/model/txnlog';
import { plan } from '../../lib/planner/plan';
import { PlanResult } from '../../lib/planner/types';
import { APPLY_FLAGS, secondsProblem } from '../../lib/model/handler-args';
import { catchUpTarget } from '../../lib/runtime/backup/take';
import { restoreRefusal } from '../../lib/runtime/backup/restore';
import { HostDriver } from '../../lib/hosts/types';
import { Server } from '../../lib/model/types';
import { ensemble, healthy } from '../support/fixtures';

/** A transaction log as FileTxnLog writes it: header, then per entry Adler-32, length, entry, 0x42; zero padding after. */
function log(zxids: bigint[], padding = 64): Buffer {
  const header = Buffer.alloc(16);
  header.writeInt32BE(0x5a4b4c47, 0);
  header.writeInt32BE(2, 4);
  const records = zxids.map((zxid) => {
    const entry = Buffer.alloc(40, 7);
    entry.writeBigInt64BE(0x1234n, 0); // clientId
    entry.writeInt32BE(1, 8); // cxid
    entry.writeBigInt64BE(zxid, 12);
    const head = Buffer.alloc(12);
    head.writeBigUInt64BE(BigInt(adler32(entry)), 0);
    head.writeInt32BE(entry.length, 8);
    return Buffer.concat([head, entry, Buffer.from([0x42])]);
  });
  return Buffer.concat([header, ...records, Buffer.alloc(padding)]);
}

describe('transaction logs', () => {
  test('Adler-32 as java.util.zip computes it', () => {
    expect(adler32(Buffer.from('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(Buffer.alloc(0))).toBe(1);
    // Long runs of 0xff are where a sum without timely reduction overflows (value from Python's zlib.adler32).
    expect(adler32(Buffer.alloc(100000, 0xff))).toBe(0x149a302c);
  });

  test('a log ends at its padding; its first and last zxids are read', () => {
    const scan = scanTxnLog(log([0x100000001n, 0x100000002n, 0x100000003n]));
    expect(scan).toEqual({ validBytes: 16 + 3 * 53, transactions: 3, firstZxid: 0x100000001n, lastZxid: 0x100000003n, end: 'padding' });
    expect(scanTxnLog(log([1n], 0)).end).toBe('eof');
  });

  test('a torn last record, or one whose checksum fails, ends the log before it', () => {
    const whole = log([1n, 2n, 3n], 0);
    expect(scanTxnLog(whole.subarray(0, whole.length - 10))).toMatchObject({ lastZxid: 2n, end: 'torn' });
    const flipped = Buffer.from(whole);
    flipped[whole.length - 20] ^= 1;
    expect(scanTxnLog(flipped)).toMatchObject({ transactions: 2, lastZxid: 2n, validBytes: 16 + 2 * 53, end: 'torn' });
  });

  test('a cut keeps the transactions up to a zxid', () => {
    expect(scanTxnLog(log([5n, 6n, 7n, 8n]), 6n)).toMatchObject({ transactions: 2, lastZxid: 6n, validBytes: 16 + 2 * 53, end: 'cut' });
    expect(scanTxnLog(log([5n, 6n]), 4n)).toMatchObject({ transactions: 0, lastZxid: null, validBytes: 16 });
  });

  test('anything else is not a log', () => {
    expect(() => scanTxnLog(Buffer.from('not a log at all'))).toThrow(/no ZKLG header/);
  });

  test('every prefix of a log scans to the complete records it holds', () => {
    fc.assert(fc.property(fc.array(fc.bigInt({ min: 1n, max: 2n ** 40n }), { maxLength: 8 }), fc.nat(), (zxids, at) => {
      const whole = log(zxids, 0);
      const cut = 16 + (at % (whole.length - 15));
      const scan = scanTxnLog(whole.subarray(0, cut));
      const complete = Math.floor((cut - 16) / 53);
      expect(scan.transactions).toBe(complete);
      expect(scan.lastZxid).toBe(complete > 0 ? zxids[complete - 1] : null);
    }));
  });

  test('a snapshot is complete when it ends with its seal', () => {
    expect(snapshotSealed(Buffer.from([9, 9, 0, 0, 0, 1, 0x2f]))).toBe(true);
    expect(snapshotSealed(Buffer.from([0, 0, 0, 1, 0x2e]))).toBe(false);
    expect(snapshotSealed(Buffer.from([1, 0x2f]))).toBe(false);
    expect(zxidOfName('snapshot.1000000a2', 'snapshot')).toBe(0x1000000a2n);
    expect(zxidOfName('snapshot.1000000a2.gz', 'snapshot')).toBeNull();
  });
});

describe('what a backup copies', () => {
  const f = (name: string, sealed = true) => ({ name, bytes: 10, sealed });

  test('the newest complete snapshot and the logs ZooKeeper replays after it (FileTxnLog.getLogFiles)', () => {
    const chosen = chooseBackupFiles([f('snapshot.100'), f('snapshot.300'), f('snapshot.400', false), f('log.50'), f('log.200'), f('log.280'), f('log.350'), f('acceptedEpoch')]);
    expect(chosen).toEqual({ snapshot: f('snapshot.300'), logs: [f('log.280'), f('log.350')] });
  });

  test('a log starting exactly at the snapshot is where replay starts', () => {
    expect(chooseBackupFiles([f('snapshot.200'), f('log.100'), f('log.200')])).toEqual({ snapshot: f('snapshot.200'), logs: [f('log.200')] });
  });

  test('without a complete snapshot there is no backup, said why', () => {
    expect(chooseBackupFiles([f('snapshot.10', false), f('log.1')])).toMatch(/no complete snapshot/);
  });

  test('the source catches up with the leader\'s zxid, except in an epoch with no transaction yet (an idle ensemble after an election)', () => {
    expect(catchUpTarget(0x10000002bn)).toBe(0x10000002bn);
    expect(catchUpTarget(0x100000000n)).toBe(0n);
    expect(catchUpTarget(0n)).toBe(0n);
  });

  test('the source: a synced follower, then a synced observer, the leader only when no other is synced', () => {
    expect(chooseSource([{ id: 1, synced: true, mode: 'leader' }, { id: 2, synced: false, mode: 'follower' }, { id: 3, synced: true, mode: 'follower' }], 1)?.id).toBe(3);
    expect(chooseSource([{ id: 1, synced: true, mode: 'leader' }, { id: 4, synced: true, mode: 'observer' }], 1)?.id).toBe(4);
    expect(chooseSource([{ id: 1, synced: true, mode: 'leader' }, { id: 2, synced: false, mode: 'follower' }], 1)?.id).toBe(1);
    expect(chooseSource([{ id: 2, synced: false }], 1)).toBeUndefined();
  });
});

describe('keeping backups', () => {
  test('names sort by time, and only the ensemble\'s own complete ones are pruned, oldest first', () => {
    expect(backupName('prod-zk', new Date('2026-11-26T08:15:00.123Z'))).toBe('prod-zk-20261126T081500Z');
    const names = ['prod-zk-20261126T081500Z', 'prod-zk-20261125T081500Z', 'prod-zk-20261126T081500Z-2', 'prod-zk-20261126T080000Z.partial', 'prod-zk-x-20261101T000000Z', 'notes.txt'];
    expect(backupsToPrune(names, 'prod-zk', 2, new Date('2026-11-26T08:30:00Z'))).toEqual(['prod-zk-20261125T081500Z']);
    expect(backupsToPrune(names, 'prod-zk', 0, new Date('2026-11-26T08:30:00Z'))).toEqual(['prod-zk-20261125T081500Z', 'prod-zk-20261126T081500Z']);
  });

  test('a .partial directory (a failed or killed backup) goes once it is a day old; a younger one may still be running', () => {
    const names = ['prod-zk-20261124T000000Z.partial', 'prod-zk-20261126T070000Z.partial', 'prod-zk-20261126T081500Z', 'other-20261101T000000Z.partial'];
    expect(backupsToPrune(names, 'prod-zk', 5, new Date('2026-11-26T08:30:00Z'))).toEqual(['prod-zk-20261124T000000Z.partial']);
    expect(backupsToPrune(names, 'prod-zk', 5, new Date('2026-11-27T08:30:00Z'))).toEqual(['prod-zk-20261124T000000Z.partial', 'prod-zk-20261126T070000Z.partial']);
  });

  test('--backup-keep takes a whole number from 1', () => {
    expect(secondsProblem(APPLY_FLAGS.backupKeep, '3')).toBeUndefined();
    for (const bad of ['0', '1.5', '-1', 'x', '']) expect(secondsProblem(APPLY_FLAGS.backupKeep, bad)).toBe('must be a whole number, at least 1');
  });

  test('a manifest that is not one is refused naming the field', () => {
    expect(() => parseManifest('{"format":1}', 'm.json')).toThrow(/m\.json: not a zk-rollout backup manifest: ensemble: Required/);
    expect(() => parseManifest('nope', 'm.json')).toThrow(/m\.json: not JSON/);
  });
});

describe('the backup step in plans', () => {
  const kinds = (r: PlanResult) => (r.ok ? r.plan.steps.map((s) => s.kind) : []);

  test('a migration backs up after the bake, right before its first drain', () => {
    const k = kinds(plan(healthy([1, 2, 3], [], 3), ensemble([4, 5, 6]), { bakeMs: 5000, backup: true }));
    expect(k.filter((x) => x === 'backup')).toHaveLength(1);
    const at = k.indexOf('backup');
    expect(k[at - 1]).toBe('bake');
    expect(k[at + 1]).toBe('drain-clients');
  });

  test('a scale-up, a settings change and a bootstrap take none; a scale-down does', () => {
    expect(kinds(plan(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3, 4, 5]), { backup: true }))).not.toContain('backup');
    expect(kinds(plan(null, ensemble([1, 2, 3]), { backup: true }))).not.toContain('backup');
    expect(kinds(plan(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3], [], 'dynamic', { tickTime: 300 }), { backup: true }))).not.toContain('backup');
    expect(kinds(plan(healthy([1, 2, 3, 4, 5], [], 5), ensemble([1, 2, 3]), { backup: true }))[0]).toBe('backup');
    expect(kinds(plan(healthy([1, 2, 3, 4, 5], [], 5), ensemble([1, 2, 3])))).not.toContain('backup');
  });

  test('a static scale-down backs up before its first drain', () => {
    const k = kinds(plan(healthy([1, 2, 3, 4, 5], [], 5, 'static'), ensemble([1, 2, 3], [], 'static'), { backup: true }));
    expect(k.slice(0, 2)).toEqual(['backup', 'drain-clients']);
    expect(k.filter((x) => x === 'backup')).toHaveLength(1);
  });
});

describe('restore refusals', () => {
  // Client ports nothing listens on (a probe there is refused at once).
  const at = (id: number): Server => ({ id, host: '127.0.0.1', clientPort: 1 + id, quorumPort: 2880 + id, electionPort: 3880 + id, role: 'participant' });
  const driver = (known: Server[], running: number[], withData: number[]) => ({
    knownServers: async () => known,
    isRunning: async (s: Server) => running.includes(s.id),
    listData: async (s: Server) => (withData.includes(s.id) ? [{ path: `/data/${s.id}/version-2/snapshot.1`, size: 1 }] : []),
  } as unknown as HostDriver);
  const spec = { ...ensemble([11, 12]), name: 'orders' };

  test('GIVEN declared servers with data AND stopped servers of that name with data THEN one refusal names both, each with its advice', async () => {
    const why = await restoreRefusal(spec, driver([at(1), at(2)], [], [1, 2, 11]));
    expect(why).toMatch(/^refused: a restore starts a new ensemble on the backup's data, and server 11 already has data \(\/data\/11\/.*\)\. Also, ensemble orders is stopped, and its servers keep its data: server 1 \(\/data\/1\/.*\), server 2 .*\. Nothing was copied or started\. Restore into servers that are stopped and have no data.* Restore under another ensemble name/);
  });

  test('GIVEN another server of that name runs THEN the ensemble is not called stopped', async () => {
    const why = await restoreRefusal(spec, driver([at(1), at(2)], [1], [2]));
    expect(why).toMatch(/server 1 of ensemble orders is running \(not in this spec\)/);
    expect(why).not.toMatch(/is stopped/);
  });

  test('GIVEN only new, stopped servers without data THEN no refusal', async () => {
    expect(await restoreRefusal(spec, driver([], [], []))).toBeNull();
  });
});
