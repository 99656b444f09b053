/**
 * The writer of test/support/writer.ts on ZooKeeper's own Java client (the one Kafka, HBase and Solr
 * use) instead of the native C client: bench/java/ZkWriter.java, compiled once per process into a
 * cache folder under the system's temporary folder, run as a child process that reports each
 * acknowledged create on its stdout. The client gets the whole connect string, servers not up yet included.
 */
import { ChildProcessByStdio } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable, Writable } from 'node:stream';
import { spawnClean } from '../../lib/hosts/clean-spawn';
import { zookeeperClasspath } from '../../lib/hosts/zookeeper-install';
import { longestGap } from './gaps';
import { repoRoot } from './repo-root';
import { spawnClean as spawnNoStdin } from './spawn-clean';
import type { WriterReport } from './writer';

const SESSION_TIMEOUT_MS = 20000;
const READY_TIMEOUT_MS = 30000;
/** Stopping waits for the create in flight, which a lost connection ends within the session timeout. */
const STOP_TIMEOUT_MS = SESSION_TIMEOUT_MS + 10000;
const MAIN_CLASS = 'ZkWriter';
/** -implicit:none: a source file in a jar on the classpath (findbugs-annotations has some) is read, not compiled into the cache. */
const JAVAC_OPTIONS = ['--release', '17', '-nowarn', '-implicit:none'];

/** For an Apache tarball's logback (whose default is DEBUG on the console): warnings only, on stderr. */
const LOGBACK_XML = `<configuration>
  <appender name="err" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target><encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="err"/></root>
</configuration>
`;

const jvmOptions = (classDir: string) => [
  '-Xmx64m',
  '-XX:+UseSerialGC',
  // Debian's classpath has slf4j-simple (stderr by default): warnings only.
  '-Dorg.slf4j.simpleLogger.logFile=System.err',
  '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
  `-Dlogback.configurationFile=${join(classDir, 'logback.xml')}`,
];

let compiled: { key: string; dir: Promise<string> } | null = null;

/** The folder holding ZkWriter.class for this source and classpath, compiled at most once per process. */
function compiledWriter(classpath: string): Promise<string> {
  const source = join(repoRoot(__dirname), 'bench', 'java', `${MAIN_CLASS}.java`);
  const key = createHash('sha256').update(readFileSync(source)).update('\0').update(classpath).update('\0').update(JAVAC_OPTIONS.join(' ')).digest('hex').slice(0, 16);
  if (compiled?.key !== key) {
    const dir = compile(source, classpath, join(tmpdir(), `cdktf-zookeeper-zkwriter-${key}`));
    dir.catch(() => { if (compiled?.dir === dir) compiled = null; });
    compiled = { key, dir };
  }
  return compiled.dir;
}

/** Ours (not a folder another user put there) and complete. */
function usable(dir: string): boolean {
  if (!existsSync(join(dir, `${MAIN_CLASS}.class`)) || !existsSync(join(dir, 'logback.xml'))) return false;
  const st = statSync(dir);
  return st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid());
}

async function compile(source: string, classpath: string, dir: string): Promise<string> {
  if (usable(dir)) return dir;
  // Compiled into a fresh folder then renamed into place, so that a concurrent process never sees half a compile.
  const work = mkdtempSync(`${dir}.tmp-`);
  try {
    const javac = spawnNoStdin('javac', [...JAVAC_OPTIONS, '-cp', classpath, '-d', work, source]);
    let output = '';
    javac.stdout.setEncoding('utf8').on('data', (d: string) => { output += d; });
    javac.stderr.setEncoding('utf8').on('data', (d: string) => { output += d; });
    const code = await new Promise<number | null>((resolve, reject) => { javac.once('error', reject); javac.once('close', resolve); });
    if (code !== 0) throw new Error(`javac ${source} failed (exit ${code}):\n${output.slice(-4000)}`);
    writeFileSync(join(work, 'logback.xml'), LOGBACK_XML);
    try {
      renameSync(work, dir);
    } catch (e) {
      if (!usable(dir)) throw new Error(`cannot use ${dir} for the compiled writer: ${(e as Error).message}`);
      return dir; // another process compiled it first
    }
    return dir;
  } finally {
    if (existsSync(work)) rmSync(work, { recursive: true, force: true });
  }
}

interface Exit { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly error?: Error }

export class JavaWriter {
  private child: ChildProcessByStdio<Writable, Readable, Readable> | null = null;
  private exited: Promise<Exit> | null = null;
  private exit: Exit | null = null;
  private readonly acked: string[] = [];
  private readonly ackTimes: number[] = [];
  private failed = 0;
  private expired = 0;
  private started = 0;
  private done = false;
  private stderrTail = '';

  readonly root: string;

  constructor(private readonly connect: string, private readonly pauseMs = 15) {
    // Not the native writer's root: both start in the same millisecond.
    this.root = `/java-writer-${Date.now()}`;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('the Java writer is already started');
    const classpath = zookeeperClasspath();
    const classDir = await compiledWriter(classpath);
    const child = spawnClean('java', [...jvmOptions(classDir), '-cp', `${classDir}:${classpath}`, MAIN_CLASS, this.connect, this.root, String(this.pauseMs), String(SESSION_TIMEOUT_MS)]);
    this.child = child;
    child.stdin.on('error', () => { /* EPIPE: the JVM is gone, its exit says why */ });
    child.stderr.setEncoding('utf8').on('data', (d: string) => this.keepStderr(d));
    this.exited = new Promise<Exit>((resolve) => {
      child.once('error', (error) => { this.exit ??= { code: null, signal: null, error }; resolve(this.exit); });
      child.once('close', (code, signal) => { this.exit ??= { code, signal }; resolve(this.exit); });
    });

    let onReady!: () => void;
    const ready = new Promise<void>((resolve) => { onReady = resolve; });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [word, name, at] = line.split(' ');
      if (word === 'ack' && name !== undefined && at !== undefined) {
        this.acked.push(name);
        this.ackTimes.push(Number(at));
      } else if (word === 'fail') this.failed++;
      else if (word === 'ready') { this.started = Date.now(); onReady(); }
      else if (word === 'expired') this.expired++;
      else if (word === 'done') this.done = true;
      else this.keepStderr(`(unexpected stdout) ${line}\n`);
    });

    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      ready.then(() => 'ready' as const),
      this.exited.then(() => 'exited' as const),
      new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (outcome === 'ready') return;
    if (outcome === 'timeout') {
      child.kill('SIGKILL'); // by its pid: the child this writer started
      await this.exited;
    }
    const why = outcome === 'timeout' ? `not ready within ${READY_TIMEOUT_MS} ms` : `exited before ready (${describe(this.exit!)})`;
    throw new Error(`Java writer on ${this.connect}: ${why}; stderr:\n${this.stderrTail}`);
  }

  /** The runbook's client switch is the native Writer's only. */
  async switchTo(_connect: string): Promise<void> {
    throw new Error('JavaWriter.switchTo is not supported (the manual runbook uses the native Writer)');
  }

  /** Stops writing (a `stop` line, then stdin closed) and waits for the JVM to finish the create in flight and exit. */
  async stop(): Promise<WriterReport> {
    const child = this.child;
    if (!child || !this.exited) throw new Error('the Java writer was not started');
    const stopMs = Date.now();
    if (!this.exit && child.stdin.writable) child.stdin.end('stop\n');
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), STOP_TIMEOUT_MS); }),
    ]);
    clearTimeout(timer);
    if (!inTime) {
      child.kill('SIGKILL');
      await this.exited;
      throw new Error(`Java writer on ${this.connect}: did not stop within ${STOP_TIMEOUT_MS} ms (killed); stderr:\n${this.stderrTail}`);
    }
    const exit = this.exit!;
    if (!this.done || exit.code !== 0) {
      throw new Error(`Java writer on ${this.connect}: ${this.done ? '' : 'ended without stopping: '}${describe(exit)} after ${this.acked.length} acknowledged writes; stderr:\n${this.stderrTail}`);
    }
    return {
      acknowledged: [...this.acked],
      ackTimes: [...this.ackTimes],
      failed: this.failed,
      sessionsExpired: this.expired,
      longestGapMs: longestGap(this.started, this.ackTimes, stopMs),
      durationMs: Date.now() - this.started,
    };
  }

  private keepStderr(text: string): void {
    this.stderrTail = (this.stderrTail + text).slice(-4000);
  }
}

function describe(exit: Exit): string {
  if (exit.error) return `could not start: ${exit.error.message}`;
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}
