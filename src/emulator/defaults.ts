/** Default port of the local tenant, fixed so config files written for it stay valid across restarts. */
export const DEFAULT_EMULATOR_PORT = 47443;
/** Where `--tenant local` keeps its tenant. */
export const DEFAULT_STATE_FILE = '.tenantform/local-tenant.json';
