/** SVG charts (pure): acknowledged writes over time, one panel per way, with the steps marked. */
export interface Series {
  readonly way: string;
  /** Seconds from the start of the change, one entry per acknowledged write. */
  readonly acks: readonly number[];
  /** Seconds from the start, with a label. */
  readonly marks: readonly { readonly at: number; readonly label: string }[];
  readonly durationS: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderChart(title: string, series: readonly Series[]): string {
  const width = 900;
  const panel = 170;
  const left = 60;
  const plotW = width - left - 20;
  const height = 40 + series.length * panel;
  const maxT = Math.max(1, ...series.map((s) => s.durationS));
  const x = (t: number) => left + (t / maxT) * plotW;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`, `<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`];
  series.forEach((s, i) => {
    const top = 40 + i * panel;
    const plotH = panel - 50;
    // Writes acknowledged per 250 ms bucket: a gap shows as a drop to zero.
    const bucket = 0.25;
    const counts = new Array(Math.ceil(maxT / bucket) + 1).fill(0);
    for (const t of s.acks) if (t >= 0 && t <= maxT) counts[Math.floor(t / bucket)]++;
    const maxC = Math.max(1, ...counts);
    const y = (c: number) => top + 20 + plotH - (c / maxC) * plotH;
    parts.push(`<text x="${left}" y="${top + 12}" font-weight="bold">${esc(s.way)} (${s.acks.length} acknowledged)</text>`);
    parts.push(`<line x1="${left}" y1="${top + 20 + plotH}" x2="${left + plotW}" y2="${top + 20 + plotH}" stroke="#999"/>`);
    parts.push(`<text x="${left - 5}" y="${top + 24}" text-anchor="end">${maxC}</text><text x="${left - 5}" y="${top + 20 + plotH}" text-anchor="end">0</text>`);
    parts.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${counts.map((c, k) => `${x(k * bucket).toFixed(1)},${y(c).toFixed(1)}`).join(' ')}"/>`);
    s.marks.forEach((m, k) => {
      parts.push(`<line x1="${x(m.at).toFixed(1)}" y1="${top + 20}" x2="${x(m.at).toFixed(1)}" y2="${top + 20 + plotH}" stroke="#d62728" stroke-dasharray="2,2" stroke-width="0.8"/>`);
      if (k % 2 === 0 || s.marks.length < 12) parts.push(`<text x="${(x(m.at) + 2).toFixed(1)}" y="${top + 30 + (k % 4) * 10}" fill="#d62728" font-size="8">${esc(m.label.slice(0, 28))}</text>`);
    });
    parts.push(`<text x="${left + plotW}" y="${top + 20 + plotH + 14}" text-anchor="end">${maxT.toFixed(0)} s</text>`);
  });
  parts.push(`<text x="${left}" y="${height - 5}" fill="#555">writes acknowledged per 250 ms; dashed lines: steps</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
