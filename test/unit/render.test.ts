import { plan } from '../../lib/planner/plan';
import { renderJson, renderMarkdown, renderText } from '../../lib/planner/render';
import { ensemble, healthy, withDown } from '../support/fixtures';

const migration = () => plan(healthy([1, 2, 3], [], 3), ensemble([4, 5, 6]));

describe('plan rendering', () => {
  test('text: one numbered line a step, with voters, quorum and tolerance', () => {
    const text = renderText(migration());
    const stepLines = text.split('\n').filter((l) => /^\s+\d+\. /.test(l));
    expect(stepLines).toHaveLength(21);
    expect(stepLines[0]).toMatch(/^\s+1\. start server 4 as a joining observer with \{1,2,3,4o\}\s+\[voters \{1,2,3\}; quorum 2, tolerates 1\]$/);
    expect(stepLines[8]).toMatch(/ 9\. reconfig: add server 6 as participant\s+\[voters \{1,2,3,4,5,6\}; quorum 4, tolerates 2\]/);
    expect(text).toMatch(/leader 3/);
  });

  test('text: a refusal says REFUSED with the reason and details', () => {
    const text = renderText(plan(withDown(healthy([1, 2, 3]), 1, 2), ensemble([1, 2, 3])));
    expect(text).toMatch(/^REFUSED: no quorum: 1 of 3 voters/);
    expect(text).toMatch(/\n {2}- voters up and synced: \{3\}/);
  });

  test('json: the plan as data, parseable and complete', () => {
    const data = JSON.parse(renderJson(migration()));
    expect(data.ok).toBe(true);
    expect(data.plan.steps).toHaveLength(21);
    expect(data.plan.steps[4]).toMatchObject({ index: 5, kind: 'reconfig-add', serverId: 4, quorumAfter: 3, toleratesAfter: 1 });
  });

  test('markdown: a table row per step and a Mermaid sequence diagram', () => {
    const md = renderMarkdown(migration());
    expect(md).toMatch(/^### ZooKeeper rollout: `test` \(dynamic\)/);
    expect(md).toMatch(/\| # \| step \| voters after \| observers after \| quorum \| failures tolerated \|/);
    const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(21);
    expect(rows[10]).toBe('| 11 | reconfig: remove server 1 | 2, 3, 4, 5, 6 | — | 3 | 2 |');
    const mermaid = md.slice(md.indexOf('```mermaid'), md.lastIndexOf('```'));
    expect(mermaid).toMatch(/sequenceDiagram/);
    expect(mermaid).toMatch(/participant S4 as server 4/);
    expect(mermaid).toMatch(/R->>E: 11\. reconfig remove 1 → voters 2,3,4,5,6/);
    expect(mermaid.split('\n').filter((l) => l.includes('R->>'))).toHaveLength(21);
  });

  test('markdown: an empty plan and a refusal', () => {
    expect(renderMarkdown(plan(healthy([1, 2, 3]), ensemble([1, 2, 3])))).toMatch(/Nothing to do/);
    expect(renderMarkdown(plan(withDown(healthy([1, 2, 3]), 1, 2), ensemble([1, 2, 3])))).toMatch(/### ZooKeeper rollout: refused\n\n\*\*no quorum/);
  });
});
