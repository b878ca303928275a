import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Application, KeyCredential } from '@microsoft/microsoft-graph-types';
import { fileCertificateKeyId, generateCertificate, readCertificateFile, type CertificateMaterial } from '../credentials/certificate.js';
import { TenantformError } from '../errors.js';
import type { LiveState } from '../model/live.js';
import type { Change } from '../plan/types.js';
import { APP_WRITE, call, idsOf, timeout, type ApplyContext } from './context.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

/**
 * Certificates are written with PATCH keyCredentials, which replaces the whole collection
 * (https://learn.microsoft.com/graph/api/application-update): addKey needs a proof signed by an existing
 * valid certificate, which a new application does not have (reference/graph-api.md §1.7). So every change
 * is a read-modify-write that resends the keys the stack does not own exactly as read. The read uses
 * `$select=keyCredentials`, the only way Graph returns each `key` (https://learn.microsoft.com/graph/api/application-get);
 * without it `key` is null and a PATCH would have to rely on how Graph treats null keys (UNCONFIRMED).
 *
 * Two hazards, both handled here: changes to one application must not interleave (a per-application lock),
 * and a read may come from a replica that has not seen this run's last PATCH (eventual consistency) — so
 * each read must show what this run already wrote, else it is retried until it does.
 */
interface AppKeyState {
  lock: Promise<void>;
  present: Set<string>;
  absent: Set<string>;
}

const state = new WeakMap<ApplyContext, Map<string, AppKeyState>>();

function stateOf(ctx: ApplyContext, objectId: string): AppKeyState {
  let m = state.get(ctx);
  if (!m) state.set(ctx, (m = new Map()));
  let s = m.get(objectId);
  if (!s) m.set(objectId, (s = { lock: Promise.resolve(), present: new Set(), absent: new Set() }));
  return s;
}

async function locked<T>(s: AppKeyState, fn: () => Promise<T>): Promise<T> {
  const run = s.lock.then(fn, fn);
  s.lock = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

const same = (a: unknown, b: string) => String(a).toLowerCase() === b.toLowerCase();

async function readKeys(ctx: ApplyContext, objectId: string, s: AppKeyState, uniqueName: string): Promise<KeyCredential[]> {
  for (let n = 0; ; n++) {
    const res = await call(ctx, 'read-after-write', { method: 'GET', path: `/applications/${objectId}?$select=keyCredentials` }, { action: `read the certificates of ${uniqueName}` });
    const keys = (res.body as Application).keyCredentials ?? [];
    const stale = [...s.present].some((k) => !keys.some((x) => same(x.keyId, k))) || [...s.absent].some((k) => keys.some((x) => same(x.keyId, k)));
    if (!stale) return keys;
    const wait = Math.min(4000, 250 * 2 ** n);
    if (Date.now() + wait > ctx.deadline) throw timeout(`the certificates of ${uniqueName}`);
    await (ctx.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(wait);
  }
}

/** A key as read, resent unchanged. */
function resend(k: KeyCredential): KeyCredential {
  if (!k.key) throw new TenantformError('GRAPH_ERROR', `Microsoft Graph returned certificate ${k.keyId} without its key; refusing to rewrite keyCredentials (it would be dropped).`);
  const { customKeyIdentifier, displayName, endDateTime, key, keyId, startDateTime, type, usage } = k;
  return { customKeyIdentifier, displayName, endDateTime, key, keyId, startDateTime, type, usage };
}

const iso = (d: string) => new Date(d).toISOString().replace(/\.\d+Z$/, 'Z');

async function patchKeys(ctx: ApplyContext, objectId: string, keys: KeyCredential[], uniqueName: string, action: string): Promise<void> {
  await call(ctx, 'write', { method: 'PATCH', path: `/applications/${objectId}`, body: { keyCredentials: keys } }, { action: `${action} of ${uniqueName}`, needs: APP_WRITE });
}

/**
 * Register a certificate. A generated one is created and stored (private key 0600) BEFORE the upload, with a
 * keyId chosen here, so a crash at any point is recovered by the next plan (see credentials/store.ts).
 */
export async function addCertificate(ctx: ApplyContext, c: Of<'add-certificate'>, stack: string, appKey: string): Promise<void> {
  const objectId = idsOf(ctx, c.app, 'objectId');
  const uniqueName = ctx.refs.get(c.app)!.uniqueName;
  let m: CertificateMaterial;
  let keyId: string;
  if (c.source === 'generate') {
    const store = ctx.certificates;
    if (!store) throw new Error('internal: no certificate store in the apply context');
    const pending = c.keyId ? store.load(stack, appKey, c.name, c.keyId) : undefined;
    if (pending) {
      m = pending;
      keyId = pending.keyId;
    } else {
      keyId = randomUUID();
      m = await generateCertificate({ subject: c.subject ?? `CN=${uniqueName}`, lifetimeMs: c.lifetimeMs ?? 365 * 86_400_000 });
      await store.add(stack, appKey, c.name, keyId, m);
    }
  } else {
    m = readCertificateFile(resolve(ctx.cwd ?? '.', c.file!), c.passwordEnv ? ctx.env?.[c.passwordEnv] : undefined);
    if (m.thumbprintSha256 !== c.thumbprintSha256) {
      throw new TenantformError('CONFLICT', `The certificate file ${c.file} changed since the plan was made (SHA-256 ${m.thumbprintSha256}, planned ${c.thumbprintSha256}). Run apply again.`);
    }
    keyId = fileCertificateKeyId(m.thumbprintSha256);
  }
  const s = stateOf(ctx, objectId);
  await locked(s, async () => {
    const keys = await readKeys(ctx, objectId, s, uniqueName);
    if (!keys.some((k) => same(k.keyId, keyId))) {
      const item: KeyCredential = { keyId, type: 'AsymmetricX509Cert', usage: 'Verify', key: m.derBase64, displayName: c.displayName, startDateTime: iso(m.notBefore), endDateTime: iso(m.notAfter) };
      await patchKeys(ctx, objectId, [...keys.map(resend), item], uniqueName, `add certificate "${c.name}"`);
    }
    s.present.add(keyId);
    s.absent.delete(keyId);
  });
  if (c.source === 'generate') await ctx.certificates!.markUploaded(stack, appKey, c.name, keyId);
}

/** Remove a certificate from keyCredentials (read-modify-write), then its stored private key, if we made it. */
export async function removeCertificate(ctx: ApplyContext, c: Of<'remove-certificate'>, stack: string, appKey: string): Promise<void> {
  const objectId = idsOf(ctx, c.app, 'objectId');
  const uniqueName = ctx.refs.get(c.app)!.uniqueName;
  const s = stateOf(ctx, objectId);
  await ctx.certificates?.markRemoving(stack, appKey, c.keyId);
  await locked(s, async () => {
    const keys = await readKeys(ctx, objectId, s, uniqueName);
    if (keys.some((k) => same(k.keyId, c.keyId))) {
      await patchKeys(ctx, objectId, keys.filter((k) => !same(k.keyId, c.keyId)).map(resend), uniqueName, `remove certificate ${c.keyId}`);
    }
    s.absent.add(c.keyId);
    s.present.delete(c.keyId);
  });
  await ctx.certificates?.remove(stack, appKey, c.keyId);
}

/**
 * Before apply: delete the stored private keys of certificates whose removal a previous run started (marked
 * `removing`) and Graph no longer lists — a run killed right after its removal PATCH leaves exactly that.
 */
export async function collectRemovedCertificates(ctx: ApplyContext, live: LiveState, stacks: ReadonlyArray<{ name: string; applications: ReadonlyArray<{ key: string; uniqueName: string }> }>): Promise<void> {
  await ctx.certificates?.collectRemoved((stack, app) => {
    const uniqueName = stacks.find((s) => s.name === stack)?.applications.find((a) => a.key === app)?.uniqueName;
    const l = uniqueName ? live.applications[uniqueName.toLowerCase()] : undefined;
    return l ? new Set((l.app.keyCredentials ?? []).map((k) => String(k.keyId).toLowerCase())) : undefined;
  });
}
