/**
 * Every Microsoft Graph path tenantform sends, relative to the version root (`/v1.0`). One place, so the
 * addressing rules live once: alternate keys (`(uniqueName='…')`, `(appId='…')`,
 * https://learn.microsoft.com/graph/api/application-upsert), OData string literals (a `'` is doubled,
 * https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part2-url-conventions.html#sec_URLComponents), and
 * the type cast directory/deletedItems requires (https://learn.microsoft.com/graph/api/directory-deleteditems-list).
 */
import { APP_SELECT, SP_SELECT } from './select.js';

/** An OData string literal's content: single quotes doubled. */
export const odataString = (s: string): string => s.replace(/'/g, "''");

/** A query option's value: `%`, `&`, `#` and `+` percent-encoded, so a user's $filter stays one value (spaces and quotes pass). */
export const queryValue = (s: string): string => s.replace(/[%&#+]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

const deletedOf = (type: 'application' | 'servicePrincipal') => `/directory/deletedItems/microsoft.graph.${type}`;

/** `?$select=…&$expand=…` with whichever is given ('' when neither). */
const query = (o: { select?: string; expand?: string }): string => {
  const parts = [o.select ? `$select=${o.select}` : '', o.expand ? `$expand=${o.expand}` : ''].filter(Boolean);
  return parts.length ? `?${parts.join('&')}` : '';
};

/**
 * Values one `in (…)` may list: with `in`, a request is limited to 15 expressions in the filter clause by default
 * (https://learn.microsoft.com/graph/filter-query-parameter, the note in the operators table).
 */
export const IN_LIMIT = 15;

/** `values` in runs of at most IN_LIMIT, for `in (…)` filters. */
export function inChunks<T>(values: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += IN_LIMIT) out.push(values.slice(i, i + IN_LIMIT));
  return out;
}

const inList = (values: string[]) => `(${values.map((v) => `'${odataString(v)}'`).join(',')})`;

export const paths = {
  batch: '/$batch',
  organization: '/organization?$select=id,displayName,tenantType,verifiedDomains',

  // Applications
  applicationByUniqueName: (uniqueName: string, select?: string, expand?: string) =>
    `/applications(uniqueName='${odataString(uniqueName)}')${query({ select, expand })}`,
  applicationByAppId: (appId: string, select = APP_SELECT) => `/applications(appId='${appId}')?$select=${select}`,
  application: (objectId: string, select?: string) => `/applications/${objectId}${query({ select })}`,
  applicationsWhere: (filter: string, select = APP_SELECT) => `/applications?$filter=${filter}&$select=${select}&$top=999`,
  addPassword: (objectId: string) => `/applications/${objectId}/addPassword`,
  removePassword: (objectId: string) => `/applications/${objectId}/removePassword`,
  federatedCredentials: (objectId: string) => `/applications/${objectId}/federatedIdentityCredentials`,
  federatedCredentialNamed: (objectId: string, name: string) => `/applications/${objectId}/federatedIdentityCredentials?$filter=name eq '${odataString(name)}'`,
  federatedCredential: (objectId: string, ficId: string) => `/applications/${objectId}/federatedIdentityCredentials/${ficId}`,

  // Export (graph/export-reader.ts): selecting applications, and what the planner does not read but export reports.
  applicationsNamed: (displayName: string, select: string) => `/applications?$filter=displayName eq '${odataString(displayName)}'&$select=${select}&$top=999`,
  /** A user's own $filter, passed through: only the characters that would end or split the query are escaped. */
  applicationsFiltered: (filter: string, select: string) => `/applications?$filter=${queryValue(filter)}&$select=${select}&$top=999`,
  /** Applications the signed-in user owns (https://learn.microsoft.com/graph/api/user-list-ownedobjects; type cast to application). */
  myOwnedApplications: (select: string) => `/me/ownedObjects/microsoft.graph.application?$select=${select}&$top=999`,
  /** Applications a service principal owns (https://learn.microsoft.com/graph/api/serviceprincipal-list-ownedobjects). */
  ownedApplicationsOfAppId: (appId: string, select: string) =>
    `/servicePrincipals(appId='${appId}')/ownedObjects/microsoft.graph.application?$select=${select}&$top=999`,
  owners: (objectId: string) => `/applications/${objectId}/owners`,
  /** App role assignments granted ON the SP (addressed by appId): its roles given to users, groups and apps. */
  assignedToOfAppId: (appId: string) => `/servicePrincipals(appId='${appId}')/appRoleAssignedTo`,
  servicePrincipalById: (id: string, select: string) => `/servicePrincipals/${id}?$select=${select}`,
  /** At most two: enough to tell whether a display name names one service principal. */
  servicePrincipalIdsNamed: (displayName: string) => `/servicePrincipals?$filter=displayName eq '${odataString(displayName)}'&$select=id&$top=2`,

  // Service principals
  servicePrincipalByAppId: (appId: string, select?: string) => `/servicePrincipals(appId='${appId}')${query({ select })}`,
  /** Up to 15 service principals by appId in one list read (`in`: see filters.appIdIn), e.g. with `appRoleAssignments` expanded. */
  servicePrincipalsOfAppIds: (appIds: string[], select = SP_SELECT, expand?: string) =>
    `/servicePrincipals?$filter=${filters.appIdIn(appIds)}${query({ select, expand }).replace('?', '&')}`,
  /** A user by object id or userPrincipalName (Graph takes either at /users/{id}); `@` stays readable. */
  user: (idOrUpn: string) => `/users/${encodeURIComponent(idOrUpn).replace(/%40/g, '@')}?$select=id,userPrincipalName`,
  /**
   * The tenant's number of users, as text (https://learn.microsoft.com/graph/api/user-list, "Get only a count of
   * users"): an advanced query, sent with `ConsistencyLevel: eventual` (userCountHeaders).
   */
  userCount: '/users/$count',
  servicePrincipalsNamed: (displayName: string) => `/servicePrincipals?$filter=displayName eq '${odataString(displayName)}'&$select=${SP_SELECT}`,
  servicePrincipal: (id: string) => `/servicePrincipals/${id}`,
  /** App role assignments where the SP (addressed by appId) is the principal: its application permissions. */
  assignmentsOfAppId: (appId: string) => `/servicePrincipals(appId='${appId}')/appRoleAssignments`,
  /** Delegated grants where the SP (addressed by appId) is the client. */
  grantsOfAppId: (appId: string) => `/servicePrincipals(appId='${appId}')/oauth2PermissionGrants`,
  assignmentsOf: (principalId: string) => `/servicePrincipals/${principalId}/appRoleAssignments`,
  assignedTo: (resourceId: string) => `/servicePrincipals/${resourceId}/appRoleAssignedTo`,
  assignment: (resourceId: string, assignmentId: string) => `/servicePrincipals/${resourceId}/appRoleAssignedTo/${assignmentId}`,

  // Delegated grants
  grants: '/oauth2PermissionGrants',
  grantsBetween: (clientId: string, resourceId: string) => `/oauth2PermissionGrants?$filter=clientId eq '${clientId}' and resourceId eq '${resourceId}'`,
  grant: (grantId: string) => `/oauth2PermissionGrants/${grantId}`,

  // Conditional access (https://learn.microsoft.com/graph/api/conditionalaccessroot-list-policies) and licenses
  conditionalAccessPolicies: '/identity/conditionalAccess/policies',
  conditionalAccessPolicy: (id: string) => `/identity/conditionalAccess/policies/${id}`,
  /** Service plans of the tenant's subscriptions: Entra ID P1/P2 (https://learn.microsoft.com/graph/api/subscribedsku-list). */
  subscribedSkus: '/subscribedSkus?$select=skuPartNumber,capabilityStatus,servicePlans',

  // The recycle bin
  deletedApplicationsWhere: (filter: string, select = `${APP_SELECT},deletedDateTime`) => `${deletedOf('application')}?$filter=${filter}&$select=${select}`,
  deletedServicePrincipalsWhere: (filter: string) => `${deletedOf('servicePrincipal')}?$filter=${filter}&$select=${SP_SELECT},deletedDateTime`,
  deletedItem: (objectId: string) => `/directory/deletedItems/${objectId}`,
  restoreDeletedItem: (objectId: string) => `/directory/deletedItems/${objectId}/restore`,
} as const;

/** $count on directory objects needs it, else 400 "$count is not currently supported." (https://learn.microsoft.com/graph/aad-advanced-queries). */
export const userCountHeaders = { ConsistencyLevel: 'eventual' } as const;

/** `$filter` clauses, built here for the same quoting reasons. */
export const filters = {
  uniqueName: (u: string) => `uniqueName eq '${odataString(u)}'`,
  /** At most IN_LIMIT values (inChunks). */
  uniqueNameIn: (us: string[]) => `uniqueName in ${inList(us)}`,
  appId: (appId: string) => `appId eq '${appId}'`,
  /** At most IN_LIMIT values (inChunks); servicePrincipal's appId supports `in` (resources/serviceprincipal, property table). */
  appIdIn: (appIds: string[]) => `appId in ${inList(appIds)}`,
  tag: (tag: string) => `tags/any(t:t eq '${odataString(tag)}')`,
  identifierUri: (uri: string) => `identifierUris/any(x:x eq '${odataString(uri)}')`,
  tagStartsWith: (prefix: string) => `tags/any(t:startswith(t,'${odataString(prefix)}'))`,
};
