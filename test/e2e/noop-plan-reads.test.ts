/**
 * What a no-op plan reads, per application, counted in the emulator's request log (issue 13, resource units): two
 * batched round trips; each application once by uniqueName with its federated credentials inlined; the service
 * principals and their app role assignments in one list read per 15 appIds; each SP's delegated grants; the recycle
 * bin once per 15 uniqueNames; the tenant's number of users once (`/users/$count`: the throttle gate's bucket, graph/gate.ts).
 * An SP with more app role assignments than `$expand` returns (20) is read again in full,
 * in one more round trip, and the plan stays empty.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import type { RequestLogEntry } from '../../src/emulator/index.js';
import { apply, plan, type CommonOptions } from '../../src/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { assertConverged, engineOptions, exampleFleet, settle } from '../helpers/engine.js';
import { tempDir } from '../helpers/temp.js';

const DEPLOYER = resolve('manifests/github-deployer.yaml');

/** The reads of one plan, by kind (the log's paths carry no query). */
function readsOf(log: RequestLogEntry[]) {
  const items = log.filter((e) => e.service === 'graph' && e.batch);
  const count = (re: RegExp) => items.filter((e) => re.test(e.path)).length;
  return {
    envelopes: log.filter((e) => e.service === 'graph' && !e.batch && e.path.endsWith('/$batch')).length,
    others: log.filter((e) => e.service === 'graph' && !e.batch && !e.path.endsWith('/$batch')).length,
    applications: count(/^\/applications\(uniqueName='[^']+'\)$/),
    federatedCredentials: count(/\/federatedIdentityCredentials/),
    servicePrincipalLists: count(/^\/servicePrincipals$/),
    servicePrincipalsByAppId: count(/^\/servicePrincipals\(appId='[^']+'\)$/),
    assignments: count(/\/appRoleAssignments$/),
    grants: count(/\/oauth2PermissionGrants$/),
    deletedItems: count(/^\/directory\/deletedItems\//),
    userCount: count(/^\/users\/\$count$/),
    total: items.length,
    ru: items.reduce((n, e) => n + (e.resourceUnits ?? 0), 0),
  };
}

describe('no-op plan: reads per application', () => {
  const emu = useEmulator();

  /** Apply, let it replicate, then plan: the plan must be empty (its reads, counted) and a second apply writes nothing. */
  const noOpPlanReads = async (opts: CommonOptions) => {
    const r = await apply(opts);
    assert.ok(r.ok, JSON.stringify(r.results.filter((x) => x.status !== 'done')));
    settle(emu);
    const mark = emu.requestLog.mark();
    const p = await plan(opts);
    assert.deepEqual(
      p.plan.changes.map((c) => [c.action, c.id]),
      [],
    );
    const log = emu.requestLog.since(mark);
    await assertConverged(emu, opts);
    return { reads: readsOf(log), log };
  };

  it('3 stacks (5 applications, federated credentials on one): 2 round trips, 2 reads per app + 2 per 15, ≤ 7 RU per stack', async () => {
    const cwd = tempDir('tenantform-reads-');
    const manifests = exampleFleet(cwd, 2, 'reads');
    manifests.push(DEPLOYER);
    // Empty: the daemons' two app role assignments and the deployer's three federated credentials were all read.
    const { reads, log } = await noOpPlanReads(engineOptions(emu, { cwd, manifests }));
    const apps = 5;
    assert.deepEqual(
      { ...reads, ru: undefined, total: undefined },
      {
        envelopes: 2,
        others: 0,
        applications: apps,
        federatedCredentials: 0, // inlined: $expand=federatedIdentityCredentials
        servicePrincipalLists: 1, // appId in (…), ≤ 15 per read, app role assignments inlined
        servicePrincipalsByAppId: 0,
        assignments: 0,
        grants: apps,
        deletedItems: 1, // uniqueName in (…), ≤ 15 per read
        userCount: 1, // the tenant's size, for the throttle gate: once per plan
        ru: undefined,
        total: undefined,
      },
    );
    // The rest: the organization, the users' count and the conditional access policies, once per plan.
    assert.equal(reads.total, apps + 1 + apps + 1 + 3);
    // Answered in its $batch (ConsistencyLevel: eventual sent with it), 1 RU.
    const counted = log.filter((e) => e.batch && e.path === '/users/$count');
    assert.deepEqual(
      counted.map((e) => [e.status, e.resourceUnits]),
      [[200, 1]],
    );
    // Every read here costs 1 RU (with $select and $expand together too): 2 per application, 2 per 15 of them.
    assert.equal(reads.ru, reads.total);
    assert.ok((reads.ru - 2) / 3 <= 7, `${reads.ru} RU for 3 stacks`);
  });

  it('an SP holding more app role assignments than $expand returns is read again in full: the plan stays empty', async () => {
    const cwd = tempDir('tenantform-reads-');
    const roles = Array.from({ length: 21 }, (_, i) => `Role.${i}`);
    const file = join(cwd, 'many-roles.yaml');
    writeFileSync(
      file,
      [
        'stack: many-roles',
        'applications:',
        '  api:',
        '    displayName: many-roles-api',
        '    identifierUris:',
        '      - api://{appId}',
        '    appRoles:',
        ...roles.flatMap((v) => [`      - value: ${v}`, `        displayName: ${v}`, `        description: ${v}`, '        allowedMemberTypes: [Application]']),
        '  daemon:',
        '    displayName: many-roles-daemon',
        '    permissions:',
        '      - api: api',
        `        roles: [${roles.join(', ')}]`,
        '        adminConsent: true',
        '',
      ].join('\n'),
    );
    // Had only the 20 expanded assignments been read, the plan would grant the 21st again.
    const { reads } = await noOpPlanReads(engineOptions(emu, { cwd, manifests: [file] }));
    // The daemon's SP came back with 20: one more round trip reads its assignments by appId; the api's SP (none) does not.
    assert.equal(reads.envelopes, 3);
    assert.equal(reads.assignments, 1);
    assert.equal(reads.servicePrincipalLists, 1);
  });
});
