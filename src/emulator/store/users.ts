import type { User } from '@microsoft/microsoft-graph-types';
import { graphErrors } from '../errors.js';
import type { StoreCore } from './collection.js';
import type { UserInternals } from './state.js';

const same = (a: string | null | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/**
 * Test users (directory objects of type user) and what Graph never returns about them: the password hash and
 * the TOTP secret of the MFA method (state.ts UserInternals). Reads see a replica, with the replication lag of
 * every other object; uniqueness is decided on the write master.
 */
export class UserStore {
  constructor(private readonly core: StoreCore) {}

  /** By object id, as a replica sees it (a user created a moment ago by POST /users is not there yet). */
  visible(id: string): User | undefined {
    return this.core.users.visible(id.toLowerCase());
  }

  list(): User[] {
    return this.core.users.list();
  }

  /** By userPrincipalName (case-insensitive), as a replica sees it: what the sign-in service finds. */
  byUserPrincipalName(upn: string): User | undefined {
    return this.list().find((u) => same(u.userPrincipalName, upn));
  }

  /** The write master's user of a userPrincipalName (no lag): for the uniqueness check of POST /users. */
  masterByUserPrincipalName(upn: string): User | undefined {
    return this.core.users.masters().find((u) => same(u.userPrincipalName, upn));
  }

  master(id: string): User | undefined {
    const u = this.core.users.master(id.toLowerCase());
    return u ? structuredClone(u) : undefined;
  }

  /**
   * A new user with its credentials. `replicated`: visible to every read at once (users the emulator provisions
   * itself: the `users` option, addUser); POST /users writes with the configured lag.
   */
  create(user: User, internals: UserInternals, replicated = false): void {
    const id = user.id!.toLowerCase();
    if (replicated) this.core.users.putReplicated(id, user);
    else this.core.users.put(id, user);
    this.core.state.userInternals[id] = structuredClone(internals);
    this.core.changed();
  }

  update(user: User): void {
    this.core.users.put(user.id!.toLowerCase(), user);
  }

  /** A copy of the user's password hash and MFA method (undefined for an unknown id). */
  credentials(id: string): UserInternals | undefined {
    const c = this.core.state.userInternals[id.toLowerCase()];
    return c ? structuredClone(c) : undefined;
  }

  /** Replace the user's credentials (a new password, an added MFA method); saved. */
  setCredentials(id: string, internals: UserInternals): void {
    if (!this.core.users.master(id.toLowerCase())) throw graphErrors.notFound(id);
    this.core.state.userInternals[id.toLowerCase()] = structuredClone(internals);
    this.core.changed();
  }

  /**
   * DELETE /users/{id}: the user goes to directory/deletedItems for 30 days with its credentials
   * (https://learn.microsoft.com/graph/api/user-delete). Its delegated permission grants stay (a restored user
   * finds them again); a deleted user cannot sign in.
   */
  softDelete(id: string): void {
    const key = id.toLowerCase();
    const user = this.core.users.master(key);
    if (!user) throw graphErrors.notFound(id);
    this.core.deletedItems[key] = {
      type: 'user',
      value: { ...user, deletedDateTime: new Date(this.core.now()).toISOString() },
      userInternals: this.core.state.userInternals[key],
    };
    delete this.core.state.userInternals[key];
    this.core.users.remove(key);
  }
}
