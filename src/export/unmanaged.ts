/**
 * What is set on an application or its service principal that tenantform does not manage. apply leaves all
 * of it as it is, but a manifest cannot carry it either — so a copy of the stack made from this file would
 * lack it. Reported (comment + warning), never dropped silently. Graph's defaults are not reported.
 */
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import { OWNERSHIP_TAG_PREFIX } from '../model/desired.js';
import type { ExportedApplication } from '../model/export.js';
import { lower, type ExportContext, type Notes } from './context.js';

const set = (v: unknown): boolean => v !== null && v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0);

export function reportUnmanaged(ctx: ExportContext, a: ExportedApplication, notes: Notes): void {
  const app = a.app as Application & Record<string, unknown>;
  const found: string[] = [];
  const tags = (app.tags ?? []).filter((t) => !t.startsWith(OWNERSHIP_TAG_PREFIX));
  if (tags.length) found.push(`tags ${JSON.stringify(tags)}`);
  for (const p of ['notes', 'groupMembershipClaims', 'tokenEncryptionKeyId', 'serviceManagementReference', 'samlMetadataUrl', 'defaultRedirectUri'] as const) {
    if (set(app[p])) found.push(`${p} ${JSON.stringify(app[p])}`);
  }
  if (app.isDeviceOnlyAuthSupported) found.push('isDeviceOnlyAuthSupported true');
  if (set(app.addIns)) found.push(`${app.addIns!.length} add-in(s)`);
  const urls = Object.entries(app.info ?? {}).filter(([k, v]) => k !== 'logoUrl' && set(v));
  if (urls.length) found.push(`info ${urls.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (set(app.web?.homePageUrl)) found.push(`web.homePageUrl ${app.web!.homePageUrl}`);
  if (set(app.web?.logoutUrl)) found.push(`web.logoutUrl ${app.web!.logoutUrl}`);
  if (app.api?.acceptMappedClaims) found.push('api.acceptMappedClaims true');
  const parental = app.parentalControlSettings;
  if (parental && (set(parental.countriesBlockedForMinors) || (parental.legalAgeGroupRule && parental.legalAgeGroupRule !== 'Allow'))) {
    found.push(`parentalControlSettings ${JSON.stringify(parental)}`);
  }
  if (set(app.verifiedPublisher?.verifiedPublisherId))
    found.push(`verifiedPublisher ${app.verifiedPublisher!.displayName ?? app.verifiedPublisher!.verifiedPublisherId}`);
  if (found.length)
    notes.warn(`sets what tenantform does not manage (apply leaves it as it is; a copy made from this file would lack it): ${found.join('; ')}`);
  if (a.servicePrincipal) reportServicePrincipal(a.servicePrincipal as ServicePrincipal & Record<string, unknown>, notes);
  reportOwners(a, notes);
  reportAssignedTo(ctx, a, notes);
}

function reportServicePrincipal(sp: ServicePrincipal & Record<string, unknown>, notes: Notes): void {
  const found: string[] = [];
  if (sp.accountEnabled === false) found.push('accountEnabled false (sign-in disabled)');
  for (const p of ['notes', 'homepage', 'loginUrl', 'logoutUrl', 'preferredSingleSignOnMode'] as const)
    if (set(sp[p])) found.push(`${p} ${JSON.stringify(sp[p])}`);
  if (set(sp.notificationEmailAddresses)) found.push(`notificationEmailAddresses ${sp.notificationEmailAddresses!.join(', ')}`);
  if (found.length) notes.warn(`its service principal sets what tenantform does not manage (left as it is): ${found.join('; ')}`);
}

function reportOwners(a: ExportedApplication, notes: Notes): void {
  if ('refused' in a.owners) return; // reported once for the whole export (export/index.ts)
  const users = a.owners.filter((o) => o.type !== 'servicePrincipal');
  if (users.length) {
    const names = users.map((o) => `${o.type} ${o.name ?? o.displayName ?? o.id}`);
    notes.warn(`has owners tenantform does not manage (they stay owners; a copy made from this file would not have them): ${names.join(', ')}`);
  }
}

/** Roles of this app given to users, groups or applications the export does not cover: not managed, kept. */
function reportAssignedTo(ctx: ExportContext, a: ExportedApplication, notes: Notes): void {
  const exportedSps = new Set([...ctx.apps.values()].flatMap((x) => (x.servicePrincipal?.id ? [lower(x.servicePrincipal.id)] : [])));
  const roleValue = new Map((a.app.appRoles ?? []).map((r) => [lower(r.id), r.value ?? r.id]));
  const others = a.assignedTo.filter((x) => !exportedSps.has(lower(x.principalId)));
  if (!others.length) return;
  const list = others.map(
    (x) => `${roleValue.get(lower(x.appRoleId)) ?? 'default access'} → ${x.principalType ?? 'principal'} ${x.principalDisplayName ?? x.principalId}`,
  );
  notes.warn(`its app roles are assigned to principals tenantform does not manage (kept as they are): ${list.join(', ')}`);
}
