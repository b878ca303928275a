/**
 * The manifest schema (zod 4). Strict objects: an unknown key is an error, never silently ignored.
 * It checks structure, types, enums and simple formats; rules.ts checks everything that needs more
 * than one field (duplicates, references, identifier URIs, role/scope value rules).
 * The same schema is exported as JSON Schema (`tenantform schema`, schema/tenantform.schema.json) so editors
 * complete and check manifests. Patterns that rules.ts checks with better messages are attached with
 * `.meta({ pattern })`: they reach the JSON Schema without making zod report the problem twice.
 */
import { z } from 'zod';
import { SIGN_IN_AUDIENCES } from '../model/desired.js';
import { CA_CLIENT_APP_TYPES, CA_GRANT_CONTROLS, CA_POLICY_STATES } from '../model/policies.js';
import { DURATION_HELP, LIFETIME } from './duration.js';

/** [a-z0-9] words joined by single hyphens (so `--` can separate stack and app in uniqueName). */
export const STACK_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const STACK_NAME_MAX = 40;
/** Application keys: also used in `${apps.KEY.appId}`, so no dots. */
export const APP_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const APP_KEY_MAX = 60;
/** Secret names: used in `${apps.KEY.secrets.NAME}`. */
export const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** Lifetimes and renewBefore: 30m, 12h, 180d, 8w, 2y — the one duration grammar of the tool, also --older-than's (duration.ts). */
export { LIFETIME } from './duration.js';
/** Characters Graph allows in app role and scope values (graph-api.md §3.3); rules.ts checks them. */
export const PERMISSION_VALUE_PATTERN = "^[A-Za-z0-9!#$%&'()*+,\\-/:;<=>?@\\[\\]^_`{|}~][A-Za-z0-9!#$%&'()*+,\\-./:;<=>?@\\[\\]^_`{|}~]*$";
export const DOTENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Build the schema. strict: unknown keys are errors (validation, JSON Schema). Lenient (unknown keys
 * dropped) is used to parse each application and output on its own for the rules, so an unknown key
 * (already reported by the strict parse) does not hide the rule problems of the same application.
 */
function buildSchemas(strict: boolean) {
  const obj = <T extends z.core.$ZodLooseShape>(shape: T) => (strict ? z.strictObject(shape) : z.object(shape));

  const permissionValue = (what: string) =>
    z.string().meta({ pattern: PERMISSION_VALUE_PATTERN, description: `The ${what} value (the claim in tokens). No spaces; not starting with a dot.` });

  const AppRole = obj({
    value: permissionValue('app role'),
    id: z.guid().optional().describe('Fixed id (GUID). Default: derived from stack, application and value (stable across runs).'),
    displayName: z.string().min(1),
    description: z.string().min(1),
    allowedMemberTypes: z
      .array(z.enum(['Application', 'User']))
      .min(1)
      .describe('Application: granted to apps (application permission); User: assigned to users/groups.'),
    enabled: z.boolean().default(true),
  }).describe('An app role (Graph appRole).');

  const Scope = obj({
    value: permissionValue('scope'),
    id: z.guid().optional().describe('Fixed id (GUID). Default: derived from stack, application and value.'),
    type: z.enum(['Admin', 'User']).default('Admin').describe('Who may consent: Admin (admins only) or User (users too).'),
    adminConsentDisplayName: z.string().min(1),
    adminConsentDescription: z.string().min(1),
    userConsentDisplayName: z.string().min(1).optional(),
    userConsentDescription: z.string().min(1).optional(),
    enabled: z.boolean().default(true),
  }).describe('A delegated permission scope (Graph api.oauth2PermissionScopes).');

  const OptionalClaim = z.union([
    z.string().min(1).describe('Claim name, e.g. idtyp'),
    obj({
      name: z.string().min(1),
      source: z.string().optional().describe("null/absent for built-in claims; 'user' for extension attributes"),
      essential: z.boolean().optional(),
      additionalProperties: z.array(z.string()).optional(),
    }),
  ]);

  const OptionalClaims = obj({
    accessToken: z.array(OptionalClaim).optional(),
    idToken: z.array(OptionalClaim).optional(),
    saml2Token: z.array(OptionalClaim).optional(),
  }).describe('Optional claims per token type, e.g. accessToken: [idtyp].');

  const ServicePrincipal = obj({
    appRoleAssignmentRequired: z.boolean().default(false),
    tags: z.array(z.string().min(1)).default([]),
  });

  const duration = (what: string) => z.string().regex(LIFETIME, { error: `${what} must be ${DURATION_HELP}` });

  const Secret = obj({
    name: z.string().meta({ pattern: SECRET_NAME.source }).describe('Unique within the application; used in ${apps.KEY.secrets.NAME}.'),
    lifetime: duration('Lifetime').default('180d').describe('How long a new secret is valid: 12h, 180d, 8w, 2y. Default 180d.'),
    renewBefore: duration('renewBefore')
      .optional()
      .describe(
        'Rotate the secret when fewer than this remain of its lifetime (apply adds a new one, writes the outputs, then removes the old). Default: a third of the lifetime, at most 30d.',
      ),
  });

  const Certificate = obj({
    name: z.string().meta({ pattern: SECRET_NAME.source }).describe('Unique within the application; used in ${apps.KEY.certificates.NAME.FIELD}.'),
    generate: obj({
      subject: z.string().min(1).describe('Subject of the self-signed certificate, e.g. CN=todolist-daemon'),
      lifetime: duration('Lifetime').default('1y').describe('Validity of each generated certificate. Default 1y.'),
    })
      .optional()
      .describe('Generate a self-signed certificate (private key kept 0600 under .tenantform/certificates); rotated like secrets.'),
    file: z
      .string()
      .min(1)
      .optional()
      .describe('A PEM (certificate, and private key for outputs that need it) or PFX/P12 file you keep; only its public certificate is uploaded.'),
    passwordEnv: z.string().min(1).optional().describe('For a PFX file: the environment variable that holds its password (never the password itself).'),
    keyFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Generated certificates: also keep the current certificate + private key PEM at this path (0600), replaced only after the new certificate is registered.',
      ),
    renewBefore: duration('renewBefore')
      .optional()
      .describe('Rotate (generated) or warn (file) when fewer than this remain. Default: a third of the lifetime, at most 30d.'),
  }).describe('A certificate credential: exactly one of generate or file.');

  const FederatedCredential = obj({
    name: z
      .string()
      .min(1)
      .describe('Unique within the application, at most 120 characters, URL friendly. Immutable in Graph: renaming deletes and re-creates it.'),
    description: z.string().optional(),
    audience: z.string().min(1).optional().describe('Default api://AzureADTokenExchange.'),
    github: obj({
      repository: z.string().min(1).describe('OWNER/REPO'),
      branch: z.string().min(1).optional(),
      environment: z.string().min(1).optional(),
      pullRequest: z.boolean().optional(),
      tag: z.string().min(1).optional(),
    })
      .optional()
      .describe('A GitHub Actions workflow: the repository and exactly one of branch, environment, pullRequest: true or tag.'),
    kubernetes: obj({
      issuer: z.string().min(1).describe("The cluster's OIDC issuer URL"),
      namespace: z.string().min(1),
      serviceAccount: z.string().min(1),
    })
      .optional()
      .describe('A Kubernetes service account (workload identity).'),
    issuer: z.string().min(1).optional().describe('Any other identity provider: its issuer URL (with subject).'),
    subject: z.string().min(1).optional(),
  }).describe('A federated identity credential: exactly one of github, kubernetes, or issuer + subject.');

  const Permission = obj({
    api: z
      .string()
      .min(1)
      .describe('The resource API: a key of this manifest\'s applications, the display name of an API in the tenant (e.g. "Microsoft Graph"), or its appId.'),
    roles: z.array(z.string().min(1)).default([]).describe('App role values: application permissions.'),
    scopes: z.array(z.string().min(1)).default([]).describe('Scope values: delegated permissions.'),
    adminConsent: z.boolean().default(false).describe('Grant admin consent (app role assignments for roles, a tenant-wide grant for scopes).'),
    userConsent: z
      .array(z.string().min(1))
      .default([])
      .describe(
        "Consent to the scopes for these users only (a per-user oauth2PermissionGrant each, consentType Principal): userPrincipalNames or user object ids. Instead of adminConsent; other users' own consents are left alone.",
      ),
  }).describe('Permissions on another API.');

  const redirectUris = (example: string) =>
    z
      .array(z.string().min(1))
      .default([])
      .describe(`Redirect URIs (reply URLs): https, or http://localhost (any port); {appId} stands for the application's own appId. E.g. ${example}`);

  const Application = obj({
    displayName: z.string().min(1),
    description: z.string().max(1024).optional(),
    signInAudience: z.enum(SIGN_IN_AUDIENCES).default('AzureADMyOrg'),
    identifierUris: z.array(z.string().min(1)).default([]).describe("Application ID URIs; {appId} stands for the application's own appId, e.g. api://{appId}."),
    api: obj({
      requestedAccessTokenVersion: z.literal([1, 2]).default(2).describe('Access token version the API accepts. Default 2.'),
      knownClientApplications: z
        .array(z.string().min(1))
        .default([])
        .describe(
          "Clients whose consent also consents to this API (combined consent, e.g. a SPA and its middle tier): keys of this manifest's applications, or appIds.",
        ),
      preAuthorizedApplications: z
        .array(
          obj({
            app: z.string().min(1).describe("The client: a key of this manifest's applications, or an appId."),
            scopes: z.array(z.string().min(1)).min(1).describe('Values of scopes of this API the client may use without a consent prompt.'),
          }),
        )
        .default([])
        .describe('Clients that get these scopes without a consent prompt. Entries for other clients (added in the admin center) are kept.'),
    }).optional(),
    scopes: z.array(Scope).default([]),
    appRoles: z.array(AppRole).default([]),
    optionalClaims: OptionalClaims.optional(),
    servicePrincipal: ServicePrincipal.optional(),
    secrets: z.array(Secret).default([]).describe('Client secrets, created with addPassword; their values go only to outputs.'),
    certificates: z.array(Certificate).default([]).describe('Certificate credentials (keyCredentials).'),
    federatedCredentials: z
      .array(FederatedCredential)
      .default([])
      .describe('Federated identity credentials (workload identity federation: GitHub Actions, Kubernetes, any OIDC issuer).'),
    permissions: z.array(Permission).default([]),
    spa: obj({ redirectUris: redirectUris('http://localhost:3000') })
      .optional()
      .describe('Single-page application platform: sign-in with the authorization code flow and PKCE (MSAL.js); refresh tokens last 24 h.'),
    web: obj({
      redirectUris: redirectUris('https://contoso.com/signin-oidc'),
      implicitGrantSettings: obj({
        enableIdTokenIssuance: z.boolean().default(false).describe('Issue ID tokens from the authorization endpoint (hybrid and implicit flows).'),
        enableAccessTokenIssuance: z.boolean().default(false).describe('Issue access tokens from the authorization endpoint (implicit flow; not recommended).'),
      })
        .optional()
        .describe('The implicit grant: off unless a legacy app needs it (use the authorization code flow instead).'),
    })
      .optional()
      .describe('Web platform: server-side apps that sign users in and redeem codes with a credential.'),
    publicClient: obj({ redirectUris: redirectUris('msal{appId}://auth, http://localhost') })
      .optional()
      .describe('Mobile and desktop platform (public clients): custom schemes allowed, e.g. msal{appId}://auth.'),
    isFallbackPublicClient: z
      .boolean()
      .default(false)
      .describe('Allow public client flows (device code, username/password, integrated Windows auth): the app is treated as a public client.'),
  }).describe('An application registration (and its service principal).');

  const Variable = z.union([
    z.null().describe('Declared without default or description'),
    obj({
      default: z.union([z.string(), z.number(), z.boolean()]).optional(),
      description: z.string().optional(),
    }),
  ]);

  const Output = obj({
    path: z.string().min(1).describe('File to write, relative to the working directory.'),
    format: z
      .enum(['dotenv', 'json', 'js', 'msal-node', 'appsettings'])
      .optional()
      .describe(
        'Default: json for *.json paths, js for *.js/*.mjs, else dotenv. js: an ES module exporting each top-level key (e.g. msalConfig for MSAL.js). msal-node and appsettings (ASP.NET Core "AzureAd" section) are built from app/credential.',
      ),
    values: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'dotenv/json: KEY: template. ${tenant.id|subdomain|authority|instance|authorityHost}, ${apps.KEY.appId|identifierUri|secret|secrets.NAME}, ${apps.KEY.certificate(s.NAME).path|thumbprint|thumbprintSha256|keyId|privateKey|pem}, ${var.NAME}.',
      ),
    template: z.json().optional().describe('json only: a document of any shape whose strings are templates (instead of values).'),
    app: z.string().min(1).optional().describe('msal-node/appsettings: the application key the file configures.'),
    credential: z
      .string()
      .min(1)
      .optional()
      .describe("msal-node/appsettings: secrets.NAME or certificates.NAME (default: the app's only secret or certificate)."),
    scopes: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('msal-node/appsettings: scopes (templates), e.g. ${apps.api.identifierUri}/.default'),
    audience: z.string().optional().describe('appsettings: the Audience of a web API (template).'),
    module: z
      .boolean()
      .optional()
      .describe('js: true (default) writes an ES module (export const …, for bundlers); false a classic script (const …, for a <script> tag).'),
  }).describe('A config file written after apply.');

  const targets = (what: string, example: string) => z.array(z.string().min(1)).default([]).describe(`${what}, e.g. ${example}`);

  const ConditionalAccessPolicy = obj({
    displayName: z.string().min(1).max(256),
    description: z.string().max(1000).optional().describe('Shown after the ownership marker tenantform keeps in the policy description.'),
    state: z
      .enum(CA_POLICY_STATES)
      .default('enabledForReportingButNotEnforced')
      .describe(
        'Default enabledForReportingButNotEnforced (report-only: sign-ins are logged, nothing is blocked). Write enabled explicitly: a wrongly targeted enabled policy can lock everyone out.',
      ),
    users: obj({
      include: z.array(z.string().min(1)).min(1).describe('All, None, GuestsOrExternalUsers, or users: userPrincipalNames or object ids.'),
      exclude: targets('Users (userPrincipalNames or object ids, or GuestsOrExternalUsers) the policy never applies to', 'your emergency access accounts'),
      includeGroups: targets('Group object ids', '["<group id>"]'),
      excludeGroups: targets('Group object ids', '["<group id>"]'),
      includeRoles: targets('Directory role template ids', '["62e90394-69f5-4237-9190-012177145e10"] (Global Administrator)'),
      excludeRoles: targets('Directory role template ids', '["62e90394-69f5-4237-9190-012177145e10"]'),
    }).describe('Who the policy applies to (conditions.users).'),
    applications: obj({
      include: z
        .array(z.string().min(1))
        .min(1)
        .describe("Resources the policy protects: keys of this manifest's applications, appIds, All, None, Office365 or MicrosoftAdminPortals."),
      exclude: targets("Keys of this manifest's applications or appIds", '[legacy-api]'),
    }).describe('The cloud apps the policy protects (conditions.applications).'),
    clientAppTypes: z.array(z.enum(CA_CLIENT_APP_TYPES)).min(1).default(['all']).describe('Client apps the policy applies to. Default all.'),
    grant: obj({
      operator: z.enum(['OR', 'AND']).default('OR').describe('OR: any one control grants access; AND: all are required.'),
      controls: z.array(z.enum(CA_GRANT_CONTROLS)).min(1).describe('Built-in grant controls, e.g. [mfa]; block stands alone.'),
    }).describe('What a sign-in must satisfy (grantControls).'),
  }).describe('A conditional access policy owned by this stack (Microsoft Entra ID P1 required).');

  const Manifest = obj({
    stack: z
      .string()
      .max(STACK_NAME_MAX)
      .regex(STACK_NAME, { error: 'Stack name must be lowercase letters and digits, words joined by single hyphens' })
      .describe('Stack name: namespace and ownership of everything this manifest creates.'),
    variables: z.record(z.string().meta({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Variable).optional(),
    applications: z.record(z.string().meta({ pattern: APP_KEY.source }), Application).default({}),
    outputs: z.array(Output).default([]),
    conditionalAccessPolicies: z
      .record(z.string().meta({ pattern: APP_KEY.source }), ConditionalAccessPolicy)
      .default({})
      .describe('Conditional access policies, by key. Applied last (the apps they name must exist first); destroyed with the stack.'),
  }).meta({ title: 'tenantform manifest', description: 'Microsoft Entra ID app registrations as code (tenantform). One stack per file.' });

  return { Manifest, Application, Output, ConditionalAccessPolicy };
}

const strictSchemas = buildSchemas(true);
const lenientSchemas = buildSchemas(false);

/** The manifest schema: strict. */
export const ManifestSchema = strictSchemas.Manifest;
/** One application / output, lenient about unknown keys (see buildSchemas). */
export const ApplicationSchema = lenientSchemas.Application;
export const OutputSchema = lenientSchemas.Output;
export const PolicySchema = lenientSchemas.ConditionalAccessPolicy;

export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestApplication = z.output<typeof ApplicationSchema>;
export type ManifestOutput = z.output<typeof OutputSchema>;
export type ManifestPolicy = z.output<typeof PolicySchema>;
export type ManifestOptionalClaim = NonNullable<NonNullable<ManifestApplication['optionalClaims']>['accessToken']>[number];

/** The JSON Schema for editors (draft-07: what yaml-language-server supports best). */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ManifestSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
}

/** The format of an output: given, or from its path and template. */
export function outputFormat(output: ManifestOutput): 'dotenv' | 'json' | 'js' | 'msal-node' | 'appsettings' {
  const path = output.path.toLowerCase();
  if (output.format) return output.format;
  if (/\.m?js$/.test(path)) return 'js';
  return path.endsWith('.json') || output.template !== undefined ? 'json' : 'dotenv';
}

/** The exact text `tenantform schema` prints (and schema/tenantform.schema.json holds). */
export function manifestSchemaText(): string {
  return `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`;
}
