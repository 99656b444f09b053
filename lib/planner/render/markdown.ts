/** Markdown for pull-request review: a table of steps and a Mermaid sequence diagram. */
import { Plan, PlanResult, Step, stepServerId } from '../types';
import { formatView } from './text';

const cell = (text: string) => text.replace(/\|/g, '\\|');
const ids = (xs: readonly number[]) => (xs.length === 0 ? '—' : xs.join(', '));

/** The arrow a step draws: who acts on whom, and a short label. */
function mermaidLine(s: Step): string {
  const id = stepServerId(s);
  const target = id !== undefined ? `S${id}` : 'E';
  const label: Record<Step['kind'], string> = {
    'start-initial': 'start (first configuration)',
    'await-quorum': 'wait for leader and quorum',
    'start-member': 'start (was down)',
    'start-joiner': 'start as joiner',
    'stop-joiner': 'stop stray joiner',
    'await-synced': 'wait until synced',
    'reconfig-add': `reconfig add ${id} → voters ${s.after.voters.join(',')}`,
    'reconfig-role': `reconfig ${id} → ${s.kind === 'reconfig-role' ? s.role : ''}`,
    'drain-clients': 'drain clients',
    'reconfig-remove': `reconfig remove ${id} → voters ${s.after.voters.join(',')}`,
    'barrier-write': 'barrier write committed',
    'stop-server': 'stop',
    'restart-server': `restart (${s.kind === 'restart-server' ? s.reason : ''})`,
    'rewrite-config': `rewrite lists → voters ${s.after.voters.join(',')}`,
    backup: 'backup, checked',
    bake: `bake ${Math.round((s.kind === 'bake' ? s.holdMs : 0) / 1000)} s, healthy`,
  };
  const onEnsemble = s.kind === 'reconfig-add' || s.kind === 'reconfig-remove' || s.kind === 'reconfig-role' || s.kind === 'barrier-write' || s.kind === 'rewrite-config' || s.kind === 'await-quorum' || s.kind === 'bake' || s.kind === 'backup';
  return `  R->>${onEnsemble ? 'E' : target}: ${s.index}. ${label[s.kind].replace(/[;#]/g, ' ')}`;
}

export function renderMarkdown(result: PlanResult): string {
  if (!result.ok) {
    return [
      '### ZooKeeper rollout: refused', '',
      `**${cell(result.refusal.reason)}**`, '',
      ...result.refusal.details.map((d) => `- ${d}`), '',
    ].join('\n');
  }
  const p = result.plan;
  const out = [
    `### ZooKeeper rollout: \`${p.ensemble}\` (${p.strategy})`, '',
    p.fromVersion === null
      ? `Bootstrap to ${formatView(p.to)}, ${p.steps.length} steps.`
      : `From ${formatView(p.from)} (config version \`${p.fromVersion}\`, leader ${p.leaderId}) to ${formatView(p.to)}: ${p.steps.length} steps.`,
    '',
  ];
  if (p.steps.length === 0) return [...out, 'Nothing to do: the live ensemble already matches.', ''].join('\n');
  out.push('| # | step | voters after | observers after | quorum | failures tolerated |', '|---:|---|---|---|---:|---:|');
  for (const s of p.steps) {
    out.push(`| ${s.index} | ${cell(s.summary)} | ${ids(s.after.voters)} | ${ids(s.after.observers)} | ${s.quorumAfter} | ${s.toleratesAfter} |`);
  }
  out.push('');
  for (const n of p.notes) out.push(`> ${n}`, '');
  out.push(...mermaidBlock(p), '');
  return out.join('\n');
}

/** The plan as a Mermaid sequence diagram, fenced. */
export function mermaidBlock(p: Plan): string[] {
  const servers = [...new Set(p.steps.flatMap((s) => { const id = stepServerId(s); return id === undefined ? [] : [id]; }))].sort((a, b) => a - b);
  return [
    '```mermaid', 'sequenceDiagram', '  participant R as zk-rollout', '  participant E as ensemble',
    ...servers.map((id) => `  participant S${id} as server ${id}`),
    ...p.steps.map(mermaidLine),
    '```',
  ];
}
