import type { Argv } from 'yargs';
import { checkTenant } from '../../graph/target-check.js';
import { outputContext, runCommand } from '../output.js';
import { commonOptions, TIMEOUT_OPTION, type TargetArgs } from '../target-options.js';
import { VAR_OPTION } from './validate.js';

/**
 * `tenantform consent-url <manifests..> --app <key> --tenant <customer>`: the admin-consent URL a customer
 * tenant's administrator opens to let a multi-tenant app (e.g. an ISV's daemon) in. The app is read from its
 * home tenant (`--home-tenant`, default the local tenant); nothing is written anywhere.
 */
export function consentUrlCommand(y: Argv): Argv {
  return y.command(
    'consent-url <manifests..>',
    "Print the admin-consent URL of a multi-tenant app for a customer's tenant",
    (a) =>
      a
        .positional('manifests', { type: 'string', array: true, demandOption: true, describe: 'Manifest files or directories' })
        .option('app', { type: 'string', demandOption: true, describe: 'The application: its key (or stack/key)' })
        .option('tenant', { type: 'string', demandOption: true, describe: 'The customer tenant whose administrator consents: tenant id or domain' })
        .option('home-tenant', { type: 'string', default: 'local', describe: "Where the app is registered: 'local', a tenant id or a domain" })
        .option('redirect-uri', { type: 'string', describe: 'Where the consent page sends the administrator afterwards (must be a reply URL of the app)' })
        .option('graph-url', { type: 'string', describe: 'Microsoft Graph origin of the home tenant' })
        .option('authority-host', { type: 'string', describe: 'Entra authority host (national clouds, an emulator)' })
        .option('auth', { choices: ['default', 'device-code'] as const, default: 'default' as const, describe: 'How to sign in to the home tenant' })
        .option('ca-file', { type: 'string', describe: 'Extra CA certificate (PEM) to trust' })
        .option('var', VAR_OPTION)
        .option('timeout', TIMEOUT_OPTION)
        .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of text' }),
    async (args) => {
      const ctx = outputContext({ json: args.json });
      await runCommand(ctx, 'consent-url', async () => {
        // The customer tenant is always another tenant than the embedded one: an id or a domain.
        checkTenant(args.tenant, '--tenant', { local: false });
        const { consentUrl } = await import('../../verify/consent-url.js');
        const home = { ...(args as unknown as TargetArgs), tenant: args['home-tenant'] };
        const r = await consentUrl({
          ...(await commonOptions(home, undefined, '--home-tenant')),
          app: args.app,
          customerTenant: args.tenant,
          redirectUri: args['redirect-uri'],
        });
        return {
          outcome: 'ok',
          data: { consent: r },
          text: (style) =>
            [
              style.dim(`# ${r.app} (appId ${r.appId}, ${r.signInAudience}) from tenant ${r.homeTenant}; an administrator of ${r.tenant} opens:`),
              r.url,
              ...(r.v2 ? [style.dim('# or, v2 form:'), r.v2] : []),
              style.dim(`# grants: ${r.permissions.map((p) => `${p.api}: ${p.roles.join(', ')}`).join('; ') || '(no application permissions)'}`),
            ].join('\n'),
        };
      });
    },
  );
}
