/**
 * ZooKeeper's transaction log and snapshot files as bytes (FileTxnLog, SnapStream in 3.8), read only as
 * far as a backup needs: where the last complete transaction of a log ends, its zxid, and whether a
 * snapshot was written to its end. A log copied while its server appends may end in a torn record,
 * and ZooKeeper refuses a log whose record fails its checksum; a backup keeps the complete ones.
 *
 * Log: header `ZKLG`, version (int), dbid (long); then per transaction: Adler-32 (long) of the entry,
 * the entry as a length-prefixed buffer, 0x42. The entry starts with the TxnHeader: clientId (long),
 * cxid (int), zxid (long). Preallocation pads the file with zeros: a zero length is the end.
 */

const LOG_MAGIC = 0x5a4b4c47; // "ZKLG"
const HEADER_BYTES = 16;
const END_OF_RECORD = 0x42;

export interface LogScan {
  /** Bytes up to the end of the last complete, checksummed transaction (the header alone: 16). */
  readonly validBytes: number;
  readonly transactions: number;
  /** zxid of the first and last complete transaction (null: none). */
  readonly firstZxid: bigint | null;
  readonly lastZxid: bigint | null;
  /** Where the scan stopped: the preallocated zeros, the file's end, the zxid asked for, or a record that is torn or fails its checksum. */
  readonly end: 'padding' | 'eof' | 'cut' | 'torn';
}

/** Adler-32 as java.util.zip.Adler32 computes it (Node's zlib exposes no Adler-32). */
export function adler32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let a = 1;
  let b = 0;
  for (let i = start; i < end;) {
    // 3800 bytes keep b below 2^31 between reductions.
    const stop = Math.min(end, i + 3800);
    for (; i < stop; i++) { a += bytes[i]; b += a; }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * Scans a transaction log up to its last complete transaction, or the last one at or before `upTo`;
 * throws when the bytes are not a log (a wrong or damaged header).
 */
export function scanTxnLog(buf: Buffer, upTo?: bigint): LogScan {
  if (buf.length < HEADER_BYTES || buf.readInt32BE(0) !== LOG_MAGIC) throw new Error('not a ZooKeeper transaction log (no ZKLG header)');
  let at = HEADER_BYTES;
  let transactions = 0;
  let firstZxid: bigint | null = null;
  let lastZxid: bigint | null = null;
  let stop: LogScan['end'] = 'eof';
  while (at < buf.length) {
    if (at + 12 > buf.length) { stop = buf.subarray(at).every((b) => b === 0) ? 'padding' : 'torn'; break; }
    const crc = buf.readBigUInt64BE(at);
    const len = buf.readInt32BE(at + 8);
    const start = at + 12;
    const end = start + len;
    // Zero length: the preallocated padding (FileTxnLog's end). Anything else that does not close is torn.
    if (len === 0 && crc === 0n) { stop = 'padding'; break; }
    if (len < 20 || end + 1 > buf.length || buf[end] !== END_OF_RECORD || BigInt(adler32(buf, start, end)) !== crc) { stop = 'torn'; break; }
    const zxid = buf.readBigInt64BE(start + 12);
    if (upTo !== undefined && zxid > upTo) { stop = 'cut'; break; }
    firstZxid ??= zxid;
    lastZxid = zxid;
    transactions += 1;
    at = end + 1;
  }
  return { validBytes: at, transactions, firstZxid, lastZxid, end: stop };
}

/** SnapStream.isValidCheckedStream: a snapshot ends with its checksum and the string "/" (length 1). */
export function snapshotSealed(tail: Buffer): boolean {
  return tail.length >= 5 && tail.readInt32BE(tail.length - 5) === 1 && tail[tail.length - 1] === 0x2f;
}

/** The zxid a `snapshot.<hex>` or `log.<hex>` file name carries, or null. */
export function zxidOfName(name: string, prefix: 'snapshot' | 'log'): bigint | null {
  const m = new RegExp(`^${prefix}\\.([0-9a-f]+)$`).exec(name);
  return m ? BigInt(`0x${m[1]}`) : null;
}

export const hexZxid = (z: bigint) => `0x${z.toString(16)}`;
