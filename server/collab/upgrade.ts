// WebSocket upgrades at /collab/:notebookId: authenticated from the session cookie, authorised per notebook,
// then attached to the notebook's room. Other paths are left alone (Vite's HMR socket shares the server).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SESSION_COOKIE, validateSessionToken } from '../auth/session';
import type { Db } from '../db/types';
import { isAppError } from '../errors';
import { NotebookIdSchema, type NotebookId, type UserId } from '../ids';
import { cookieValue, sameOrigin } from '../http/session-of';
import { requireNotebookRole } from '../workspaces/access';
import { onAccessChange } from '../workspaces/access-changes';
import type { Role } from '../workspaces/roles';
import type { Peer, Room } from './room';
import { roomsFor } from './rooms';

const PATH = /^\/collab\/([a-z2-7]{16})\/?(?:\?.*)?$/;
/** How often a connection's session and role are checked again. */
const RECHECK_MS = 30_000;
/** Larger frames close the connection (1009, by ws; a whole notebook's state fits comfortably). Frames of any
 * size up to this are read, so presence messages have their own, much smaller bound (presence-gate.ts). */
const MAX_FRAME = 32 * 1024 * 1024;
/** What a client may send before its notebook has loaded (a sync step and some edits; not a flood). */
const MAX_EARLY_BYTES = 2 * MAX_FRAME;
/** Open connections per person: a tab per notebook, with room to spare. Each may hold a frame of up to
 * MAX_FRAME while it is read, so without a bound one account could make the server hold gigabytes. */
export const MAX_CONNECTIONS_PER_USER = 50;

const openByUser = new Map<UserId, number>();

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

function refuse(socket: Duplex, status: 401 | 403 | 404 | 429, message: string) {
  const text = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' }[status];
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n` +
      `Connection: close\r\n\r\n${message}`
  );
}

type Access = { ok: true; user: { id: UserId; name: string }; role: Role } | { ok: false; status: 401 | 403 };

async function authorize(db: Db, token: string | undefined, notebookId: NotebookId): Promise<Access> {
  if (!token) return { ok: false, status: 401 };
  const { user } = await validateSessionToken(db, token);
  if (!user) return { ok: false, status: 401 };
  try {
    const { role } = await requireNotebookRole(db, user.id, notebookId, 'viewer');
    return { ok: true, user: { id: user.id, name: user.name }, role };
  } catch (e) {
    if (isAppError(e)) return { ok: false, status: 403 };
    throw e;
  }
}

export function createCollabUpgradeHandler(getDb: () => Promise<Db>): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });

  return (req, socket, head) => {
    const url = req.url ?? '';
    if (!url.startsWith('/collab/')) return false;
    socket.on('error', () => {}); // a client vanishing mid-handshake is not our error
    void (async () => {
      const id = NotebookIdSchema.safeParse(PATH.exec(url)?.[1]);
      if (!id.success) return refuse(socket, 404, 'No such notebook.');
      if (!sameOrigin(req)) return refuse(socket, 403, 'Cross-site connections are refused.');
      const notebookId = id.data;
      const db = await getDb();
      const token = cookieValue(req, SESSION_COOKIE);
      const access = await authorize(db, token, notebookId);
      if (!access.ok) {
        return refuse(
          socket,
          access.status,
          access.status === 401 ? 'Log in to open this notebook.' : 'You do not have access to this notebook.'
        );
      }
      // Gone while we checked: its 'close' has fired already, so a place taken now would never be given back.
      if (socket.destroyed) return;
      const userId = access.user.id;
      const open = openByUser.get(userId) ?? 0;
      if (open >= MAX_CONNECTIONS_PER_USER) {
        return refuse(socket, 429, 'Too many open notebooks: close some tabs and try again.');
      }
      openByUser.set(userId, open + 1);
      const release = () => {
        const left = (openByUser.get(userId) ?? 1) - 1;
        if (left > 0) openByUser.set(userId, left);
        else openByUser.delete(userId);
      };
      socket.once('close', release);
      wss.handleUpgrade(req, socket, head, (ws) => {
        void attach(db, ws, notebookId, token!, access.user, access.role);
      });
    })().catch((e) => {
      console.error('collab: upgrade failed:', e);
      if (!socket.destroyed) socket.end('HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\n');
    });
    return true;
  };
}

async function attach(
  db: Db,
  ws: WebSocket,
  notebookId: NotebookId,
  token: string,
  user: { id: UserId; name: string },
  role: Role
) {
  const rooms = roomsFor(db);
  const peer: Peer = {
    user,
    role,
    send(data) {
      if (ws.readyState === ws.OPEN) ws.send(data);
    },
    close(code, reason) {
      ws.close(code, reason);
    }
  };
  // Frames that arrive while the room loads are kept in order, up to a bound.
  const early: Uint8Array[] = [];
  let earlyBytes = 0;
  let room: Room | null = null;
  let alive = true;
  // A throw from the room would escape into ws's socket handler and take the whole process down with it.
  const receive = (r: Room, bytes: Uint8Array) => {
    try {
      r.receive(peer, bytes);
    } catch (e) {
      console.error(`collab: frame from ${user.id} for notebook ${notebookId} failed:`, e);
      ws.close(1011, 'The server could not handle a message.');
    }
  };
  ws.on('message', (data, isBinary) => {
    const bytes = isBinary
      ? new Uint8Array(Array.isArray(data) ? Buffer.concat(data) : (data as Buffer))
      : new Uint8Array(0); // text frames are not part of the protocol: dropped as malformed
    if (room) return receive(room, bytes);
    earlyBytes += bytes.length + 64;
    if (earlyBytes > MAX_EARLY_BYTES) return ws.close(1008, 'Too much sent before the notebook loaded.');
    early.push(bytes);
  });
  ws.on('pong', () => (alive = true));
  ws.on('error', () => {});

  const recheck = () =>
    void authorize(db, token, notebookId)
      .then((a) => {
        if (!a.ok)
          ws.close(a.status === 401 ? 4401 : 4403, a.status === 401 ? 'Session ended' : 'Access removed');
        else peer.role = a.role;
      })
      .catch(() => {});
  const timer = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
    recheck();
  }, RECHECK_MS);
  // A demotion, removal or logout applies at once; the timer is the backstop (e.g. a session that expired).
  const stopWatching = onAccessChange(user.id, recheck);

  ws.on('close', () => {
    clearInterval(timer);
    stopWatching();
    if (room) void rooms.leave(room, peer).catch((e) => console.error('collab: unload failed:', e));
  });

  try {
    const joined = await rooms.join(notebookId, peer);
    if (ws.readyState !== ws.OPEN) {
      await rooms.leave(joined, peer);
      return;
    }
    room = joined;
    for (const bytes of early.splice(0)) receive(joined, bytes);
  } catch (e) {
    console.error(`collab: could not open notebook ${notebookId}:`, e);
    ws.close(1011, 'The notebook could not be loaded.');
  }
}
