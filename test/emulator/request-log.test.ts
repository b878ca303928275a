import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RequestLogEntry } from '../../src/emulator/index.js';
import { graphClient, graphToken, rawFetch, secretCredential, useEmulator } from '../helpers/emulator.js';
import { postBatch } from '../helpers/batch.js';
import { tempDir } from '../helpers/temp.js';

/** The request log: one JSON line per request, property names of bodies only — never a value. */
describe('request log', () => {
  const logFile = join(tempDir('tenantform-log-'), 'not-yet-there', 'requests.jsonl'); // the folder is created at start-up
  const emu = useEmulator({ env: { TENANTFORM_EMULATOR_LOG: logFile } });

  const fileEntries = (): RequestLogEntry[] =>
    readFileSync(logFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RequestLogEntry);

  it('writes one JSON line per request to TENANTFORM_EMULATOR_LOG, the same entries it keeps in memory', async () => {
    const token = await graphToken(emu);
    const res = await rawFetch(emu, '/v1.0/organization?$select=id', { token });
    await res.arrayBuffer();
    const entries = fileEntries();
    assert.deepEqual(entries, emu.requestLog.entries);
    const [discovery, tokenRequest, graph] = entries;
    assert.equal(discovery.service, 'login');
    assert.equal(discovery.method, 'GET');
    assert.equal(tokenRequest.service, 'login');
    assert.equal(tokenRequest.method, 'POST');
    assert.equal(tokenRequest.status, 200);
    assert.ok(tokenRequest.bodyKeys.includes('client_secret'), 'the name of a form field is logged …');
    assert.deepEqual(graph, { ...graph, service: 'graph', method: 'GET', path: '/v1.0/organization', status: 200, bodyKeys: [] });
    assert.ok(!Number.isNaN(Date.parse(graph.time)));
    assert.equal(typeof graph.durationMs, 'number');
  });

  it('records the Graph error code of failures (and AADSTS codes of the token endpoint)', async () => {
    const mark = emu.requestLog.mark();
    const res = await rawFetch(emu, '/v1.0/organization');
    await res.arrayBuffer();
    await assert.rejects(secretCredential(emu, emu.adminClientId, 'not-the-secret').getToken('https://graph.microsoft.com/.default'));
    const entries = emu.requestLog.since(mark);
    assert.equal(entries[0].errorCode, 'InvalidAuthenticationToken');
    const failedToken = entries.find((e) => e.service === 'login' && e.status >= 400);
    assert.match(failedToken?.errorCode ?? '', /^AADSTS\d+$/);
  });

  it('never contains a secret, a token, or any body or query value (whole file scanned)', async () => {
    const client = graphClient(emu);
    const marker = `marker-${Date.now()}`;
    const app = (await client.api('/applications').post({ displayName: `${marker}-app` })) as { id: string; appId: string };
    await client.api('/servicePrincipals').post({ appId: app.appId });
    const password = (await client.api(`/applications/${app.id}/addPassword`).post({ passwordCredential: { displayName: `${marker}-pw` } })) as {
      secretText: string;
    };
    assert.ok(password.secretText.length >= 16);
    const appToken = await graphToken(emu, secretCredential(emu, app.appId, password.secretText));
    const adminToken = await graphToken(emu);
    await client.api('/applications').filter(`displayName eq '${marker}-app'`).get();
    await postBatch(emu, {
      requests: [
        { id: '1', method: 'PATCH', url: `/applications/${app.id}`, headers: { 'Content-Type': 'application/json' }, body: { notes: `${marker}-batch` } },
      ],
    });

    const text = readFileSync(logFile, 'utf8');
    for (const [what, value] of [
      ['admin client secret', emu.adminClientSecret],
      ['new client secret', password.secretText],
      ['app access token', appToken],
      ['admin access token', adminToken],
      ['body and query values', marker],
    ] as const) {
      assert.equal(text.includes(value), false, `${what} leaked into the request log`);
    }
    assert.equal(/Bearer|eyJ[A-Za-z0-9_-]{10,}/.test(text), false, 'no bearer token or JWT fragment');
    // … while the log still says what happened.
    const entries = fileEntries();
    assert.ok(entries.some((e) => e.path.endsWith('/addPassword') && e.status === 200 && e.bodyKeys.includes('passwordCredential')));
    assert.ok(entries.some((e) => e.batch && e.method === 'PATCH' && e.bodyKeys.includes('notes')));
  });
});
