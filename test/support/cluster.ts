/** Real ZooKeeper ensembles on loopback for integration tests; every process is stopped by pid. */
import { RolloutEvent } from '../../lib/runtime/events';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHostDriver } from '../../lib/hosts/local';
import { Ensemble, Server, ServerSpec } from '../../lib/model/types';
import { parseEnsembleSpec } from '../../lib/model/validate';
import { AdminAuth } from '../../lib/runtime/credentials';
import { Executor, ExecutorOptions, RolloutSummary } from '../../lib/runtime/executor';
import { Step } from '../../lib/planner/types';
import { TestCa } from './tls-certs';

export const AUTH: AdminAuth = { mode: 'digest', user: 'super', password: 'integration-secret' };

/** Short ticks keep elections and syncs fast; the rules do not depend on them. */
export const FAST_SETTINGS = { tickTime: 200, initLimit: 20, syncLimit: 10, jvmHeapMb: 128 };

/** The tests' port layout on 127.0.0.1: client base+id, quorum base+100+id, election base+200+id. */
export function serverAt(portBase: number, id: number, role: 'participant' | 'observer' = 'participant'): ServerSpec {
  return { id, host: '127.0.0.1', clientPort: portBase + id, quorumPort: portBase + 100 + id, electionPort: portBase + 200 + id, role };
}

export class TestCluster {
  readonly baseDir = mkdtempSync(join(tmpdir(), 'zk-it-'));
  readonly driver: LocalHostDriver;
  readonly lines: string[] = [];
  /** Every event of every rollout this cluster ran (typed; see lib/runtime/events.ts). */
  readonly events: RolloutEvent[] = [];
  private readonly used = new Map<number, Server>();

  /**
   * `portBase` + 1..299: keep it below 32768, Linux's ephemeral range, or an outgoing connection's
   * local port can take a server's port just before it binds.
   */
  constructor(readonly name: string, private readonly portBase: number, readonly strategy: 'dynamic' | 'static' = 'dynamic') {
    if (portBase + 300 > 32768) throw new Error(`test port base ${portBase} reaches into the ephemeral port range`);
    this.driver = new LocalHostDriver({ baseDir: this.baseDir, ensemble: name });
  }

  server(id: number, role: 'participant' | 'observer' = 'participant'): ServerSpec {
    return serverAt(this.portBase, id, role);
  }

  ensemble(voters: number[], observers: number[] = [], settings: object = {}): Ensemble {
    const e = parseEnsembleSpec({
      name: this.name, strategy: this.strategy, standalone: voters.length === 1,
      servers: [...voters.map((v) => this.server(v)), ...observers.map((o) => this.server(o, 'observer'))],
      settings: { ...FAST_SETTINGS, ...settings },
    });
    for (const s of e.servers) this.used.set(s.id, s);
    return e;
  }

  /** Server `id`'s TLS client port in the tests' layout: base+300+id. */
  securePort(id: number): number {
    return this.portBase + 300 + id;
  }

  /** Like ensemble(), with `tls` from this CA: every server's keystore is made by it (once) and named in the spec. */
  tlsEnsemble(voters: number[], tls: { quorum?: boolean; client?: boolean; ca: TestCa; keyStore?: (id: number) => string }, settings: object = {}): Ensemble {
    const { ca, keyStore, ...on } = tls;
    const e = parseEnsembleSpec({
      name: this.name, strategy: this.strategy,
      servers: voters.map((v) => ({
        ...this.server(v), keyStore: keyStore?.(v) ?? ca.keyStore(v, '127.0.0.1', `${ca.dir}/server-${v}.p12`), ...(on.client ? { secureClientPort: this.securePort(v) } : {}),
      })),
      settings: { ...FAST_SETTINGS, ...settings },
      tls: { ...on, trustStore: ca.trustStore, trustStorePasswordFile: ca.trustStorePasswordFile, keyStorePasswordFile: ca.keyStorePasswordFile },
    });
    for (const s of e.servers) this.used.set(s.id, s);
    return e;
  }

  executor(desired: Ensemble, extra: Partial<ExecutorOptions> = {}): Executor {
    return new Executor({
      desired, driver: this.driver, auth: AUTH,
      timeouts: { syncMs: 60000, quorumMs: 60000, drainMs: 1000, stopMs: 10000 },
      bakeMs: 2000,
      // Kept in the base dir too, so a failed run can be read afterwards.
      log: (l) => { this.lines.push(l); appendFileSync(join(this.baseDir, 'rollout.log'), `${new Date().toISOString()} ${l}\n`); },
      // What tests check: the events, not the log's wording.
      onEvent: (e) => { this.events.push(e); },
      ...extra,
    });
  }

  apply(desired: Ensemble, beforeStep?: (step: Step, done: number) => Promise<void> | void): Promise<RolloutSummary> {
    return this.executor(desired, beforeStep ? { beforeStep } : {}).run();
  }

  connectString(ids: number[]): string {
    return ids.map((id) => `127.0.0.1:${this.portBase + id}`).join(',');
  }

  async running(): Promise<number[]> {
    const out: number[] = [];
    for (const s of this.used.values()) if (await this.driver.isRunning(s)) out.push(s.id);
    return out.sort((a, b) => a - b);
  }

  /** Stops exactly the servers this cluster started, by pid. */
  async stopAll(): Promise<void> {
    for (const s of this.used.values()) await this.driver.stop(s, 5000);
  }
}
