import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import type { Emulator } from '../../src/emulator/index.js';
import { graphWrites } from '../../src/emulator/index.js';
import { apply, plan, type CommonOptions } from '../../src/index.js';
import { parseDotenv } from '../../src/outputs/dotenv.js';
import { secretCredential } from './emulator.js';
import { tempDir } from './temp.js';

export const EXAMPLE = resolve('manifests/todolist-daemon.yaml');

/** Options that point the engine at an in-process emulator, with a private working directory. */
export function engineOptions(emu: Emulator, opts: { manifests?: string[]; cwd?: string } = {}): CommonOptions {
  return {
    manifests: opts.manifests ?? [EXAMPLE],
    tenant: emu.tenantId,
    graphUrl: emu.graphUrl,
    authorityHost: emu.authorityHost,
    credential: secretCredential(emu),
    ca: emu.ca,
    cwd: opts.cwd ?? tempDir('tenantform-e2e-'),
    env: {},
    timeoutMs: 60_000,
  };
}

/** A variant of the example manifest (text edits), written into the working directory. */
export function variant(cwd: string, edit: (yaml: string) => string, name = 'variant.yaml'): string {
  const file = join(cwd, name);
  writeFileSync(file, edit(readFileSync(EXAMPLE, 'utf8')));
  return file;
}

/**
 * `n` copies of the example stack in `cwd`, stacks `<prefix>-<i>` with their own output files (a fleet), each
 * optionally edited; returns the manifest paths.
 */
export function exampleFleet(cwd: string, n: number, prefix: string, edit: (yaml: string, i: number) => string = (y) => y): string[] {
  const text = readFileSync(EXAMPLE, 'utf8');
  return Array.from({ length: n }, (_, i) => {
    const file = join(cwd, `${prefix}-${i}.yaml`);
    const copy = text.replace(/^stack: todolist-daemon$/m, `stack: ${prefix}-${i}`).replace('path: out/todolist-daemon.env', `path: out/${prefix}-${i}.env`);
    writeFileSync(file, edit(copy, i));
    return file;
  });
}

/**
 * Let every write replicate (the emulator's clock moves past the injected lag), as real reads catch up
 * with writes after a while (https://devblogs.microsoft.com/identity/designing-for-eventual-consistency-for-microsoft-entra).
 */
export function settle(emu: Emulator): void {
  emu.clock.advance(emu.faults.options.replicationLagMs + 1);
}

/**
 * The convergence check every e2e apply must pass: afterwards a plan is empty and a second apply makes
 * zero Graph write requests (counted in the emulator's request log).
 */
export async function assertConverged(emu: Emulator, opts: CommonOptions): Promise<void> {
  settle(emu);
  const p = await plan(opts);
  if (!p.empty) throw new Error(`plan after apply is not empty: ${JSON.stringify(p.plan.changes.map((c) => [c.action, c.id]))}`);
  const mark = emu.requestLog.mark();
  const again = await apply(opts);
  const writes = graphWrites(emu.requestLog.since(mark));
  if (!again.ok || writes.length) throw new Error(`second apply wrote: ${JSON.stringify(writes.map((w) => `${w.method} ${w.path}`))}`);
}

/** A dotenv output as the apps read it: the tool's one dotenv reader (Node's util.parseEnv). */
export function readDotenv(file: string): Record<string, string> {
  return parseDotenv(readFileSync(file, 'utf8'));
}

/** A token for the web API acquired exactly as the daemon would, from the written config. */
export async function daemonToken(emu: Emulator, env: Record<string, string>): Promise<string> {
  const c = new ClientSecretCredential(env.TENANT_ID, env.CLIENT_ID, env.CLIENT_SECRET, {
    authorityHost: new URL(env.AUTHORITY).origin,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.ca },
  });
  const t = await c.getToken(env.WEB_API_SCOPE);
  if (!t) throw new Error('no token');
  return t.token;
}
