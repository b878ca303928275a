import { createHash } from 'node:crypto';
import type { Application, ServicePrincipal } from '@microsoft/microsoft-graph-types';
import type { Tenant } from '../store/index.js';
import { MICROSOFT_GRAPH_APP_ID, MICROSOFT_TENANT_ID } from '../seed.js';

/**
 * Microsoft's own public clients, registered in Microsoft's tenant and usable in every tenant without a registration
 * or a consent of the tenant's: they are pre-authorized by the APIs they call. The one modelled is the Azure CLI,
 * because it is the client `@azure/identity`'s DeviceCodeCredential and InteractiveBrowserCredential use when given
 * no client id (their `DeveloperSignOnClientId`), i.e. what `tenantform --auth device-code` signs in with.
 *
 * Its Microsoft Graph permissions are those its tokens carry (`az account get-access-token --resource-type ms-graph`,
 * as quoted in Azure/azure-cli issues; Microsoft publishes no list, so the exact set is UNCONFIRMED). A call that
 * needs anything else fails with Graph's 403, as in Azure/azure-cli#22775 — which is why `--client-id` exists.
 */
export interface FirstPartyClient {
  appId: string;
  displayName: string;
  /** Delegated permissions per resource appId that need no consent in any tenant. */
  preAuthorized: Record<string, readonly string[]>;
}

export const AZURE_CLI_APP_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

const FIRST_PARTY: readonly FirstPartyClient[] = [
  {
    appId: AZURE_CLI_APP_ID,
    displayName: 'Microsoft Azure CLI',
    preAuthorized: {
      [MICROSOFT_GRAPH_APP_ID]: [
        'Application.ReadWrite.All',
        'AppRoleAssignment.ReadWrite.All',
        'AuditLog.Read.All',
        'DelegatedPermissionGrant.ReadWrite.All',
        'Directory.AccessAsUser.All',
        'Group.ReadWrite.All',
        'User.ReadWrite.All',
        'openid',
        'profile',
        'email',
        'offline_access',
      ],
    },
  },
];

export function firstPartyClient(appId: string | null | undefined): FirstPartyClient | undefined {
  const id = appId?.toLowerCase();
  return FIRST_PARTY.find((c) => c.appId === id);
}

/** The delegated permissions of `resourceAppId` a first-party client needs no consent for ([] for other clients). */
export function firstPartyScopes(clientAppId: string | null | undefined, resourceAppId: string | null | undefined): readonly string[] {
  return firstPartyClient(clientAppId)?.preAuthorized[resourceAppId?.toLowerCase() ?? ''] ?? [];
}

/** A GUID derived from the tenant and the appId: the same object id on every request, without storing anything. */
function stableId(tenantId: string, appId: string, kind: string): string {
  const h = createHash('sha256').update(`${tenantId}/${appId}/${kind}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The application (as Microsoft's tenant registers it: a public client) and the service principal a first-party
 * client has in `tenant`. Entra creates that service principal on the first sign-in; the emulator synthesizes it
 * per request instead of storing it, so tenant listings stay what tests and tools created.
 */
export function firstPartyIdentity(tenant: Tenant, client: FirstPartyClient): { app: Application; sp: ServicePrincipal } {
  const app: Application = {
    id: stableId(MICROSOFT_TENANT_ID, client.appId, 'application'),
    appId: client.appId,
    displayName: client.displayName,
    signInAudience: 'AzureADandPersonalMicrosoftAccount',
    isFallbackPublicClient: true,
    publicClient: { redirectUris: ['http://localhost'] },
    identifierUris: [],
    api: { requestedAccessTokenVersion: null, oauth2PermissionScopes: [], preAuthorizedApplications: [], knownClientApplications: [] },
  };
  const sp: ServicePrincipal = {
    id: stableId(tenant.tenantId, client.appId, 'servicePrincipal'),
    appId: client.appId,
    appDisplayName: client.displayName,
    displayName: client.displayName,
    accountEnabled: true,
    appOwnerOrganizationId: MICROSOFT_TENANT_ID,
    appRoleAssignmentRequired: false,
    servicePrincipalType: 'Application',
    servicePrincipalNames: [client.appId],
    appRoles: [],
    oauth2PermissionScopes: [],
  };
  return { app, sp };
}
