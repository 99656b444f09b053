/**
 * The pull-request comment, for the typical rollouts: compared with the golden files in test/golden
 * (UPDATE_GOLDEN=1 rewrites them), parsed by a real Markdown parser (markdown-it: every table row as
 * wide as its header, the marker first, the details collapsed), and every Mermaid block parsed by
 * Mermaid's own parser, so a broken diagram fails here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { renderReviewJson, renderReviewMarkdown, reviewMarker } from '../../lib/planner/render/review-markdown';
import { repoRoot } from '../support/repo-root';

const REPO_ROOT = repoRoot();
import { facts, reviewOf, SCENARIOS } from '../support/review-fixtures';
import { ensemble, healthy } from '../support/fixtures';

const md = new MarkdownIt({ html: true });
type Token = ReturnType<typeof md.parse>[number];

function mermaidResults(diagrams: readonly string[]): { ok: boolean; type?: string; error?: string }[] {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'test', 'support', 'mermaid-check.mjs')], { input: JSON.stringify(diagrams), encoding: 'utf8', cwd: REPO_ROOT, timeout: 60000 });
  if (r.status !== 0) throw new Error(`mermaid-check failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { ok: boolean; type?: string; error?: string }[];
}

/** Every table's rows, as cell counts: the header's first. */
function tableShapes(tokens: readonly Token[]): number[][] {
  const tables: number[][] = [];
  let rows: number[] | null = null;
  let cells = 0;
  for (const t of tokens) {
    if (t.type === 'table_open') rows = [];
    else if (t.type === 'tr_open') cells = 0;
    else if (t.type === 'th_open' || t.type === 'td_open') cells++;
    else if (t.type === 'tr_close') rows?.push(cells);
    else if (t.type === 'table_close' && rows) { tables.push(rows); rows = null; }
  }
  return tables;
}

describe.each(Object.keys(SCENARIOS))('the review comment of a %s', (name) => {
  const review = SCENARIOS[name]();
  const text = renderReviewMarkdown([review], 'stack prod');
  const tokens = md.parse(text, {});

  test('matches its golden file', () => {
    const golden = join(REPO_ROOT, 'test', 'golden', `review-${name}.md`);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
    if (!existsSync(golden)) throw new Error(`no golden file ${golden}: run UPDATE_GOLDEN=1 npx jest test/unit/review-markdown.test.ts, then read what it wrote`);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  test('starts with the marker, then the verdict as its heading', () => {
    expect(tokens[0]).toMatchObject({ type: 'html_block', content: `${reviewMarker('stack prod')}\n` });
    const heading = tokens.findIndex((t) => t.type === 'heading_open');
    expect(tokens[heading].tag).toBe('h3');
    expect(tokens[heading + 1].content).toBe(`ZooKeeper rollout \`test\`: ${review.verdict}`);
  });

  test('has tables whose every row is as wide as the header', () => {
    const tables = tableShapes(tokens);
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const rows of tables) expect(new Set(rows)).toEqual(new Set([rows[0]]));
  });

  test('collapses the details, and Mermaid\'s parser accepts its diagram', () => {
    const html = md.render(text);
    expect(html).toContain('<details>');
    const diagrams = tokens.filter((t) => t.type === 'fence' && t.info === 'mermaid').map((t) => t.content);
    expect(diagrams).toHaveLength(1);
    expect(mermaidResults(diagrams)).toEqual([{ ok: true, type: 'sequence' }]);
  });

  test('warns in a banner where the leader goes', () => {
    const caution = text.includes('> [!CAUTION]');
    expect(caution).toBe(review.banners.some((b) => b.kind === 'leader'));
  });
});

describe('the Mermaid check itself', () => {
  test('GIVEN a broken diagram THEN Mermaid\'s parser refuses it', () => {
    const [good, bad] = mermaidResults(['sequenceDiagram\n  participant R as zk-rollout\n  R->>R: 1. fine', 'sequenceDiagram\n  R->>: no target']);
    expect(good.ok).toBe(true);
    expect(bad).toMatchObject({ ok: false, error: expect.stringMatching(/Parse error/) });
  });
});

describe('a stack of several ensembles', () => {
  test('GIVEN two ensembles THEN a summary table comes first, one row each, then a section each, under one marker', () => {
    const a = SCENARIOS.migration();
    const b = { ...reviewOf(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3]), facts([1, 2, 3])), ensemble: 'other' };
    const text = renderReviewMarkdown([a, b], 'stack prod');
    expect(text.match(/<!-- zk-rollout-review: /g)).toHaveLength(1);
    const summary = tableShapes(md.parse(text, {}))[0];
    expect(summary).toEqual([5, 5, 5]);
    expect(text).toMatch(/\| `test` \| 3 add, 3 remove, leader hand-off \| ✅ pass \| \d+ \|/);
    expect(text).toMatch(/\| `other` \| no change \| ✅ pass \| 0 \|/);
    expect(text.indexOf('### ZooKeeper rollout `test`')).toBeLessThan(text.indexOf('### ZooKeeper rollout `other`'));
  });

  test('GIVEN a failing preflight THEN an IMPORTANT banner names the failed checks', () => {
    const failing = facts([1, 2, 3], {}, [{ check: 'lock', status: 'fail', message: '/zk-rollout/locks/test is held by process 7 on ci-1' }]);
    const text = renderReviewMarkdown([reviewOf(healthy([1, 2, 3], [], 3), ensemble([1, 2, 3, 4]), failing)], 'ensemble test');
    expect(text).toContain('**preflight FAILED**');
    expect(text).toContain('> [!IMPORTANT]\n> The preflight failed: do not deploy until these pass.\n> - lock: /zk-rollout/locks/test is held by process 7 on ci-1');
  });

  test('the JSON has the same facts, one object per ensemble', () => {
    const one = JSON.parse(renderReviewJson([SCENARIOS.migration()], 'stack prod')) as { ok: boolean; review: { verdict: string; pin: { actions: string[] }; impact: { elections: number } } };
    expect(one.ok).toBe(true);
    expect(one.review.verdict).toBe('3 add, 3 remove, leader hand-off');
    expect(one.review.impact.elections).toBe(1);
    expect(one.review.pin.actions).toContain('reconfig: remove server 3');
  });
});
