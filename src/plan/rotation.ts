import type { PlanApplication } from './input.js';
import { appRef, type AppRef, type Change } from './types.js';

/**
 * THE credential lifecycle, shared by client secrets (diff-secrets.ts) and certificates (diff-keys.ts) —
 * replacement is one concept (Terraform's CreateThenDelete): add the new credential → write the outputs →
 * remove the old one. Per manifest name (displayName `tenantform:<name>`):
 * - The current credential is the one local knowledge vouches for (the kind decides, see `assess`). It is
 *   kept unless it is within its renewal window or rotation is forced.
 * - Other credentials with our name are leftovers: of a crash between the Graph write and the local write
 *   (in no config file), or of lost local state (maybe in a config file). Those no output file can hold go
 *   FIRST, before any add; the others go after the outputs hold the new one (`afterOutputs`: plan/index.ts
 *   makes them depend on the write-output changes). Together this keeps at most two tool-created credentials
 *   per name at any moment (current/old + its successor), and a config file never holds a dead credential.
 * - Credentials with our prefix whose name left the manifest are removed; any other display name (portal,
 *   other tools) is never touched.
 * Pure: reads its inputs, returns changes, mutates nothing.
 */

/** What the lifecycle reads of a live credential (passwordCredential and keyCredential alike). */
export interface LiveCredential {
  keyId?: string | null;
  displayName?: string | null;
  endDateTime?: string | null;
}

/** What the kind's local knowledge says about one manifest name. */
export interface Assessment<C> {
  /** The live credential to keep using, if local knowledge vouches for one that is still valid. */
  current?: C;
  /** Renew `current` when fewer ms than this remain; undefined: never renewed by time (a certificate file). */
  renewBeforeMs?: number;
  /** Replace `current` even if valid (`--rotate-*`, where the kind allows it). */
  rotate: boolean;
  /** Why a new credential is needed when there is no `current`. */
  missing: string;
}

/** Everything that differs between secrets and certificates. */
export interface RotationKind<C extends LiveCredential, S extends { name: string }> {
  /** Change ids: adds are `<noun>:<stack>/<app>/<name>`, removals `<noun>-remove:<stack>/<app>/<keyId>`. */
  noun: 'secret' | 'certificate';
  removeAction: 'remove-secret' | 'remove-certificate';
  /** How a live credential is recognised as ours: its displayName; `displayName({ name: '' })` is the prefix. */
  displayName(s: { name: string }): string;
  /** Local knowledge: which live credential is current, and what may renew it. May throw a user error. */
  assess(s: S, mine: readonly C[]): Assessment<C>;
  /** The add change, around the id, dependencies and reason the lifecycle decided (`mine`: our live ones). */
  add(s: S, base: { id: string; app: AppRef; displayName: string; mine: readonly C[]; dependsOn: string[]; reason: string }): Change;
  /** Why each kind of removal happens, in the kind's words. */
  reasons: {
    /** A leftover no output file can hold: removed before the add. */
    leftover: string;
    /** A leftover beside a current credential that is kept: removed once the outputs hold the current one. */
    stale: string;
    /** The credential being replaced (and in-use leftovers): removed once the outputs hold the new one. */
    replaced: string;
    /** Its name left the manifest. */
    unmanaged: string;
  };
}

export interface RotationInput<C extends LiveCredential, S extends { name: string }> {
  desired: PlanApplication;
  /** Whether the plan creates the application (the add waits for it). */
  creating: boolean;
  /** The application's live credentials of this kind (all of them; foreign ones are left alone). */
  live: readonly C[];
  /** The manifest's credentials of this kind. */
  wanted: readonly S[];
  now: number;
  /** keyIds an existing output file may hold (src/outputs/in-use.ts); undefined = unknown = maybe all. */
  inUse?: readonly string[];
}

export function endOf(c: LiveCredential): number {
  return Date.parse(c.endDateTime ?? '') || 0;
}

const DAY_MS = 86_400_000;

export function planRotation<C extends LiveCredential, S extends { name: string }>(kind: RotationKind<C, S>, input: RotationInput<C, S>): Change[] {
  const { desired: d, now } = input;
  const ref = appRef(d.stack, d.key);
  const changes: Change[] = [];
  const mayBeInUse = (c: C) => !input.inUse || input.inUse.includes(String(c.keyId));
  const remove = (
    c: C,
    o: { dependsOn: string[]; afterOutputs: boolean; reason: string },
  ): Extract<Change, { action: RotationKind<C, S>['removeAction'] }> => ({
    id: `${kind.noun}-remove:${d.stack}/${d.key}/${c.keyId}`,
    action: kind.removeAction,
    app: ref,
    keyId: String(c.keyId),
    displayName: String(c.displayName),
    afterOutputs: o.afterOutputs,
    wave: 0,
    dependsOn: o.dependsOn,
    reason: o.reason,
  });
  for (const s of input.wanted) {
    const displayName = kind.displayName(s);
    const mine = input.live.filter((c) => c.displayName === displayName);
    const { current, renewBeforeMs, rotate, missing } = kind.assess(s, mine);
    const due = current !== undefined && renewBeforeMs !== undefined && endOf(current) - now <= renewBeforeMs;
    const others = mine.filter((c) => c !== current);
    const late = others.filter(mayBeInUse);
    const first = others.filter((c) => !mayBeInUse(c)).map((c) => remove(c, { dependsOn: [], afterOutputs: false, reason: kind.reasons.leftover }));
    changes.push(...first);
    if (current && !due && !rotate) {
      changes.push(...late.map((c) => remove(c, { dependsOn: [], afterOutputs: true, reason: kind.reasons.stale })));
      continue;
    }
    const id = `${kind.noun}:${d.stack}/${d.key}/${s.name}`;
    const reason = !current
      ? missing
      : due
        ? `the ${kind.noun} expires in ${Math.max(0, Math.floor((endOf(current) - now) / DAY_MS))} days, within its renewal window`
        : `rotation forced (--rotate-${kind.noun}s)`;
    changes.push(kind.add(s, { id, app: ref, displayName, mine, dependsOn: [...(input.creating ? [ref] : []), ...first.map((c) => c.id)], reason }));
    for (const old of current ? [current, ...late] : late) {
      changes.push(remove(old, { dependsOn: [id], afterOutputs: true, reason: kind.reasons.replaced }));
    }
  }
  const prefix = kind.displayName({ name: '' });
  const names = new Set(input.wanted.map((s) => kind.displayName(s)));
  for (const c of input.live) {
    if (c.displayName?.startsWith(prefix) && !names.has(c.displayName)) {
      changes.push(remove(c, { dependsOn: [], afterOutputs: false, reason: kind.reasons.unmanaged }));
    }
  }
  return changes;
}
