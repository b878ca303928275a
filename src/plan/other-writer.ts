import type { KeyCredential, PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { LiveApplication } from '../model/live.js';
import { certificateDisplayName, secretDisplayName } from '../model/desired.js';
import type { CertificateInputs, KnownSecret } from '../model/local.js';
import type { PlanApplication } from './input.js';

/**
 * Another folder or machine applying the same stack (issue 15). Graph has no lock a run could take, and a marker in
 * the tenant would be a write (a second apply must write nothing), so such a run is only seen by what it leaves.
 * Its one sure trace: the client secret this folder's cache holds is gone from the application, and a secret of the
 * same `tenantform:<name>` that this folder never created has taken its place. Only tenantform names secrets so, and
 * a run in this folder records a new secret in the cache before it removes the old one (apply/secrets.ts), so a
 * crash here cannot leave that picture. The two places then replace each other's secret on every apply, and each
 * time the other one's config stops working: say so, before anything is written. Generated certificates leave the
 * same trace in the certificate store (a certificate from a file is the same key in every place: no conflict).
 */
export function otherWriterWarnings(o: {
  desired: PlanApplication;
  live?: LiveApplication;
  known: Record<string, KnownSecret>;
  certificates?: Record<string, CertificateInputs>;
}): string[] {
  const { desired: d, live } = o;
  if (!live) return [];
  const out: string[] = [];
  for (const s of d.secrets) {
    const known = o.known[s.name];
    if (known)
      out.push(
        ...replaced(d, 'client secret', s.name, { mine: [known.keyId], known: [known.keyId] }, live.app.passwordCredentials ?? [], secretDisplayName(s)),
      );
  }
  for (const c of d.certificates) {
    if (c.source.kind !== 'generate') continue;
    // Only certificates this folder registered: a pending one (stored before its upload) is not on the application yet.
    const stored = o.certificates?.[c.name]?.known ?? [];
    const mine = stored.filter((k) => k.state === 'uploaded').map((k) => k.keyId);
    if (mine.length)
      out.push(...replaced(d, 'certificate', c.name, { mine, known: stored.map((k) => k.keyId) }, live.app.keyCredentials ?? [], certificateDisplayName(c)));
  }
  return out;
}

/**
 * The warning when none of `ids.mine` (what this folder registered) is on the application any more, and credentials of
 * its name that this folder never knew (`ids.known`) are.
 */
function replaced(
  d: PlanApplication,
  noun: 'client secret' | 'certificate',
  name: string,
  ids: { mine: string[]; known: string[] },
  live: ReadonlyArray<PasswordCredential | KeyCredential>,
  displayName: string,
): string[] {
  const named = live.filter((c) => c.displayName === displayName);
  if (named.some((c) => ids.mine.some((id) => sameKey(c, id)))) return [];
  const others = named.filter((c) => c.keyId && !ids.known.some((id) => sameKey(c, id)));
  if (!others.length) return [];
  const which = others.map((c) => `keyId ${c.keyId}, created ${c.startDateTime ?? 'at an unknown time'}`).join('; ');
  const store = noun === 'client secret' ? 'secret cache' : 'certificate store';
  return [
    `${noun} "${name}" of ${d.uniqueName}: the one this folder's ${store} holds (keyId ${ids.mine.join(', ')}) is gone, and ` +
      `${others.length === 1 ? `a ${noun}` : `${others.length} ${noun}s`} of that name this folder did not create took its place (${which}): ` +
      `another folder or machine applies stack ${d.stack}. This apply replaces it in turn, and the config written there stops working. ` +
      `Apply stack ${d.stack} from one place (one CI job, or one checkout), or give each place its own stack name.`,
  ];
}

function sameKey(c: PasswordCredential | KeyCredential, keyId: string): boolean {
  return String(c.keyId).toLowerCase() === keyId.toLowerCase();
}
