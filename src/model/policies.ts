/**
 * Conditional access policies a stack owns (https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy).
 * Graph gives policies no tags and no alternate key, so the identity of a managed policy is a marker at the start
 * of its description: `tenantform:stack=<stack>;policy=<key>`, then the user's text. Only policies with the
 * marker of a stack are ever changed or deleted for it.
 */
import type { SourceLocation } from '../errors.js';
import { OWNERSHIP_TAG_PREFIX } from './ownership.js';

/** conditionalAccessPolicyState; the manifest default is report-only. */
export const CA_POLICY_STATES = ['enabledForReportingButNotEnforced', 'enabled', 'disabled'] as const;
/** conditionalAccessClientApp (v1.0), without unknownFutureValue. */
export const CA_CLIENT_APP_TYPES = ['all', 'browser', 'mobileAppsAndDesktopClients', 'exchangeActiveSync', 'easSupported', 'other'] as const;
/** conditionalAccessGrantControl (v1.0), without unknownFutureValue. */
export const CA_GRANT_CONTROLS = [
  'mfa',
  'block',
  'compliantDevice',
  'domainJoinedDevice',
  'approvedApplication',
  'compliantApplication',
  'passwordChange',
] as const;
/** Values conditions.applications takes besides appIds (https://learn.microsoft.com/graph/api/resources/conditionalaccessapplications). */
export const CA_APP_KEYWORDS = ['All', 'None', 'Office365', 'MicrosoftAdminPortals'] as const;
/** Values conditions.users.include/excludeUsers takes besides user object ids (conditionalaccessusers). */
export const CA_USER_KEYWORDS = ['All', 'None', 'GuestsOrExternalUsers'] as const;

export type PolicyState = (typeof CA_POLICY_STATES)[number];

/** An application a policy names: one of the stack's (appId known after creation) or an appId / keyword as written for Graph. */
export type PolicyAppRef = { kind: 'stack'; key: string } | { kind: 'value'; value: string };

export interface DesiredPolicyUsers {
  includeUsers: string[];
  excludeUsers: string[];
  includeGroups: string[];
  excludeGroups: string[];
  includeRoles: string[];
  excludeRoles: string[];
}

export interface DesiredPolicy {
  key: string;
  displayName: string;
  /** The user's own description text (the marker is added in front of it). */
  description: string | null;
  state: PolicyState;
  users: DesiredPolicyUsers;
  applications: { include: PolicyAppRef[]; exclude: PolicyAppRef[] };
  clientAppTypes: string[];
  grant: { operator: 'OR' | 'AND'; builtInControls: string[] };
  location: SourceLocation;
}

/** `policy:<stack>/<key>`: how plans name a policy whose object id may not exist yet. */
export type PolicyRef = `policy:${string}/${string}`;

export function policyRef(stack: string, key: string): PolicyRef {
  return `policy:${stack}/${key}`;
}

/** The ownership marker of a policy. */
export function policyMarker(stack: string, key: string): string {
  return `${OWNERSHIP_TAG_PREFIX}${stack};policy=${key}`;
}

/** The description Graph stores: the marker, then the user's text. */
export function policyDescription(stack: string, p: Pick<DesiredPolicy, 'key' | 'description'>): string {
  return p.description ? `${policyMarker(stack, p.key)} ${p.description}` : policyMarker(stack, p.key);
}

const MARKER = /^tenantform:stack=([a-z0-9]+(?:-[a-z0-9]+)*);policy=([A-Za-z][A-Za-z0-9_-]*)(?:\s|$)/;

/** The stack and key a policy's description marks it with; undefined when tenantform does not own it. */
export function parsePolicyMarker(description: string | null | undefined): { stack: string; key: string } | undefined {
  const m = description ? MARKER.exec(description) : null;
  return m ? { stack: m[1], key: m[2] } : undefined;
}
