/** Terminal rendering: one numbered line a step. */
import { PlanResult, View } from '../types';

export function formatView(v: View): string {
  const obs = v.observers.length > 0 ? ` + observers {${v.observers.join(',')}}` : '';
  return `voters {${v.voters.join(',')}}${obs}`;
}

export function renderText(result: PlanResult): string {
  if (!result.ok) {
    return [`REFUSED: ${result.refusal.reason}`, ...result.refusal.details.map((d) => `  - ${d}`)].join('\n') + '\n';
  }
  const p = result.plan;
  const lines = [
    `Rollout plan for ensemble ${p.ensemble} (${p.strategy} strategy)` +
      (p.fromVersion === null ? ', bootstrap' : `, from config version ${p.fromVersion}, leader ${p.leaderId}`),
    `  ${p.fromVersion === null ? 'nothing running' : formatView(p.from)}  ->  ${formatView(p.to)}`,
  ];
  const width = String(p.steps.length).length;
  for (const s of p.steps) {
    lines.push(`  ${String(s.index).padStart(width)}. ${s.summary}  [${formatView(s.after)}; quorum ${s.quorumAfter}, tolerates ${s.toleratesAfter}]`);
  }
  for (const n of p.notes) lines.push(`  note: ${n}`);
  return lines.join('\n') + '\n';
}
