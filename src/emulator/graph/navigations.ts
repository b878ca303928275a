import type { AppRoleAssignment, FederatedIdentityCredential } from '@microsoft/microsoft-graph-types';
import { assignmentsOf } from './assignments.js';
import type { ExpandSpec } from './expand.js';
import { applicationOwners, servicePrincipalOwners } from './owners.js';

/**
 * The navigation properties `$expand` inlines (graph/expand.ts), per type. Each loads what the navigation's own
 * collection route lists: `/applications/{id}/owners` (application-list-owners),
 * `/applications/{id}/federatedIdentityCredentials` (application-list-federatedidentitycredentials: what a replica
 * shows, federated.ts), `/servicePrincipals/{id}/appRoleAssignments` and `/appRoleAssignedTo`
 * (serviceprincipal-list-approleassignments, serviceprincipal-list-approleassignedto).
 */

const assignments = (side: 'appRoleAssignedTo' | 'appRoleAssignments') => ({
  type: 'appRoleAssignment' as const,
  load: (ctx: Parameters<typeof applicationOwners>[0], entity: Record<string, unknown>) =>
    assignmentsOf(ctx.env.tenant, String(entity.id), side) as Array<AppRoleAssignment & Record<string, unknown>>,
});

export const APPLICATION_EXPAND: ExpandSpec = {
  type: 'application',
  navigations: {
    owners: { type: 'directoryObject', load: (ctx, app) => applicationOwners(ctx, String(app.id)) },
    // "Supports $expand and $filter" (https://learn.microsoft.com/graph/api/resources/application, relationships). An
    // application holds at most 20 (federatedidentitycredential resource page), so the 20-item cap never cuts it.
    federatedIdentityCredentials: {
      type: 'federatedIdentityCredential',
      load: (ctx, app) => ctx.env.tenant.applications.federatedCredentials(String(app.id)) as Array<FederatedIdentityCredential & Record<string, unknown>>,
    },
  },
};

export const SERVICE_PRINCIPAL_EXPAND: ExpandSpec = {
  type: 'servicePrincipal',
  navigations: {
    appRoleAssignments: assignments('appRoleAssignments'),
    appRoleAssignedTo: assignments('appRoleAssignedTo'),
    owners: { type: 'directoryObject', load: (ctx, sp) => servicePrincipalOwners(ctx, String(sp.id)) },
  },
};
