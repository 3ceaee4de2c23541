// The relay over Redis pub/sub (node-redis): one channel per notebook for stored document updates, presence and
// resync hints, and one channel for "someone's access changed". Two connections, as Redis requires: a subscribed
// connection cannot publish.
//
// Redis pub/sub delivers at most once, and nothing while a connection is down, so the document never depends on it:
// every update is in PostgreSQL before it is published, and whenever delivery may have had a gap the rooms read the
// store again (resync). Gaps come from three places, each covered:
// - this server's subscriber was disconnected: on 'ready' node-redis has already re-subscribed (it awaits that
//   before 'ready'), we subscribe whatever failed meanwhile, and then every room resyncs;
// - this server could not publish: the room's updates are stored but unrelayed; once the publisher is back we
//   publish a resync hint on that notebook so the others read the store;
// - a room opened while Redis was down: its subscription failed; it is taken up at the next 'ready' (above).
// Commands are never queued while Redis is down (disableOfflineQueue): a queue would grow without bound during a
// long outage, and what it held is made up for by the resyncs anyway.
import { createClient } from 'redis';
import { UserIdSchema, type UserId } from '../ids';
import {
  decodeFrame,
  encodeFrame,
  newServerId,
  sameServer,
  type FrameKind,
  type Relay,
  type RoomLink,
  type RoomListener
} from './relay';

const ROOM_CHANNEL = 'sheaf:notebook:';
const ACCESS_CHANNEL = 'sheaf:access';
/** Reconnect quickly at first, then every two seconds at most, for ever. */
const reconnectStrategy = (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), 2_000);

type Channel = { listeners: Set<RoomListener>; subscribed: boolean; handler: (message: Buffer) => void };

export type RedisRelayOptions = {
  url: string;
  /** Called for every access change another server announces, and with null when some may have been missed. */
  onAccessChange?: (userId: UserId | null) => void;
  /** Called when Redis is lost (true) and when the relay is whole again (false). */
  onDegraded?: (down: boolean) => void;
  log?: (message: string) => void;
};

/** The host and port of a Redis URL: never its password in a log. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return '(unparsable REDIS_URL)';
  }
}

export class RedisRelay implements Relay {
  readonly serverId = newServerId();
  private readonly pub;
  private readonly sub;
  private readonly channels = new Map<string, Channel>();
  /** Notebooks whose updates could not be published: a resync hint is owed to the other servers. */
  private readonly owed = new Set<string>();
  /** People whose access change could not be published: owed to the other servers too. */
  private readonly owedAccess = new Set<UserId>();
  private everReady = false;
  private down = false;
  private closed = false;
  private readonly log: (message: string) => void;
  /** How many times the subscriber came back and rooms resynced (tests and stats). */
  resyncs = 0;

  private constructor(private readonly opts: RedisRelayOptions) {
    this.log = opts.log ?? ((m) => console.error(m));
    const options = { url: opts.url, disableOfflineQueue: true, socket: { reconnectStrategy } };
    this.pub = createClient(options);
    this.sub = createClient(options);
    // Without an 'error' listener node-redis's errors would crash the process; with one, it keeps reconnecting.
    for (const [name, client] of [
      ['publisher', this.pub],
      ['subscriber', this.sub]
    ] as const) {
      client.on('error', (e: unknown) => this.lost(name, e));
    }
    this.sub.on('ready', () => void this.subscriberReady());
    this.pub.on('ready', () => void this.publisherReady());
  }

  /** Connects (retrying in the background if Redis is not up yet: the server starts and serves its own clients). */
  static async start(opts: RedisRelayOptions): Promise<RedisRelay> {
    const relay = new RedisRelay(opts);
    const first = Promise.all([relay.pub.connect(), relay.sub.connect()]);
    first.catch((e: unknown) => relay.lost('connection', e));
    await Promise.race([first, new Promise((r) => setTimeout(r, 2_000).unref())]);
    return relay;
  }

  private lost(which: string, e: unknown): void {
    if (this.closed) return;
    if (!this.down) {
      this.log(
        `collab relay: Redis at ${where(this.opts.url)} is unreachable (${which}: ${e instanceof Error ? e.message : String(e)}); ` +
          'serving this server’s own clients and reconnecting — edits on other servers arrive when it is back.'
      );
      this.down = true;
      safely(() => this.opts.onDegraded?.(true));
    }
  }

  private async subscriberReady(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sub.subscribe(ACCESS_CHANNEL, this.onAccessMessage, true);
      for (const [name, ch] of this.channels) {
        if (!ch.subscribed && ch.listeners.size > 0) {
          await this.sub.subscribe(name, ch.handler, true);
          ch.subscribed = true;
        }
      }
    } catch (e) {
      return this.lost('subscriber', e); // the next 'ready' tries again
    }
    const wasDown = this.down;
    if (wasDown) this.log(`collab relay: Redis is back; re-reading ${this.channels.size} open notebook(s).`);
    this.down = false;
    this.resyncs++;
    // Access changes announced while we were cut off are lost: every connection here checks its access again.
    if (this.everReady) safely(() => this.opts.onAccessChange?.(null));
    this.everReady = true;
    // Subscriptions are in place: whatever is stored from now on reaches us, and reading the store covers the rest.
    for (const ch of this.channels.values()) for (const l of ch.listeners) safely(() => l.resync());
    if (wasDown) safely(() => this.opts.onDegraded?.(false));
  }

  private publisherReady(): void {
    for (const userId of [...this.owedAccess]) {
      this.owedAccess.delete(userId);
      this.publishAccessChange(userId);
    }
    for (const notebookId of [...this.owed]) {
      this.owed.delete(notebookId);
      this.send(notebookId, 'resync', new Uint8Array(0));
    }
  }

  private send(notebookId: string, kind: FrameKind, payload: Uint8Array): void {
    const frame = encodeFrame(kind, this.serverId, payload);
    this.pub.publish(ROOM_CHANNEL + notebookId, frame).catch((e: unknown) => {
      // Presence is renewed every few seconds anyway; a stored update needs the others to read the store later.
      if (kind === 'update' || kind === 'resync') this.owed.add(notebookId);
      this.lost('publisher', e);
    });
  }

  async open(notebookId: string, listener: RoomListener): Promise<RoomLink> {
    const name = ROOM_CHANNEL + notebookId;
    let ch = this.channels.get(name);
    if (!ch) {
      const listeners = new Set<RoomListener>();
      ch = { listeners, subscribed: false, handler: (m) => this.roomMessage(listeners, m) };
      this.channels.set(name, ch);
    }
    ch.listeners.add(listener);
    if (!ch.subscribed) {
      try {
        await this.sub.subscribe(name, ch.handler, true);
        ch.subscribed = true;
      } catch (e) {
        this.lost('subscriber', e); // taken up (with a resync) when the subscriber is ready again
      }
    }
    const channel = ch;
    return {
      publishUpdate: (update) => this.send(notebookId, 'update', update),
      publishAwareness: (update) => this.send(notebookId, 'awareness', update),
      askWho: () => this.send(notebookId, 'who', new Uint8Array(0)),
      close: () => {
        channel.listeners.delete(listener);
        if (channel.listeners.size > 0 || this.channels.get(name) !== channel) return;
        this.channels.delete(name);
        if (channel.subscribed) this.sub.unsubscribe(name, channel.handler, true).catch(() => {});
      }
    };
  }

  private roomMessage(listeners: Set<RoomListener>, message: Buffer): void {
    const frame = decodeFrame(message);
    if (!frame || sameServer(frame.from, this.serverId)) return;
    // A copy: node-redis may reuse the buffer, and rooms keep updates (staging, the document).
    const payload = new Uint8Array(frame.payload);
    for (const l of listeners) {
      if (frame.kind === 'update') safely(() => l.update(payload));
      else if (frame.kind === 'awareness') safely(() => l.awareness(payload));
      else if (frame.kind === 'resync') safely(() => l.resync());
      else if (frame.kind === 'who') safely(() => l.who());
      else if (frame.kind === 'comments') safely(() => l.comments());
    }
  }

  publishComments(notebookId: string): void {
    this.send(notebookId, 'comments', new Uint8Array(0));
  }

  /** Tells the other servers that `userId`'s access changed, so their open connections check it again at once. */
  publishAccessChange(userId: UserId): void {
    const frame = encodeFrame('access', this.serverId, Buffer.from(userId, 'utf8'));
    this.pub.publish(ACCESS_CHANNEL, frame).catch((e: unknown) => {
      this.owedAccess.add(userId);
      this.lost('publisher', e);
    });
  }

  /** One listener for the relay's whole life: node-redis keeps it across reconnections, and a second would make
   * every access message count twice. */
  private readonly onAccessMessage = (message: Buffer) => this.accessMessage(message);

  private accessMessage(message: Buffer): void {
    const frame = decodeFrame(message);
    if (!frame || frame.kind !== 'access' || sameServer(frame.from, this.serverId)) return;
    const id = UserIdSchema.safeParse(Buffer.from(frame.payload).toString('utf8'));
    if (id.success) safely(() => this.opts.onAccessChange?.(id.data));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([this.pub.close(), this.sub.close()]);
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    console.error('collab relay: a message from another server could not be applied:', e);
  }
}
