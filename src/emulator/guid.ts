/** A GUID (object ids, appIds, role and scope ids), any case. The emulator's one copy: it imports nothing from the tool. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
