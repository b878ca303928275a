/**
 * The one rule for talking to an Entra authority through @azure/identity (msal-node underneath).
 *
 * MSAL validates an authority it has no built-in metadata for through login.microsoftonline.com's instance
 * discovery, which knows nothing of a private host (the emulator, Azure Stack) and fails offline. Hosts of the
 * public and national clouds, and External ID's `{subdomain}.ciamlogin.com`, are Microsoft's: discovery stays on
 * for them. Any other host the user named explicitly, so it is trusted as given
 * (https://learn.microsoft.com/javascript/api/@azure/identity/authorityvalidationoptions).
 */
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.microsoftonline.de',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
]);

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export function isMicrosoftAuthorityHost(authorityHost: string): boolean {
  const host = new URL(authorityHost).hostname.toLowerCase();
  return MICROSOFT_AUTHORITY_HOSTS.has(host) || host.endsWith('.ciamlogin.com');
}

/** The options every credential tenantform builds shares: authority, instance discovery, extra CA. */
export function credentialOptions(
  authorityHost: string,
  ca?: string,
): { authorityHost: string; disableInstanceDiscovery: boolean; tlsOptions?: { ca: string } } {
  return { authorityHost, disableInstanceDiscovery: !isMicrosoftAuthorityHost(authorityHost), ...(ca ? { tlsOptions: { ca } } : {}) };
}
