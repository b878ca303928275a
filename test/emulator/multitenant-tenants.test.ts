import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { ClientSecretCredential } from '@azure/identity';
import type { Client } from '@microsoft/microsoft-graph-client';
import type { Application, Organization, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { decodeJwt } from 'jose';
import { createEmulator, type Emulator, type EmulatorTenant } from '../../src/emulator/index.js';
import { createApp, expectGraphError, msGraphSp, roleId, settle } from '../helpers/directory.js';
import { graphClient, useEmulator } from '../helpers/emulator.js';
import { loginFetch, postToken, type OAuthErrorBody } from '../helpers/tokens.js';
import { tempDir } from '../helpers/temp.js';

/** A credential for a client in one tenant of the emulator (the tenant can be the app's or a customer's). */
function credentialIn(emu: Emulator, tenantId: string, clientId: string, secret: string): ClientSecretCredential {
  return new ClientSecretCredential(tenantId, clientId, secret, {
    authorityHost: emu.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: emu.ca },
  });
}

function adminOf(emu: Emulator, t: EmulatorTenant): Client {
  return graphClient(emu, credentialIn(emu, t.tenantId, t.adminClientId, t.adminClientSecret));
}

describe('emulator: more than one tenant (multi-tenant apps)', () => {
  let home: EmulatorTenant;
  let customer: EmulatorTenant;
  let adminA: Client;
  let adminB: Client;
  let daemon: { app: Application; secret: string };

  const emu = useEmulator({ extraTenants: 1 });
  before(async () => {
    [home, customer] = emu.tenants;
    adminA = adminOf(emu, home);
    adminB = adminOf(emu, customer);
    const app = await createApp(adminA, { signInAudience: 'AzureADMultipleOrgs' });
    settle(emu);
    const pw = (await adminA.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'main' } })) as PasswordCredential;
    await adminA.api('/servicePrincipals').post({ appId: app.appId });
    settle(emu);
    daemon = { app, secret: pw.secretText! };
  });

  it('hosts tenants with their own id, domain, organization and admin client', async () => {
    assert.equal(emu.tenants.length, 2);
    assert.equal(home.tenantId, emu.tenantId);
    assert.equal(home.adminClientId, emu.adminClientId);
    assert.notEqual(customer.tenantId, home.tenantId);
    assert.equal(customer.domain, 'tenantformcustomer1.onmicrosoft.com');
    const org = ((await adminB.api('/organization').get()) as { value: Organization[] }).value[0];
    assert.equal(org.id, customer.tenantId);
    assert.equal(org.verifiedDomains?.[0]?.name, customer.domain);
    // Graph serves the tenant of the token: B's admin sees B's objects only.
    const appsB = ((await adminB.api('/applications').get()) as { value: Application[] }).value;
    assert.ok(!appsB.some((a) => a.appId === daemon.app.appId));
    const tokenB = decodeJwt(
      (await credentialIn(emu, customer.tenantId, customer.adminClientId, customer.adminClientSecret).getToken('https://graph.microsoft.com/.default')).token,
    );
    assert.equal(tokenB.tid, customer.tenantId);
  });

  it('serves discovery per tenant, by id or by domain, with the shared signing key', async () => {
    const doc = (await (await loginFetch(emu, `/${customer.domain}/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
    assert.equal(doc.issuer, `${emu.authorityHost}/${customer.tenantId}/v2.0`);
    const keysB = (await (await loginFetch(emu, `/${customer.tenantId}/discovery/v2.0/keys`)).json()) as { keys: Array<{ kid: string; issuer: string }> };
    const keysA = (await (await loginFetch(emu, `/${home.tenantId}/discovery/v2.0/keys`)).json()) as { keys: Array<{ kid: string }> };
    assert.equal(keysB.keys[0].kid, keysA.keys[0].kid);
    assert.equal(keysB.keys[0].issuer, doc.issuer);
  });

  it('refuses a token in the customer tenant while the client has no service principal there (AADSTS700016)', async () => {
    const res = await postToken(
      emu,
      { grant_type: 'client_credentials', client_id: daemon.app.appId!, client_secret: daemon.secret, scope: 'https://graph.microsoft.com/.default' },
      { tenant: customer.tenantId },
    );
    assert.equal(res.status, 400);
    const body = (await res.json()) as OAuthErrorBody;
    assert.equal(body.error, 'unauthorized_client');
    assert.deepEqual(body.error_codes, [700016]);
  });

  it('refuses a service principal for a single-tenant app of another tenant (400, as for an unknown app)', async () => {
    const single = await createApp(adminA, { signInAudience: 'AzureADMyOrg' });
    settle(emu);
    await expectGraphError(
      adminB.api('/servicePrincipals').post({ appId: single.appId }),
      400,
      'Request_BadRequest',
      `The appId '${single.appId}' of the service principal does not reference a valid application object.`,
    );
  });

  let spB: ServicePrincipal;
  it('creates the SP of a multi-tenant app in the customer tenant, owned by the home organization', async () => {
    spB = (await adminB.api('/servicePrincipals').post({ appId: daemon.app.appId, tags: ['customer'] })) as ServicePrincipal;
    assert.equal(spB.appId, daemon.app.appId);
    assert.equal(spB.appOwnerOrganizationId, home.tenantId);
    assert.deepEqual(spB.tags, ['customer']);
    settle(emu);
    // It lives in B only: A still has exactly its own home SP.
    const inA = ((await adminA.api(`/servicePrincipals?$filter=appId eq '${daemon.app.appId}'`).get()) as { value: ServicePrincipal[] }).value;
    assert.equal(inA.length, 1);
    assert.equal(inA[0].appOwnerOrganizationId, home.tenantId);
    assert.notEqual(inA[0].id, spB.id);
    await expectGraphError(adminB.api(`/servicePrincipals`).post({ appId: daemon.app.appId }), 409, 'Request_MultipleObjectsWithSameKeyValue');
  });

  it("issues tokens in the customer tenant with the home app's secret and the customer's role assignments", async () => {
    const graphB = await msGraphSp(adminB);
    await adminB
      .api(`/servicePrincipals/${graphB.id}/appRoleAssignedTo`)
      .post({ principalId: spB.id, resourceId: graphB.id, appRoleId: roleId(graphB, 'Application.Read.All') });
    settle(emu);
    const t = decodeJwt((await credentialIn(emu, customer.tenantId, daemon.app.appId!, daemon.secret).getToken('https://graph.microsoft.com/.default')).token);
    assert.equal(t.tid, customer.tenantId);
    assert.equal(t.iss, `https://sts.windows.net/${customer.tenantId}/`);
    assert.equal(t.oid, spB.id);
    assert.deepEqual(t.roles, ['Application.Read.All']);
    // …and that token works on Graph in B (and only shows B).
    const asDaemon = graphClient(emu, credentialIn(emu, customer.tenantId, daemon.app.appId!, daemon.secret));
    const sps = ((await asDaemon.api(`/servicePrincipals?$filter=appId eq '${daemon.app.appId}'`).get()) as { value: ServicePrincipal[] }).value;
    assert.deepEqual(
      sps.map((s) => s.id),
      [spB.id],
    );
    // In A the same client holds no Graph roles.
    const inA = decodeJwt((await credentialIn(emu, home.tenantId, daemon.app.appId!, daemon.secret).getToken('https://graph.microsoft.com/.default')).token);
    assert.equal(inA.tid, home.tenantId);
    assert.equal(inA.roles, undefined);
  });

  it('checks the secret against the home application (wrong secret → AADSTS7000215)', async () => {
    const res = await postToken(
      emu,
      { grant_type: 'client_credentials', client_id: daemon.app.appId!, client_secret: 'not-the-secret', scope: 'https://graph.microsoft.com/.default' },
      { tenant: customer.domain },
    );
    assert.deepEqual(((await res.json()) as OAuthErrorBody).error_codes, [7000215]);
  });

  it("keeps the customer tenant's SP in step with the home application (roles, names)", async () => {
    await adminA.api(`/applications/${daemon.app.id}`).patch({
      identifierUris: [`api://${daemon.app.appId}`],
      appRoles: [
        {
          id: '6f1d3f4e-0e3a-4b8a-9b0e-6c1f6a2f1c11',
          value: 'Jobs.Run',
          displayName: 'Run',
          description: 'Run jobs',
          allowedMemberTypes: ['Application'],
          isEnabled: true,
        },
      ],
    });
    settle(emu);
    const sp = (await adminB.api(`/servicePrincipals/${spB.id}`).get()) as ServicePrincipal;
    assert.deepEqual(
      sp.appRoles?.map((r) => r.value),
      ['Jobs.Run'],
    );
    assert.ok(sp.servicePrincipalNames?.includes(`api://${daemon.app.appId}`));
    assert.deepEqual(sp.tags, ['customer']);
  });
});

describe('emulator: extra tenants persist in the state file', () => {
  const dir = tempDir('tenantform-mt-');

  it('restarts with the same tenants, admin clients and cross-tenant service principals', async () => {
    const stateFile = join(dir, 'state.json');
    const first = await createEmulator({ port: 0, env: {}, stateFile, extraTenants: 1 });
    const [a, b] = first.tenants;
    const adminA = adminOf(first, a);
    const app = await createApp(adminA, { signInAudience: 'AzureADMultipleOrgs' });
    const sp = (await adminOf(first, b).api('/servicePrincipals').post({ appId: app.appId })) as ServicePrincipal;
    const added = await first.addTenant({ subdomain: 'contoso' });
    assert.equal(added.domain, 'contoso.onmicrosoft.com');
    await first.close();

    const second = await createEmulator({ port: 0, env: {}, stateFile, extraTenants: 1 });
    try {
      assert.deepEqual(
        second.tenants.map((t) => [t.tenantId, t.adminClientId, t.domain]),
        [a, b, added].map((t) => [t.tenantId, t.adminClientId, t.domain]),
      );
      const again = (await adminOf(second, second.tenants[1]).api(`/servicePrincipals/${sp.id}`).get()) as ServicePrincipal;
      assert.equal(again.appOwnerOrganizationId, a.tenantId);
      const org = ((await adminOf(second, second.tenants[2]).api('/organization').get()) as { value: Organization[] }).value[0];
      assert.equal(org.id, added.tenantId);
    } finally {
      await second.close();
    }
  });
});

describe('emulator: the admin-consent URL (no users: opening it is the admin accepting)', () => {
  const emu = useEmulator({ extraTenants: 1 });

  it('creates the service principal and the listed app role assignments in the consenting tenant, then redirects', async () => {
    const [home, customer] = emu.tenants;
    const adminA = adminOf(emu, home);
    const graphA = await msGraphSp(adminA);
    const app = await createApp(adminA, {
      signInAudience: 'AzureADMultipleOrgs',
      requiredResourceAccess: [{ resourceAppId: graphA.appId!, resourceAccess: [{ id: roleId(graphA, 'Application.Read.All'), type: 'Role' }] }],
    });
    settle(emu);
    const pw = (await adminA.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: 'main' } })) as PasswordCredential;
    settle(emu);

    const v2NoScope = await loginFetch(emu, `/${customer.tenantId}/v2.0/adminconsent?client_id=${app.appId}`);
    assert.equal(v2NoScope.status, 400);
    assert.deepEqual(((await v2NoScope.json()) as OAuthErrorBody).error_codes, [900144]);

    const res = await loginFetch(
      emu,
      `/${customer.domain}/adminconsent?client_id=${app.appId}&redirect_uri=${encodeURIComponent('https://localhost/done')}&state=s1`,
      { redirect: 'manual' },
    );
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location')!);
    assert.equal(back.origin + back.pathname, 'https://localhost/done');
    assert.equal(back.searchParams.get('admin_consent'), 'True');
    assert.equal(back.searchParams.get('tenant'), customer.tenantId);
    assert.equal(back.searchParams.get('state'), 's1');
    settle(emu);
    const t = decodeJwt((await credentialIn(emu, customer.tenantId, app.appId!, pw.secretText!).getToken('https://graph.microsoft.com/.default')).token);
    assert.equal(t.tid, customer.tenantId);
    assert.deepEqual(t.roles, ['Application.Read.All']);
    // Opening it again changes nothing.
    const again = await loginFetch(emu, `/${customer.tenantId}/adminconsent?client_id=${app.appId}`);
    assert.deepEqual(await again.json(), { admin_consent: 'True', tenant: customer.tenantId });
    const sps = ((await adminOf(emu, customer).api(`/servicePrincipals?$filter=appId eq '${app.appId}'`).get()) as { value: ServicePrincipal[] }).value;
    assert.equal(sps.length, 1);
  });

  it('refuses an app the tenant cannot have (single-tenant app of another tenant: AADSTS700016)', async () => {
    const [home, customer] = emu.tenants;
    const single = await createApp(adminOf(emu, home), { signInAudience: 'AzureADMyOrg' });
    settle(emu);
    const res = await loginFetch(emu, `/${customer.tenantId}/adminconsent?client_id=${single.appId}`);
    assert.equal(res.status, 400);
    assert.deepEqual(((await res.json()) as OAuthErrorBody).error_codes, [700016]);
  });
});

describe('emulator CLI: --extra-tenants', () => {
  it('announces the extra tenants in its JSON line (and only then)', async () => {
    const { startCliEmulator } = await import('../helpers/cli.js');
    const cli = await startCliEmulator(['--memory', '--port', '0', '--extra-tenants', '1']);
    try {
      const line = cli.line as unknown as {
        tenantId: string;
        extraTenants?: Array<{ tenantId: string; domain: string; adminClientId: string; adminClientSecret: string }>;
      };
      assert.equal(line.extraTenants?.length, 1);
      const [b] = line.extraTenants!;
      assert.notEqual(b.tenantId, line.tenantId);
      assert.equal(b.domain, 'tenantformcustomer1.onmicrosoft.com');
      assert.match(b.adminClientId, /^[0-9a-f-]{36}$/);
      assert.ok(b.adminClientSecret.length >= 40);
    } finally {
      assert.equal(await cli.stop(), 0);
    }
  });
});
