/**
 * export of per-user consent (issue 12): a stack applied with `userConsent:` has one Principal oauth2PermissionGrant per
 * named user; exported (into the same stack), those grants come back as `permissions[].userConsent: [<upn>…]` — the
 * users resolved to userPrincipalNames through `GET /users/{id}` — and the exported file plans no change against the
 * tenant. A user the export cannot resolve (deleted meanwhile) stays a reported note.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { TestUser } from '../../src/emulator/index.js';
import { checkExport, exportManifest, type ExportInput } from '../../src/export/index.js';
import { gatherExport } from '../../src/gather/export.js';
import { apply, plan } from '../../src/index.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';

const STACK = 'uc-export';
const manifest = (users: string[]) => `stack: ${STACK}
applications:
  api:
    displayName: uc-export-api
    identifierUris: ['api://{appId}']
    scopes:
      - value: Notes.Read
        adminConsentDisplayName: Read notes
        adminConsentDescription: Read the signed-in user's notes
  cli:
    displayName: uc-export-cli
    isFallbackPublicClient: true
    publicClient: { redirectUris: ['http://localhost'] }
    permissions:
      - api: api
        scopes: [Notes.Read]
        userConsent: [${users.join(', ')}]
`;

describe('export: per-user consent round trip', () => {
  const emu = useEmulator();
  const cwd = tempDir('tenantform-export-uc-');
  let alice: TestUser;
  let bob: TestUser;
  const opts = (file: string) => engineOptions(emu, { manifests: [file], cwd });

  /** What the export reads, the users of its per-user grants included (graph/export-reader.ts). */
  const readWithUsers = async (): Promise<ExportInput> =>
    (await gatherExport({ ...engineOptions(emu, { cwd }), filter: `tags/any(t:t eq 'tenantform:stack=${STACK}')` })).read;

  before(async () => {
    alice = emu.addUser({ userPrincipalName: 'uc-alice', password: 'uc-alice-1' });
    bob = emu.addUser({ userPrincipalName: 'uc-bob', password: 'uc-bob-1' });
    const file = join(cwd, 'source.yaml');
    // Bob by object id: the export writes every user back by userPrincipalName.
    writeFileSync(file, manifest([alice.userPrincipalName, bob.id]));
    const r = await apply(opts(file));
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    await assertConverged(emu, opts(file));
  });

  it('writes the grants as userConsent by userPrincipalName; the exporter’s self-check and a plan of the file are empty', async () => {
    const read = await readWithUsers();
    const r = exportManifest(read, { stack: STACK, schemaRef: 'tenantform.schema.json', now: Date.now() });
    const doc = parse(r.text) as { applications: Record<string, { permissions?: unknown[] }> };
    assert.deepEqual(doc.applications.cli.permissions, [
      { api: 'api', scopes: ['Notes.Read'], userConsent: [alice.userPrincipalName, bob.userPrincipalName].sort() },
    ]);
    assert.ok(!r.warnings.some((w) => /consented/.test(w)), r.warnings.join('\n'));
    const check = checkExport({
      file: 'exported.yaml',
      result: r,
      read,
      secrets: {},
      tenant: { id: emu.tenantId, kind: 'remote', identity: 'test' },
      now: Date.now(),
      cwd,
    });
    assert.deepEqual(check, { problems: [], changes: [] });

    const file = join(cwd, 'exported.yaml');
    writeFileSync(file, r.text);
    const p = await plan(opts(file));
    assert.ok(p.empty, JSON.stringify(p.plan.changes.map((c) => `${c.action} ${c.id}: ${c.reason}`)));
  });

  it('a user deleted since: a note naming the object id, the grant left as it is', async () => {
    await graphClient(emu).api(`/users/${bob.id}`).delete();
    const read = await readWithUsers();
    const r = exportManifest(read, { stack: STACK, schemaRef: 'tenantform.schema.json', now: Date.now() });
    const doc = parse(r.text) as { applications: Record<string, { permissions?: unknown[] }> };
    assert.deepEqual(doc.applications.cli.permissions, [{ api: 'api', scopes: ['Notes.Read'], userConsent: [alice.userPrincipalName] }]);
    assert.ok(
      r.warnings.some((w) =>
        w.startsWith(`cli: a user (${bob.id}) consented to "Notes.Read" on api, and that user could not be resolved to a userPrincipalName`),
      ),
      r.warnings.join('\n'),
    );
  });
});
