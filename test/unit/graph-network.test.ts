import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { generate } from 'selfsigned';
import { Agent } from 'undici';
import { numberArg } from '../../src/cli/numeric.js';
import { TenantformError } from '../../src/errors.js';
import { findNetworkCause, networkFailure } from '../../src/graph/network.js';
import { checkHttpsUrl, checkTenant } from '../../src/graph/target-check.js';

/**
 * The one mapping from a failed connection to NETWORK_ERROR / TLS_ERROR (src/graph/network.ts), fed with the
 * errors fetch really throws against real local servers — refused, reset, timeouts, every certificate problem —
 * and with them wrapped the way the SDKs wrap them.
 */
describe('network failures, from real connections', () => {
  const servers: Array<{ close(): unknown }> = [];
  const listen = (s: Server | ReturnType<typeof createHttpsServer>) =>
    new Promise<number>((resolve) => {
      servers.push(s);
      s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
    });
  const caught = async (url: string, init: Record<string, unknown> = {}): Promise<unknown> => {
    try {
      await fetch(url, init as RequestInit);
    } catch (e) {
      return e;
    }
    throw new Error(`${url} answered`);
  };
  const ec = { keyType: 'ec', algorithm: 'sha256' } as const;
  const san = (altNames: Array<{ type: 2 | 7; value?: string; ip?: string }>) => [{ name: 'subjectAltName' as const, altNames }];
  let port: Record<string, number>;
  let pem: Record<string, string>;

  before(async () => {
    const ca = await generate([{ name: 'commonName', value: 'test CA' }], {
      ...ec,
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', keyCertSign: true, digitalSignature: true },
      ],
    });
    const self = await generate([{ name: 'commonName', value: '127.0.0.1' }], { ...ec, extensions: san([{ type: 7, ip: '127.0.0.1' }]) });
    const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      ...ec,
      ca: { key: ca.private, cert: ca.cert },
      extensions: san([{ type: 7, ip: '127.0.0.1' }]),
    });
    const other = await generate([{ name: 'commonName', value: 'graph.example.test' }], { ...ec, extensions: san([{ type: 2, value: 'graph.example.test' }]) });
    const expired = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      ...ec,
      notBeforeDate: new Date(Date.now() - 3 * 86_400_000),
      notAfterDate: new Date(Date.now() - 86_400_000),
      extensions: san([{ type: 7, ip: '127.0.0.1' }]),
    });
    const https = (c: { private: string; cert: string }) => listen(createHttpsServer({ key: c.private, cert: c.cert }, (_q, r) => r.end('ok')));
    port = {
      self: await https(self),
      leaf: await https(leaf),
      other: await https(other),
      expired: await https(expired),
      http: await listen(createHttpServer((_q, r) => r.end('ok'))),
      silent: await listen(createTcpServer(() => {})),
      closer: await listen(createTcpServer((socket) => socket.destroy())),
    };
    const free = createTcpServer();
    port.free = await listen(free);
    free.close();
    pem = { ca: ca.cert, self: self.cert, other: other.cert, expired: expired.cert };
  });
  after(() => {
    for (const s of servers) s.close();
  });

  const trusting = (ca?: string, timeout?: number) => ({ dispatcher: new Agent({ connect: { ...(ca ? { ca } : {}), ...(timeout ? { timeout } : {}) } }) });
  const cases: Array<[string, () => Promise<unknown>, string, string]> = [
    ['connection refused', () => caught(`https://127.0.0.1:${port.free}/`), 'NETWORK_ERROR', 'refused'],
    ['DNS', () => caught('https://graph.tenantform.invalid/'), 'NETWORK_ERROR', 'dns'],
    ['closed before TLS', () => caught(`https://127.0.0.1:${port.closer}/`), 'NETWORK_ERROR', 'reset'],
    ['connect timeout', () => caught(`https://127.0.0.1:${port.silent}/`, trusting(undefined, 200)), 'NETWORK_ERROR', 'timeout'],
    ['abort timeout', () => caught(`https://127.0.0.1:${port.silent}/`, { signal: AbortSignal.timeout(200) }), 'NETWORK_ERROR', 'timeout'],
    ['a blocked port', () => caught('https://127.0.0.1:1/'), 'NETWORK_ERROR', 'blocked-port'],
    ['self-signed', () => caught(`https://127.0.0.1:${port.self}/`), 'TLS_ERROR', 'self-signed'],
    ['unknown CA', () => caught(`https://127.0.0.1:${port.leaf}/`, trusting(pem.self)), 'TLS_ERROR', 'unknown-ca'],
    ['hostname mismatch', () => caught(`https://127.0.0.1:${port.other}/`, trusting(pem.other)), 'TLS_ERROR', 'hostname-mismatch'],
    ['expired', () => caught(`https://127.0.0.1:${port.expired}/`, trusting(pem.expired)), 'TLS_ERROR', 'expired'],
    ['plain HTTP on an https:// URL', () => caught(`https://127.0.0.1:${port.http}/`), 'TLS_ERROR', 'not-tls'],
  ];
  for (const [name, provoke, code, cause] of cases) {
    test(`${name} → ${code} (${cause})`, async () => {
      const err = await provoke();
      const mapped = networkFailure(err, { service: 'Microsoft Graph', url: 'https://127.0.0.1:1234', flag: '--graph-url' });
      assert.ok(mapped instanceof TenantformError, `not mapped: ${String(err)} ${String((err as Error).cause)}`);
      assert.equal(mapped.code, code);
      assert.equal(mapped.meta.cause, cause);
      assert.equal(mapped.meta.host, '127.0.0.1:1234');
      assert.match(mapped.message, /Microsoft Graph at 127\.0\.0\.1:1234/);
    });
  }

  test('the same failure wrapped as the SDKs wrap it (cause, AggregateError, originalError) is found', async () => {
    const err = await caught(`https://127.0.0.1:${port.free}/`);
    const wrapped = [
      new Error('outer', { cause: new Error('middle', { cause: err }) }),
      new AggregateError([new Error('unrelated'), err], 'all failed'),
      Object.assign(new Error('GraphError'), { originalError: err }),
    ];
    for (const w of wrapped) assert.equal(findNetworkCause(w)?.cause, 'refused');
  });

  test('anything else is not a network failure (stays what it is)', () => {
    assert.equal(networkFailure(new Error('boom'), { service: 'Microsoft Graph', url: 'https://x' }), undefined);
    assert.equal(networkFailure(Object.assign(new Error('no'), { code: 'ENOENT' }), { service: 'Microsoft Graph', url: 'https://x' }), undefined);
    const cyclic: { cause?: unknown } = {};
    cyclic.cause = cyclic;
    assert.equal(findNetworkCause(cyclic), undefined);
  });

  test('with --ca-file given, an unknown CA says that file did not issue the certificate', async () => {
    const err = await caught(`https://127.0.0.1:${port.leaf}/`, trusting(pem.self));
    const mapped = networkFailure(err, { service: 'the Entra authority', url: 'https://127.0.0.1:1', flag: '--authority-host', extraCa: true });
    assert.match(mapped!.message, /The certificate passed with --ca-file did not issue it/);
  });
});

describe('flag checks (before anything starts)', () => {
  const usage = (fn: () => unknown, message: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof TenantformError && e.code === 'USAGE' && message.test(e.message));

  test('tenants: local, a GUID or a domain; anything else refused, with "local" when it is close', () => {
    for (const ok of ['local', '72f988bf-86f1-41af-91ab-2d7cd011db47', 'contoso.onmicrosoft.com', 'contoso.com']) checkTenant(ok);
    usage(() => checkTenant('locl'), /Did you mean "local"/);
    usage(() => checkTenant('Local'), /Did you mean "local"/);
    usage(() => checkTenant('contoso'), /^--tenant "contoso" is not a tenant: use 'local' \(the embedded emulator\), a tenant id \(GUID\) or a tenant domain/);
    usage(() => checkTenant('local', '--tenant', { local: false }), /use a tenant id \(GUID\) or a tenant domain/);
    usage(() => checkTenant('72f988bf-86f1-41af-91ab', '--home-tenant'), /^--home-tenant "72f988bf-86f1-41af-91ab" is not a tenant/);
  });

  test('URLs: absolute https:// only', () => {
    assert.equal(checkHttpsUrl('https://graph.microsoft.us', '--graph-url').host, 'graph.microsoft.us');
    usage(
      () => checkHttpsUrl('http://127.0.0.1:8443', '--graph-url'),
      /^--graph-url http:\/\/127\.0\.0\.1:8443 uses http: .*Use https:\/\/127\.0\.0\.1:8443\.$/,
    );
    usage(() => checkHttpsUrl('graph.microsoft.us', '--graph-url'), /is not a URL: give an absolute https:\/\/ URL/);
  });

  test('numbers: the flag, what was typed, the range', () => {
    const range = { min: 0, max: 86_400, unit: 'seconds' };
    assert.equal(numberArg('--timeout', 300, range), 300);
    assert.equal(numberArg('--timeout', '1.5', range), 1.5);
    for (const bad of ['abc', -5, '', 86_401, Number.NaN, '12s']) {
      usage(() => numberArg('--timeout', bad, range), /^--timeout must be a number of seconds from 0 to 86400; got ".*"\.$/);
    }
    usage(() => numberArg('--port', 1.5, { min: 0, max: 65_535, integer: true }), /^--port must be a whole number from 0 to 65535; got "1\.5"\.$/);
    usage(() => numberArg('--timeout', [1, 2], range), /given 2 times/);
    assert.equal(numberArg('--seed', undefined, range, { optional: true }), undefined);
  });
});
