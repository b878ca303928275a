/**
 * Ephemeral stacks: one manifest, many short-lived copies (one per CI run), told apart by a suffix on
 * the stack name. The suffix changes everything that carries the stack name — uniqueName
 * (`<stack>-<suffix>--<key>`), the ownership tag, the secret cache entry — so parallel pipelines never
 * touch each other's objects, and a prefix sweep (`destroy --stack-prefix`) finds what crashed runs left.
 */
import { TenantformError } from '../errors.js';
import { ownershipTagFor, uniqueNameFor, type DesiredStack } from '../model/desired.js';
import { STACK_NAME } from '../manifest/schema.js';

/** Where a suffix comes from when `--stack-suffix` is not given (e.g. a CI run id). */
export const STACK_SUFFIX_ENV = 'TENANTFORM_STACK_SUFFIX';
/** Longest suffix: stack (≤ 40) + '-' + suffix stays a short, readable uniqueName prefix. */
export const STACK_SUFFIX_MAX = 24;

/** The suffix for this run: the explicit option wins over the environment; '' means none. */
export function stackSuffixOf(opts: { stackSuffix?: string; env?: Readonly<Record<string, string | undefined>> }): string | undefined {
  const raw = opts.stackSuffix ?? opts.env?.[STACK_SUFFIX_ENV];
  if (raw === undefined || raw === '') return undefined;
  // CI run ids are digits; branch-like values are lower-cased so `PR-12` works.
  const suffix = raw.toLowerCase();
  if (suffix.length > STACK_SUFFIX_MAX || !STACK_NAME.test(suffix)) {
    throw new TenantformError(
      'USAGE',
      `Stack suffix "${raw}" must be at most ${STACK_SUFFIX_MAX} lowercase letters and digits, words joined by single hyphens (e.g. a CI run id).`,
      { suffix: raw },
    );
  }
  return suffix;
}

/**
 * The stacks with the suffix appended to their names. Role/scope ids stay derived from the manifest's
 * own stack name: they only need to be unique within one application, and keeping them lets a test
 * stack and its long-lived original publish the same permission ids.
 */
export function withStackSuffix(stacks: DesiredStack[], suffix: string | undefined): DesiredStack[] {
  if (!suffix) return stacks;
  return stacks.map((s) => {
    const name = `${s.name}-${suffix}`;
    return {
      ...s,
      name,
      applications: s.applications.map((a) => ({ ...a, uniqueName: uniqueNameFor(name, a.key), ownershipTag: ownershipTagFor(name) })),
    };
  });
}

// `--older-than` takes the durations manifests take (one parser: duration.ts).
export { parseDuration } from './duration.js';
