/**
 * Fault rules (src/emulator/fault-rules.ts) over HTTPS, through the Graph SDK, @azure/identity and raw fetch:
 * targeting (method, glob/RegExp path, nth, every, seeded probability, times), every kind's answer in Graph's or
 * Entra's shape, dropped connections, lost answers of committed writes, $batch items, lag rules and the request log.
 */
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { GraphError } from '@microsoft/microsoft-graph-client';
import type { Application, PasswordCredential, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { Agent } from 'undici';
import { seededRandom } from '../../src/emulator/faults.js';
import { item, postBatch } from '../helpers/batch.js';
import { graphClient, graphToken, rawFetch, secretCredential, startEmulator, useEmulator } from '../helpers/emulator.js';

type ErrorBody = { error: { code: string; message: string; innerError: Record<string, string> } };

describe('fault rules: targeting and Graph answers', () => {
  const emu = useEmulator();
  let token: string;
  before(async () => {
    token = await graphToken(emu);
  });
  beforeEach(() => emu.faults.clear());

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await rawFetch(emu, `/v1.0${path}`, { token, headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as ErrorBody };
  };

  it("nth=1: the first matching request gets Graph's 503 (no Retry-After unless asked), the next one passes; counters and log", async () => {
    const rule = emu.faults.add({ method: 'GET', path: '/organization', nth: 1, kind: '503' });
    assert.equal(rule.id.startsWith('f'), true);
    const mark = emu.requestLog.mark();
    const first = await get('/organization', { 'client-request-id': 'crid-503' });
    assert.equal(first.status, 503);
    assert.equal(first.headers.get('retry-after'), null);
    assert.equal(first.body.error.code, 'Service_ServiceUnavailable');
    assert.equal(first.body.error.message, 'Service is temporarily unavailable. Please wait and retry again.');
    assert.equal(first.body.error.innerError['client-request-id'], 'crid-503');
    assert.ok(first.body.error.innerError['request-id'] && first.body.error.innerError.date);
    assert.equal((await get('/organization', { 'client-request-id': 'crid-503' })).status, 200);
    assert.deepEqual(
      emu.faults.list().map((r) => [r.id, r.seen, r.fired]),
      [[rule.id, 2, 1]],
    );
    assert.equal(emu.faults.fired(rule.id), 1);
    const log = emu.requestLog.since(mark).filter((e) => e.service === 'graph');
    assert.deepEqual(
      log.map((e) => [e.status, e.errorCode, e.fault, e.clientRequestId, e.attempt]),
      [
        [503, 'Service_ServiceUnavailable', { rule: rule.id, kind: '503' }, 'crid-503', 1],
        [200, undefined, undefined, 'crid-503', 2],
      ],
    );
  });

  it('retryAfter adds the header to 5xx and 409; 500/502/504/409 carry their codes', async () => {
    const cases = [
      ['500', 500, 'Service_InternalServerError'],
      ['502', 502, 'UnknownError'],
      ['504', 504, 'UnknownError'],
      ['409-concurrency', 409, 'Directory_ConcurrencyViolation'],
      ['503', 503, 'Service_ServiceUnavailable'],
    ] as const;
    for (const [kind, status, code] of cases) {
      emu.faults.clear();
      emu.faults.add({ path: '/organization', kind, retryAfter: 2, times: 1 });
      const r = await get('/organization');
      assert.equal(r.status, status, kind);
      assert.equal(r.body.error.code, code, kind);
      assert.equal(r.headers.get('retry-after'), '2', kind);
    }
    emu.faults.clear();
    emu.faults.add({ path: '/organization', kind: '409-concurrency' });
    await assert.rejects(graphClient(emu).api('/organization').get(), (e: unknown) => {
      assert.ok(e instanceof GraphError);
      assert.equal(e.statusCode, 409);
      assert.equal(e.code, 'Directory_ConcurrencyViolation');
      assert.equal(e.message, 'Error due to concurrent requests being made to the tenant. Please wait briefly and retry.');
      return true;
    });
  });

  it('matches method, glob (OData keys as a segment) and RegExp paths; every / times; other requests untouched', async () => {
    const client = graphClient(emu);
    const app = (await client.api('/applications').post({ displayName: 'fault-glob', uniqueName: 'fault-glob' })) as Application;
    emu.faults.add({ method: 'PATCH', path: '/applications/*', kind: '500', every: true, times: 2 });
    emu.faults.add({ method: 'GET', path: /\/applications\/\(uniqueName='fault-glob'\)$/, kind: '504' });
    const patch = () => client.api(`/applications/${app.id}`).patch({ notes: 'x' });
    await assert.rejects(patch(), (e: unknown) => e instanceof GraphError && e.statusCode === 500);
    await assert.rejects(patch(), (e: unknown) => e instanceof GraphError && e.statusCode === 500);
    await patch(); // times: 2 used up
    // Raw: the SDK's RetryHandler would retry a 504 (and count more matches).
    assert.equal((await get(`/applications(uniqueName='fault-glob')`)).status, 504);
    assert.equal(((await client.api(`/applications/${app.id}`).get()) as Application).id, app.id);
    assert.deepEqual(
      emu.faults.list().map((r) => [r.seen, r.fired]),
      [
        [3, 2],
        [1, 1],
      ],
    );
  });

  it('probability with a seed: the same requests fail on every run, and nth lists pick exact ones', async () => {
    const random = seededRandom(11);
    const predicted = Array.from({ length: 12 }, () => (random() < 0.4 ? 503 : 200));
    emu.faults.add({ path: '/organization', probability: 0.4, seed: 11, kind: '503' });
    const got: number[] = [];
    for (let i = 0; i < 12; i++) got.push((await get('/organization')).status);
    assert.deepEqual(got, predicted);
    assert.ok(got.includes(503) && got.includes(200), got.join(','));
    emu.faults.clear();
    emu.faults.add('GET:/organization:nth=2,4:500');
    const picked: number[] = [];
    for (let i = 0; i < 5; i++) picked.push((await get('/organization')).status);
    assert.deepEqual(picked, [200, 500, 200, 500, 200]);
  });

  it('refuses bad rules with what was expected', () => {
    assert.throws(() => emu.faults.add({ kind: 'boom' as never }), /unknown kind "boom"/);
    assert.throws(() => emu.faults.add({ kind: '503', nth: 0 }), /nth must be a positive integer/);
    assert.throws(() => emu.faults.add({ kind: '503', nth: 1, probability: 0.5 }), /one of nth, every, probability/);
    assert.throws(() => emu.faults.add({ kind: '409-concurrency', service: 'login' }), /409-concurrency is a Graph fault/);
    assert.throws(() => emu.faults.add({ kind: 'aadsts' }), /needs aadsts/);
    assert.throws(() => emu.faults.add({ kind: 'aadsts', aadsts: 12345 }), /AADSTS12345 is not one the emulator knows/);
    assert.throws(() => emu.faults.add({ kind: 'lag' }), /lag needs lagMs/);
    assert.throws(() => emu.faults.add('POST:/x:nth=1'), /no fault kind/);
    assert.throws(() => emu.faults.add('POST:/x:503:reset'), /more than one fault kind: 503, reset/);
    assert.throws(() => emu.faults.add('POST:/x:503:nht=1'), /unknown field "nht=1"/);
    assert.throws(() => emu.faults.add('POST:/x:503:p=2'), /p must be a number between 0 and 1/);
    assert.throws(() => emu.faults.add('applications:503'), /expected \[METHOD:\]PATH first/);
    assert.deepEqual(emu.faults.list(), []);
  });
});

describe('fault rules: dropped connections and lost answers', () => {
  const emu = useEmulator();
  let token: string;
  before(async () => {
    token = await graphToken(emu);
  });
  beforeEach(() => emu.faults.clear());

  const secretsOf = async (id: string) =>
    (((await graphClient(emu).api(`/applications/${id}`).select('passwordCredentials').get()) as Application).passwordCredentials ??
      []) as PasswordCredential[];

  it('reset: no HTTP answer at all (fetch fails), logged with status 0 and the rule', async () => {
    const rule = emu.faults.add('GET:/organization:nth=1:reset');
    const mark = emu.requestLog.mark();
    await assert.rejects(rawFetch(emu, '/v1.0/organization', { token }), TypeError);
    assert.equal((await rawFetch(emu, '/v1.0/organization', { token })).status, 200);
    const [lost] = emu.requestLog.since(mark);
    assert.equal(lost.status, 0);
    assert.deepEqual(lost.fault, { rule: rule.id, kind: 'reset' });
  });

  it('timeout: the request is held for timeoutMs, then the connection is dropped', async () => {
    emu.faults.add({ path: '/organization', kind: 'timeout', timeoutMs: 300, times: 1 });
    const t0 = performance.now();
    await assert.rejects(rawFetch(emu, '/v1.0/organization', { token }), TypeError);
    assert.ok(performance.now() - t0 >= 290, `dropped after ${Math.round(performance.now() - t0)} ms`);
    // A client that gives up first sees its own timeout.
    emu.faults.add({ path: '/organization', kind: 'timeout', timeoutMs: 10_000, times: 1 });
    await assert.rejects(rawFetch(emu, '/v1.0/organization', { token, signal: AbortSignal.timeout(200) }), /aborted|timeout/i);
  });

  it('commit-then-reset: addPassword is applied, the answer never arrives', async () => {
    const app = (await graphClient(emu).api('/applications').post({ displayName: 'lost-answer' })) as Application;
    emu.faults.add('POST:/applications/*/addPassword:nth=1:commit-then-reset');
    await assert.rejects(
      graphClient(emu)
        .api(`/applications/${app.id}/addPassword`)
        .post({ passwordCredential: { displayName: 'tenantform:main' } }),
    );
    assert.deepEqual(
      (await secretsOf(app.id!)).map((p) => p.displayName),
      ['tenantform:main'],
    );
  });

  it('commit-then-503 / commit-then-504: the write is applied, the answer is an error', async () => {
    emu.faults.add({ method: 'POST', path: '/applications', nth: 1, kind: 'commit-then-503', retryAfter: 0 });
    const res = await rawFetch(emu, '/v1.0/applications', {
      method: 'POST',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'committed-503', uniqueName: 'committed-503' }),
    });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '0');
    assert.equal(((await res.json()) as ErrorBody).error.code, 'Service_ServiceUnavailable');
    const found = (await graphClient(emu).api(`/applications(uniqueName='committed-503')`).get()) as Application;
    assert.equal(found.displayName, 'committed-503');

    emu.faults.add({ method: 'PATCH', path: '/applications/*', nth: 1, kind: 'commit-then-504' });
    // Raw: the SDK's RetryHandler retries a 504, which would hide the lost answer.
    const patched = await rawFetch(emu, `/v1.0/applications/${found.id}`, {
      method: 'PATCH',
      token,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ notes: 'applied anyway' }),
    });
    assert.equal(patched.status, 504);
    assert.deepEqual(((await patched.json()) as ErrorBody).error.code, 'UnknownError');
    assert.equal(((await graphClient(emu).api(`/applications/${found.id}`).get()) as Application).notes, 'applied anyway');
  });
});

describe('fault rules: $batch', () => {
  const emu = useEmulator();
  beforeEach(() => emu.faults.clear());
  const json = { 'Content-Type': 'application/json' };

  it('5xx and 409 rules judge each item (the envelope stays 200); a path-less rule never hits the envelope', async () => {
    emu.faults.add({ method: 'GET', kind: '503', nth: 2, retryAfter: 1 });
    emu.faults.add({ method: 'PATCH', path: '/applications/*', kind: '409-concurrency' });
    const app = (await graphClient(emu).api('/applications').post({ displayName: 'batch-faults' })) as Application;
    const r = await postBatch(emu, {
      requests: [
        { id: '1', method: 'GET', url: '/organization' },
        { id: '2', method: 'GET', url: '/organization' },
        { id: '3', method: 'PATCH', url: `/applications/${app.id}`, headers: json, body: { notes: 'n' } },
      ],
    });
    assert.equal(r.status, 200);
    const statuses = ['1', '2', '3'].map((id) => item(r.body.responses, id).status);
    // Items run concurrently; which GET is the 2nd matching one is their arrival order (request order here).
    assert.deepEqual(statuses, [200, 503, 409]);
    assert.equal(item(r.body.responses, '2').headers['Retry-After'], '1');
    assert.equal(item(r.body.responses, '3').body?.error?.code, 'Directory_ConcurrencyViolation');
    const logged = emu.requestLog.entries.filter((e) => e.batch && e.fault);
    assert.deepEqual(logged.map((e) => e.fault?.kind).sort(), ['409-concurrency', '503']);
  });

  it('a reset of an item fails the whole envelope (no answer), after every item ran: what they wrote is committed', async () => {
    emu.faults.add('POST:/applications/*/addPassword:commit-then-reset');
    const a = (await graphClient(emu).api('/applications').post({ displayName: 'batch-reset-a' })) as Application;
    const b = (await graphClient(emu).api('/applications').post({ displayName: 'batch-reset-b' })) as Application;
    const mark = emu.requestLog.mark();
    await assert.rejects(
      postBatch(emu, {
        requests: [
          { id: 'a', method: 'POST', url: `/applications/${a.id}/addPassword`, headers: json, body: { passwordCredential: { displayName: 'x' } } },
          { id: 'b', method: 'PATCH', url: `/applications/${b.id}`, headers: json, body: { notes: 'b ran' } },
        ],
      }),
      TypeError,
    );
    const log = emu.requestLog.since(mark).filter((e) => e.service === 'graph');
    const rows = log.map((e) => [e.path.replace(/[0-9a-f-]{36}/g, 'ID'), e.status, e.fault?.kind]);
    // The items run side by side (their order in the log is not meaningful); the envelope is logged last.
    const items = rows.slice(0, -1).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    assert.deepEqual(
      [...items, rows.at(-1)],
      [
        ['/applications/ID', 204, undefined],
        ['/applications/ID/addPassword', 0, 'commit-then-reset'],
        ['/v1.0/$batch', 0, 'commit-then-reset'],
      ],
    );
    const client = graphClient(emu);
    assert.equal(((await client.api(`/applications/${a.id}`).get()) as Application).passwordCredentials?.length, 1);
    assert.equal(((await client.api(`/applications/${b.id}`).get()) as Application).notes, 'b ran');
  });

  it('a rule whose path is /$batch targets the envelope', async () => {
    emu.faults.add('POST:/$batch:nth=1:503');
    const r = await postBatch(emu, { requests: [{ id: '1', method: 'GET', url: '/organization' }] });
    assert.equal(r.status, 503);
    assert.equal(r.body.error?.code, 'Service_ServiceUnavailable');
  });
});

describe('fault rules: replication lag per request', () => {
  const emu = useEmulator();
  beforeEach(() => emu.faults.clear());

  it('a lag rule delays what its requests write; jitter draws a lag per object', async () => {
    const client = graphClient(emu);
    emu.faults.add({ method: 'POST', path: '/applications', kind: 'lag', lagMs: 1000, times: 1 });
    const app = (await client.api('/applications').post({ displayName: 'lagged-by-rule' })) as Application;
    await assert.rejects(client.api(`/applications/${app.id}`).get(), (e: unknown) => e instanceof GraphError && e.statusCode === 404);
    emu.clock.advance(1000);
    assert.equal(((await client.api(`/applications/${app.id}`).get()) as Application).displayName, 'lagged-by-rule');

    emu.faults.add({ method: 'POST', path: '/applications', kind: 'lag', jitterMs: 5000 });
    const apps: Application[] = [];
    for (let i = 0; i < 6; i++) apps.push((await client.api('/applications').post({ displayName: `jitter-${i}` })) as Application);
    const visibleAfter = async (ms: number) => {
      let n = 0;
      for (const a of apps) {
        try {
          await client.api(`/applications/${a.id}`).get();
          n++;
        } catch {
          // not replicated yet
        }
      }
      emu.clock.advance(ms);
      return n;
    };
    const seen = [await visibleAfter(2500), await visibleAfter(2501), await visibleAfter(0)];
    assert.equal(seen[2], 6, 'all visible after the largest jitter');
    assert.ok(seen[1] > seen[0] || seen[0] > 0, `objects replicate at different times: ${seen.join(',')}`);
  });

  it('a lag rule on DELETE: a read by key still finds the object until the lag has passed', async () => {
    const client = graphClient(emu);
    const app = (await client.api('/applications').post({ displayName: 'ghost' })) as Application;
    emu.faults.add('DELETE:/applications/*:lag-ms=2000:lag');
    await client.api(`/applications/${app.id}`).delete();
    const ghost = (await client.api(`/applications/${app.id}`).select('displayName').get()) as Application;
    assert.equal(ghost.displayName, 'ghost');
    emu.clock.advance(2000);
    await assert.rejects(client.api(`/applications/${app.id}`).get(), (e: unknown) => e instanceof GraphError && e.statusCode === 404);
  });

  it('a lag rule on DELETE: lists, filters and alternate keys still find it (and its service principal); the recycle bin has it at once', async () => {
    const client = graphClient(emu);
    const app = (await client.api('/applications').post({ displayName: 'tombstone' })) as Application;
    const sp = (await client.api('/servicePrincipals').post({ appId: app.appId })) as ServicePrincipal;
    emu.faults.add('DELETE:/applications/*:lag-ms=3000:lag');
    await client.api(`/applications/${app.id}`).delete();
    const listed = (await client.api('/applications').select('id').get()) as { value: Application[] };
    assert.ok(
      listed.value.some((a) => a.id === app.id),
      'a replica that has not seen the delete still lists it',
    );
    const byFilter = (await client.api('/applications').filter(`appId eq '${app.appId}'`).get()) as { value: Application[] };
    assert.deepEqual(
      byFilter.value.map((a) => a.id),
      [app.id],
    );
    const byKey = (await client.api(`/applications(appId='${app.appId}')`).get()) as Application;
    assert.equal(byKey.displayName, 'tombstone');
    const spByKey = (await client.api(`/servicePrincipals(appId='${app.appId}')`).get()) as ServicePrincipal;
    assert.equal(spByKey.id, sp.id, 'the cascade to the service principal lags too');
    const bin = (await client.api(`/directory/deletedItems/${app.id}`).get()) as Application;
    assert.equal(bin.id, app.id, 'the write master moved it to the recycle bin at once');
    emu.clock.advance(3000);
    const after = (await client.api('/applications').filter(`appId eq '${app.appId}'`).get()) as { value: Application[] };
    assert.deepEqual(after.value, []);
    await assert.rejects(client.api(`/servicePrincipals(appId='${app.appId}')`).get(), (e: unknown) => e instanceof GraphError && e.statusCode === 404);
  });

  it('a lag rule on DELETE: a restore during the lag is what replicas serve next', async () => {
    const client = graphClient(emu);
    const app = (await client.api('/applications').post({ displayName: 'restored' })) as Application;
    emu.faults.add('DELETE:/applications/*:lag-ms=3000:lag');
    await client.api(`/applications/${app.id}`).delete();
    emu.faults.clear();
    await client.api(`/directory/deletedItems/${app.id}/restore`).post({});
    emu.clock.advance(3000);
    const got = (await client.api(`/applications/${app.id}`).select('displayName').get()) as Application;
    assert.equal(got.displayName, 'restored');
  });
});

describe('fault rules: the token endpoint', () => {
  const emu = useEmulator();
  beforeEach(() => emu.faults.clear());

  const tokenRequest = (clientId = emu.adminClientId) =>
    fetch(`${emu.authorityHost}/${emu.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'client-request-id': 'tok-1' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: emu.adminClientSecret,
        scope: 'https://graph.microsoft.com/.default',
      }),
      dispatcher: new Agent({ connect: { ca: emu.ca } }),
    } as RequestInit);

  it("aadsts: Entra's OAuth error shape; @azure/identity reports the code; Graph is untouched", async () => {
    const rule = emu.faults.add('token:aadsts=7000215:nth=1');
    const res = await tokenRequest();
    assert.equal(res.status, 401);
    const body = (await res.json()) as { error: string; error_codes: number[]; error_description: string; correlation_id: string };
    assert.equal(body.error, 'invalid_client');
    assert.deepEqual(body.error_codes, [7000215]);
    assert.match(body.error_description, new RegExp(`^AADSTS7000215: Invalid client secret provided.*'${emu.adminClientId}'`));
    assert.equal(body.correlation_id, 'tok-1');
    assert.equal((await tokenRequest()).status, 200);
    // (A 4xx code: msal and @azure/identity retry 5xx answers of the token endpoint on their own, with backoff.)
    const unknown = emu.faults.add({ kind: 'aadsts', aadsts: 700016, times: 1 });
    await assert.rejects(secretCredential(emu).getToken('https://graph.microsoft.com/.default'), /AADSTS700016/);
    assert.equal(emu.faults.fired(unknown.id), 1);
    const entries = emu.requestLog.entries.filter((e) => e.fault);
    assert.deepEqual(entries[0].fault, { rule: rule.id, kind: 'aadsts' });
    assert.equal(entries[0].errorCode, 'AADSTS7000215');
    assert.equal(entries[0].clientRequestId, 'tok-1');
  });

  it('5xx with Retry-After, and reset, at the token endpoint (service login)', async () => {
    emu.faults.add({ service: 'login', kind: '503', retryAfter: 3, times: 1 });
    const res = await tokenRequest();
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '3');
    const body = (await res.json()) as { error: string; error_codes: number[] };
    assert.equal(body.error, 'temporarily_unavailable');
    assert.deepEqual(body.error_codes, [90033]);
    emu.faults.add({ service: 'login', kind: '500', times: 1 });
    const five = await tokenRequest();
    assert.equal(five.status, 500);
    assert.deepEqual(((await five.json()) as { error_codes: number[] }).error_codes, [50000]);
    emu.faults.add('token:reset:times=1');
    await assert.rejects(tokenRequest(), TypeError);
    assert.equal((await tokenRequest()).status, 200);
  });
});

describe('fault rules at start: options and TENANTFORM_EMULATOR_FAULTS', () => {
  it('takes specs from the environment (;-separated) and refuses a bad one before start', async () => {
    const emu = await startEmulator({ env: { TENANTFORM_EMULATOR_FAULTS: 'GET:/organization:nth=1:503; token:aadsts=50196:times=1' } });
    try {
      assert.deepEqual(
        emu.faults.list().map((r) => [r.service, r.method, r.path, r.kind, r.nth, r.aadsts]),
        [
          ['graph', 'GET', '/organization', '503', 1, undefined],
          ['login', undefined, undefined, 'aadsts', undefined, 50196],
        ],
      );
    } finally {
      await emu.close();
    }
    const withOption = await startEmulator({ faults: ['POST:/applications:500'], env: { TENANTFORM_EMULATOR_FAULTS: 'GET:/organization:503' } });
    try {
      assert.deepEqual(
        withOption.faults.list().map((r) => r.kind),
        ['500'],
        'an explicit option wins over the environment',
      );
    } finally {
      await withOption.close();
    }
    await assert.rejects(startEmulator({ env: { TENANTFORM_EMULATOR_FAULTS: 'GET:/organization:nth=x:503' } }), (e: Error) => {
      assert.equal(e.name, 'EmulatorOptionError');
      assert.match(e.message, /nth must be an integer ≥ 1, got "x"/);
      return true;
    });
  });
});
