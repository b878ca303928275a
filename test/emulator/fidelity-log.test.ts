import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { graphToken, rawFetch, useEmulator } from '../helpers/emulator.js';
import { addApp, addCert, addSecret, certificateCredential, loginFetch, makeCert, postToken } from '../helpers/tokens.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Fidelity audit (docs/emulator-fidelity.md, "Request log"): besides what request-log.test.ts scans, no client
 * assertion, Basic credential, secret sent in a query string, or token issued to a certificate client reaches
 * the log file.
 */
describe('fidelity: the request log never holds a credential', () => {
  const logFile = join(tempDir('tf-fidelity-log-'), 'requests.jsonl');
  const emu = useEmulator({ logFile });

  it('client assertions, Basic credentials and query-string secrets stay out; field names stay in', async () => {
    const cert = await makeCert();
    const client = addApp(emu, { displayName: 'log-cert-client' });
    addCert(emu, client.app, cert);
    const secret = addSecret(emu, client.app);
    const assertionToken = await graphToken(emu, certificateCredential(emu, client.app.appId!, cert));

    // A client that (wrongly) puts its secret in the query string, and one that uses HTTP Basic.
    const viaQuery = await loginFetch(emu, `/${emu.tenantId}/oauth2/v2.0/token?client_secret=${encodeURIComponent(secret)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.app.appId!, scope: 'https://graph.microsoft.com/.default' }).toString(),
    });
    assert.equal(viaQuery.status, 401, 'a secret in the query string is not a credential');
    const basic = await postToken(
      emu,
      { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' },
      { headers: { Authorization: `Basic ${Buffer.from(`${client.app.appId}:${secret}`).toString('base64')}` } },
    );
    assert.equal(basic.status, 200);
    const basicToken = ((await basic.json()) as { access_token: string }).access_token;
    await rawFetch(emu, `/v1.0/applications?$filter=${encodeURIComponent(`displayName eq '${secret}'`)}`, { token: basicToken });

    const text = readFileSync(logFile, 'utf8');
    for (const [what, value] of [
      ['client secret', secret],
      ['token issued for a client assertion', assertionToken],
      ['token issued for Basic', basicToken],
      ['certificate private key material', cert.keyPem.split('\n')[1]],
    ] as const) {
      assert.equal(text.includes(value), false, `${what} leaked into the request log`);
    }
    assert.equal(/eyJ[A-Za-z0-9_-]{10,}/.test(text), false, 'no JWT (token or client_assertion) fragment');
    assert.equal(text.includes('Basic '), false);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { service: string; path: string; bodyKeys: string[] });
    const certRequest = lines.find((l) => l.service === 'login' && l.bodyKeys.includes('client_assertion'));
    assert.ok(certRequest, 'the certificate token request is logged by field name');
    assert.ok(
      lines.every((l) => !l.path.includes('?')),
      'paths never carry a query string',
    );
  });
});
