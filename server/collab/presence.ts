// Presence (awareness) states as a client sends them: decoded strictly, checked against what our client actually
// sends, and stamped with who sent them. Co-editors' browsers trust what the server forwards — y-codemirror
// resolves a remote `cursor` without checking it, and a malformed one throws in every co-editor's tab — so
// anything that is not exactly our shape is refused here.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { z } from 'zod';
import type { UserId } from '../ids';

/** A state longer than this is refused unread; ours (name, colour, cursor) is well under 1 KB. */
const MAX_STATE_BYTES = 16 * 1024;
const DEFAULT_COLOR = '#6b7280';

export type Presence = { userId: UserId; name: string };

/** One entry of an awareness update, its state still undecoded (most entries a client sends are echoes of other
 * people's states, which are dropped without being read). */
export type RawEntry = { clientId: number; clock: number; state: Uint8Array };

/** Yjs client ids are random unsigned 32-bit integers; clocks only count up. */
const clientId = z.int().min(0).max(0xffff_ffff);
const clock = z.int().min(0);
const yId = z.object({ client: clientId, clock });

/** Y.RelativePosition as JSON.stringify writes it. y-codemirror reads these fields directly (not through
 * Y.createRelativePositionFromJSON), so all four must be present with the right types. Our editors are bound to
 * cell sources, which are nested types: `type` is always set and `tname` (a root type's name) always null — a
 * root name would also make every co-editor's document create that root type. */
const relativePosition = z.object({ type: yId, tname: z.null(), item: yId.nullable(), assoc: z.int() });

/** What src/lib/collab/presence.ts and y-codemirror.next set. Unknown keys are dropped; `user` is replaced by the
 * sender's identity except for its colour. */
const stateSchema = z.object({
  user: z.object({ color: z.string().regex(/^#[0-9a-fA-F]{6}$/) }).optional(),
  cursor: z.object({ anchor: relativePosition, head: relativePosition }).nullable().optional()
});

export type Cursor = { anchor: z.infer<typeof relativePosition>; head: z.infer<typeof relativePosition> };
export type PresenceState = {
  user: { id: string; name: string; color: string; colorLight: string };
  cursor?: Cursor | null;
};

export type Cleaned = { ok: true; state: PresenceState | null } | { ok: false };

/** Splits an awareness update into its entries. Throws on bad varints, truncation, client ids beyond 32 bits
 * and trailing bytes. */
export function decodeAwarenessUpdate(update: Uint8Array): RawEntry[] {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const entries: RawEntry[] = [];
  // Every entry takes at least three bytes, so a huge count ends in a read past the end, not a long loop.
  for (let i = 0; i < n; i++) {
    const id = decoding.readVarUint(d);
    const c = decoding.readVarUint(d);
    const len = decoding.readVarUint(d);
    if (id > 0xffff_ffff) throw new Error('client id out of range');
    // Checked here: lib0 would otherwise read a view past the end of this update.
    if (len > update.length - d.pos) throw new Error('truncated state');
    entries.push({ clientId: id, clock: c, state: decoding.readUint8Array(d, len) });
  }
  if (decoding.hasContent(d)) throw new Error('trailing bytes');
  return entries;
}

/** The state to forward for `raw` (null: the client left), stamped with who sent it; not ok if it is anything but
 * what our client sends. */
export function cleanState(raw: Uint8Array, who: Presence): Cleaned {
  if (raw.length > MAX_STATE_BYTES) return { ok: false };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    return { ok: false };
  }
  if (json === null) return { ok: true, state: null };
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) return { ok: false };
  const color = parsed.data.user?.color ?? DEFAULT_COLOR;
  const state: PresenceState = { user: { id: who.userId, name: who.name, color, colorLight: `${color}33` } };
  if (parsed.data.cursor !== undefined) state.cursor = parsed.data.cursor;
  return { ok: true, state };
}

/** An awareness update carrying `entries`, as y-protocols encodes one. */
export function encodeAwarenessUpdate(
  entries: { clientId: number; clock: number; state: PresenceState | null }[]
): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const entry of entries) {
    encoding.writeVarUint(e, entry.clientId);
    encoding.writeVarUint(e, entry.clock);
    encoding.writeVarString(e, JSON.stringify(entry.state));
  }
  return encoding.toUint8Array(e);
}
