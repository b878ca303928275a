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

/** [a-z0-9] words joined by single hyphens (so `--` can separate stack and app in uniqueName). */
export const STACK_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
export const STACK_NAME_MAX = 40;
/** Application keys: also used in `${apps.KEY.appId}`, so no dots. */
export const APP_KEY = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const APP_KEY_MAX = 60;
/** Secret names: used in `${apps.KEY.secrets.NAME}`. */
export const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** 12h, 180d, 8w, 2y (y = 365 days). */
export const LIFETIME = /^([1-9][0-9]*)([hdwy])$/;
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
    allowedMemberTypes: z.array(z.enum(['Application', 'User'])).min(1).describe('Application: granted to apps (application permission); User: assigned to users/groups.'),
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

  const Secret = obj({
    name: z.string().meta({ pattern: SECRET_NAME.source }).describe('Unique within the application; used in ${apps.KEY.secrets.NAME}.'),
    lifetime: z
      .string()
      .regex(LIFETIME, { error: 'Lifetime must be a number and a unit h, d, w or y, like 12h, 180d or 2y' })
      .default('180d')
      .describe('How long a new secret is valid: 12h, 180d, 8w, 2y. Default 180d.'),
  });

  const Permission = obj({
      api: z
        .string()
        .min(1)
        .describe('The resource API: a key of this manifest\'s applications, the display name of an API in the tenant (e.g. "Microsoft Graph"), or its appId.'),
      roles: z.array(z.string().min(1)).default([]).describe('App role values: application permissions.'),
      scopes: z.array(z.string().min(1)).default([]).describe('Scope values: delegated permissions.'),
      adminConsent: z.boolean().default(false).describe('Grant admin consent (app role assignments for roles, a tenant-wide grant for scopes).'),
    })
    .describe('Permissions on another API.');

  const Application = obj({
    displayName: z.string().min(1),
    description: z.string().max(1024).optional(),
    signInAudience: z.enum(SIGN_IN_AUDIENCES).default('AzureADMyOrg'),
    identifierUris: z.array(z.string().min(1)).default([]).describe('Application ID URIs; {appId} stands for the application\'s own appId, e.g. api://{appId}.'),
    api: obj({
      requestedAccessTokenVersion: z.literal([1, 2]).default(2).describe('Access token version the API accepts. Default 2.'),
    }).optional(),
    scopes: z.array(Scope).default([]),
    appRoles: z.array(AppRole).default([]),
    optionalClaims: OptionalClaims.optional(),
    servicePrincipal: ServicePrincipal.optional(),
    secrets: z.array(Secret).default([]).describe('Client secrets, created with addPassword; their values go only to outputs.'),
    permissions: z.array(Permission).default([]),
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
    format: z.enum(['dotenv', 'json']).optional().describe('Default: json for *.json paths, else dotenv.'),
    values: z
      .record(z.string(), z.string())
      .describe('KEY: template. ${tenant.id|subdomain|authority}, ${apps.KEY.appId|identifierUri|secret|secrets.NAME}, ${var.NAME}.'),
  }).describe('A config file written after apply.');

  const Manifest = obj({
    stack: z
      .string()
      .max(STACK_NAME_MAX)
      .regex(STACK_NAME, { error: 'Stack name must be lowercase letters and digits, words joined by single hyphens' })
      .describe('Stack name: namespace and ownership of everything this manifest creates.'),
    variables: z.record(z.string().meta({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Variable).optional(),
    applications: z.record(z.string().meta({ pattern: APP_KEY.source }), Application).default({}),
    outputs: z.array(Output).default([]),
  }).meta({ title: 'tenantform manifest', description: 'Microsoft Entra ID app registrations as code (tenantform). One stack per file.' });

  return { Manifest, Application, Output };
}

const strictSchemas = buildSchemas(true);
const lenientSchemas = buildSchemas(false);

/** The manifest schema: strict. */
export const ManifestSchema = strictSchemas.Manifest;
/** One application / output, lenient about unknown keys (see buildSchemas). */
export const ApplicationSchema = lenientSchemas.Application;
export const OutputSchema = lenientSchemas.Output;

export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestApplication = z.output<typeof ApplicationSchema>;
export type ManifestOutput = z.output<typeof OutputSchema>;
export type ManifestOptionalClaim = NonNullable<NonNullable<ManifestApplication['optionalClaims']>['accessToken']>[number];

/** The JSON Schema for editors (draft-07: what yaml-language-server supports best). */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ManifestSchema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>;
}
