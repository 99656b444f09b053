/**
 * The fault matrix as data: four scenarios, six faults, and the points where a fault is injected
 * (before each step, and during each wait). Pure: the points come from the planner's own plan for
 * the scenario, so the matrix follows the planner when it changes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ensemble } from '../../lib/model/types';
import { parseEnsembleSpec } from '../../lib/model/validate';
import { plan } from '../../lib/planner/plan';
import { isGuardKind } from '../../lib/planner/annotate';
import { snapshotFromEnsemble } from '../../lib/planner/snapshot';
import { Step, stepServerId } from '../../lib/planner/types';
import { FAST_SETTINGS, serverAt } from '../support/cluster';
import { repoRoot } from '../support/repo-root';

export const SCENARIOS = ['migration', 'scale-up', 'scale-down', 'rolling-restart'] as const;
export type ScenarioName = typeof SCENARIOS[number];

export const FAULTS = ['kill-follower', 'kill-leader', 'kill-joiner', 'kill-handler', 'never-syncs', 'port-taken'] as const;
export type FaultKind = typeof FAULTS[number];

export const FAULT_TEXT: Record<FaultKind, string> = {
  'kill-follower': 'kill -9 of a follower',
  'kill-leader': 'kill -9 of the leader',
  'kill-joiner': 'kill -9 of the joining (or restarting) server',
  'kill-handler': 'kill -9 of the handler (zk-rollout apply)',
  'never-syncs': 'a server that never syncs (SIGSTOP of the next server the rollout waits on)',
  'port-taken': 'the client port of the next server to start is taken by another process',
};


/** How long the rollout holds between growth and the first removal in the matrix. */
export const MATRIX_BAKE_SECONDS = 2;

export interface ScenarioDef {
  readonly name: ScenarioName;
  readonly start: readonly number[];
  readonly desired: readonly number[];
  /** Settings added to the desired spec (a rolling restart changes one). */
  readonly desiredExtra?: Readonly<Record<string, string>>;
  readonly text: string;
}

export const SCENARIO_DEFS: Record<ScenarioName, ScenarioDef> = {
  migration: { name: 'migration', start: [1, 2, 3], desired: [4, 5, 6], text: 'voters {1,2,3} -> {4,5,6}' },
  'scale-up': { name: 'scale-up', start: [1, 2, 3], desired: [1, 2, 3, 4, 5], text: 'voters {1,2,3} -> {1,2,3,4,5}' },
  // A fresh five elects 5: the scale-down removes the leader (last) and one follower.
  'scale-down': { name: 'scale-down', start: [1, 2, 3, 4, 5], desired: [1, 2, 3], text: 'voters {1,2,3,4,5} -> {1,2,3} (the leader leaves)' },
  'rolling-restart': { name: 'rolling-restart', start: [1, 2, 3], desired: [1, 2, 3], desiredExtra: { maxClientCnxns: '100' }, text: 'voters {1,2,3}, a settings change (maxClientCnxns)' },
};

export function scenarioEnsembles(s: ScenarioDef, name: string, portBase: number): { start: Ensemble; desired: Ensemble } {
  const make = (ids: readonly number[], extra?: Readonly<Record<string, string>>) => parseEnsembleSpec({
    name, servers: ids.map((id) => serverAt(portBase, id)), settings: { ...FAST_SETTINGS, ...(extra ? { extra } : {}) },
  });
  return { start: make(s.start), desired: make(s.desired, s.desiredExtra) };
}

/** One step of a recorded fault-free run. */
export interface ReferenceStep { readonly kind: Step['kind']; readonly serverId?: number; readonly summary: string }

export const referenceStep = (s: Step): ReferenceStep => ({ kind: s.kind, ...(stepServerId(s) !== undefined ? { serverId: stepServerId(s) } : {}), summary: s.summary });

/** Where the fault-free runs' steps are kept (see reference.ts); the source tree's copy, also from dist/. */
export const REFERENCE_FILE = join(repoRoot(), 'test', 'reliability', 'results', 'reference-steps.json');

/**
 * The steps a fault-free run of the scenario takes, as recorded by reference.ts; without a
 * recording, the planner's one-shot plan from the start ensemble with its highest id leading.
 */
export function scenarioSteps(s: ScenarioDef): ReferenceStep[] {
  if (existsSync(REFERENCE_FILE)) {
    const recorded = (JSON.parse(readFileSync(REFERENCE_FILE, 'utf8')) as Record<string, ReferenceStep[]>)[s.name];
    if (recorded) return recorded;
  }
  return plannedSteps(s);
}

export function plannedSteps(s: ScenarioDef): ReferenceStep[] {
  const { start, desired } = scenarioEnsembles(s, 'plan', 30000);
  const result = plan(snapshotFromEnsemble(start), desired, { bakeMs: MATRIX_BAKE_SECONDS * 1000 });
  if (!result.ok) throw new Error(`scenario ${s.name}: the planner refused: ${result.refusal.reason}`);
  return result.plan.steps.map(referenceStep);
}

/** Steps that only wait: a fault can land while one runs. Barriers take milliseconds and are left out. */
const isWait = (kind: Step['kind']) => isGuardKind(kind) && kind !== 'barrier-write';
const STARTS = new Set<Step['kind']>(['start-joiner', 'start-member', 'start-initial', 'restart-server']);

export interface Point {
  /** 1-based step number, as the handler counts them. */
  readonly step: number;
  readonly when: 'before' | 'during';
}

export function pointsOf(steps: readonly ReferenceStep[]): Point[] {
  return steps.flatMap((st, i) => [{ step: i + 1, when: 'before' as const }, ...(isWait(st.kind) ? [{ step: i + 1, when: 'during' as const }] : [])]);
}

export const pointText = (p: Point) => `${p.when} step ${p.step}`;

/**
 * Who a fault is aimed at, decided from the plan: the server the rollout is joining (or restarting)
 * at this point, the next one it waits on to sync, or the next one it starts. Null: not applicable.
 * Followers and the leader are found live when the fault lands.
 */
export function planTarget(steps: readonly ReferenceStep[], fault: FaultKind, p: Point): { serverId: number; restartedFirst: boolean } | null {
  const at = p.step - 1; // index of the step the point is at
  // Steps still ahead of the fault: from this one on before it, after it once it runs.
  const ahead = p.when === 'before' ? at : at + 1;
  if (fault === 'kill-joiner') {
    // The last server started (or restarted) by this point, while its promotion (or its sync, after
    // a restart) is still ahead or running.
    for (let i = ahead - 1; i >= 0; i--) {
      const st = steps[i];
      if (!STARTS.has(st.kind) || st.serverId === undefined) continue;
      const finishing = steps.findIndex((x, j) => j > i && x.serverId === st.serverId && (x.kind === 'reconfig-add' || (st.kind === 'restart-server' && x.kind === 'await-synced')));
      return finishing >= at ? { serverId: st.serverId, restartedFirst: false } : null;
    }
    return null;
  }
  if (fault === 'never-syncs') {
    const first = p.when === 'during' && steps[at].kind === 'await-synced' ? at : ahead;
    const i = steps.findIndex((x, j) => j >= first && x.kind === 'await-synced');
    if (i < 0) return null;
    const id = steps[i].serverId!;
    // A (re)start of that server still ahead of the wait: the fault must hit the new process.
    const restartedFirst = steps.some((x, j) => j >= ahead && j < i && x.serverId === id && STARTS.has(x.kind));
    return { serverId: id, restartedFirst };
  }
  if (fault === 'port-taken') {
    const i = steps.findIndex((x, j) => j >= ahead && STARTS.has(x.kind));
    return i < 0 ? null : { serverId: steps[i].serverId!, restartedFirst: steps[i].kind === 'restart-server' };
  }
  return { serverId: 0, restartedFirst: false };
}

export interface CellSpec {
  readonly scenario: ScenarioName;
  readonly fault: FaultKind;
  readonly point: Point;
}

export const cellId = (c: CellSpec) => `${c.scenario}/${c.fault}/${c.point.when}-${c.point.step}`;

/** Every cell of the matrix, in a stable order; `applicable` false where the fault has no target there. */
export function allCells(): { cell: CellSpec; applicable: boolean; stepSummary: string }[] {
  return SCENARIOS.flatMap((scenario) => {
    const steps = scenarioSteps(SCENARIO_DEFS[scenario]);
    return FAULTS.flatMap((fault) => pointsOf(steps).map((point) => ({
      cell: { scenario, fault, point },
      applicable: planTarget(steps, fault, point) !== null,
      stepSummary: steps[point.step - 1].summary,
    })));
  });
}
