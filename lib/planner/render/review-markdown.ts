/**
 * The pull-request comment: a verdict first, warnings as banners, then preflight, servers, steps with
 * their impact, the rollback; the details collapsed. A stable marker lets CI edit one comment in place.
 */
import { Review, ServerRow, preflightStatus, CheckStatus } from '../review/types';
import { Plan } from '../types';
import { toleratesNow } from '../review/verdict';
import { mermaidBlock } from './markdown';
import { formatView } from './text';

/** The first line of every review: CI finds its earlier comment by it and edits that one. */
export const reviewMarker = (scope: string) => `<!-- zk-rollout-review: ${scope} -->`;

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const ids = (xs: readonly number[]) => (xs.length === 0 ? '—' : xs.join(', '));
const seconds = (ms: number) => (ms < 10000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000).toString());
const ICON: Record<CheckStatus, string> = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail' };
const STATUS_WORD: Record<CheckStatus, string> = { pass: 'passed', warn: 'passed with warnings', fail: 'FAILED' };

function bytes(n: number | undefined): string {
  if (n === undefined) return '—';
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

const role = (r: ServerRow['roleBefore']) => (r === null ? '—' : r === 'participant' ? 'voter' : 'observer');

function headline(r: Review): string[] {
  const status = preflightStatus(r.preflight);
  const facts = [
    status === null ? 'preflight not run (no live ensemble)' : `**preflight ${STATUS_WORD[status]}**`,
    ...(r.plan.ok ? [`${r.plan.plan.steps.length} steps`] : []),
    ...(r.impact ? [`about ${seconds(r.impact.estimateMs)} s`, `${r.impact.elections} election${r.impact.elections === 1 ? '' : 's'}`,
      r.impact.reconnects === null ? 'client reconnects unknown' : `${r.impact.reconnects} client reconnect${r.impact.reconnects === 1 ? '' : 's'}`] : []),
  ];
  const from = r.pin && r.pin.configVersion !== null
    ? `Planned from ${r.source}: config version \`${r.pin.configVersion}\`${r.pin.zxid ? `, zxid \`${r.pin.zxid}\`` : ''}, leader ${r.pin.leaderId ?? 'none'}, at ${r.pin.computedAt}.`
    : `Planned from ${r.source}.`;
  return [`### ZooKeeper rollout \`${r.ensemble}\`: ${r.verdict}`, '', facts.join(' · '), '', from, ''];
}

function banners(r: Review): string[] {
  const out: string[] = [];
  const leader = r.banners.filter((b) => b.kind === 'leader');
  const other = r.banners.filter((b) => b.kind !== 'leader');
  if (leader.length > 0) out.push('> [!CAUTION]', ...leader.map((b) => `> - ${b.message}`), '');
  if (other.length > 0) out.push('> [!WARNING]', ...other.map((b) => `> - ${b.message}`), '');
  const failed = (r.preflight ?? []).filter((l) => l.status === 'fail');
  if (failed.length > 0) out.push('> [!IMPORTANT]', '> The preflight failed: do not deploy until these pass.', ...failed.map((l) => `> - ${l.check}: ${l.message}`), '');
  return out;
}

function preflight(r: Review): string[] {
  if (r.preflight === null) return [];
  return ['#### Preflight', '', '| result | check | detail |', '|---|---|---|', ...r.preflight.map((l) => `| ${ICON[l.status]} | ${l.check} | ${cell(l.message)} |`), ''];
}

function servers(r: Review): string[] {
  const mark = (c: ServerRow['change']) => (c === 'unchanged' ? 'unchanged' : `**${c}**`);
  const lag = (s: ServerRow) => (s.facts === undefined ? '—' : s.facts.behind === null || s.facts.behind === undefined ? 'unknown' : s.facts.behind);
  return ['#### Servers', '', '| server | address | role now → after | leader | lag (txns) | data | clients | change |', '|---:|---|---|:---:|---:|---:|---:|---|',
    ...r.servers.map((s) => `| ${s.id} | ${cell(s.address)} | ${role(s.roleBefore)} → ${role(s.roleAfter)} | ${s.leader ? '★' : ''} | ${lag(s)} | ${bytes(s.facts?.dataBytes)} | ${s.facts?.clients ?? '—'} | ${mark(s.change)} |`), ''];
}

function steps(r: Review, p: Plan): string[] {
  if (p.steps.length === 0) return ['Nothing to do: the live ensemble already matches.', ''];
  const impact = new Map((r.impact?.steps ?? []).map((x) => [x.step, x]));
  const what = (n: number) => {
    const i = impact.get(n);
    if (!i) return '';
    const unknown = i.election ? 'every client reconnects' : 'its clients reconnect';
    return [i.election ? 'leader election' : '', i.reconnect ? `${i.reconnect} client${i.reconnect === 1 ? '' : 's'} reconnect` : i.reconnect === null ? unknown : ''].filter(Boolean).join('; ');
  };
  return [`#### Steps${r.impact ? ` (about ${seconds(r.impact.estimateMs)} s, estimated from measured step costs)` : ''}`, '',
    '| # | step | voters after | observers after | tolerates | impact | about (s) |', '|---:|---|---|---|---:|---|---:|',
    ...p.steps.map((s) => `| ${s.index} | ${cell(s.summary)} | ${ids(s.after.voters)} | ${ids(s.after.observers)} | ${toleratesNow(s)} | ${what(s.index)} | ${seconds(impact.get(s.index)?.estimateMs ?? 0)} |`),
    '', ...p.notes.map((n) => `> ${n}\n`)];
}

function rollback(r: Review): string[] {
  if (!r.rollback) return [];
  const back = r.rollback.plan;
  if (!back.ok) return ['#### Rollback', '', `\`${r.rollback.command}\` would be refused: ${back.refusal.reason}.`, ''];
  return ['#### Rollback', '', `To undo it, \`${r.rollback.command}\` would run ${back.plan.steps.length} steps, from ${formatView(back.plan.from)} back to ${formatView(back.plan.to)}.`, '',
    details('The rollback\'s steps', back.plan.steps.map((s) => `${s.index}. ${s.summary}`))];
}

function details(summary: string, body: readonly string[]): string {
  return ['<details>', `<summary>${summary}</summary>`, '', ...body, '', '</details>', ''].join('\n');
}

function section(r: Review): string[] {
  const out = [...headline(r), ...banners(r)];
  if (!r.plan.ok) {
    out.push(`**Refused: ${cell(r.plan.refusal.reason)}**`, '', ...r.plan.refusal.details.map((d) => `- ${d}`), '', ...preflight(r), ...servers(r));
    return out;
  }
  const p = r.plan.plan;
  out.push(...preflight(r), ...servers(r), ...steps(r, p), ...rollback(r));
  if (r.configBefore.length > 0 || r.configAfter.length > 0) {
    const title = p.strategy === 'dynamic' ? 'Dynamic configuration before and after' : 'Server list before and after (every zoo.cfg)';
    out.push(details(title, ['```text', ...(r.configBefore.length > 0 ? ['# before', ...r.configBefore] : ['# before: nothing runs']), '# after', ...r.configAfter, '```']));
  }
  if (r.reconfigOps.length > 0) out.push(details(`The reconfig operations (${r.reconfigOps.length}; each conditional on the configuration version before it, zkCli's -v)`, ['```text', ...r.reconfigOps, '```']));
  if (p.steps.length > 0) out.push(details('Sequence diagram', mermaidBlock(p)));
  return out;
}

/** One comment for one ensemble, or for every ensemble of a stack (summarised at the top). */
export function renderReviewMarkdown(reviews: readonly Review[], scope: string): string {
  const out = [reviewMarker(scope), ''];
  if (reviews.length > 1) {
    out.push(`## ZooKeeper rollouts in ${scope}`, '', '| ensemble | change | preflight | steps | about (s) |', '|---|---|---|---:|---:|',
      ...reviews.map((r) => {
        const status = preflightStatus(r.preflight);
        return `| \`${r.ensemble}\` | ${cell(r.verdict)} | ${status === null ? 'not run' : ICON[status]} | ${r.plan.ok ? r.plan.plan.steps.length : '—'} | ${r.impact ? seconds(r.impact.estimateMs) : '—'} |`;
      }), '');
  }
  for (const r of reviews) out.push(...section(r));
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** The same facts for machines: one object per ensemble. */
export function renderReviewJson(reviews: readonly Review[], scope: string): string {
  const one = (r: Review) => ({ ...r.plan, review: { ...r, plan: undefined } });
  return JSON.stringify(reviews.length === 1 ? { scope, ...one(reviews[0]) } : { scope, ensembles: reviews.map(one) }, null, 2) + '\n';
}
