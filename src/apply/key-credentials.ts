import type { Application, KeyCredential } from '@microsoft/microsoft-graph-types';
import type { CertificateMaterial } from '../credentials/certificate.js';
import { TenantformError } from '../errors.js';
import { paths } from '../graph/paths.js';
import { waitUntil } from '../graph/retry.js';
import { APP_WRITE, call, timeout, waitOptions, type ApplyContext } from './context.js';

/**
 * The Graph side of certificates: PATCH keyCredentials, which replaces the whole collection
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
  return waitUntil<KeyCredential[]>(
    'certificates-read-back',
    async () => {
      const res = await call(
        ctx,
        'read-after-write',
        { method: 'GET', path: paths.application(objectId, 'keyCredentials') },
        { action: `read the certificates of ${uniqueName}` },
      );
      const keys = (res.body as Application).keyCredentials ?? [];
      const stale = [...s.present].some((k) => !keys.some((x) => same(x.keyId, k))) || [...s.absent].some((k) => keys.some((x) => same(x.keyId, k)));
      if (!stale) return { done: keys };
      return {
        again: {
          why: `the certificates of ${uniqueName} do not show this run's last change yet`,
          pastDeadline: () => {
            throw timeout(`the certificates of ${uniqueName}`);
          },
        },
      };
    },
    waitOptions(ctx, `read the certificates of ${uniqueName}`),
  );
}

/** A key as read, resent unchanged. */
function resend(k: KeyCredential): KeyCredential {
  if (!k.key)
    throw new TenantformError(
      'GRAPH_ERROR',
      `Microsoft Graph returned certificate ${k.keyId} without its key; refusing to rewrite keyCredentials (it would be dropped).`,
    );
  const { customKeyIdentifier, displayName, endDateTime, key, keyId, startDateTime, type, usage } = k;
  return { customKeyIdentifier, displayName, endDateTime, key, keyId, startDateTime, type, usage };
}

const iso = (d: string) => new Date(d).toISOString().replace(/\.\d+Z$/, 'Z');

async function patchKeys(ctx: ApplyContext, objectId: string, keys: KeyCredential[], uniqueName: string, action: string): Promise<void> {
  await call(
    ctx,
    'write',
    { method: 'PATCH', path: paths.application(objectId), body: { keyCredentials: keys } },
    { action: `${action} of ${uniqueName}`, needs: APP_WRITE },
  );
}

export interface KeyTarget {
  objectId: string;
  uniqueName: string;
}

/** Register the public certificate of `m` under `keyId`, unless the application already lists that keyId. */
export async function addKeyCredential(
  ctx: ApplyContext,
  app: KeyTarget,
  o: { keyId: string; displayName: string; material: CertificateMaterial; what: string },
): Promise<void> {
  const s = stateOf(ctx, app.objectId);
  await locked(s, async () => {
    const keys = await readKeys(ctx, app.objectId, s, app.uniqueName);
    if (!keys.some((k) => same(k.keyId, o.keyId))) {
      const m = o.material;
      const item: KeyCredential = {
        keyId: o.keyId,
        type: 'AsymmetricX509Cert',
        usage: 'Verify',
        key: m.derBase64,
        displayName: o.displayName,
        startDateTime: iso(m.notBefore),
        endDateTime: iso(m.notAfter),
      };
      await patchKeys(ctx, app.objectId, [...keys.map(resend), item], app.uniqueName, o.what);
    }
    s.present.add(o.keyId);
    s.absent.delete(o.keyId);
  });
}

/** Drop `keyId` from keyCredentials, unless the application no longer lists it. */
export async function removeKeyCredential(ctx: ApplyContext, app: KeyTarget, keyId: string): Promise<void> {
  const s = stateOf(ctx, app.objectId);
  await locked(s, async () => {
    const keys = await readKeys(ctx, app.objectId, s, app.uniqueName);
    if (keys.some((k) => same(k.keyId, keyId))) {
      await patchKeys(ctx, app.objectId, keys.filter((k) => !same(k.keyId, keyId)).map(resend), app.uniqueName, `remove certificate ${keyId}`);
    }
    s.absent.add(keyId);
    s.present.delete(keyId);
  });
}
