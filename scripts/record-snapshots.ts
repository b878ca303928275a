/**
 * Records the golden snapshots of test/unit/plan-golden.test.ts: real runs against an in-process emulator,
 * saved with `saveSnapshot` exactly as `plan --save-snapshot` writes them (secrets redacted), next to the plan
 * each one produced. Re-record after a deliberate planner change, and review the plan diffs:
 *   node --import tsx scripts/record-snapshots.ts
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { createEmulator } from '../src/emulator/index.js';
import { apply, plan, planDestroy, type CommonOptions } from '../src/index.js';

const DIR = resolve('test/fixtures/snapshots');

async function main(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  const emu = await createEmulator({ port: 0, env: {}, extraTenants: 1 });
  const cwd = join(DIR, '.work');
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  const [home, customer] = emu.tenants;
  const cred = (t: typeof home) =>
    new ClientSecretCredential(t.tenantId, t.adminClientId, t.adminClientSecret, {
      authorityHost: emu.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: emu.ca },
    });
  const base = (manifest: string): CommonOptions => ({
    manifests: [resolve(manifest)],
    tenant: home.tenantId,
    graphUrl: emu.graphUrl,
    authorityHost: emu.authorityHost,
    credential: cred(home),
    ca: emu.ca,
    cwd,
    env: {},
    timeoutMs: 30_000,
  });
  const record = async (name: string, run: (file: string) => Promise<unknown>) => {
    const file = join(DIR, `${name}.snapshot.json`);
    const planned = (await run(file)) as { plan: unknown };
    writeFileSync(join(DIR, `${name}.plan.json`), `${JSON.stringify(planned.plan, null, 2)}\n`);
    console.log(`recorded ${name}`);
  };
  const settle = () => emu.clock.advance(emu.faults.options.replicationLagMs + 1);
  try {
    const daemon = base('manifests/todolist-daemon.yaml');
    await record('daemon-create', (f) => plan({ ...daemon, saveSnapshot: f }));
    if (!(await apply(daemon)).ok) throw new Error('apply failed');
    settle();
    await record('daemon-rotation', (f) => plan({ ...daemon, rotateSecrets: true, saveSnapshot: f }));
    await record('daemon-destroy', (f) => planDestroy({ ...daemon, purge: true, saveSnapshot: f }));
    const isv = base('test/fixtures/verify/isv-daemon.yaml');
    if (!(await apply(isv)).ok) throw new Error('apply (isv) failed');
    settle();
    const customerOpts = { ...isv, tenant: customer.tenantId, credential: cred(customer), homeTenant: home.tenantId, homeCredential: cred(home) };
    await record('isv-customer', (f) => plan({ ...customerOpts, saveSnapshot: f }));
  } finally {
    await emu.close();
    rmSync(cwd, { recursive: true, force: true });
  }
}

await main();
