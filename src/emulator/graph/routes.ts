import type { GraphRoute } from '../context.js';
import { organizationRoutes } from './organization.js';

/** Every Graph route the emulator serves. Anything else answers 501 NotImplemented (never a guess). */
export const graphRoutes: GraphRoute[] = [...organizationRoutes];
