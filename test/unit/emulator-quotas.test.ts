import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphFault } from '../../src/emulator/errors.js';
import { GraphQuotas, requestCost, resolveQuotas } from '../../src/emulator/quotas.js';

/** The cost table and token buckets of Graph's identity limits (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits). */
describe('emulator quotas: costs and buckets', () => {
  const q = (s = '') => new URLSearchParams(s);

  it('prices requests as the doc lists them', () => {
    assert.deepEqual(requestCost('GET', '/v1.0/applications', q()), { ru: 2, write: 0 });
    assert.deepEqual(requestCost('GET', '/v1.0/applications', q('$select=id')), { ru: 1, write: 0 });
    assert.deepEqual(requestCost('GET', '/v1.0/applications', q('$expand=owners')), { ru: 3, write: 0 });
    assert.deepEqual(requestCost('GET', '/v1.0/applications', q('$top=5&$select=id')), { ru: 1, write: 0 }); // never below 1
    assert.deepEqual(requestCost('GET', '/v1.0/servicePrincipals/x/appRoleAssignments', q()), { ru: 2, write: 0 });
    assert.deepEqual(requestCost('GET', "/v1.0/servicePrincipals(appId='x')", q()), { ru: 1, write: 0 });
    // The same navigation by the alternate key, top-level and as a $batch item's path (no version).
    assert.deepEqual(requestCost('GET', "/v1.0/servicePrincipals(appId='x')/appRoleAssignments", q()), { ru: 2, write: 0 });
    assert.deepEqual(requestCost('GET', "/servicePrincipals(appId='x')/appRoleAssignments", q()), { ru: 2, write: 0 });
    assert.deepEqual(requestCost('GET', "/servicePrincipals(appId='x')/appRoleAssignments", q('$select=id')), { ru: 1, write: 0 });
    assert.deepEqual(requestCost('GET', "/servicePrincipals(appId='x')/appRoleAssignedTo", q()), { ru: 1, write: 0 });
    // The doc's oauth2PermissionGrants rows are the top-level collection and entity; the SP navigation has no row (UNCONFIRMED).
    assert.deepEqual(requestCost('GET', '/v1.0/oauth2PermissionGrants', q()), { ru: 2, write: 0 });
    assert.deepEqual(requestCost('GET', "/servicePrincipals(appId='x')/oauth2PermissionGrants", q()), { ru: 1, write: 0 });
    // The planner's folded reads: $select and $expand together cost the base 1.
    assert.deepEqual(requestCost('GET', "/applications(uniqueName='u')", q('$select=id&$expand=federatedIdentityCredentials')), { ru: 1, write: 0 });
    assert.deepEqual(requestCost('GET', '/servicePrincipals', q("$filter=appId in ('a','b')&$select=id&$expand=appRoleAssignments")), { ru: 1, write: 0 });
    assert.deepEqual(requestCost('POST', '/v1.0/directoryObjects/getByIds', q()), { ru: 5, write: 0 });
    assert.deepEqual(requestCost('POST', '/v1.0/directoryObjects/getByIds', q('$select=id')), { ru: 2, write: 0 });
    assert.deepEqual(requestCost('PATCH', '/v1.0/applications/x', q()), { ru: 1, write: 1 });
    assert.deepEqual(requestCost('POST', '/applications/x/addPassword', q()), { ru: 1, write: 1 }); // a $batch item's path
    assert.deepEqual(requestCost('DELETE', '/v1.0/applications/x', q()), { ru: 1, write: 1 });
  });

  it('throttles writes past 3,000 per 2 min 30 s for the application+tenant pair, and refills evenly', () => {
    let now = 0;
    const quotas = new GraphQuotas({ quotas: true, tenantSize: 'L' }, () => now);
    const caller = { appId: 'app-1', tenantId: 'tenant-1', users: () => 0 };
    const write = { method: 'POST', path: '/v1.0/applications', query: q() };
    for (let i = 0; i < 3000; i++) quotas.charge(write, caller); // 3,000 RU: under the pair's 8,000
    const e = catchFault(() => quotas.charge(write, caller));
    assert.equal(e.status, 429);
    assert.equal(e.headers['x-ms-throttle-scope'], 'Tenant_Application/Write/app-1/tenant-1');
    assert.equal(e.headers['x-ms-throttle-information'], 'WriteLimitExceeded');
    assert.ok(Number(e.headers['Retry-After']) >= 1);
    now += 50; // 3,000 per 150 s refill one write every 50 ms
    quotas.charge(write, caller);
  });

  it('throttles writes past 18,000 per 5 min for the tenant, whichever applications send them', () => {
    const quotas = new GraphQuotas({ quotas: true, tenantSize: 'L' }, () => 0);
    const write = { method: 'PATCH', path: '/v1.0/applications/x', query: q() };
    let fault: GraphFault | undefined;
    for (let app = 0; app < 7 && !fault; app++) {
      const caller = { appId: `app-${app}`, tenantId: 't', users: () => 0 };
      for (let i = 0; i < 2900 && !fault; i++) {
        try {
          quotas.charge(write, caller);
        } catch (e) {
          fault = e as GraphFault;
        }
      }
    }
    assert.ok(fault);
    assert.match(fault.headers['x-ms-throttle-scope'], /^Tenant\/Write\/app-\d\/t$/);
  });

  it('sizes the tenant by its users unless told, and can be turned off', () => {
    const quotas = new GraphQuotas({ quotas: true }, () => 0);
    assert.deepEqual([quotas.sizeOf(49), quotas.sizeOf(50), quotas.sizeOf(500), quotas.sizeOf(501)], ['S', 'M', 'M', 'L']);
    assert.deepEqual(resolveQuotas({}, { TENANTFORM_EMULATOR_QUOTAS: 'off' }), { quotas: false });
    assert.deepEqual(resolveQuotas({}, { TENANTFORM_EMULATOR_TENANT_SIZE: 'l' }), { quotas: true, tenantSize: 'L' });
    assert.throws(() => resolveQuotas({ tenantSize: 'XL' as never }, {}), /tenantSize must be S, M or L/);
    const off = new GraphQuotas({ quotas: false }, () => 0);
    for (let i = 0; i < 5000; i++) off.charge({ method: 'GET', path: '/v1.0/users', query: q() }, { appId: 'a', tenantId: 't', users: () => 0 });
  });
});

function catchFault(f: () => unknown): GraphFault {
  try {
    f();
  } catch (e) {
    if (e instanceof GraphFault) return e;
    throw e;
  }
  throw new Error('no fault');
}
