import type { GraphRoute } from '../context.js';
import { applicationRoutes } from './applications.js';
import { assignmentRoutes } from './assignments.js';
import { conditionalAccessRoutes } from './conditional-access.js';
import { deletedItemRoutes } from './deletedItems.js';
import { directoryObjectRoutes } from './directory-objects.js';
import { grantRoutes } from './grants.js';
import { organizationRoutes } from './organization.js';
import { meRoutes } from './me.js';
import { ownerRoutes } from './owners.js';
import { propertyPathRoutes } from './property-paths.js';
import { servicePrincipalRoutes } from './servicePrincipals.js';
import { subscribedSkuRoutes } from './subscribed-skus.js';
import { userRoutes } from './users.js';

const entityRoutes: GraphRoute[] = [
  ...organizationRoutes,
  ...applicationRoutes,
  ...ownerRoutes,
  ...meRoutes,
  ...servicePrincipalRoutes,
  ...assignmentRoutes,
  ...grantRoutes,
  ...deletedItemRoutes,
  ...directoryObjectRoutes,
  ...conditionalAccessRoutes,
  ...subscribedSkuRoutes,
  ...userRoutes,
];

/**
 * Every Graph route the emulator serves. Anything else answers 501 NotImplemented (never a guess). The property
 * paths (`/applications/{id}/{property}`, graph/property-paths.ts) come last and match only what no literal route does.
 */
export const graphRoutes: GraphRoute[] = [...entityRoutes, ...propertyPathRoutes(entityRoutes)];
