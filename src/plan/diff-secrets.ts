import type { PasswordCredential } from '@microsoft/microsoft-graph-types';
import type { LiveApplication } from '../model/live.js';
import { secretDisplayName, type DesiredSecret } from '../model/desired.js';
import type { KnownSecret } from '../model/local.js';
import type { PlanApplication } from './input.js';
import { endOf, planRotation, type RotationKind } from './rotation.js';
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
 * Client secrets (displayName `tenantform:<name>`) through the shared lifecycle (rotation.ts). What is
 * particular to secrets: the current one is the secret whose keyId the cache knows (a secret without a known
 * value is useless to the outputs), still listed by Graph and not expired.
 */
export function diffSecrets(input: SecretDiffInput): Change[] {
  const { desired: d, live } = input;
  const kind: RotationKind<PasswordCredential, DesiredSecret> = {
    noun: 'secret',
    removeAction: 'remove-secret',
    displayName: secretDisplayName,
    assess(s, mine) {
      const known = input.known[s.name];
      const current = known ? mine.find((c) => c.keyId === known.keyId && endOf(c) > input.now) : undefined;
      const missing = !known
        ? 'no known value for this secret'
        : mine.some((c) => c.keyId === known.keyId)
          ? 'the secret has expired'
          : 'the known secret is gone from the application';
      return { current, renewBeforeMs: s.renewBeforeMs, rotate: input.rotate === true, missing };
    },
    add: (s, b) => ({
      id: b.id,
      action: 'add-secret',
      app: b.app,
      name: s.name,
      displayName: b.displayName,
      lifetimeMs: s.lifetimeMs,
      wave: 0,
      dependsOn: b.dependsOn,
      reason: b.reason,
    }),
    reasons: {
      leftover: 'a leftover of an interrupted run: no config file holds it',
      stale: 'not the current secret; removed once the outputs hold the current one',
      replaced: 'replaced by a new secret once the outputs hold it',
      unmanaged: 'the secret is no longer in the manifest',
    },
  };
  return planRotation(kind, {
    desired: d,
    creating: input.appChangeIds.includes(appRef(d.stack, d.key)) && !live,
    live: live?.app.passwordCredentials ?? [],
    wanted: d.secrets,
    now: input.now,
    inUse: input.inUse,
  });
}
