import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application } from '@microsoft/microsoft-graph-types';
import { exportStack, plan, type CommonOptions, type ExportResult } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, settle } from '../helpers/engine.js';
import { seed000, seed004, type Registration } from '../helpers/hand-made.js';
import { assertValidPlan } from '../helpers/teardown.js';

/** The file without its time line: two exports of the same applications differ only there. */
const timeless = (text: string) => text.replace(/^# Exported by tenantform export .* at \S+\.$/m, '# Exported at <time>.');

/**
 * The round trip of issue 16: registrations made by hand (through Graph, not tenantform) are exported, adopted,
 * and the next plan is empty; exporting the adopted stack again gives the same file.
 */
describe('export: registrations made by hand, adopted, then managed', () => {
  let client: Client;
  let opts: CommonOptions;
  const emu = useEmulator();
  before(() => {
    client = graphClient(emu);
    opts = engineOptions(emu);
  });

  /** Export + adopt, then the convergence check every e2e adoption passes: an empty plan, a second apply with no write. */
  async function roundTrip(stack: string, select: { apps?: string[]; filter?: string }): Promise<{ r: ExportResult; file: string }> {
    const file = join(opts.cwd!, `${stack}.yaml`);
    const r = await exportStack({ ...opts, ...select, stack, out: file, adopt: true });
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.pendingChanges, [], 'the exporter itself found nothing the next apply would change');
    assert.ok(r.adopted?.ok, JSON.stringify(r.adopted?.results));
    assertValidPlan(r.adopted!.plan);
    settle(emu);
    const managed = { ...opts, manifests: [file] };
    const p = await plan(managed);
    assert.deepEqual(
      p.plan.changes.map((c) => c.id),
      [],
    );
    await assertConverged(emu, managed);
    return { r, file };
  }

  /** A second export of the adopted stack gives the same file (but for the time). */
  async function assertReexportSame(stack: string, first: { r: ExportResult; file: string }, select: { apps?: string[]; filter?: string }) {
    const again = await exportStack({ ...opts, ...select, stack, out: join(opts.cwd!, `${stack}-again.yaml`) });
    assert.equal(timeless(again.text), timeless(readFileSync(first.file, 'utf8')));
    assert.deepEqual(again.warnings, first.r.warnings);
    assert.deepEqual(again.pendingChanges, []);
  }

  it('seed 000: web API with app roles, idtyp and v2 tokens + daemon with admin consent and a portal secret', async () => {
    const s = await seed000(emu, client);
    // By appId and by exact display name.
    const select = { apps: [s.api.app.appId!, 'ciam-client-app'] };
    const first = await roundTrip('todo', select);
    const text = readFileSync(first.file, 'utf8');
    assert.match(
      text,
      /^# yaml-language-server: \$schema=\S+tenantform\.schema\.json\n# Exported by tenantform export from tenant \S+ \(tenantform local tenant\) at /,
    );
    assert.match(text, /^stack: todo$/m);
    assert.match(text, /^ {2}ciam-todolist-api:\n {4}displayName: ciam-ToDoList-api\n {4}identifierUris: \["api:\/\/\{appId\}"\]$/m);
    assert.match(text, /^ {6}accessToken: \[idtyp\]$/m, 'idtyp as the bare claim name');
    assert.doesNotMatch(text, /requestedAccessTokenVersion|signInAudience/, 'defaults are left out');
    // The live role ids, so nothing is recreated and the consent stays.
    for (const role of s.api.app.appRoles!) assert.match(text, new RegExp(`id: ${role.id}`));
    assert.match(text, / {6}- api: ciam-todolist-api\n {8}roles: \[ToDoList\.Read\.All, ToDoList\.ReadWrite\.All\]\n {8}adminConsent: true/);
    // The portal's secret: a comment with its name and expiry, and how to let tenantform make its own.
    assert.match(text, /# {3}client secret "ciam app client secret" \(keyId \S+, starts \S+\), expires \d{4}-\d\d-\d\d/);
    assert.match(text, /# secrets:\n\s+# {3}- \{ name: main, lifetime: 180d \}/);
    // The owners (the admin client's service principal, which created them) are exportable: nothing to report.
    assert.equal(first.r.warnings.length, 1, first.r.warnings.join('\n'));
    assert.match(first.r.warnings[0], /^ciam-client-app: 1 credential is listed as a comment/);
    // Adopted: our uniqueName and tag, and the portal's secret untouched by the applies since.
    const daemon = (await client.api(`/applications/${s.daemon.app.id}`).get()) as Application;
    assert.equal(daemon.uniqueName, 'todo--ciam-client-app');
    assert.ok(daemon.tags!.includes('tenantform:stack=todo'));
    assert.deepEqual(
      daemon.passwordCredentials!.map((c) => c.displayName),
      ['ciam app client secret'],
    );
    await assertReexportSame('todo', first, select);
  });

  it('seed 004: SPA → middle tier → downstream API, scopes, SPA redirect URI, known client, pre-authorization, tenant-wide consent', async () => {
    const s = await seed004(emu, client);
    const select = { filter: "startswith(displayName,'ms-identity-javascript-tutorial-c4s1')" };
    const first = await roundTrip('obo', select);
    const text = readFileSync(first.file, 'utf8');
    const [downstream, middle, spa] = ['api1', 'api2', 'spa'].map((x) => `ms-identity-javascript-tutorial-c4s1-${x}`);
    assert.deepEqual(
      first.r.apps.map((a) => a.key),
      [downstream, middle, spa],
    );
    const scopeId = (r: Registration) => r.app.api!.oauth2PermissionScopes![0].id;
    assert.match(
      text,
      new RegExp(`knownClientApplications: \\[${spa}\\]\n\\s+preAuthorizedApplications:\n\\s+- app: ${spa}\n\\s+scopes: \\[user_impersonation\\]`),
    );
    assert.match(text, new RegExp(`id: ${scopeId(s.middle)}\n\\s+type: User`));
    assert.match(text, new RegExp(`id: ${scopeId(s.downstream)}`));
    assert.match(text, /spa:\n\s+redirectUris: \[http:\/\/localhost:3000\/\]/);
    assert.match(text, new RegExp(`- api: ${downstream}\n\\s+scopes: \\[user_impersonation\\]\n\\s+adminConsent: true`));
    assert.match(text, /- api: Microsoft Graph\n\s+scopes: \[User\.Read\]\n\s+adminConsent: true/, 'Microsoft Graph by name, its scope by value');
    assert.deepEqual(first.r.warnings, [`${middle}: 1 credential is listed as a comment (values cannot be exported; it stays on the application untouched)`]);
    await assertReexportSame('obo', first, select);
  });

  it('what the manifest cannot say is reported, and the plan after adoption shows exactly that', async () => {
    // Made with the portal's defaults: no token version (null = v1 tokens), and an owner-less secret of its own.
    const app = (await client.api('/applications').post({
      displayName: 'legacy v1 api',
      signInAudience: 'AzureADMyOrg',
      notes: 'owned by team x',
      api: {
        oauth2PermissionScopes: [
          { id: crypto.randomUUID(), value: 'read', type: 'Admin', adminConsentDisplayName: 'Read', adminConsentDescription: 'Read it', isEnabled: true },
        ],
      },
    })) as Application;
    settle(emu);
    const file = join(opts.cwd!, 'legacy.yaml');
    const r = await exportStack({ ...opts, stack: 'legacy', apps: [app.appId!], out: file, adopt: true });
    const text = readFileSync(file, 'utf8');
    const mine = r.warnings.filter((w) => w.startsWith('legacy-v1-api: '));
    assert.deepEqual(
      mine.map((w) => w.replace(/^legacy-v1-api: /, '').replace(/:.*/s, '')),
      [
        'has no api.requestedAccessTokenVersion (null',
        'has no service principal',
        'sets what tenantform does not manage (apply leaves it as it is; a copy made from this file would lack it)',
      ],
    );
    for (const w of mine) assert.ok(text.includes(`# ! ${w.replace(/^legacy-v1-api: /, '')}`), `the comment says it too: ${w}`);
    assert.match(text, /requestedAccessTokenVersion: 1/, 'null means v1 tokens: kept as 1');
    assert.deepEqual(
      r.pendingChanges.map((c) => c.split(':')[0]),
      ['update-application app', 'create-service-principal sp'],
    );
    assert.ok(r.adopted?.ok);
    settle(emu);
    const managed = { ...opts, manifests: [file] };
    const p = await plan(managed);
    assert.deepEqual(
      p.plan.changes.map((c) => [c.action, 'fields' in c ? c.fields.map((f) => f.field) : []]),
      [
        ['update-application', ['api.requestedAccessTokenVersion']],
        ['create-service-principal', []],
      ],
    );
    const { apply } = await import('../../src/index.js');
    assert.ok((await apply(managed)).ok);
    await assertConverged(emu, managed);
  });
});
