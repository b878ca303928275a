/**
 * The credential planners, table-driven and offline: diffSecrets (reuse, renewal window, forced rotation,
 * leftovers before/after the outputs, at most two per name, foreign secrets untouched), diffKeys (generated,
 * pending reuse, files by content), diffFederatedCredentials (create, update, rename = delete + create,
 * ownership marker, Graph's limits) and the expiry warnings.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { FederatedIdentityCredential, KeyCredential, PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { LiveApplication } from '../../src/model/live.js';
import { ficDescription, type DesiredCertificate, type DesiredFederatedCredential } from '../../src/model/desired.js';
import { diffFederatedCredentials } from '../../src/plan/diff-fic.js';
import { diffKeys } from '../../src/plan/diff-keys.js';
import { diffSecrets } from '../../src/plan/diff-secrets.js';
import { expiryWarnings } from '../../src/plan/expiry.js';
import { otherWriterWarnings } from '../../src/plan/other-writer.js';
import type { PlanApplication } from '../../src/plan/input.js';
import type { Change } from '../../src/plan/types.js';
import { desiredApp, location, secret } from '../helpers/builders.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-01T00:00:00Z');
const iso = (days: number) => new Date(NOW + days * DAY).toISOString();
const app = (o: Parameters<typeof desiredApp>[0] = {}): PlanApplication => ({ ...desiredApp({ key: 'daemon', ...o }), stack: 'test' });
const live = (o: Partial<LiveApplication['app']> = {}, fics: FederatedIdentityCredential[] = []): LiveApplication => ({
  app: { id: 'obj', appId: 'app', passwordCredentials: [], keyCredentials: [], ...o },
  assignments: [],
  grants: [],
  federatedCredentials: fics,
});
const pw = (keyId: string, days: number, displayName = 'tenantform:main', hint = keyId.slice(0, 3)): PasswordCredential => ({
  keyId,
  displayName,
  endDateTime: iso(days),
  hint,
});
const summary = (changes: Change[]) =>
  changes.map((c) => {
    const key =
      c.action === 'remove-secret' || c.action === 'remove-certificate' ? `${c.keyId}${c.afterOutputs ? ' after outputs' : ''}` : 'name' in c ? c.name : '';
    return `${c.action} ${key}${c.dependsOn.length ? ` <- ${c.dependsOn.map((d) => d.replace(/^.*\//, '')).join(',')}` : ''}`;
  });

describe('diffSecrets', () => {
  const d = app({ secrets: [secret('main', '180d', '30d')] });
  const known = { main: { keyId: 'cur', value: 'v' } };
  const cases: Array<{
    name: string;
    creds: PasswordCredential[];
    known?: typeof known | Record<string, never>;
    rotate?: boolean;
    inUse?: string[];
    expect: string[];
  }> = [
    { name: 'keeps the current secret while valid, known and outside the window', creds: [pw('cur', 100)], known, expect: [] },
    { name: 'adds when no value is known', creds: [], known: {}, inUse: [], expect: ['add-secret main'] },
    {
      name: 'rotates within the renewal window: add, then remove the old after outputs',
      creds: [pw('cur', 20)],
      known,
      inUse: ['cur'],
      expect: ['add-secret main', 'remove-secret cur after outputs <- main'],
    },
    {
      name: '--rotate-secrets rotates a valid secret',
      creds: [pw('cur', 100)],
      known,
      rotate: true,
      inUse: ['cur'],
      expect: ['add-secret main', 'remove-secret cur after outputs <- main'],
    },
    { name: 'an expired known secret is replaced', creds: [pw('cur', -1)], known, inUse: [], expect: ['remove-secret cur', 'add-secret main <- cur'] },
    {
      name: 'an orphan (addPassword done, value lost) in no output goes FIRST, so never more than two',
      creds: [pw('cur', 100), pw('orphan', 180)],
      known,
      rotate: true,
      inUse: ['cur'],
      expect: ['remove-secret orphan', 'add-secret main <- orphan', 'remove-secret cur after outputs <- main'],
    },
    {
      name: 'an orphan is removed even when nothing else changes',
      creds: [pw('cur', 100), pw('orphan', 180)],
      known,
      inUse: ['cur'],
      expect: ['remove-secret orphan'],
    },
    {
      name: 'an unknown secret a config file may hold (lost cache) goes only after the outputs',
      creds: [pw('old', 100)],
      known: {},
      inUse: ['old'],
      expect: ['add-secret main', 'remove-secret old after outputs <- main'],
    },
    {
      name: 'without in-use information every unknown one is treated as in use',
      creds: [pw('old', 100)],
      known: {},
      expect: ['add-secret main', 'remove-secret old after outputs <- main'],
    },
    { name: 'never touches secrets the stack did not create', creds: [pw('cur', 100), pw('portal', 1, 'made in the portal')], known, inUse: [], expect: [] },
    {
      name: 'removes tool-created secrets whose name left the manifest',
      creds: [pw('cur', 100), pw('gone', 100, 'tenantform:old')],
      known,
      inUse: [],
      expect: ['remove-secret gone'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const changes = diffSecrets({
        desired: d,
        live: live({ passwordCredentials: c.creds }),
        known: c.known ?? {},
        now: NOW,
        appChangeIds: [],
        rotate: c.rotate,
        inUse: c.inUse,
      });
      assert.deepEqual(summary(changes), c.expect);
      // At most two tool-created secrets per name at any moment: removals ordered before the add count down.
      const before = c.creds.filter((x) => x.displayName === 'tenantform:main').length;
      const first = changes.filter(
        (x) => x.action === 'remove-secret' && !x.afterOutputs && c.creds.some((p) => p.keyId === x.keyId && p.displayName === 'tenantform:main'),
      ).length;
      if (changes.some((x) => x.action === 'add-secret')) assert.ok(before - first + 1 <= 2, 'more than two during rotation');
    });
  }
});

describe('diffKeys', () => {
  const gen = (o: Partial<DesiredCertificate> = {}): DesiredCertificate => ({
    name: 'main',
    source: { kind: 'generate', subject: 'CN=x', lifetime: '1y', lifetimeMs: 365 * DAY },
    renewBeforeMs: 30 * DAY,
    keyFile: null,
    location: location(),
    ...o,
  });
  const key = (keyId: string, days: number, der = keyId): KeyCredential => ({
    keyId,
    displayName: 'tenantform:main',
    endDateTime: iso(days),
    key: Buffer.from(der).toString('base64'),
  });
  const known = (keyId: string, state: 'pending' | 'uploaded', days = 300) => ({ keyId, thumbprintSha256: 'x', notAfter: iso(days), state, createdAt: iso(0) });

  test('keeps a known, valid certificate; rotates in the window; forced rotation', () => {
    const d = app({ certificates: [gen()] });
    const run = (days: number, rotate?: boolean) =>
      summary(
        diffKeys({
          desired: d,
          live: live({ keyCredentials: [key('k1', days)] }),
          certificates: { main: { known: [known('k1', 'uploaded')] } },
          now: NOW,
          appChangeIds: [],
          rotate,
          inUse: ['k1'],
        }),
      );
    assert.deepEqual(run(200), []);
    assert.deepEqual(run(10), ['add-certificate main', 'remove-certificate k1 after outputs <- main']);
    assert.deepEqual(run(200, true), ['add-certificate main', 'remove-certificate k1 after outputs <- main']);
  });

  test('two registered certificates ending in the same second: the newest stored one is current (as the outputs say)', () => {
    // A rotation right after a create: both certificates' notAfter fall in the same second (X.509 times have
    // second precision), so the end date cannot tell them apart; the store's createdAt (what the output
    // fields use, credentials/store.ts current()) must decide, whatever order Graph lists them in.
    const stored = (keyId: string, ms: number) => ({ ...known(keyId, 'uploaded'), createdAt: new Date(NOW + ms).toISOString() });
    for (const order of [
      ['old', 'new'],
      ['new', 'old'],
    ]) {
      const changes = diffKeys({
        desired: app({ certificates: [gen()] }),
        live: live({ keyCredentials: order.map((k) => key(k, 300)) }),
        certificates: { main: { known: [stored('old', 0), stored('new', 5)] } },
        now: NOW,
        appChangeIds: [],
        inUse: ['new'],
      });
      assert.deepEqual(summary(changes), ['remove-certificate old'], order.join(','));
    }
  });

  test('reuses a certificate a crashed run stored but never registered', () => {
    const changes = diffKeys({
      desired: app({ certificates: [gen()] }),
      live: live(),
      certificates: { main: { known: [known('stored', 'pending')] } },
      now: NOW,
      appChangeIds: [],
      inUse: [],
    });
    assert.equal(changes.length, 1);
    assert.ok(changes[0].action === 'add-certificate' && changes[0].keyId === 'stored' && changes[0].source === 'generate');
  });

  test('a registered key whose private key is lost is replaced; keys of others stay', () => {
    const foreign: KeyCredential = { ...key('f', 100), displayName: 'CN=partner' };
    const changes = diffKeys({
      desired: app({ certificates: [gen()] }),
      live: live({ keyCredentials: [key('lost', 200), foreign] }),
      certificates: { main: { known: [] } },
      now: NOW,
      appChangeIds: [],
      inUse: [],
    });
    assert.deepEqual(summary(changes), ['remove-certificate lost', 'add-certificate main <- lost']);
  });

  test('a file certificate is matched by content, and a new file replaces it', () => {
    const file: DesiredCertificate = gen({ source: { kind: 'file', path: 'c.pem', passwordEnv: null } });
    const sha = (s: string) => createHash('sha256').update(Buffer.from(s)).digest('hex');
    const plan = (der: string) =>
      diffKeys({
        desired: app({ certificates: [file] }),
        live: live({ keyCredentials: [key('k1', 200, 'A')] }),
        certificates: { main: { known: [], file: { thumbprintSha256: sha(der), notAfter: iso(300), subject: 'CN=x' } } },
        now: NOW,
        appChangeIds: [],
        inUse: ['k1'],
      });
    assert.deepEqual(plan('A'), []);
    const changed = plan('B');
    assert.deepEqual(summary(changed), ['add-certificate main', 'remove-certificate k1 after outputs <- main']);
    assert.ok(changed[0].action === 'add-certificate' && changed[0].file === 'c.pem' && changed[0].thumbprintSha256 === sha('B'));
  });

  test('an unreadable certificate file stops the plan with its reason', () => {
    const file: DesiredCertificate = gen({ source: { kind: 'file', path: 'missing.pem', passwordEnv: null } });
    assert.throws(
      () =>
        diffKeys({
          desired: app({ certificates: [file] }),
          live: live(),
          certificates: { main: { known: [], file: { error: 'ENOENT' } } },
          now: NOW,
          appChangeIds: [],
        }),
      /missing\.pem: ENOENT/,
    );
  });
});

describe('diffFederatedCredentials', () => {
  const fic = (name: string, subject: string, description = ficDescription('test', null)): DesiredFederatedCredential => ({
    name,
    issuer: 'https://issuer',
    subject,
    audiences: ['api://AzureADTokenExchange'],
    description,
    location: location(),
  });
  const liveFic = (name: string, subject: string, description: string | null = ficDescription('test', null)): FederatedIdentityCredential => ({
    id: `id-${name}`,
    name,
    issuer: 'https://issuer',
    subject,
    audiences: ['api://AzureADTokenExchange'],
    description,
  });
  const run = (desired: DesiredFederatedCredential[], current: FederatedIdentityCredential[]) =>
    diffFederatedCredentials({ desired: app({ federatedCredentials: desired }), live: live({}, current), appChangeIds: [] });

  test('creates, keeps, updates in place', () => {
    assert.deepEqual(summary(run([fic('a', 's1')], [])), ['create-federated-credential a']);
    assert.deepEqual(summary(run([fic('a', 's1')], [liveFic('A', 's1')])), [], 'names compare without case');
    const upd = run([fic('a', 's2')], [liveFic('a', 's1')]);
    assert.deepEqual(summary(upd), ['update-federated-credential a']);
    assert.deepEqual(upd[0].action === 'update-federated-credential' && upd[0].fields, [{ field: 'subject', before: 's1', after: 's2' }]);
  });

  test('a rename is a delete and a create that waits for it', () => {
    assert.deepEqual(summary(run([fic('b', 's1')], [liveFic('a', 's1')])), ['delete-federated-credential a', 'create-federated-credential b <- a']);
  });

  test('deletes only credentials that carry the stack marker', () => {
    assert.deepEqual(
      summary(run([], [liveFic('ours', 's1'), liveFic('theirs', 's2', 'made by hand'), liveFic('other-stack', 's3', ficDescription('other', null))])),
      ['delete-federated-credential ours'],
    );
  });

  test("refuses before any write when Graph's rules would fail", () => {
    const many = Array.from({ length: 19 }, (_, i) => liveFic(`x${i}`, `s${i}`, null));
    assert.throws(() => run([fic('a', 'new1'), fic('b', 'new2')], many), /would have 21 federated credentials/);
    assert.throws(() => run([fic('a', 's0')], [liveFic('hand', 's0', null)]), /same issuer and subject as "hand"/);
  });
});

describe('expiryWarnings', () => {
  test('reports managed and unmanaged credentials within their windows, nothing secret', () => {
    const d = app({ secrets: [secret('main', '180d', '30d')] });
    const l = live({
      passwordCredentials: [pw('cur', 10), pw('portal', 20, 'portal secret'), pw('fine', 200, 'long lived')],
      keyCredentials: [{ keyId: 'k', displayName: 'CN=partner', endDateTime: iso(-2) }],
    });
    const warnings = expiryWarnings({ desired: d, live: l, changes: [], now: NOW });
    assert.deepEqual(warnings, [
      'client secret "tenantform:main" (keyId cur) of test--daemon expires in 10 days (2025-06-11); apply rotates it',
      'client secret "portal secret" (keyId portal) of test--daemon expires in 20 days (2025-06-21); it is not managed by stack test (read-only report): renew it where it was created',
      'certificate "CN=partner" (keyId k) of test--daemon expired on 2025-05-30; it is not managed by stack test (read-only report): renew it where it was created',
    ]);
  });
});

describe('otherWriterWarnings (another folder or machine applies the stack)', () => {
  const d = app({ secrets: [secret('main', '180d', '30d')] });
  const known = { main: { keyId: 'cur', value: 'v' } };
  const run = (creds: PasswordCredential[], k: Record<string, { keyId: string; value: string }> = known) =>
    otherWriterWarnings({ desired: d, live: live({ passwordCredentials: creds }), known: k });

  test('the secret the cache holds is gone and one of its name this folder did not create is there: warned, nothing secret', () => {
    const w = run([{ ...pw('theirs', 100), startDateTime: '2025-05-31T10:00:00Z' }]);
    assert.equal(w.length, 1);
    assert.match(w[0], /client secret "main" of test--daemon: the one this folder's secret cache holds \(keyId cur\) is gone/);
    assert.match(w[0], /keyId theirs, created 2025-05-31T10:00:00Z/);
    assert.match(w[0], /another folder or machine applies stack test/);
    assert.doesNotMatch(w[0], /\bv\b/);
  });
  test('no warning: the known secret is still there (a rotation in progress here), none is known (a new folder), or only the known one vanished', () => {
    assert.deepEqual(run([pw('cur', 100), pw('theirs', 100)]), []);
    assert.deepEqual(run([pw('CUR', 100)]), [], 'keyIds compare without case');
    assert.deepEqual(run([pw('theirs', 100)], {}), []);
    assert.deepEqual(run([]), []);
    assert.deepEqual(run([pw('portal', 100, 'made in the portal')]), []);
    assert.deepEqual(otherWriterWarnings({ desired: d, known }), []);
  });

  test('generated certificates: a registered one replaced by one the store never held is warned; pending, file-based or portal ones are not', () => {
    const cert: DesiredCertificate = {
      name: 'main',
      source: { kind: 'generate', subject: 'CN=x', lifetime: '1y', lifetimeMs: 365 * DAY },
      renewBeforeMs: 30 * DAY,
      keyFile: null,
      location: location(),
    };
    const key = (keyId: string, displayName = 'tenantform:main'): KeyCredential => ({ keyId, displayName, endDateTime: iso(300) });
    const stored = (keyId: string, state: 'pending' | 'uploaded') => ({ keyId, thumbprintSha256: 'x', notAfter: iso(300), state, createdAt: iso(0) });
    const run = (c: DesiredCertificate, keys: KeyCredential[], known: ReturnType<typeof stored>[]) =>
      otherWriterWarnings({ desired: app({ certificates: [c] }), live: live({ keyCredentials: keys }), known: {}, certificates: { main: { known } } });
    const w = run(cert, [key('theirs')], [stored('ours', 'uploaded')]);
    assert.equal(w.length, 1);
    assert.match(w[0], /^certificate "main" of test--daemon: the one this folder's certificate store holds \(keyId ours\) is gone, and a certificate/);
    assert.deepEqual(run(cert, [key('ours'), key('theirs')], [stored('ours', 'uploaded')]), [], 'ours is still there');
    assert.deepEqual(run(cert, [key('pending')], [stored('pending', 'pending')]), [], 'only a pending one: nothing registered here');
    assert.deepEqual(run(cert, [key('new')], [stored('old', 'uploaded'), stored('new', 'pending')]), [], 'a crashed rotation here: the new one is known');
    assert.deepEqual(run(cert, [key('theirs', 'CN=partner')], [stored('ours', 'uploaded')]), [], 'another name');
    assert.deepEqual(run({ ...cert, source: { kind: 'file', path: 'c.pem', passwordEnv: null } }, [key('theirs')], [stored('ours', 'uploaded')]), []);
  });
});
