import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { LiveApplication } from '../graph/live.js';
import { secretDisplayName } from '../model/desired.js';
import type { KnownSecret, PlanApplication } from './input.js';
import { appRef, type Change } from './types.js';


export interface SecretDiffInput {
  desired: PlanApplication;
  live?: LiveApplication;
  /** Secrets of this app we still know the value of, by secret name. */
  known: Record<string, KnownSecret>;
  now: number;
  appChangeIds: string[];
}

/**
 * A secret is kept while Graph still lists it (by keyId), it has not expired and we know its value.
 * Otherwise a new one is added; old tool-created ones with that name are removed only after the outputs
 * holding the new value are written (remove-secret depends on write-output; see plan/index.ts).
 * Secrets the stack did not create (other display names) are never touched.
 */
export function diffSecrets(input: SecretDiffInput): Change[] {
  const { desired: d, live } = input;
  const ref = appRef(d.stack, d.key);
  const creds: PasswordCredential[] = live?.app.passwordCredentials ?? [];
  const changes: Change[] = [];
  const prefix = secretDisplayName({ name: '' });
  const wanted = new Set(d.secrets.map((s) => secretDisplayName(s)));
  for (const s of d.secrets) {
    const displayName = secretDisplayName(s);
    const mine = creds.filter((c) => c.displayName === displayName);
    const known = input.known[s.name];
    const current = known && mine.find((c) => c.keyId === known.keyId && Date.parse(c.endDateTime ?? '') > input.now);
    if (current) continue;
    const addId = `secret:${d.stack}/${d.key}/${s.name}`;
    changes.push({
      id: addId,
      action: 'add-secret',
      app: ref,
      name: s.name,
      displayName,
      lifetimeMs: s.lifetimeMs,
      wave: 0,
      dependsOn: input.appChangeIds.includes(ref) && !live ? [ref] : [],
      reason: !known ? 'no known value for this secret' : mine.some((c) => c.keyId === known.keyId) ? 'the secret has expired' : 'the known secret is gone from the application',
    });
    for (const old of mine) {
      changes.push(removeSecret(d, ref, old, [addId], 'replaced by a new secret once the outputs hold it'));
    }
  }
  for (const c of creds) {
    if (c.displayName?.startsWith(prefix) && !wanted.has(c.displayName)) {
      changes.push(removeSecret(d, ref, c, [], 'the secret is no longer in the manifest'));
    }
  }
  return changes;
}

function removeSecret(d: PlanApplication, ref: string, c: PasswordCredential, dependsOn: string[], reason: string): Change {
  return { id: `secret-remove:${d.stack}/${d.key}/${c.keyId}`, action: 'remove-secret', app: ref, keyId: String(c.keyId), displayName: String(c.displayName), wave: 0, dependsOn, reason };
}
