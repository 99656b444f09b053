/**
 * ZooKeeper's error codes and the one classification of errors the rollout reacts to. The executor,
 * the session and the fresh-process decision all ask `classify`; nothing else reads codes or messages.
 */

/** ZooKeeper return codes the rollout reacts to. */
export const ZK = { CONNECTIONLOSS: -4, OPERATIONTIMEOUT: -7, INVALIDSTATE: -9, SESSIONEXPIRED: -112, CLOSING: -116, NEWCONFIGNOQUORUM: -13, RECONFIGINPROGRESS: -14, NONODE: -101, NOAUTH: -102, BADVERSION: -103, NODEEXISTS: -110, RECONFIGDISABLED: -123 } as const;

export class ZkError extends Error {
  constructor(readonly code: number, readonly operation: string, detail: string) {
    super(`${operation}: ZooKeeper error ${code} (${detail})`);
    this.name = 'ZkError';
  }
}

/** No server of a connect string accepted a session in time. */
export class ConnectFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectFailed';
  }
}

/** A ZooKeeper error from the native client's message (`-4 connection loss`, `... result: "ZCONNECTIONLOSS -4"`); a ZkError stays as it is. */
export function toZkError(operation: string, e: unknown): Error {
  if (e instanceof ZkError || e instanceof ConnectFailed) return e;
  const message = (e as Error)?.message ?? String(e);
  const m = /^(-?\d+)\s+(.*)$/.exec(message);
  if (m) return new ZkError(Number(m[1]), operation, m[2]);
  const r = /result: "(\w+) (-?\d+)"/.exec(message);
  if (r) return new ZkError(Number(r[2]), operation, r[1]);
  return new Error(`${operation}: ${message}`);
}

/**
 * - `connection-lost`: the session's server went away mid-request (or did not answer in time); the
 *   session may live on, and what the request did is unknown until read back.
 * - `session-ended`: the session expired or its handle is gone (a request in flight then gets
 *   ZCLOSING): its ephemeral lock went with it.
 * - `unreachable`: no server accepted a new session.
 * - `not-applied`: ZooKeeper refused a reconfig without applying it (new quorum not connected, another in progress).
 * - `version-moved`: a conditional reconfig found another config version.
 * - `reconfig-disabled`: the servers run with reconfigEnabled=false.
 * - `not-authorised`, `no-node`, `node-exists`: as ZooKeeper says.
 * - `other`: anything else: not the session's trouble, so never retried.
 */
export type ErrorClass = 'connection-lost' | 'session-ended' | 'unreachable' | 'not-applied' | 'version-moved' | 'reconfig-disabled' | 'not-authorised' | 'no-node' | 'node-exists' | 'other';

const BY_CODE = new Map<number, ErrorClass>([
  [ZK.CONNECTIONLOSS, 'connection-lost'], [ZK.OPERATIONTIMEOUT, 'connection-lost'],
  [ZK.SESSIONEXPIRED, 'session-ended'], [ZK.INVALIDSTATE, 'session-ended'],
  // The native client answers a request still in flight when its handle closes (on expiry too) with ZCLOSING.
  [ZK.CLOSING, 'session-ended'],
  [ZK.NEWCONFIGNOQUORUM, 'not-applied'], [ZK.RECONFIGINPROGRESS, 'not-applied'],
  [ZK.BADVERSION, 'version-moved'], [ZK.NOAUTH, 'not-authorised'], [ZK.NONODE, 'no-node'], [ZK.NODEEXISTS, 'node-exists'],
  [ZK.RECONFIGDISABLED, 'reconfig-disabled'],
]);

/** The class of an error, looking through `cause` (a refusal that wraps the error that caused it). */
export function classify(e: unknown): ErrorClass {
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 8; x = (x as { cause?: unknown }).cause, depth++) {
    if (x instanceof ZkError) return BY_CODE.get(x.code) ?? 'other';
    if (x instanceof ConnectFailed) return 'unreachable';
  }
  return 'other';
}

/** Trouble of the admin session itself, not of the ensemble: a new session (or patience) may clear it. */
export const isSessionTrouble = (e: unknown): boolean => ['connection-lost', 'session-ended'].includes(classify(e));
