/**
 * The one owner of the rollout record in the ensemble (rollout-record.ts): reads it once per rollout,
 * checks the live configuration against it (drift), and writes it before and after every reconfig.
 */
import { Ensemble, Server } from '../model/types';
import { ClusterSnapshot } from '../planner/types';
import { RolloutEventBody } from './events';
import { RolloutError } from './refusal';
import { desiredFingerprint, DRIFT_ADVICE, driftFrom, parseRecord, recordPath, RolloutRecord, sameVersion, membersKey } from './rollout-record';
import { AdminSession } from './session';
import { classify } from './zk-errors';

export class RecordKeeper {
  /** Undefined: not read yet in this rollout; null: none (or unreadable). */
  private record: RolloutRecord | null | undefined = undefined;
  /** The rollout under way has grown the ensemble (recorded, so that a resumed rollout bakes again). */
  private grown = false;

  constructor(
    private readonly desired: Ensemble,
    private readonly session: AdminSession,
    private readonly emit: (e: RolloutEventBody) => void,
  ) {}

  get grew(): boolean {
    return this.grown;
  }

  markGrown(): void {
    this.grown = true;
  }

  /** Whether the record was read in this rollout. */
  get isRead(): boolean {
    return this.record !== undefined;
  }

  private get path(): string {
    return recordPath(this.desired.name);
  }

  /** The record's text, '' when there is none. */
  private async readText(): Promise<string> {
    return (await this.session.client()).get(this.path).catch((e) => {
      if (classify(e) === 'no-node') return '';
      throw e;
    });
  }

  /** Whether zk-rollout has ever recorded this ensemble (an adopted one is checked against its declaration until it has). */
  async exists(): Promise<boolean> {
    return (await this.readText()) !== '';
  }

  /**
   * The live config must be where zk-rollout left it: at the start of a rollout (against the record in
   * the ensemble) and between its steps (against its own last reconfig). Anything else is drift.
   */
  async checkDrift(snapshot: ClusterSnapshot, acceptDrift: boolean): Promise<void> {
    const first = this.record === undefined;
    if (first) {
      const text = await this.readText();
      this.record = parseRecord(text);
      if (this.record === null && text !== '') this.emit({ type: 'notice', code: 'record-unreadable', message: `the rollout record ${this.path} is unreadable (edited by hand?): drift cannot be checked this time; it is written anew` });
    }
    const drift = driftFrom(this.record ?? null, snapshot);
    if (drift !== null) {
      const where = first ? 'the ensemble was changed outside zk-rollout since its last change' : 'the ensemble\'s configuration changed under this rollout, not by it';
      if (!acceptDrift) throw new RolloutError('drift', `refused: ${where}: ${drift}. ${DRIFT_ADVICE}.`);
      this.emit({ type: 'notice', code: 'drift-accepted', message: `${where}: ${drift}; planning from the live ensemble as asked (--accept-drift)` });
    }
    const r = this.record;
    if (first && r?.phase === 'running' && r.grew && r.desired === desiredFingerprint(this.desired)) {
      this.grown = true;
      this.emit({ type: 'notice', code: 'resume-grown', message: 'resuming an interrupted rollout to this spec, which had already added servers: it bakes again before the first removal' });
    }
    if (first || drift !== null || !sameVersion(r?.configVersion ?? '', snapshot.configVersion)) await this.save(snapshot.configVersion, snapshot.members);
  }

  /** `pending`: the members a reconfig is about to commit (a handler killed right after it must not take its own change for drift). */
  async save(configVersion: string, members: readonly Server[], pending?: readonly Server[], phase: RolloutRecord['phase'] = 'running'): Promise<void> {
    const record: RolloutRecord = {
      configVersion, members: membersKey(members), ...(pending !== undefined ? { pending: membersKey(pending) } : {}),
      desired: desiredFingerprint(this.desired), phase, grew: this.grown, at: new Date().toISOString(),
    };
    await (await this.session.client()).barrierWrite(this.path, JSON.stringify(record));
    this.record = record;
  }

  /** At the end of a rollout that read the record: the final version, marked done; a failure only means the next apply records it. */
  async finish(snapshot: ClusterSnapshot): Promise<void> {
    if (this.record === undefined || !this.session.isOpen) return;
    await this.save(snapshot.configVersion, snapshot.members, undefined, 'done').catch((e) => this.emit({
      type: 'notice', code: 'record-final-failed', message: `could not record the final config version (${(e as Error).message}); the next apply records it`,
    }));
  }
}
