/**
 * `npm run bench` — the engine against the emulator with injected latency (issue 3, "Benchmark").
 *
 * For 1, 50, 200 and 1,000 copies (the sizes of issue 13's goals) of manifests/todolist-daemon.yaml (stacks
 * todolist-daemon-1..N, one manifest each, outputs to distinct files) on a fresh emulator with 100 ms added to every request: wall time,
 * HTTP requests (Graph and login separately, from the emulator's request log) and round trips on the
 * critical path (bench/rounds.ts: Graph timed on the client at GraphTransport.send, sign-in from the log)
 * for a cold apply, a no-op plan and a no-op apply.
 *
 *   npm run bench                 # sizes 1 50 200 1000, 100 ms latency (about a minute)
 *   npm run bench -- 1 10         # other sizes
 *   BENCH_LATENCY_MS=50 npm run bench
 *   npm run bench -- --json       # machine-readable rows
 *   npm run bench -- --profile    # also write bench-<size>-<phase>.cpuprofile (open in Chrome DevTools)
 *   npm run bench -- --no-cli     # skip the CLI process rows (they need `npm run build`)
 *   npm run bench -- --no-quotas  # Graph's quotas off for every phase: the tool's own cost
 *   npm run bench -- --tenant-size=S  # Graph's quotas for a tenant under 50 users (default L: over 500)
 *
 * The emulator runs in a worker thread (bench/emulator-worker.ts), as Graph runs elsewhere, and enforces Graph's
 * quotas (src/emulator/quotas.ts): the RU column is what each phase cost, the 429s column what that cost; `graph span`
 * is the phase's first Graph request to its last answer, `RU floor` the least Graph time the RU quota allows it given
 * what the bucket held when it began (bench/floor.ts) — a tool that paces itself well has a span near that floor.
 *
 * Each phase gets a fresh credential (a new CLI process would), so token acquisition is counted.
 * Not a test: nothing here fails the build, but the targets are checked and printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ClientSecretCredential } from '@azure/identity';
import type { RequestLogEntry, TenantSize } from '../src/emulator/index.js';
import { apply, plan, type CommonOptions } from '../src/index.js';
import { quotaFloors } from './floor.js';
import { phaseStats, recordGraphRequests, type PhaseStats } from './rounds.js';

const EXAMPLE = resolve('manifests/todolist-daemon.yaml');

interface Row extends PhaseStats {
  stacks: number;
  phase: 'cold apply' | 'no-op plan' | 'no-op apply';
  wallMs: number;
  changes: number;
  /** Graph's quotas were off for this phase (a cold apply of more writes than Graph allows one app in minutes). */
  quotasOff?: boolean;
  /** First Graph request to last answer, on the client (ms). */
  graphSpanMs: number;
  /** The least Graph time the resource unit quota allows this phase (bench/floor.ts), in ms. */
  floorMs?: number;
}

/** Graph writes of one cold apply of the example stack (the bench's own figure for 1 stack). */
const WRITES_PER_STACK = 9;

/** N copies of the example stack, one manifest each. */
function writeManifests(dir: string, n: number): string[] {
  const text = readFileSync(EXAMPLE, 'utf8');
  return Array.from({ length: n }, (_, i) => {
    const name = `todolist-daemon-${i + 1}`;
    const file = join(dir, `${name}.yaml`);
    const copy = text.replace(/^stack: todolist-daemon$/m, `stack: ${name}`).replace('path: out/todolist-daemon.env', `path: out/${name}.env`);
    if (copy === text) throw new Error('bench: the example manifest no longer has the expected stack/output lines');
    writeFileSync(file, copy);
    return file;
  });
}

/** The emulator in its worker (bench/emulator-worker.ts): what the bench needs of it, asked by message. */
interface BenchEmulator {
  graphUrl: string;
  authorityHost: string;
  tenantId: string;
  adminClientId: string;
  adminClientSecret: string;
  ca: string;
  mark(): Promise<number>;
  since(mark: number): Promise<RequestLogEntry[]>;
  /** Turn Graph's quotas off (seeding a fleet bigger than Graph lets one app write in minutes) or on. */
  quotas(enforce: boolean): Promise<void>;
  close(): Promise<void>;
}

async function startEmulatorWorker(latencyMs: number, tenantSize: TenantSize): Promise<BenchEmulator> {
  const worker = new Worker(new URL('./emulator-worker.mjs', import.meta.url), { workerData: { latencyMs, tenantSize } });
  const pending = new Map<number, (v: unknown) => void>();
  let next = 0;
  const ready = new Promise<Omit<BenchEmulator, 'mark' | 'since' | 'quotas' | 'close'>>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: { ready?: Omit<BenchEmulator, 'mark' | 'since' | 'quotas' | 'close'>; id?: number; value?: unknown }) => {
      if (m.ready) resolve(m.ready);
      else pending.get(m.id!)?.(m.value);
    });
  });
  const ask = <T>(msg: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = next++;
      pending.set(id, resolve as (v: unknown) => void);
      worker.postMessage({ id, ...msg });
    });
  const info = await ready;
  return {
    ...info,
    mark: () => ask<number>({ op: 'mark' }),
    since: (mark) => ask<RequestLogEntry[]>({ op: 'since', mark }),
    quotas: (enforce) => ask<void>({ op: 'quotas', enforce }),
    close: async () => {
      await ask({ op: 'close' });
      await worker.terminate();
    },
  };
}

function options(emu: BenchEmulator, cwd: string, manifests: string[]): CommonOptions {
  return {
    manifests,
    tenant: emu.tenantId,
    graphUrl: emu.graphUrl,
    authorityHost: emu.authorityHost,
    credential: new ClientSecretCredential(emu.tenantId, emu.adminClientId, emu.adminClientSecret, {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.ca },
    }),
    ca: emu.ca,
    cwd,
    env: {},
    timeoutMs: 120_000,
  };
}

/** Each phase's request log, for the quota floors (bench/floor.ts). */
const phaseLogs = new Map<Row, RequestLogEntry[]>();

async function measure(emu: BenchEmulator, stacks: number, phase: Row['phase'], run: () => Promise<number>): Promise<Row> {
  const mark = await emu.mark();
  const recorder = recordGraphRequests();
  const session = profile ? await startProfile() : undefined;
  const t0 = performance.now();
  try {
    const changes = await run();
    const wallMs = Math.round(performance.now() - t0);
    const log = await emu.since(mark);
    const spans = recorder.intervals;
    const graphSpanMs = spans.length ? Math.round(Math.max(...spans.map((i) => i.end)) - Math.min(...spans.map((i) => i.start))) : 0;
    const row: Row = { stacks, phase, wallMs, changes, graphSpanMs, ...phaseStats(log, recorder.intervals) };
    phaseLogs.set(row, log);
    return row;
  } finally {
    recorder.uninstall();
    if (session) await session.stop(`bench-${stacks}-${phase.replace(/\W+/g, '-')}.cpuprofile`);
  }
}

/** A CPU profile of this process (tool and in-process emulator together), written where the bench runs. */
async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile: p } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(p));
      session.disconnect();
    },
  };
}

async function benchSize(n: number, latencyMs: number): Promise<Row[]> {
  const emu = await startEmulatorWorker(latencyMs, tenantSize);
  const cwd = mkdtempSync(join(tmpdir(), 'tenantform-bench-'));
  try {
    const manifests = writeManifests(cwd, n);
    const rows: Row[] = [];
    // Graph lets one application write 3,000 times per 2 min 30 s in a tenant (quotas.ts): a bigger fleet's cold apply
    // is paced by that, not by the tool, so it is seeded with the quotas off and marked so.
    const quotasOff = n * WRITES_PER_STACK > 3000;
    if (quotasOff || noQuotas) await emu.quotas(false);
    const cold = await measure(emu, n, 'cold apply', async () => {
      const r = await apply(options(emu, cwd, manifests));
      if (!r.ok) throw new Error(`cold apply failed: ${JSON.stringify(r.results.filter((x) => x.status !== 'done'))}`);
      return r.plan.changes.length;
    });
    if (quotasOff && !noQuotas) await emu.quotas(true);
    rows.push(quotasOff ? Object.assign(cold, { quotasOff }) : cold);
    rows.push(
      await measure(emu, n, 'no-op plan', async () => {
        const p = await plan(options(emu, cwd, manifests));
        if (!p.empty) throw new Error(`no-op plan is not empty: ${p.plan.changes.map((c) => c.id).join(', ')}`);
        return 0;
      }),
    );
    rows.push(
      await measure(emu, n, 'no-op apply', async () => {
        const r = await apply(options(emu, cwd, manifests));
        if (!r.ok || r.plan.changes.length) throw new Error('no-op apply changed something');
        return 0;
      }),
    );
    // The bucket exists from the first phase with quotas on; a phase without them sets no floor.
    if (!noQuotas) {
      const on = rows.filter((r) => !r.quotasOff);
      quotaFloors(
        on.map((r) => phaseLogs.get(r) ?? []),
        tenantSize,
      ).forEach((f, i) => (on[i].floorMs = Math.round(f)));
    }
    for (const r of rows) phaseLogs.delete(r);
    return rows;
  } finally {
    await emu.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

const COLUMNS: Array<[string, (r: Row) => string | number]> = [
  ['stacks', (r) => r.stacks],
  ['phase', (r) => `${r.phase}${r.quotasOff ? '*' : ''}`],
  ['wall', (r) => `${(r.wallMs / 1000).toFixed(2)} s`],
  ['changes', (r) => r.changes],
  ['graph req', (r) => r.graphRequests],
  ['batch items', (r) => r.batchItems],
  ['graph writes', (r) => r.graphWrites],
  ['login req', (r) => r.loginRequests],
  ['RU', (r) => r.resourceUnits],
  ['429s', (r) => r.throttled],
  ['graph span', (r) => `${(r.graphSpanMs / 1000).toFixed(2)} s`],
  ['RU floor', (r) => (r.floorMs === undefined ? '-' : `${(r.floorMs / 1000).toFixed(2)} s`)],
  ['graph RT', (r) => r.graphRoundTrips],
  ['login RT', (r) => r.loginRoundTrips],
  ['total RT', (r) => r.roundTrips],
];

function table(rows: Row[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((r) => COLUMNS.map(([, f]) => String(f(r))))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** The goals of issues 3 and 13; Graph round trips (login is per process and listed apart). */
function targets(rows: Row[], cli: CliRow[]): string[] {
  const out: string[] = [];
  const check = (ok: boolean, text: string) => out.push(`${ok ? 'PASS' : 'MISS'}  ${text}`);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  for (const r of rows.filter((x) => x.phase === 'cold apply' && x.stacks === 50)) {
    check(r.graphRoundTrips <= 10 && r.wallMs < 3000, `cold apply, 50 stacks: ${r.graphRoundTrips} Graph round trips, ${s(r.wallMs)} (≤ 10 and < 3 s)`);
  }
  for (const r of rows.filter((x) => x.phase === 'cold apply' && x.stacks === 200)) check(r.wallMs < 6000, `cold apply, 200 stacks: ${s(r.wallMs)} (< 6 s)`);
  for (const r of rows.filter((x) => x.phase === 'no-op plan' && x.stacks === 200)) {
    check(r.wallMs <= 1000 && r.graphRoundTrips <= 2, `no-op plan, 200 stacks: ${s(r.wallMs)}, ${r.graphRoundTrips} Graph round trips (≤ 1.0 s, 2)`);
  }
  for (const r of rows.filter((x) => x.phase === 'no-op plan' && x.stacks === 1000)) check(r.wallMs <= 3000, `no-op plan, 1000 stacks: ${s(r.wallMs)} (≤ 3 s)`);
  for (const c of cli) check(c.wallMs < c.goalMs, `CLI ${c.what}: ${s(c.wallMs)} (< ${s(c.goalMs)}, median of ${c.runs})`);
  for (const r of rows.filter((x) => x.phase === 'no-op plan')) {
    check(r.graphRoundTrips <= 3, `no-op plan, ${r.stacks} stack(s): ${r.graphRoundTrips} Graph round trips (≤ 3; ${r.roundTrips} with sign-in)`);
  }
  for (const r of rows.filter((x) => x.phase === 'cold apply' && x.stacks === 1)) {
    check(r.graphRoundTrips <= 6, `cold apply, 1 stack: ${r.graphRoundTrips} Graph round trips on the critical path (≤ 6; ${r.roundTrips} with sign-in)`);
  }
  return out;
}

interface CliRow {
  what: string;
  wallMs: number;
  goalMs: number;
  runs: number;
}

/** The CLI as a whole process (dist/cli/main.js, as `npx tenantform` runs it), median wall time of a few runs. */
function benchCli(): CliRow[] {
  const main = resolve('dist/cli/main.js');
  if (!existsSync(main)) throw new Error('bench: dist/cli/main.js is missing; run `npm run build` first (or pass --no-cli)');
  const cwd = mkdtempSync(join(tmpdir(), 'tenantform-bench-cli-'));
  const time = (argv: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [main, ...argv], { cwd, env: { ...process.env, NO_COLOR: '1' }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`bench: tenantform ${argv.join(' ')} failed: ${r.stderr}`);
    return performance.now() - t0;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const runs = 5;
  const rows: CliRow[] = [];
  const row = (what: string, goalMs: number, argv: string[], before?: () => void) => {
    const xs = Array.from({ length: runs }, () => {
      before?.();
      return time(argv);
    });
    rows.push({ what, wallMs: Math.round(median(xs)), goalMs, runs });
  };
  try {
    writeFileSync(join(cwd, 'stack.yaml'), readFileSync(EXAMPLE, 'utf8'));
    row('--help', 300, ['--help']);
    row('validate (seed stack)', 300, ['validate', 'stack.yaml']);
    // Cold: a fresh local tenant (state file, secret cache and outputs gone) each run.
    const fresh = () => {
      for (const d of ['.tenantform', 'out']) rmSync(join(cwd, d), { recursive: true, force: true });
    };
    row('cold apply (seed stack, --tenant local)', 1200, ['apply', 'stack.yaml', '--yes'], fresh);
    row('no-op apply (seed stack, --tenant local)', 800, ['apply', 'stack.yaml', '--yes']);
    return rows;
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const profile = args.includes('--profile');
// The tool's own cost without Graph's quotas (what is CPU, what is throttling).
const noQuotas = args.includes('--no-quotas');
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 100);
// Graph's application+tenant quota depends on the tenant's size (quotas.ts): a tenant that holds hundreds of stacks is
// an organisation's, L (> 500 users) unless told otherwise (`--tenant-size S`).
const sizeArg =
  args
    .find((a) => a.startsWith('--tenant-size='))
    ?.split('=')[1]
    ?.toUpperCase() ?? 'L';
if (!['S', 'M', 'L'].includes(sizeArg)) throw new Error(`bench: --tenant-size must be S, M or L, got ${sizeArg}`);
const tenantSize = sizeArg as TenantSize;
const rows: Row[] = [];
for (const n of sizes.length ? sizes : [1, 50, 200, 1000]) rows.push(...(await benchSize(n, latencyMs)));
const cli = args.includes('--no-cli') ? [] : benchCli();
if (json) process.stdout.write(`${JSON.stringify({ latencyMs, rows, cli }, null, 2)}\n`);
else {
  const cliLines = cli.map((c) => `  ${c.what.padEnd(44)} ${(c.wallMs / 1000).toFixed(2)} s`).join('\n');
  process.stdout.write(
    `tenantform bench — emulator latency ${latencyMs} ms per request, ${noQuotas ? 'Graph quotas off' : `Graph quotas of a ${tenantSize} tenant`} (RU = resource units charged; RT = round trips on the critical path)\n\n${table(rows)}\n\n${cli.length ? `CLI process, wall (median of ${cli[0].runs}; no injected latency):\n${cliLines}\n\n` : ''}${rows.some((r) => r.quotasOff) ? '* Graph quotas off: Graph allows one application 3,000 writes per 2 min 30 s in a tenant, so this cold apply would take minutes whatever the tool does.\n\n' : ''}${targets(rows, cli).join('\n')}\n`,
  );
}
