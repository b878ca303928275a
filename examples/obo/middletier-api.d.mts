// Types of middletier-api.mjs, for the TypeScript tests that start it.
import type { RunningApi, StartOptions } from './downstream-api.mjs';

export function start(options: StartOptions & { config: { credentials: { clientSecret: string } }; downstreamUrl?: string }): Promise<RunningApi>;
