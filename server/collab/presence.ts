// Awareness (presence) updates from a client, checked and stamped with who actually sent them, so nobody can
// appear under someone else's name.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export type Presence = { userId: string; name: string };

/** Returns the update with each state's `user` replaced by the sender's identity (keeping its colour), without
 * states for client ids another connection owns (so nobody can replace or remove someone else's presence), and the
 * client ids it speaks for. Throws on malformed input. */
export function stampAwareness(
  update: Uint8Array,
  who: Presence,
  /** Client ids this sender may not speak for (another connection's); their states are left out. */
  taken: (clientId: number) => boolean = () => false
): { update: Uint8Array; clientIds: number[] } {
  const d = decoding.createDecoder(update);
  const e = encoding.createEncoder();
  const n = decoding.readVarUint(d);
  if (n > 64) throw new Error('too many awareness states');
  const clientIds: number[] = [];
  const entries: [number, number, string][] = [];
  for (let i = 0; i < n; i++) {
    const clientId = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const raw = decoding.readVarString(d);
    if (raw.length > 16_384) throw new Error('awareness state too large');
    let state = JSON.parse(raw) as unknown;
    if (state !== null) {
      if (typeof state !== 'object' || Array.isArray(state))
        throw new Error('awareness state is not an object');
      const s = state as Record<string, unknown>;
      const user = (typeof s.user === 'object' && s.user !== null ? s.user : {}) as Record<string, unknown>;
      const color =
        typeof user.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(user.color) ? user.color : '#6b7280';
      state = { ...s, user: { id: who.userId, name: who.name, color, colorLight: `${color}33` } };
    }
    if (taken(clientId)) continue;
    clientIds.push(clientId);
    entries.push([clientId, clock, JSON.stringify(state)]);
  }
  if (decoding.hasContent(d)) throw new Error('trailing bytes');
  encoding.writeVarUint(e, entries.length);
  for (const [clientId, clock, state] of entries) {
    encoding.writeVarUint(e, clientId);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, state);
  }
  return { update: encoding.toUint8Array(e), clientIds };
}
