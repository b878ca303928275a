import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { LiveApplication } from '../model/live.js';
import { secretDisplayName } from '../model/desired.js';
import type { KnownSecret } from '../model/local.js';
import type { PlanApplication } from './input.js';
import { appRef, type Change } from './types.js';

export interface SecretDiffInput {
  desired: PlanApplication;
  live?: LiveApplication;
  /** Secrets of this app we still know the value of, by secret name. */
  known: Record<string, KnownSecret>;
  now: number;
  appChangeIds: string[];
  /** `apply --rotate-secrets`: replace every managed secret even if it is still valid. */
  rotate?: boolean;
  /**
   * keyIds of credentials that an existing output file may hold (src/outputs/in-use.ts). Undefined means
   * "unknown": every secret we cannot vouch for is treated as possibly in use (removed only after outputs).
   */
  inUse?: readonly string[];
}

/**
 * Client secrets, per manifest name (displayName `tenantform:<name>`):
 * - The current secret is the one whose keyId the cache knows, still listed by Graph and not expired. It is
 *   kept unless it is within its renewal window (`renewBefore`) or rotation is forced.
 * - Rotation = add a new secret → write the outputs → remove the old one (remove depends on write-output,
 *   see plan/index.ts), so a config file never holds a secret that no longer works.
 * - Other secrets with our name that the cache does not know are leftovers: of a crash between addPassword
 *   and the cache write (orphans, in no config file), or of a lost cache (maybe in a config file). Those no
 *   output file can hold go FIRST, before any add; the others go after the outputs hold a new value. Together
 *   this keeps at most two tool-created secrets per name at any moment (current/old + its successor).
 * - Secrets the stack did not create (other display names) are never touched.
 */
export function diffSecrets(input: SecretDiffInput): Change[] {
  const { desired: d, live } = input;
  const ref = appRef(d.stack, d.key);
  const creds: PasswordCredential[] = live?.app.passwordCredentials ?? [];
  const changes: Change[] = [];
  const prefix = secretDisplayName({ name: '' });
  const wanted = new Set(d.secrets.map((s) => secretDisplayName(s)));
  const mayBeInUse = (c: PasswordCredential) => !input.inUse || input.inUse.includes(String(c.keyId));
  for (const s of d.secrets) {
    const displayName = secretDisplayName(s);
    const mine = creds.filter((c) => c.displayName === displayName);
    const known = input.known[s.name];
    const current = known ? mine.find((c) => c.keyId === known.keyId && endOf(c) > input.now) : undefined;
    const due = current !== undefined && endOf(current) - input.now <= s.renewBeforeMs;
    const others = mine.filter((c) => c !== current);
    const early = others.filter((c) => !mayBeInUse(c));
    const late = others.filter(mayBeInUse);
    const first = early.map((c) => removeSecret(d, ref, c, { dependsOn: [], afterOutputs: false, reason: 'a leftover of an interrupted run: no config file holds it' }));
    changes.push(...first);
    if (current && !due && !input.rotate) {
      changes.push(...late.map((c) => removeSecret(d, ref, c, { dependsOn: [], afterOutputs: true, reason: 'not the current secret; removed once the outputs hold the current one' })));
      continue;
    }
    const addId = `secret:${d.stack}/${d.key}/${s.name}`;
    changes.push({
      id: addId,
      action: 'add-secret',
      app: ref,
      name: s.name,
      displayName,
      lifetimeMs: s.lifetimeMs,
      wave: 0,
      dependsOn: [...(input.appChangeIds.includes(ref) && !live ? [ref] : []), ...first.map((c) => c.id)],
      reason: addReason({ known, current, due, mine, rotate: input.rotate, now: input.now }),
    });
    for (const old of current ? [current, ...late] : late) {
      changes.push(removeSecret(d, ref, old, { dependsOn: [addId], afterOutputs: true, reason: 'replaced by a new secret once the outputs hold it' }));
    }
  }
  for (const c of creds) {
    if (c.displayName?.startsWith(prefix) && !wanted.has(c.displayName)) {
      changes.push(removeSecret(d, ref, c, { dependsOn: [], afterOutputs: false, reason: 'the secret is no longer in the manifest' }));
    }
  }
  return changes;
}

function endOf(c: PasswordCredential): number {
  return Date.parse(c.endDateTime ?? '') || 0;
}

function addReason(o: { known?: KnownSecret; current?: PasswordCredential; due: boolean; mine: PasswordCredential[]; rotate?: boolean; now: number }): string {
  if (o.current && o.due) return `the secret expires in ${Math.max(0, Math.floor((endOf(o.current) - o.now) / 86_400_000))} days, within its renewal window`;
  if (o.current && o.rotate) return 'rotation forced (--rotate-secrets)';
  if (!o.known) return 'no known value for this secret';
  return o.mine.some((c) => c.keyId === o.known!.keyId) ? 'the secret has expired' : 'the known secret is gone from the application';
}

function removeSecret(d: PlanApplication, ref: string, c: PasswordCredential, o: { dependsOn: string[]; afterOutputs: boolean; reason: string }): Change {
  return {
    id: `secret-remove:${d.stack}/${d.key}/${c.keyId}`,
    action: 'remove-secret',
    app: ref,
    keyId: String(c.keyId),
    displayName: String(c.displayName),
    afterOutputs: o.afterOutputs,
    wave: 0,
    dependsOn: o.dependsOn,
    reason: o.reason,
  };
}
