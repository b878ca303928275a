import type { GraphRoute } from '../context.js';
import { applicationRoutes } from './applications.js';
import { assignmentRoutes } from './assignments.js';
import { deletedItemRoutes } from './deletedItems.js';
import { grantRoutes } from './grants.js';
import { organizationRoutes } from './organization.js';
import { servicePrincipalRoutes } from './servicePrincipals.js';

/** Every Graph route the emulator serves. Anything else answers 501 NotImplemented (never a guess). */
export const graphRoutes: GraphRoute[] = [
  ...organizationRoutes,
  ...applicationRoutes,
  ...servicePrincipalRoutes,
  ...assignmentRoutes,
  ...grantRoutes,
  ...deletedItemRoutes,
];
