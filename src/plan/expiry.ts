import type { KeyCredential, PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { LiveApplication } from '../model/live.js';
import { certificateDisplayName, secretDisplayName } from '../model/desired.js';
import type { CertificateInputs } from '../model/local.js';
import type { PlanApplication } from './input.js';
import type { Change } from './types.js';

const DAY_MS = 86_400_000;
/** Window for credentials the stack does not manage (it knows no renewBefore for them). */
export const UNMANAGED_WARNING_WINDOW_MS = 30 * DAY_MS;

/**
 * Read-only report: every client secret and certificate on the stack's applications that has expired or
 * expires within its renewal window — the stack's own (with what this plan does about it) and the ones it
 * does not manage (someone else must renew them). Nothing secret: names, keyIds and dates only.
 */
export function expiryWarnings(o: {
  desired: PlanApplication;
  live?: LiveApplication;
  changes: readonly Change[];
  now: number;
  certificates?: Record<string, CertificateInputs>;
}): string[] {
  const { desired: d, live, now } = o;
  const out: string[] = [];
  const removed = new Set(o.changes.flatMap((c) => (c.action === 'remove-secret' || c.action === 'remove-certificate' ? [c.keyId] : [])));
  const windows = new Map<string, { kind: 'secret' | 'certificate'; ms: number; name: string }>([
    ...d.secrets.map((s) => [secretDisplayName(s), { kind: 'secret' as const, ms: s.renewBeforeMs, name: s.name }] as const),
    ...d.certificates.map((c) => [certificateDisplayName(c), { kind: 'certificate' as const, ms: c.renewBeforeMs, name: c.name }] as const),
  ]);
  const check = (kind: 'client secret' | 'certificate', c: PasswordCredential | KeyCredential) => {
    const end = Date.parse(c.endDateTime ?? '');
    const managed = windows.get(String(c.displayName));
    // A leftover this plan removes anyway is not worth a warning; the current one being replaced is.
    if (
      !Number.isFinite(end) ||
      (removed.has(String(c.keyId)) && !(managed && o.changes.some((x) => x.action === 'add-secret' || x.action === 'add-certificate')))
    )
      return;
    const window = managed?.ms ?? UNMANAGED_WARNING_WINDOW_MS;
    if (end - now > window) return;
    const when = end <= now ? `expired on ${day(end)}` : `expires in ${Math.ceil((end - now) / DAY_MS)} days (${day(end)})`;
    const what = `${kind} "${c.displayName ?? '(no name)'}" (keyId ${c.keyId}) of ${d.uniqueName} ${when}`;
    const adding =
      managed &&
      o.changes.some((x) => (x.action === 'add-secret' || x.action === 'add-certificate') && x.app === `app:${d.stack}/${d.key}` && x.name === managed.name);
    if (!managed) out.push(`${what}; it is not managed by stack ${d.stack} (read-only report): renew it where it was created`);
    else if (adding) out.push(`${what}; this plan replaces it`);
    else if (d.certificates.some((x) => x.name === managed.name && x.source.kind === 'file' && managed.kind === 'certificate'))
      out.push(`${what}; replace the certificate file to renew it`);
    else out.push(`${what}; apply rotates it`);
  };
  for (const c of live?.app.passwordCredentials ?? []) check('client secret', c);
  for (const c of live?.app.keyCredentials ?? []) check('certificate', c);
  // A certificate file that is not registered yet can be close to its end too.
  for (const c of d.certificates) {
    const f = o.certificates?.[c.name]?.file;
    if (!f || 'error' in f) continue;
    const end = Date.parse(f.notAfter);
    if (end - now <= c.renewBeforeMs)
      out.push(
        `certificate file ${c.source.kind === 'file' ? c.source.path : ''} of ${d.uniqueName} ${end <= now ? 'has expired' : `expires in ${Math.ceil((end - now) / DAY_MS)} days`} (${day(end)}): replace it`,
      );
  }
  return [...new Set(out)];
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
