import { APP_WRITE, call, type ApplyContext } from './context.js';
import type { Change } from '../plan/types.js';
import { paths } from '../graph/paths.js';

type Of<A extends Change['action']> = Extract<Change, { action: A }>;

/**
 * Adopt: one PATCH of the application with its uniqueName and tags. Graph lets uniqueName be set once,
 * while it is null, and never changed (https://learn.microsoft.com/graph/api/application-update), so the
 * import plan only proposes it for an app whose uniqueName is null. The service principal gets the
 * ownership tag too, as every SP the stack creates does.
 */
export async function adoptApplication(ctx: ApplyContext, c: Of<'adopt-application'>): Promise<void> {
  if (Object.keys(c.after).length) {
    await call(
      ctx,
      'write',
      { method: 'PATCH', path: paths.application(c.objectId), body: c.after },
      { action: `adopt application ${c.appId} as ${c.uniqueName}`, needs: APP_WRITE },
    );
  }
  if (c.servicePrincipalId && c.servicePrincipalTags) {
    await call(
      ctx,
      'write',
      { method: 'PATCH', path: paths.servicePrincipal(c.servicePrincipalId), body: { tags: c.servicePrincipalTags } },
      {
        action: `tag the service principal of ${c.uniqueName}`,
        needs: APP_WRITE,
      },
    );
  }
}
