/** A joiner's start ends when its JVM answers, so joiners boot one after another (stand-in host and probe). */
import { Server } from '../../lib/model/types';
import { DEFAULT_TIMEOUTS } from '../../lib/model/defaults';
import { ServerProbe } from '../../lib/runtime/observe';
import { StepContext } from '../../lib/runtime/steps';
import { waitPause } from '../../lib/runtime/steps/context';
import { runStart } from '../../lib/runtime/steps/process-steps';
import { StepOf } from '../../lib/planner/types';
import { ensemble, healthy } from '../support/fixtures';

type Booting = { started: boolean; answersAfter: number; probes: number; exitsAfter?: number; taken?: string[] };

/** A start of joiner 4 whose server answers after `answersAfter` probes (never: Infinity), or exits after `exitsAfter` looks. */
async function startJoiner(boot: Booting): Promise<{ probes: number; ms: number }> {
  const desired = ensemble([1, 2, 3, 4]);
  const s = desired.servers.find((x) => x.id === 4)!;
  let looks = 0;
  const driver = {
    checkCanStart: async () => undefined,
    isRunning: async () => boot.started && (boot.exitsAfter === undefined || looks++ < boot.exitsAfter),
    stop: async () => undefined,
    paths: () => ({ dataDir: '/d', dynamicCfg: '/d/zoo.cfg.dynamic', zooCfg: '/d/zoo.cfg', log: '/d/log' }),
    readZooCfg: async () => undefined,
    writeFiles: async () => undefined,
    start: async () => { boot.started = true; },
    logErrors: async () => 'ERROR [main] bad',
    takenPorts: async () => boot.taken ?? [],
  };
  const ctx = {
    desired, driver, auth: { mode: 'skip-acl' }, t: DEFAULT_TIMEOUTS, stores: new Map(),
    probe: async (server: Server): Promise<ServerProbe> => {
      boot.probes++;
      return boot.probes > boot.answersAfter ? { server, reachable: true, mode: 'observer' } : { server, reachable: false, error: 'ECONNREFUSED' };
    },
    emit: () => undefined,
  } as unknown as StepContext;
  const step = { kind: 'start-joiner', serverId: 4, server: s, config: [...desired.servers.slice(0, 3), { ...s, role: 'observer' }] } as unknown as StepOf<'start-joiner'>;
  const began = Date.now();
  await runStart(ctx, step, healthy([1, 2, 3]));
  return { probes: boot.probes, ms: Date.now() - began };
}

describe('a joiner\'s start', () => {
  test('GIVEN a JVM that answers on its third look THEN the start ends then, not at the spawn', async () => {
    const r = await startJoiner({ started: false, answersAfter: 2, probes: 0 });
    expect(r.probes).toBe(3);
    // It paused between its looks as every step wait does (waitPause: 25 ms, then 50).
    expect(r.ms).toBeGreaterThanOrEqual(waitPause(1) + waitPause(2) - 5);
  });

  test('GIVEN a JVM that exits before it answers THEN the start fails, naming its log, after the looks it answered none of', async () => {
    const boot = { started: false, answersAfter: Infinity, probes: 0, exitsAfter: 3 };
    await expect(startJoiner(boot)).rejects.toThrow(/server 4 stopped while waiting for it to answer on its client port \(see \/d\/log\).*\nthe last error lines of its log:\nERROR \[main\] bad/s);
    expect(boot.probes).toBe(3);
  });

  test('GIVEN a JVM that exits while another process holds its port THEN the start fails naming the port, not the log', async () => {
    const boot = { started: false, answersAfter: Infinity, probes: 0, exitsAfter: 1, taken: ['election port 3888'] };
    await expect(startJoiner(boot)).rejects.toThrow('server 4 stopped while waiting for it to answer on its client port: election port 3888 is taken by another process; free the port');
  });
});
