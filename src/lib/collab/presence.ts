// Who is here: our own awareness state, and everyone's, one entry per person.
import type { Awareness } from 'y-protocols/awareness';

const PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#dc2626'];

export function colorFor(userId: string): string {
  let h = 0;
  for (const ch of userId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}

export type PresentUser = { id: string; name: string; color: string; self: boolean };

export function announce(awareness: Awareness, user: { id: string; name: string }): void {
  const color = colorFor(user.id);
  // The server replaces id and name with the authenticated user's; the colour is ours to pick.
  awareness.setLocalStateField('user', { id: user.id, name: user.name, color, colorLight: `${color}33` });
}

export function presentUsers(awareness: Awareness): PresentUser[] {
  const byId = new Map<string, PresentUser>();
  for (const [clientId, state] of awareness.getStates()) {
    const u = (state as { user?: { id?: unknown; name?: unknown; color?: unknown } }).user;
    if (!u || typeof u.id !== 'string') continue;
    const self = clientId === awareness.clientID;
    const prev = byId.get(u.id);
    byId.set(u.id, {
      id: u.id,
      name: typeof u.name === 'string' ? u.name : 'Someone',
      color: typeof u.color === 'string' ? u.color : '#6b7280',
      self: self || (prev?.self ?? false)
    });
  }
  return [...byId.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return (
    (parts[0]?.[0] ?? '?') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')
  ).toUpperCase();
}
