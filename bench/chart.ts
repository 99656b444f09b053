/**
 * Benchmark charts: acknowledged writes over time, one row per way on a shared time axis, drawn as a
 * Vega-Lite spec compiled by `vega-lite` and rendered to standalone SVG by `vega` (headless, no canvas).
 * Everything up to the spec is pure; only `renderChart` touches the libraries.
 */
import { pathToFileURL } from 'node:url';
import { constants as vmConstants, Script } from 'node:vm';
import type * as VegaModule from 'vega';
// vega-lite declares its types only through "exports", which this CommonJS build's resolution does not read.
import type * as VegaLiteModule from 'vega-lite/build/index';
import type { TopLevelSpec } from 'vega-lite/build/index';
import type { Axis } from 'vega-lite/build/axis';
import type { Field } from 'vega-lite/build/channeldef';
import type { LayerSpec, NonNormalizedSpec } from 'vega-lite/build/spec/index';

type Layer = LayerSpec<Field>['layer'][number];

export interface Series {
  /** e.g. 'zk-rollout apply', 'minimal reconfig script'. */
  readonly way: string;
  /** Seconds from the start of the change, one per acknowledged write. */
  readonly acks: readonly number[];
  /** Step starts, seconds from the start of the change, with the step's label. */
  readonly marks: readonly { readonly at: number; readonly label: string }[];
  /** A new leader seen, seconds from the start of the change. */
  readonly elections: readonly { readonly at: number; readonly leader: number }[];
  /** The end of the change (the writer keeps running about 2 s after). */
  readonly durationS: number;
  /** When the writer stopped: the time axis runs to here. */
  readonly endS?: number;
}

/** Width of each row's plotting area, px; with the y axis the chart is about 900 px wide. */
const PLOT_W = 830;
const PLOT_H = 120;
const BIN_S = 0.1;
const LABEL_MAX = 60;
const LEGEND_COLUMNS = 2;
const LEGEND_LINE = 13;
const LANE_H = 16;
const MAX_LANES = 8;
const FONT = 'Helvetica Neue, Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif';
const COLOURS = { acks: '#4c78a8', gap: '#f58518', step: '#555555', election: '#d62728' };

/** A step label cut to `LABEL_MAX` characters, with an ellipsis when cut. */
export function truncateLabel(label: string, max = LABEL_MAX): string {
  const flat = label.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/**
 * The longest stretch without an acknowledgement, as the writer counts it: between two consecutive
 * ones, and from the last one to `stopS` (the writer's stop) when given. Null with nothing to measure.
 */
export function longestGap(acks: readonly number[], stopS?: number): { readonly from: number; readonly to: number; readonly ms: number } | null {
  const sorted = [...acks].filter(Number.isFinite).sort((a, b) => a - b);
  if (stopS !== undefined && sorted.length > 0 && stopS > sorted[sorted.length - 1]) sorted.push(stopS);
  let best: { from: number; to: number; ms: number } | null = null;
  for (let k = 1; k < sorted.length; k++) {
    const ms = Math.round((sorted[k] - sorted[k - 1]) * 1000);
    if (best === null || ms > best.ms) best = { from: sorted[k - 1], to: sorted[k], ms };
  }
  return best;
}

/** Acknowledgements per `BIN_S` from 0 to `endS`, zeros included, so that a stretch without any is a visible hole. */
function bins(acks: readonly number[], endS: number): { t: number; n: number }[] {
  const count = Math.max(1, Math.ceil(endS / BIN_S - 1e-9));
  const n = new Array<number>(count).fill(0);
  for (const t of acks) if (t >= 0 && t <= endS) n[Math.min(count - 1, Math.floor(t / BIN_S))]++;
  const out = n.map((c, k) => ({ t: Math.round(k * BIN_S * 1e6) / 1e6, n: c }));
  out.push({ t: endS, n: n[count - 1] }); // closes the last step
  return out;
}

/** Helvetica/Arial advance widths (1/1000 em) of printable ASCII, from space to '~'. */
const ADVANCE = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
  278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,
  611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
  556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/**
 * Text width for vega's layout without a canvas: its own fallback counts 0.8 em a character, which
 * makes every text's bounds (and so the SVG) far wider than drawn. The sans-serif faces named in FONT
 * are close to these widths; a wider fallback face (DejaVu Sans) still fits the legend's columns.
 */
function textWidth(item: { fontSize?: number; fontWeight?: string | number; text?: unknown }, text?: unknown): number {
  const value = String(text ?? item.text ?? '');
  const size = typeof item.fontSize === 'number' ? item.fontSize : 11;
  const bold = item.fontWeight === 'bold' || (typeof item.fontWeight === 'number' && item.fontWeight >= 600) ? 1.08 : 1;
  let units = 0;
  for (const ch of value) units += ADVANCE[ch.charCodeAt(0) - 32] ?? 1000;
  return (units / 1000) * size * bold;
}

/** An annotation above the plot, in pixels: a step's numbered circle, or a text with or without a thin rule down to the plot at `at`. */
interface Placed {
  readonly at: number;
  /** Where it may go, in order of preference (a line's label: right of the line, else left of it). */
  readonly options: readonly { readonly left: number; readonly right: number }[];
  readonly circle: boolean;
  readonly connector: boolean;
}

/**
 * Places annotations in lanes above the plot, lowest first, so that no two overlap and no connector
 * crosses a text (a connector may pass behind a step's circle, which is drawn over it).
 * Past `MAX_LANES` a note goes to the top lane even if it overlaps there.
 */
function lanes(items: readonly Placed[]): { lane: number; option: number }[] {
  type Box = { left: number; right: number };
  const boxes: (Box & { circle: boolean })[][] = Array.from({ length: MAX_LANES }, () => []);
  const rules: Box[][] = Array.from({ length: MAX_LANES }, () => []);
  const apart = (a: Box, b: Box) => a.right <= b.left || a.left >= b.right;
  const fits = (n: Placed, box: Box, lane: number) => {
    if (!boxes[lane].every((b) => apart(box, b))) return false;
    if (!n.circle && !rules[lane].every((r) => apart(box, r))) return false;
    const rule = { left: n.at - 1, right: n.at + 1 };
    for (let below = 0; n.connector && below < lane; below++) if (!boxes[below].every((b) => b.circle || apart(rule, b))) return false;
    return true;
  };
  return items.map((n) => {
    let place = { lane: MAX_LANES - 1, option: 0 };
    search: for (let lane = 0; lane < MAX_LANES; lane++) {
      for (let option = 0; option < n.options.length; option++) {
        if (fits(n, n.options[option], lane)) { place = { lane, option }; break search; }
      }
    }
    boxes[place.lane].push({ ...n.options[place.option], circle: n.circle });
    for (let below = 0; n.connector && below < place.lane; below++) rules[below].push({ left: n.at - 1, right: n.at + 1 });
    return place;
  });
}

function axisEnd(series: readonly Series[]): number {
  const ends = series.flatMap((s) => [s.endS ?? s.durationS, s.durationS]);
  return Math.max(1, ...ends.filter(Number.isFinite));
}

/** One way's block: numbered step markers and leader labels, the plot, then the numbered list of steps. */
function row(s: Series, xMax: number, yMax: number, last: boolean): NonNormalizedSpec {
  const clamp = (t: number) => Math.min(xMax, Math.max(0, t));
  const px = (t: number) => (clamp(t) / xMax) * PLOT_W;
  const x = (field: string, axis: Axis | null = null) => ({ field, type: 'quantitative' as const, scale: { domain: [0, xMax], nice: false, zero: false }, axis });

  const end = clamp(s.endS ?? xMax);
  const done = clamp(s.durationS);
  const gap = longestGap(s.acks, s.endS);
  const shownGap = gap !== null && gap.to > 0 && gap.from < end ? { from: clamp(gap.from), to: Math.min(end, clamp(gap.to)), ms: gap.ms } : null;

  // Annotations above the plot, in lanes so that none overlaps another: step numbers in circles, a new
  // leader (joined to its red line by a thin rule) and the longest gap's length.
  type Note = { at: number; kind: 'step' | 'election' | 'gap'; text: string; options: { left: number; right: number }[] };
  /** A text's placements: centred on `at`, or beside the line at `at` (right, else left); `left`/`right` pad the text by 2 px. */
  const label = (at: number, kind: Note['kind'], text: string, fontSize: number, bold: boolean, centre = false): Note => {
    const w = textWidth({ fontSize, fontWeight: bold ? 'bold' : 'normal' }, text);
    const within = (left: number) => Math.min(PLOT_W - w, Math.max(0, left));
    const lefts = centre ? [px(at) - w / 2] : [px(at) + 3, px(at) - 3 - w];
    return { at: clamp(at), kind, text, options: lefts.map(within).map((left) => ({ left: left - 2, right: left + w + 2 })) };
  };
  const connects = (n: Note) => n.kind === 'election';
  const notes: Note[] = [
    ...s.marks.map((m, k): Note => ({ at: clamp(m.at), kind: 'step', text: String(k + 1), options: [{ left: px(m.at) - 9, right: px(m.at) + 9 }] })),
    ...s.elections.map((e) => label(e.at, 'election', `leader ${e.leader}`, 10, true)),
    ...(shownGap ? [label((shownGap.from + shownGap.to) / 2, 'gap', `longest gap ${shownGap.ms} ms`, 10, true, true)] : []),
  ].sort((a, b) => Number(!connects(a)) - Number(!connects(b)) || a.options[0].left - b.options[0].left); // the lines' labels first
  const places = lanes(notes.map((n) => ({ at: px(n.at), options: n.options, circle: n.kind === 'step', connector: connects(n) })));
  const laneCount = Math.max(1, ...places.map((p) => p.lane + 1));
  const stripH = laneCount * LANE_H;
  const noteData = notes.map((n, k) => ({
    at: n.at, kind: n.kind, text: n.text, py: stripH - (places[k].lane + 0.5) * LANE_H,
    tx: ((n.options[places[k].option].left + 2) / PLOT_W) * xMax, // where a text starts
  }));
  const only = (...kinds: Note['kind'][]) => [{ filter: { field: 'kind', oneOf: kinds } }];
  const text = { field: 'text' } as const;
  const strip: NonNormalizedSpec = {
    width: PLOT_W, height: stripH, view: { stroke: null },
    data: { values: noteData },
    encoding: { x: x('at'), y: { field: 'py', type: 'quantitative', scale: null } },
    layer: [
      { transform: only('election'), mark: { type: 'rule', stroke: COLOURS.election, strokeWidth: 1, opacity: 0.6 }, encoding: { y2: { value: stripH } } },
      { transform: only('step'), mark: { type: 'point', shape: 'circle', size: 190, filled: true, fill: 'white', stroke: COLOURS.step, strokeWidth: 1, opacity: 1 } },
      { transform: only('step'), mark: { type: 'text', fontSize: 9, fontWeight: 'bold', fill: COLOURS.step, baseline: 'middle', align: 'center' }, encoding: { text } },
      { transform: only('election'), mark: { type: 'text', fontSize: 10, fontWeight: 'bold', fill: COLOURS.election, baseline: 'middle', align: 'left' }, encoding: { x: x('tx'), text } },
      { transform: only('gap'), mark: { type: 'text', fontSize: 10, fontWeight: 'bold', fill: '#b35806', baseline: 'middle', align: 'left' }, encoding: { x: x('tx'), text } },
    ],
  };

  // The plot: the longest gap shaded under the writes (it is where there are none), the writes per
  // 100 ms as a step area (zero is a hole), the time after 'done' washed out, then the lines on top.
  const layers: Layer[] = [];
  const span = (from: number, to: number) => ({ data: { values: [{ from, to }] }, encoding: { x: x('from'), x2: { field: 'to' } } });
  if (shownGap) layers.push({ ...span(shownGap.from, shownGap.to), mark: { type: 'rect', fill: COLOURS.gap, opacity: 0.3 } });
  layers.push({
    data: { values: bins(s.acks, end) },
    mark: { type: 'area', interpolate: 'step-after', fill: COLOURS.acks, opacity: 0.9, clip: true },
    encoding: {
      x: x('t', { title: last ? 'seconds from the start of the change' : null, grid: true, gridOpacity: 0.5, tickMinStep: 1 }),
      y: { field: 'n', type: 'quantitative', scale: { domain: [0, yMax], nice: true }, axis: { title: 'acks / 100 ms', tickCount: 3, tickMinStep: 1, format: 'd', grid: true, gridOpacity: 0.5 } },
    },
  });
  if (done < end) layers.push({ ...span(done, end), mark: { type: 'rect', fill: 'white', opacity: 0.55 } });
  if (end < xMax) layers.push({ ...span(end, xMax), mark: { type: 'rect', fill: '#f0f0f0', opacity: 1 } }); // the writer had stopped
  if (done < end) {
    layers.push({ data: { values: [{ at: done }] }, mark: { type: 'rule', stroke: '#555555', strokeWidth: 1 }, encoding: { x: x('at') } });
    // In the headroom above the writes (the y scale runs 15% past the most in 100 ms).
    layers.push({ data: { values: [{ at: done }] }, mark: { type: 'text', text: 'done', fontSize: 10, fontStyle: 'italic', fill: '#333333', align: 'left', baseline: 'top', dx: 3, y: 2 }, encoding: { x: x('at') } });
  }
  if (s.marks.length > 0) layers.push({ data: { values: s.marks.map((m) => ({ at: clamp(m.at) })) }, mark: { type: 'rule', stroke: '#333333', strokeWidth: 0.8, strokeDash: [3, 2], opacity: 0.7 }, encoding: { x: x('at') } });
  if (s.elections.length > 0) layers.push({ data: { values: s.elections.map((e) => ({ at: clamp(e.at) })) }, mark: { type: 'rule', stroke: COLOURS.election, strokeWidth: 1.5 }, encoding: { x: x('at') } });
  const plot: NonNormalizedSpec = { width: PLOT_W, height: PLOT_H, layer: layers };

  // The steps' labels, numbered as the markers, in columns below the plot.
  const perColumn = Math.ceil(s.marks.length / LEGEND_COLUMNS);
  const columnW = PLOT_W / LEGEND_COLUMNS;
  const legendData = s.marks.map((m, k) => ({
    n: `${k + 1}`, label: truncateLabel(m.label),
    nx: Math.floor(k / perColumn) * columnW + 18, lx: Math.floor(k / perColumn) * columnW + 24, py: (k % perColumn) * LEGEND_LINE + LEGEND_LINE / 2,
  }));
  const legend: NonNormalizedSpec = {
    width: PLOT_W, height: Math.max(1, perColumn) * LEGEND_LINE, view: { stroke: null },
    data: { values: legendData.length > 0 ? legendData : [{ n: '', label: 'no steps recorded', nx: 18, lx: 24, py: LEGEND_LINE / 2 }] },
    encoding: { y: { field: 'py', type: 'quantitative', scale: null } },
    layer: [
      { mark: { type: 'text', fontSize: 10, fontWeight: 'bold', fill: COLOURS.step, align: 'right', baseline: 'middle' }, encoding: { x: { field: 'nx', type: 'quantitative', scale: null }, text: { field: 'n' } } },
      { mark: { type: 'text', fontSize: 10, fill: '#222', align: 'left', baseline: 'middle' }, encoding: { x: { field: 'lx', type: 'quantitative', scale: null }, text: { field: 'label' } } },
    ],
  };

  const subtitle = `${s.acks.length} writes acknowledged; ${s.marks.length} steps; ${s.elections.length === 0 ? 'no new leader' : `${s.elections.length} new leader${s.elections.length === 1 ? '' : 's'}`}; done at ${s.durationS.toFixed(1)} s`;
  return {
    title: { text: s.way, subtitle, anchor: 'start', fontSize: 13, subtitleFontSize: 10, subtitleColor: '#555', offset: 4 },
    vconcat: [strip, plot, legend], spacing: 4,
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/** The Vega-Lite spec of the chart (pure). */
export function chartSpec(title: string, series: readonly Series[]): TopLevelSpec {
  const xMax = axisEnd(series);
  const yMax = Math.ceil(1.15 * Math.max(1, ...series.flatMap((s) => bins(s.acks, xMax).map((b) => b.n))));
  const rows: NonNormalizedSpec[] = series.length > 0 ? series.map((s, k) => row(s, xMax, yMax, k === series.length - 1))
    : [{ width: PLOT_W, height: 20, view: { stroke: null }, data: { values: [{}] }, mark: { type: 'text', text: 'no runs recorded', align: 'left', x: 0, y: 10 } }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle: ['blue: writes acknowledged per 100 ms (a hole is a stretch with none); orange: the longest stretch without one; red: a new leader;', 'dashed lines: step starts, numbered as in the list below each row; washed out: after the change was done, the writer still running; grey: the writer had stopped'], anchor: 'start', fontSize: 15, subtitleFontSize: 10, subtitleColor: '#555', offset: 14 },
    background: 'white',
    padding: 10,
    vconcat: rows,
    spacing: 22,
    resolve: { scale: { x: 'independent', y: 'independent' } },
    config: {
      font: FONT,
      view: { stroke: '#ccc' },
      axis: { labelFontSize: 10, titleFontSize: 10, titleFontWeight: 'normal', titleColor: '#444', labelColor: '#444' },
      title: { subtitleFont: FONT },
    },
  };
}

/** `import()` kept as a real import in this CommonJS build (TypeScript would make it a require): vega and vega-lite are ES modules only. */
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

/**
 * The same import() compiled by Node's vm with the main context's loader, for code running inside a vm
 * sandbox without one (jest, unless run with --experimental-vm-modules); Node 20.12 and later.
 */
const sandboxImport = (specifier: string): Promise<unknown> =>
  (new Script('(specifier) => import(specifier)', { importModuleDynamically: vmConstants.USE_MAIN_CONTEXT_DEFAULT_LOADER }).runInThisContext() as (s: string) => Promise<unknown>)(specifier);

async function load<T>(name: string): Promise<T> {
  const url = pathToFileURL(require.resolve(name)).href;
  try {
    return (await nativeImport(url)) as T;
  } catch (e) {
    if (!String((e as { code?: unknown }).code).startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING')) throw e;
    return (await sandboxImport(url)) as T;
  }
}

/** The chart as standalone SVG text. */
export async function renderChart(title: string, series: readonly Series[]): Promise<string> {
  const [vega, vl] = await Promise.all([load<typeof VegaModule>('vega'), load<typeof VegaLiteModule>('vega-lite')]);
  // vega's hook for text measurement (untyped; vl-convert sets it the same way).
  const metrics = (vega as unknown as { textMetrics?: { width: typeof textWidth } }).textMetrics;
  if (metrics) metrics.width = textWidth;
  const view = new vega.View(vega.parse(vl.compile(chartSpec(title, series)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
