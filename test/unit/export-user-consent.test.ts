/**
 * export: per-user delegated grants (consentType Principal) become `permissions[].userConsent: [<upn>]` when the
 * reader resolved the user (ExportInput.users); what a manifest cannot say stays a note. Each case is checked with the
 * exporter's own self-check (the real validator and planner): an exact export plans no change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OAuth2PermissionGrant } from '@microsoft/microsoft-graph-types';
import { parse } from 'yaml';
import { checkExport, exportManifest, type ExportInput } from '../../src/export/index.js';
import { exported, exportRead, grant, graphApp, graphScope, graphSp, guid } from '../helpers/export-fixtures.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const TENANT = { id: 't', kind: 'remote' as const, identity: 'test' };
const ADA = '0a000000-0000-4000-8000-00000000ada0';
const BOB = '0b000000-0000-4000-8000-00000000b0b0';

function run(read: ExportInput) {
  const r = exportManifest(read, { stack: 'obo', schemaRef: 'tenantform.schema.json', now: NOW });
  const check = checkExport({ file: 'exported.yaml', result: r, read, secrets: {}, tenant: TENANT, now: NOW, cwd: '/' });
  const doc = parse(r.text) as { applications: Record<string, { permissions?: unknown[] }> };
  return { ...r, check, doc };
}

/** A downstream API with two scopes and a middle tier that lists both, with the given grants. */
function chain(grants: (mid: ReturnType<typeof graphSp>, down: ReturnType<typeof graphSp>) => OAuth2PermissionGrant[]) {
  const read = graphScope('Read');
  const write = graphScope('Write');
  const downApp = graphApp({ displayName: 'downstream' });
  downApp.api = { ...downApp.api!, oauth2PermissionScopes: [read, write] };
  downApp.identifierUris = [`api://${downApp.appId}`];
  const midApp = graphApp({
    displayName: 'middle',
    requiredResourceAccess: [
      {
        resourceAppId: downApp.appId!,
        resourceAccess: [
          { id: read.id, type: 'Scope' },
          { id: write.id, type: 'Scope' },
        ],
      },
    ],
  });
  const down = graphSp(downApp);
  const mid = graphSp(midApp);
  return exportRead([exported(downApp, { servicePrincipal: down }), exported(midApp, { servicePrincipal: mid, grants: grants(mid, down) })]);
}

const perUser = (client: { id?: string | null }, resource: { id?: string | null }, principalId: string, scope: string): OAuth2PermissionGrant => ({
  id: guid('gr'),
  clientId: String(client.id),
  resourceId: String(resource.id),
  consentType: 'Principal',
  principalId,
  scope,
});

describe('export: per-user consent as userConsent', () => {
  it('resolved users are listed by userPrincipalName; the export plans no change', () => {
    const read: ExportInput = {
      ...chain((mid, down) => [perUser(mid, down, ADA, 'Read Write'), perUser(mid, down, BOB.toUpperCase(), 'Write Read')]),
      users: { [ADA]: 'ada@contoso.com', [BOB]: 'bob@contoso.com' },
    };
    const r = run(read);
    assert.deepEqual(r.doc.applications.middle.permissions, [
      { api: 'downstream', scopes: ['Read', 'Write'], userConsent: ['ada@contoso.com', 'bob@contoso.com'] },
    ]);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.check, { problems: [], changes: [] });
  });

  it('a user the reader could not resolve stays a note (and keeps their grant); the others are listed', () => {
    const read: ExportInput = {
      ...chain((mid, down) => [perUser(mid, down, ADA, 'Read Write'), perUser(mid, down, BOB, 'Read')]),
      users: { [ADA]: 'ada@contoso.com', [BOB]: null },
    };
    const r = run(read);
    assert.deepEqual(r.doc.applications.middle.permissions, [{ api: 'downstream', scopes: ['Read', 'Write'], userConsent: ['ada@contoso.com'] }]);
    assert.deepEqual(r.warnings, [
      `middle: a user (${BOB}) consented to "Read" on downstream, and that user could not be resolved to a userPrincipalName: that consent stays as it is (to manage it, list the user in the permission's userConsent)`,
    ]);
    assert.match(r.text, /# ! a user \(0b000000-\S+\) consented to "Read" on downstream, and that user could not be resolved/);
    assert.deepEqual(r.check, { problems: [], changes: [] });
  });

  it('without users read (an older reader), every per-user grant is a note, as before', () => {
    const r = run(chain((mid, down) => [perUser(mid, down, ADA, 'Read')]));
    assert.deepEqual(r.doc.applications.middle.permissions, [{ api: 'downstream', scopes: ['Read', 'Write'] }]);
    assert.equal(r.warnings.length, 1);
    assert.deepEqual(r.check.changes, []);
  });

  it('a user consented to fewer scopes than the permission lists: listed, and the change the next apply makes is said', () => {
    const read: ExportInput = { ...chain((mid, down) => [perUser(mid, down, ADA, 'Read')]), users: { [ADA]: 'ada@contoso.com' } };
    const r = run(read);
    assert.deepEqual(r.doc.applications.middle.permissions, [{ api: 'downstream', scopes: ['Read', 'Write'], userConsent: ['ada@contoso.com'] }]);
    assert.deepEqual(r.warnings, [
      `middle: ada@contoso.com consented to "Read" on downstream, the permission lists Read, Write: userConsent gives every listed user exactly those, so the next apply sets ada@contoso.com's consent to them`,
    ]);
    assert.equal(r.check.changes.length, 1);
    assert.match(r.check.changes[0], /^update-delegated-grant grant:obo\/middle\/downstream\/ada@contoso\.com/);
  });

  it('beside admin consent (tenant-wide): a note, no userConsent (the validator refuses both on one permission)', () => {
    const read: ExportInput = {
      ...chain((mid, down) => [grant(mid, down, 'Read Write'), perUser(mid, down, ADA, 'Read')]),
      users: { [ADA]: 'ada@contoso.com' },
    };
    const r = run(read);
    assert.deepEqual(r.doc.applications.middle.permissions, [{ api: 'downstream', scopes: ['Read', 'Write'], adminConsent: true }]);
    assert.deepEqual(r.warnings, [
      `middle: ada@contoso.com consented to "Read" on downstream, which also has admin consent (for every user): ada@contoso.com's own consent stays as it is`,
    ]);
    assert.deepEqual(r.check, { problems: [], changes: [] });
  });
});
