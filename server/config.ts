// Server configuration from the environment, validated once.
import path from 'node:path';
import { z } from 'zod';

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: z.string().optional(),
  /** Optional schema inside DATABASE_URL's database (tests use a throwaway one). */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'DATABASE_SCHEMA must be a lower-case SQL identifier')
    .optional(),
  /** Redis shared by several Sheaf servers (they relay edits, presence and access changes through it). Unset: one
   * server, alone. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/./, 'REDIS_URL must be a redis:// or rediss:// URL')
    .optional(),
  DATA_DIR: z.string().default('data'),
  MIGRATIONS_DIR: z.string().default('migrations'),
  SEED_DEMO: z.enum(['0', '1']).optional(),
  COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  /** Largest upload, in MB. */
  UPLOAD_LIMIT_MB: z.coerce.number().positive().default(1024),
  /** Rows an upload may hold. */
  UPLOAD_MAX_ROWS: z.coerce.number().int().positive().default(50_000_000),
  /** How large an upload may be once unpacked (Parquet's own sizes), in MB. */
  UPLOAD_MAX_UNCOMPRESSED_MB: z.coerce.number().positive().default(4096),
  /** How long converting one upload may take, in seconds. */
  UPLOAD_CONVERT_SECONDS: z.coerce.number().positive().default(600),
  /** Memory (address space) one upload's conversion may use, in MB. */
  UPLOAD_MEMORY_MB: z.coerce.number().int().min(512).default(3072),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** A folder of DuckDB/Parquet files that connections of kind "duckdb" may open (read-only). Unset: none. */
  SERVER_DATA_DIR: z.string().optional(),
  /** Hosts connections may reach although they are loopback or link-local (comma-separated names or IPs). */
  CONNECTION_ALLOW_HOSTS: z.string().optional(),
  /** 32 bytes, base64 or hex: encrypts connection secrets at rest. */
  SECRET_KEY: z.string().optional(),
  /** The AI assistant: without a key it is off (and says so). */
  GEMINI_API_KEY: z.string().optional(),
  GEMINI_MODEL: z.string().default('gemini-2.5-flash'),
  /** Another endpoint speaking Gemini's REST API (a proxy, or the test suite's scripted model). */
  GEMINI_BASE_URL: z.string().url().optional(),
  /** Assistant requests per user per hour. */
  AI_RATE_PER_HOUR: z.coerce.number().int().positive().default(50),
  /** Dashboard viewers' re-runs of connection cells for their own filter values, per viewer per minute. */
  LIVE_CELL_RATE_PER_MINUTE: z.coerce.number().int().positive().default(20),
  /** Memory for cached re-run results, in MB; 0 turns the cache (and sharing of identical runs) off. */
  LIVE_CELL_CACHE_MB: z.coerce.number().min(0).default(64),
  /**
   * How long a dashboard page's load waits for the server to compute the cards for the filter values in its URL
   * (server/publish/first-paint.ts) before sending the snapshot for the browser to recompute; 0 turns it off.
   */
  FIRST_PAINT_BUDGET_MS: z.coerce.number().int().min(0).max(30_000).default(1500),
  /** Dashboard first paints computed at once on this server; more fall back to the browser. */
  FIRST_PAINT_CONCURRENT: z.coerce.number().int().min(0).max(16).default(2),
  /** Outgoing mail (dashboard subscriptions, alerts, notices): smtp:// or smtps://. Unset: mail is off, and says so. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/./, 'SMTP_URL must be an smtp:// or smtps:// URL')
    .optional(),
  /** The From address of that mail, e.g. `Sheaf <sheaf@example.com>`. */
  MAIL_FROM: z.string().optional(),
  /** Seconds before a failed delivery's first retry; each later one waits twice as long (6 attempts in all). */
  DELIVERY_RETRY_SECONDS: z.coerce.number().positive().max(86_400).default(60),
  /** The app's public address, for links in mail and chat messages (also adapter-node's). */
  ORIGIN: z.string().url().optional(),
  /** Memory for rendered dashboard pages (server/publish/page-cache.ts), in MB; 0 renders every view. */
  PAGE_CACHE_MB: z.coerce.number().min(0).default(64)
});

export type ServerConfig = {
  production: boolean;
  databaseUrl: string | undefined;
  databaseSchema: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  migrationsDir: string;
  seedDemo: boolean;
  cookieSecure: boolean | undefined;
  uploadLimitBytes: number;
  upload: { maxRows: number; maxUncompressedBytes: number; timeoutMs: number; memoryMb: number };
  port: number;
  host: string;
  secretKey: string | undefined;
  serverDataDir: string | undefined;
  connectionAllowHosts: string[];
  ai: { apiKey: string | undefined; model: string; baseUrl: string | undefined; perHour: number };
  liveCells: { perMinute: number; cacheBytes: number };
  firstPaint: { budgetMs: number; concurrent: number };
  /** Both SMTP_URL and MAIL_FROM, or nothing: mail is not configured. */
  mail: { smtpUrl: string; from: string } | undefined;
  deliveryRetryMs: number;
  /** Where links in messages point (ORIGIN, else this server on localhost). */
  appOrigin: string;
  pageCacheBytes: number;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid server configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  const serverDataDir = e.SERVER_DATA_DIR ? path.resolve(e.SERVER_DATA_DIR) : undefined;
  const inside = (a: string, b: string) => a === b || !path.relative(b, a).startsWith('..');
  if (serverDataDir && (inside(dataDir, serverDataDir) || inside(serverDataDir, dataDir))) {
    // Every member of every workspace may open files there; Sheaf's own data (uploads, keys) must not be among them.
    throw new Error(
      `Invalid server configuration:\n  SERVER_DATA_DIR (${serverDataDir}) must not contain or be inside DATA_DIR (${dataDir}).`
    );
  }
  return {
    production: e.NODE_ENV === 'production',
    databaseUrl: e.DATABASE_URL || undefined,
    databaseSchema: e.DATABASE_SCHEMA,
    redisUrl: e.REDIS_URL || undefined,
    dataDir,
    migrationsDir: path.resolve(e.MIGRATIONS_DIR),
    // The embedded default is for trying Sheaf out, so it comes with a demo account; a real database does not.
    seedDemo: e.SEED_DEMO ? e.SEED_DEMO === '1' : !e.DATABASE_URL,
    cookieSecure: e.COOKIE_SECURE ? e.COOKIE_SECURE === 'true' : undefined,
    uploadLimitBytes: Math.round(e.UPLOAD_LIMIT_MB * 1024 * 1024),
    upload: {
      maxRows: e.UPLOAD_MAX_ROWS,
      maxUncompressedBytes: Math.round(e.UPLOAD_MAX_UNCOMPRESSED_MB * 1024 ** 2),
      timeoutMs: Math.round(e.UPLOAD_CONVERT_SECONDS * 1000),
      memoryMb: e.UPLOAD_MEMORY_MB
    },
    port: e.PORT,
    host: e.HOST,
    secretKey: e.SECRET_KEY || undefined,
    serverDataDir,
    connectionAllowHosts: (e.CONNECTION_ALLOW_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    ai: {
      apiKey: e.GEMINI_API_KEY || undefined,
      model: e.GEMINI_MODEL,
      baseUrl: e.GEMINI_BASE_URL,
      perHour: e.AI_RATE_PER_HOUR
    },
    liveCells: {
      perMinute: e.LIVE_CELL_RATE_PER_MINUTE,
      cacheBytes: Math.round(e.LIVE_CELL_CACHE_MB * 1024 * 1024)
    },
    firstPaint: { budgetMs: e.FIRST_PAINT_BUDGET_MS, concurrent: e.FIRST_PAINT_CONCURRENT },
    mail: e.SMTP_URL && e.MAIL_FROM ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : undefined,
    deliveryRetryMs: Math.round(e.DELIVERY_RETRY_SECONDS * 1000),
    appOrigin: (e.ORIGIN ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    pageCacheBytes: Math.round(e.PAGE_CACHE_MB * 1024 * 1024)
  };
}
