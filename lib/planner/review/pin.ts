/**
 * A plan pinned to what it was computed from: the config version, zxid and leader, the members and the
 * steps that change the ensemble. Deploy computes its own and refuses to run another plan than the
 * one reviewed when the ensemble moved in between (pure).
 */
import { Server } from '../../model/types';
import { ClusterSnapshot, Plan } from '../types';
import { Pin } from './types';

const IGNORED = new Set(['await-synced', 'await-quorum', 'barrier-write', 'drain-clients', 'bake', 'backup']);

export const memberKey = (s: Server) => `${s.id}:${s.role}@${s.host}:${s.clientPort}`;

export function pinOf(plan: Plan, snapshot: ClusterSnapshot | null, zxid: string | null, now: Date): Pin {
  return {
    ensemble: plan.ensemble,
    configVersion: snapshot?.configVersion ?? null,
    zxid,
    leaderId: snapshot?.leaderId ?? null,
    members: [...(snapshot?.members ?? [])].sort((a, b) => a.id - b.id).map(memberKey),
    actions: plan.steps.filter((s) => !IGNORED.has(s.kind)).map((s) => s.summary),
    computedAt: now.toISOString(),
  };
}

/**
 * What differs between the reviewed pin and the one deploy computed now: how the ensemble moved (its
 * config version, members, leader) and the steps that differ. Deploy refuses when the steps differ;
 * a move alone, with the same steps, is the plan reviewed.
 */
export function pinDifferences(reviewed: Pin, now: Pin): { moved: string[]; steps: string[] } {
  const moved: string[] = [];
  if (reviewed.configVersion !== now.configVersion) moved.push(`config version ${reviewed.configVersion ?? 'none (a bootstrap)'} when reviewed, ${now.configVersion ?? 'none (a bootstrap)'} now`);
  if (reviewed.members.join(' ') !== now.members.join(' ')) moved.push(`members {${reviewed.members.join(', ')}} when reviewed, {${now.members.join(', ')}} now`);
  if (reviewed.leaderId !== now.leaderId) moved.push(`leader ${reviewed.leaderId ?? 'none'} when reviewed, ${now.leaderId ?? 'none'} now`);
  const steps = reviewed.ensemble !== now.ensemble ? [`the reviewed plan is for ensemble ${reviewed.ensemble}, not ${now.ensemble}`] : stepDiff(reviewed.actions, now.actions);
  return { moved, steps };
}

/** A line diff of two step lists (longest common subsequence), `- ` and `+ ` marked. */
export function stepDiff(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { i++; j++; continue; }
    if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`- ${a[i++]}`);
    else out.push(`+ ${b[j++]}`);
  }
  return out;
}
