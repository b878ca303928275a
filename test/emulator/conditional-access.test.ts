import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { ConditionalAccessPolicy, ServicePrincipal, SubscribedSku } from '@microsoft/microsoft-graph-types';
import { decodeJwt } from 'jose';
import { Clock } from '../../src/emulator/faults.js';
import { resolveLicenses } from '../../src/emulator/licenses.js';
import { seedTenant } from '../../src/emulator/seed.js';
import { Tenant, type TenantState } from '../../src/emulator/store/index.js';
import { item, postBatch } from '../helpers/batch.js';
import { clientWithRoles, createApp, createAppWithSp, createSp, expectGraphError, MS_GRAPH_APP_ID, settle, uniqueName } from '../helpers/directory.js';
import { graphClient, graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import signingKey from '../fixtures/emulator-signing-key.json' with { type: 'json' };

/**
 * Conditional access policies (/identity/conditionalAccess/policies) and the tenant's licenses (/subscribedSkus),
 * docs/emulator-fidelity.md "Conditional access". The API answers BadRequest with numbered messages and 403
 * AccessDenied, unlike the directory routes.
 */
const POLICIES = '/identity/conditionalAccess/policies';
const LAG = 300;
const DENIED = 'You cannot perform the requested operation, required scopes are missing in the token.';
const M1007 = /^1007: Incoming ConditionalAccessPolicy object is null or does not match the schema of ConditionalAccessPolicy type\./;
const M1011 = /^1011: 'applications' condition must specify the applications to include\./;
const M1039 = '1039: Cannot create or update policies with premium P2 features. Upgrade to a premium P2 license and try again.';
const P1_SKU = '078d2b04-f1bd-4111-bbd4-b4b1b354cef4';
const P2_SKU = '84a661c4-e949-4bd2-a560-ed7766fcaf2b';
const P1_PLAN = '41781fb2-bc02-4b7c-bd55-b576c07bb09d';
const P2_PLAN = 'eec0eb4f-6444-4f95-aba0-50c24d67f998';

type Body = Record<string, unknown>;
const policyBody = (over: Body = {}, conditions: Body = {}): Body => ({
  displayName: uniqueName('ca'),
  state: 'enabledForReportingButNotEnforced',
  conditions: { clientAppTypes: ['all'], applications: { includeApplications: ['All'] }, users: { includeUsers: ['All'] }, ...conditions },
  grantControls: { operator: 'OR', builtInControls: ['mfa'] },
  ...over,
});
const create = (client: Client, body: Body = policyBody()) => client.api(POLICIES).post(body) as Promise<ConditionalAccessPolicy>;
const skus = async (client: Client) => ((await client.api('/subscribedSkus').get()) as { value: SubscribedSku[] }).value;

describe('emulator: conditional access policies (Entra ID P1 tenant)', () => {
  let admin: Client;
  let token: string;
  // Conditional access allows one request per second per tenant (quotas.ts, tested in quotas.test.ts); these tests are
  // about the policies, sent back to back.
  const emu = useEmulator({ quotas: false });
  before(async () => {
    admin = graphClient(emu);
    token = await graphToken(emu);
  });

  it('the admin client holds Policy.ReadWrite.ConditionalAccess and Policy.Read.All', () => {
    const roles = decodeJwt(token).roles as string[];
    for (const r of ['Policy.ReadWrite.ConditionalAccess', 'Policy.Read.All', 'Application.ReadWrite.All']) assert.ok(roles.includes(r), r);
  });

  it('POST answers 201 with the whole policy, every collection present', async () => {
    const { sp } = await createAppWithSp(emu, admin);
    const body = policyBody(
      { description: 'tenantform:stack=s key=k' },
      { clientAppTypes: ['browser', 'mobileAppsAndDesktopClients'], applications: { includeApplications: [sp.appId] } },
    );
    const res = await rawFetch(emu, `/v1.0${POLICIES}`, { token, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 201);
    const p = (await res.json()) as Body;
    assert.match(String(p['@odata.context']), /\/v1\.0\/\$metadata#identity\/conditionalAccess\/policies\/\$entity$/);
    assert.match(String(p.id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.ok(!Number.isNaN(Date.parse(String(p.createdDateTime))));
    const { '@odata.context': _c, id: _i, createdDateTime: _d, ...rest } = p;
    assert.deepEqual(rest, {
      templateId: null,
      displayName: body.displayName,
      description: 'tenantform:stack=s key=k',
      modifiedDateTime: null,
      state: 'enabledForReportingButNotEnforced',
      sessionControls: null,
      conditions: {
        applications: {
          applicationFilter: null,
          excludeApplications: [],
          includeApplications: [sp.appId],
          includeAuthenticationContextClassReferences: [],
          includeUserActions: [],
        },
        authenticationFlows: null,
        clientApplications: null,
        clientAppTypes: ['browser', 'mobileAppsAndDesktopClients'],
        devices: null,
        insiderRiskLevels: null,
        locations: null,
        platforms: null,
        servicePrincipalRiskLevels: [],
        signInRiskLevels: [],
        userRiskLevels: [],
        users: {
          excludeGroups: [],
          excludeGuestsOrExternalUsers: null,
          excludeRoles: [],
          excludeUsers: [],
          includeGroups: [],
          includeGuestsOrExternalUsers: null,
          includeRoles: [],
          includeUsers: ['All'],
        },
      },
      grantControls: { builtInControls: ['mfa'], customAuthenticationFactors: [], operator: 'OR', termsOfUse: [] },
    });
  });

  it('lists with @odata.context, $filter on displayName/state/id, $select and $top; GET by id', async () => {
    const a = await create(admin);
    const b = await create(admin, policyBody({ state: 'disabled' }));
    const all = (await admin.api(POLICIES).get()) as Body & { value: ConditionalAccessPolicy[] };
    assert.match(String(all['@odata.context']), /#identity\/conditionalAccess\/policies$/);
    assert.ok(all.value.some((p) => p.id === a.id) && all.value.some((p) => p.id === b.id));

    const byName = (await admin.api(POLICIES).filter(`displayName eq '${a.displayName}'`).get()) as { value: ConditionalAccessPolicy[] };
    assert.deepEqual(
      byName.value.map((p) => p.id),
      [a.id],
    );
    const disabled = (await admin.api(POLICIES).filter(`state eq 'disabled' and id eq '${b.id}'`).select('id,state').get()) as Body & {
      value: Body[];
    };
    assert.deepEqual(disabled.value, [{ id: b.id, state: 'disabled' }]);
    assert.match(String(disabled['@odata.context']), /#identity\/conditionalAccess\/policies\(id,state\)$/);

    const page = (await admin.api(POLICIES).top(1).get()) as Body & { value: unknown[] };
    assert.equal(page.value.length, 1);
    assert.ok(page['@odata.nextLink'], 'more than one policy: a next page');

    const one = (await admin.api(`${POLICIES}/${a.id}`).get()) as ConditionalAccessPolicy;
    assert.deepEqual(one, { ...a, '@odata.context': one['@odata.context' as keyof ConditionalAccessPolicy] });
    await expectGraphError(admin.api(POLICIES).filter(`description eq 'x'`).get(), 400, 'Request_UnsupportedQuery');
    await expectGraphError(admin.api(POLICIES).query({ $count: 'true' }).get(), 501, 'NotImplemented');
  });

  it('PATCH answers 204 and replaces each property it is given as a whole; read-only ones are ignored', async () => {
    const excluded = randomUUID();
    const p = await create(admin, policyBody({}, { users: { includeUsers: ['All'], excludeUsers: [excluded] }, signInRiskLevels: [] }));
    const res = await rawFetch(emu, `/v1.0${POLICIES}/${p.id}`, {
      token,
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        id: randomUUID(),
        createdDateTime: '2001-01-01T00:00:00Z',
        conditions: { clientAppTypes: ['browser'], applications: { includeApplications: ['None'] }, users: { includeUsers: ['None'] } },
      }),
    });
    assert.equal(res.status, 204);
    const after = (await admin.api(`${POLICIES}/${p.id}`).get()) as ConditionalAccessPolicy;
    assert.equal(after.id, p.id);
    assert.equal(after.createdDateTime, p.createdDateTime);
    assert.equal(after.displayName, p.displayName, 'displayName not sent: kept');
    assert.deepEqual(after.grantControls, p.grantControls, 'grantControls not sent: kept');
    assert.deepEqual(after.conditions!.users!.includeUsers, ['None']);
    assert.deepEqual(after.conditions!.users!.excludeUsers, [], 'conditions replaced as a whole: the old exclusion is gone');
    assert.deepEqual(after.conditions!.clientAppTypes, ['browser']);
    assert.ok(after.modifiedDateTime && !Number.isNaN(Date.parse(after.modifiedDateTime)), 'modifiedDateTime set');

    await admin.api(`${POLICIES}/${p.id}`).patch({ displayName: 'renamed', state: 'disabled' });
    const renamed = (await admin.api(`${POLICIES}/${p.id}`).get()) as ConditionalAccessPolicy;
    assert.deepEqual([renamed.displayName, renamed.state], ['renamed', 'disabled']);
    assert.deepEqual(renamed.conditions, after.conditions);
  });

  it('DELETE answers 204; then GET, PATCH and DELETE answer 404', async () => {
    const p = await create(admin);
    const res = await rawFetch(emu, `/v1.0${POLICIES}/${p.id}`, { token, method: 'DELETE' });
    assert.equal(res.status, 204);
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).patch({ state: 'disabled' }), 404, 'Request_ResourceNotFound');
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).delete(), 404, 'Request_ResourceNotFound');
    const all = (await admin.api(POLICIES).get()) as { value: ConditionalAccessPolicy[] };
    assert.ok(!all.value.some((x) => x.id === p.id));
  });

  it('403 AccessDenied without the permissions: reads need a Policy permission, writes Policy.ReadWrite.ConditionalAccess and Application.Read.All', async () => {
    const appsOnly = (await clientWithRoles(emu, admin, ['Application.Read.All'])).client;
    await expectGraphError(appsOnly.api(POLICIES).get(), 403, 'AccessDenied', DENIED);
    await expectGraphError(create(appsOnly), 403, 'AccessDenied', DENIED);

    const reader = (await clientWithRoles(emu, admin, ['Policy.Read.ConditionalAccess'])).client;
    await reader.api(POLICIES).get();
    await expectGraphError(create(reader), 403, 'AccessDenied', DENIED);

    // The token of terraform-provider-azuread#1687: Policy.ReadWrite.ConditionalAccess + Policy.Read.All is refused.
    const tf = (await clientWithRoles(emu, admin, ['Policy.ReadWrite.ConditionalAccess', 'Policy.Read.All'])).client;
    await expectGraphError(create(tf), 403, 'AccessDenied', DENIED);

    const writer = (await clientWithRoles(emu, admin, ['Policy.ReadWrite.ConditionalAccess', 'Application.Read.All'])).client;
    const p = await create(writer);
    await writer.api(`${POLICIES}/${p.id}`).patch({ state: 'disabled' });
    await writer.api(`${POLICIES}/${p.id}`).delete();
  });

  it('1007 for a body that does not match the schema', async () => {
    const bad: Body[] = [
      policyBody({ tags: ['x'] }),
      policyBody({ conditions: null }),
      policyBody({ state: 'on' }),
      policyBody({ displayName: 42 }),
      policyBody({ grantControls: { operator: 'OR', builtInControls: ['sms'] } }),
      policyBody({ grantControls: { operator: 'XOR', builtInControls: ['mfa'] } }),
      // A member after unknownFutureValue needs Prefer: include-unknown-enum-members.
      policyBody({ grantControls: { operator: 'OR', builtInControls: ['riskRemediation'] } }),
      policyBody({}, { users: { includeUsers: 'All' } }),
      policyBody({ displayName: undefined }),
    ];
    for (const body of bad) await expectGraphError(create(admin, body), 400, 'BadRequest', M1007);
    const p = await create(admin);
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).patch({ conditions: null }), 400, 'BadRequest', M1007);
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).patch({ displayName: null }), 400, 'BadRequest', M1007);
    await expectGraphError(create(admin, ['not', 'an object'] as unknown as Body), 400, 'BadRequest', M1007);
  });

  it('1011 without an application rule; 400 without a user rule or without any control', async () => {
    await expectGraphError(create(admin, policyBody({}, { applications: { includeApplications: [] } })), 400, 'BadRequest', M1011);
    await expectGraphError(create(admin, policyBody({}, { applications: undefined })), 400, 'BadRequest', M1011);
    await expectGraphError(create(admin, policyBody({}, { users: { excludeUsers: [randomUUID()] } })), 400, 'BadRequest', /^'users' condition must specify/);
    await expectGraphError(create(admin, policyBody({ grantControls: null })), 400, 'BadRequest', /grant controls or session controls/);
    // Session controls with no effective setting read back as null, so they do not count either.
    await expectGraphError(
      create(admin, policyBody({ grantControls: null, sessionControls: { signInFrequency: null } })),
      400,
      'BadRequest',
      /grant controls or session controls/,
    );
    const session = await create(
      admin,
      policyBody({ grantControls: null, sessionControls: { signInFrequency: { isEnabled: true, type: 'hours', value: 4 } } }),
    );
    assert.equal(session.grantControls, null);
    assert.deepEqual(session.sessionControls?.signInFrequency, { isEnabled: true, type: 'hours', value: 4, authenticationType: null, frequencyInterval: null });
    const p = await create(admin);
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).patch({ grantControls: null }), 400, 'BadRequest', /grant controls or session controls/);
  });

  it('applications are keywords or appIds of service principals in the tenant: a display name or an unknown appId is 400', async () => {
    const app = await createApp(admin);
    settle(emu);
    await expectGraphError(
      create(admin, policyBody({}, { applications: { includeApplications: [app.displayName] } })),
      400,
      'BadRequest',
      /not a display name/,
    );
    // An application without a service principal is not something conditional access can target.
    await expectGraphError(
      create(admin, policyBody({}, { applications: { includeApplications: [app.appId] } })),
      400,
      'BadRequest',
      `Application with id '${app.appId}' not found: 'includeApplications' needs the appId of a service principal in the tenant.`,
    );
    await expectGraphError(
      create(admin, policyBody({}, { applications: { includeApplications: ['All'], excludeApplications: [randomUUID()] } })),
      400,
      'BadRequest',
    );
    const ok = await create(
      admin,
      policyBody({}, { applications: { includeApplications: ['office365', MS_GRAPH_APP_ID], excludeApplications: ['MicrosoftAdminPortals'] } }),
    );
    assert.deepEqual(ok.conditions!.applications!.includeApplications, ['office365', MS_GRAPH_APP_ID]);
    await expectGraphError(create(admin, policyBody({}, { users: { includeUsers: ['alice@contoso.com'] } })), 400, 'BadRequest', /'includeUsers'/);
    await create(admin, policyBody({}, { users: { includeUsers: [randomUUID()], excludeUsers: ['GuestsOrExternalUsers'] } }));
  });

  it('1039 for risk conditions in a tenant without Entra ID P2', async () => {
    await expectGraphError(create(admin, policyBody({}, { signInRiskLevels: ['high'] })), 400, 'BadRequest', M1039);
    await expectGraphError(create(admin, policyBody({}, { userRiskLevels: ['medium'] })), 400, 'BadRequest', M1039);
    await expectGraphError(create(admin, policyBody({}, { insiderRiskLevels: 'elevated' })), 400, 'BadRequest', M1039);
    const p = await create(admin);
    await expectGraphError(
      admin.api(`${POLICIES}/${p.id}`).patch({ conditions: { ...policyBody().conditions!, servicePrincipalRiskLevels: ['low'] } }),
      400,
      'BadRequest',
      M1039,
    );
  });

  it('GET /subscribedSkus lists Entra ID P1 with the real ids; $select works, $filter is 501', async () => {
    const res = await rawFetch(emu, '/v1.0/subscribedSkus', { token });
    const body = (await res.json()) as Body & { value: Body[] };
    assert.match(String(body['@odata.context']), /#subscribedSkus$/);
    assert.deepEqual(body.value, [
      {
        id: `${emu.tenantId}_${P1_SKU}`,
        accountId: body.value[0].accountId,
        accountName: 'tenantform local tenant',
        appliesTo: 'User',
        capabilityStatus: 'Enabled',
        consumedUnits: 0,
        prepaidUnits: { enabled: 25, suspended: 0, warning: 0, lockedOut: 0 },
        servicePlans: [{ servicePlanId: P1_PLAN, servicePlanName: 'AAD_PREMIUM', provisioningStatus: 'Success', appliesTo: 'User' }],
        skuId: P1_SKU,
        skuPartNumber: 'AAD_PREMIUM',
        subscriptionIds: [],
      },
    ]);
    const selected = (await admin.api('/subscribedSkus').select('skuPartNumber,capabilityStatus,servicePlans').get()) as { value: Body[] };
    assert.deepEqual(Object.keys(selected.value[0]), ['skuPartNumber', 'capabilityStatus', 'servicePlans']);
    await expectGraphError(admin.api('/subscribedSkus').select('nope').get(), 400, 'Request_BadRequest');
    await expectGraphError(admin.api('/subscribedSkus').filter(`skuId eq '${P1_SKU}'`).get(), 501, 'NotImplemented');
  });

  it('$batch items reach the conditional access routes, with their own errors', async () => {
    const body = policyBody();
    const { status, body: out } = await postBatch(
      emu,
      {
        requests: [
          { id: 'create', method: 'POST', url: POLICIES, headers: { 'Content-Type': 'application/json' }, body },
          {
            id: 'bad',
            dependsOn: ['create'],
            method: 'POST',
            url: POLICIES,
            headers: { 'Content-Type': 'application/json' },
            body: policyBody({ state: 'on' }),
          },
          { id: 'list', method: 'GET', url: `${POLICIES}?$filter=displayName eq '${String(body.displayName)}'`, dependsOn: ['create'] },
        ],
      },
      token,
    );
    assert.equal(status, 200);
    const created = item(out.responses, 'create');
    assert.equal(created.status, 201);
    assert.equal(created.body?.displayName, body.displayName);
    const bad = item(out.responses, 'bad');
    assert.equal(bad.status, 400);
    assert.match(String(bad.body?.error?.message), M1007);
    assert.deepEqual(
      (item(out.responses, 'list').body as { value: Body[] }).value.map((p) => p.id),
      [created.body?.id],
    );
  });
});

describe('emulator: conditional access with replication lag', () => {
  let admin: Client;
  const emu = useEmulator({ replicationLagMs: LAG, quotas: false });
  before(() => {
    admin = graphClient(emu);
  });
  const advance = () => emu.clock.advance(LAG + 1);

  it('a new policy answers 404 (GET, PATCH, DELETE) until it has replicated; a read after PATCH is stale', async () => {
    const p = await create(admin);
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).get(), 404, 'Request_ResourceNotFound');
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).patch({ state: 'disabled' }), 404, 'Request_ResourceNotFound');
    await expectGraphError(admin.api(`${POLICIES}/${p.id}`).delete(), 404, 'Request_ResourceNotFound');
    const listed = (await admin.api(POLICIES).get()) as { value: ConditionalAccessPolicy[] };
    assert.ok(!listed.value.some((x) => x.id === p.id), 'not listed yet');
    advance();
    assert.equal(((await admin.api(`${POLICIES}/${p.id}`).get()) as ConditionalAccessPolicy).state, p.state);
    await admin.api(`${POLICIES}/${p.id}`).patch({ state: 'disabled' });
    assert.equal(((await admin.api(`${POLICIES}/${p.id}`).get()) as ConditionalAccessPolicy).state, 'enabledForReportingButNotEnforced', 'stale');
    advance();
    assert.equal(((await admin.api(`${POLICIES}/${p.id}`).get()) as ConditionalAccessPolicy).state, 'disabled');
  });

  it('a service principal created a moment ago is not visible to conditional access yet: 400, then 201 once replicated', async () => {
    const app = await createApp(admin);
    advance();
    const sp = (await createSp(admin, app.appId!)) as ServicePrincipal;
    const body = policyBody({}, { applications: { includeApplications: [sp.appId] } });
    await expectGraphError(create(admin, body), 400, 'BadRequest', new RegExp(`^Application with id '${sp.appId}' not found`));
    advance();
    const p = await create(admin, body);
    assert.deepEqual(p.conditions!.applications!.includeApplications, [sp.appId]);
  });
});

describe('emulator: licenses', () => {
  const p2 = useEmulator({ licenses: ['AAD_PREMIUM_P2'] });
  const both = useEmulator({ licenses: ['AAD_PREMIUM', 'AAD_PREMIUM_P2'] });
  const none = useEmulator({ env: { TENANTFORM_EMULATOR_LICENSES: 'none' } });

  it('a P2 tenant lists one SKU with both plans and accepts risk conditions', async () => {
    const client = graphClient(p2);
    const list = await skus(client);
    assert.deepEqual(
      list.map((s) => [s.skuId, s.skuPartNumber, s.servicePlans!.map((p) => [p.servicePlanId, p.servicePlanName])]),
      [
        [
          P2_SKU,
          'AAD_PREMIUM_P2',
          [
            [P1_PLAN, 'AAD_PREMIUM'],
            [P2_PLAN, 'AAD_PREMIUM_P2'],
          ],
        ],
      ],
    );
    const p = await create(client, policyBody({}, { signInRiskLevels: ['high', 'medium'], userRiskLevels: ['high'] }));
    assert.deepEqual(p.conditions!.signInRiskLevels, ['high', 'medium']);
  });

  it('P1 + P2 lists two SKUs', async () => {
    assert.deepEqual(
      (await skus(graphClient(both))).map((s) => s.skuPartNumber),
      ['AAD_PREMIUM', 'AAD_PREMIUM_P2'],
    );
  });

  it('no license (TENANTFORM_EMULATOR_LICENSES=none): no SKUs, reads work, writes answer 501', async () => {
    const client = graphClient(none);
    assert.deepEqual(await skus(client), []);
    assert.deepEqual(((await client.api(POLICIES).get()) as { value: unknown[] }).value, []);
    await expectGraphError(create(client), 501, 'NotImplemented', /without an Entra ID P1 license/);
  });

  it('TENANTFORM_EMULATOR_LICENSES is a comma list (none = no license); the option wins; unknown names throw', () => {
    assert.equal(resolveLicenses(undefined, {}), undefined);
    assert.deepEqual(resolveLicenses(undefined, { TENANTFORM_EMULATOR_LICENSES: ' AAD_PREMIUM , AAD_PREMIUM_P2 ' }), ['AAD_PREMIUM', 'AAD_PREMIUM_P2']);
    assert.deepEqual(resolveLicenses(undefined, { TENANTFORM_EMULATOR_LICENSES: 'None' }), []);
    assert.deepEqual(resolveLicenses(['AAD_PREMIUM_P2'], { TENANTFORM_EMULATOR_LICENSES: 'none' }), ['AAD_PREMIUM_P2']);
    assert.throws(() => resolveLicenses(undefined, { TENANTFORM_EMULATOR_LICENSES: 'P2' }), /unknown license 'P2'/);
  });

  it('a state file written before licenses and policies existed loads with Entra ID P1 and no policies', () => {
    const state = seedTenant({ licenses: ['AAD_PREMIUM_P2'] }, signingKey, new Date().toISOString()) as Partial<TenantState>;
    assert.deepEqual(state.licenses, ['AAD_PREMIUM_P2'], 'seeded licenses are stored');
    delete state.licenses;
    delete state.conditionalAccessPolicies;
    const tenant = new Tenant(state as TenantState, { clock: new Clock(), lagMs: () => 0 });
    assert.deepEqual(tenant.licenses, ['AAD_PREMIUM']);
    assert.deepEqual(tenant.conditionalAccessPolicies.list(), []);
    assert.deepEqual(state.conditionalAccessPolicies, {}, 'the next save writes the field');
  });
});
