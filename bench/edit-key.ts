// bench:collab names each typed character by one number, the same in the editors and the servers.

/** Yjs client ids are 32-bit and a 30-s run types far fewer than 2^20 characters each. */
export const editKey = (client: number, clock: number): number => client * 2 ** 20 + clock;
