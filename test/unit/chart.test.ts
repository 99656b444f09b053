/**
 * The benchmark's chart: a Vega-Lite spec rendered to standalone SVG by vega, one row per way, steps
 * numbered above the plot and listed (truncated) below it, elections and the longest gap marked.
 */
import { longestGap, renderChart, Series, truncateLabel } from '../../bench/chart';

/** A write acknowledged every 15 ms from `from` to `to` seconds, except inside `holes`. */
function acks(from: number, to: number, holes: readonly [number, number][] = []): number[] {
  const out: number[] = [];
  for (let t = from; t <= to; t += 0.015) if (!holes.some(([a, b]) => t > a && t < b)) out.push(Math.round(t * 1000) / 1000);
  return out;
}

const LONG = 'reconfig: add server 4 as a participant, then wait until every voter reports the new configuration';
const project: Series = {
  way: 'zk-rollout apply',
  acks: acks(-1, 12, [[4.2, 5.05], [8, 8.3]]),
  marks: [
    { at: 0.1, label: 'start server 4 (joiner, observer of the committed config)' },
    { at: 0.15, label: 'wait for server 4 to sync' },
    { at: 2.5, label: LONG },
    { at: 4.1, label: 'remove server 1 (the leader, last)' },
  ],
  elections: [{ at: 4.9, leader: 5 }],
  durationS: 10,
  endS: 12,
};
const minimal: Series = {
  way: 'minimal reconfig script',
  acks: acks(-1, 9, [[1.0, 3.25]]),
  marks: [
    { at: 0, label: 'start server 4 (joiner, observer of the committed config)' },
    { at: 1.0, label: 'remove server 1 (the leader, last)' },
  ],
  elections: [{ at: 3.1, leader: 4 }],
  durationS: 7,
  endS: 9,
};

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('benchmark chart', () => {
  let svg: string;
  beforeAll(async () => {
    svg = await renderChart('migration: writes acknowledged over time, by way', [project, minimal]);
  });

  test('is standalone SVG', () => {
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/^<svg[^>]* xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toMatch(/font-family="[^"]*sans-serif"/);
    expect(Number(/^<svg[^>]* width="(\d+)"/.exec(svg)?.[1])).toBeGreaterThan(850);
    expect(Number(/^<svg[^>]* width="(\d+)"/.exec(svg)?.[1])).toBeLessThan(960);
  });

  test('names each way', () => {
    for (const s of [project, minimal]) expect(svg).toContain(`>${s.way}<`);
  });

  test('lists each step label once per row, truncated to 60 characters', () => {
    expect(truncateLabel(LONG)).toHaveLength(60);
    expect(truncateLabel(LONG).endsWith('…')).toBe(true);
    const labels = new Set([project, minimal].flatMap((s) => s.marks.map((m) => m.label)));
    for (const label of labels) {
      const rows = [project, minimal].filter((s) => s.marks.some((m) => m.label === label)).length;
      expect([label, count(svg, `>${escaped(truncateLabel(label))}<`)]).toEqual([label, rows]);
    }
    expect(svg).not.toContain(LONG);
  });

  test('numbers the step markers and labels the elections', () => {
    expect(svg).toContain('>leader 5<');
    expect(svg).toContain('>leader 4<');
    // A numbered circle a step, in each row (the markers' numbers are the 9 px bold texts).
    const markers = [...svg.matchAll(/<text [^>]*font-size="9px" font-weight="bold"[^>]*>(\d+)<\/text>/g)].map((m) => m[1]);
    expect(markers.sort()).toEqual(['1', '1', '2', '2', '3', '4']);
    expect(count(svg, '>leader 5<')).toBe(1);
  });

  test('marks the longest stretch without an acknowledgement with its length', () => {
    const gap = longestGap(minimal.acks);
    expect(gap?.ms).toBeGreaterThanOrEqual(2250);
    expect(gap?.ms).toBeLessThan(2280);
    expect(svg).toContain(`>longest gap ${longestGap(minimal.acks, minimal.endS)?.ms} ms<`);
    expect(svg).toContain(`>longest gap ${longestGap(project.acks, project.endS)?.ms} ms<`);
    expect(svg).toContain('>done<');
  });

  test('counts the silence after the last acknowledgement until the writer stopped, as the writers do', () => {
    expect(longestGap([0, 0.1, 0.2], 3)).toEqual({ from: 0.2, to: 3, ms: 2800 });
    expect(longestGap([0, 0.1, 2.1], 2.2)).toEqual({ from: 0.1, to: 2.1, ms: 2000 });
    expect(longestGap([0, 0.1])).toEqual({ from: 0, to: 0.1, ms: 100 });
  });

  test('renders a way without any acknowledged write, and no ways at all', async () => {
    const empty = await renderChart('nothing acknowledged', [{ way: 'manual runbook', acks: [], marks: [], elections: [], durationS: 3 }]);
    expect(empty).toMatch(/^<svg/);
    expect(empty).toContain('>manual runbook<');
    expect(empty).not.toMatch(/>longest gap \d+ ms</);
    await expect(renderChart('no runs', [])).resolves.toMatch(/^<svg/);
  });
});
