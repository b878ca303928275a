import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { LiveApplication } from '../model/live.js';
import { secretDisplayName } from '../model/desired.js';
import type { KnownSecret } from '../model/local.js';
import type { PlanApplication } from './input.js';

/**
 * Another folder or machine applying the same stack (issue 15). Graph has no lock a run could take, and a marker in
 * the tenant would be a write (a second apply must write nothing), so such a run is only seen by what it leaves.
 * Its one sure trace: the client secret this folder's cache holds is gone from the application, and a secret of the
 * same `tenantform:<name>` that this folder never created has taken its place. Only tenantform names secrets so, and
 * a run in this folder records a new secret in the cache before it removes the old one (apply/secrets.ts), so a
 * crash here cannot leave that picture. The two places then replace each other's secret on every apply, and each
 * time the other one's config stops working: say so, before anything is written.
 */
export function otherWriterWarnings(o: { desired: PlanApplication; live?: LiveApplication; known: Record<string, KnownSecret> }): string[] {
  const { desired: d, live } = o;
  if (!live) return [];
  const out: string[] = [];
  for (const s of d.secrets) {
    const known = o.known[s.name];
    if (!known) continue;
    const named = (live.app.passwordCredentials ?? []).filter((c) => c.displayName === secretDisplayName(s));
    if (named.some((c) => sameKey(c, known.keyId))) continue;
    const others = named.filter((c) => c.keyId);
    if (!others.length) continue;
    const which = others.map((c) => `keyId ${c.keyId}, created ${c.startDateTime ?? 'at an unknown time'}`).join('; ');
    out.push(
      `client secret "${s.name}" of ${d.uniqueName}: the one this folder's secret cache holds (keyId ${known.keyId}) is gone, and ` +
        `${others.length === 1 ? 'a secret' : `${others.length} secrets`} of that name this folder did not create took its place (${which}): ` +
        `another folder or machine applies stack ${d.stack}. This apply replaces that secret in turn, and the config written there stops working. ` +
        `Apply stack ${d.stack} from one place (one CI job, or one checkout), or give each place its own stack name.`,
    );
  }
  return out;
}

function sameKey(c: PasswordCredential, keyId: string): boolean {
  return String(c.keyId).toLowerCase() === keyId.toLowerCase();
}
