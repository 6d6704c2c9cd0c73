import { isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateBy,
  validateSync,
  ValidationError,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) =>
  value === undefined || value === '' ? undefined : ['1', 'true', 'yes', 'on'].includes(String(value).toLowerCase());
const URL_OPTS = { require_tld: false, require_protocol: true };
const DB_URL = /^postgres(ql)?:\/\/.+/;
const REDIS_URL = /^rediss?:\/\/.+/;

/** Names of variables whose values must never be printed. */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_OWNER_URL',
  'DATABASE_PLATFORM_URL',
  'DATABASE_ADMIN_URL',
  'REDIS_URL',
  'ENCRYPTION_KEY',
  'TOKEN_HASH_KEY',
  'MASTER_API_TOKEN',
  'MASTER_BOT_TOKEN',
  'METRICS_TOKEN',
] as const;

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY as Express takes it: `false` (trust no proxy: the client is the TCP peer), a hop count, or a
 * list of addresses, CIDRs and the names loopback/linklocal/uniquelocal. `null` when the value is malformed.
 */
export function parseTrustProxy(value: string | undefined): false | number | string[] | null {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return false;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const entries = v.split(',').map((e) => e.trim());
  const ok = entries.every((e) => {
    if (PROXY_NAMES.includes(e)) return true;
    const [addr, prefix, ...rest] = e.split('/');
    const family = isIP(addr ?? '');
    if (!family || rest.length) return false;
    if (prefix === undefined) return true;
    return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  });
  return ok ? entries : null;
}

/**
 * The whole process configuration, validated once at boot. Field names are the
 * environment variable names so that an error names exactly what to fix.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  API_PORT = 3000;

  @IsString()
  @IsOptional()
  API_HOST = '0.0.0.0';

  /** Port for the worker's /metrics and health endpoints (0 disables). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_HTTP_PORT = 3001;

  /** Application role: owns nothing, NOBYPASSRLS. Both apps connect with it. */
  @Matches(DB_URL, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  /** Owner role: runs migrations. */
  @Matches(DB_URL, { message: 'DATABASE_OWNER_URL must be a postgres:// URL' })
  DATABASE_OWNER_URL!: string;

  /** Platform role (BYPASSRLS), used only by libs/platform through its own small pool. */
  @Matches(DB_URL, { message: 'DATABASE_PLATFORM_URL must be a postgres:// URL' })
  DATABASE_PLATFORM_URL!: string;

  /** Optional superuser URL used by `db:setup` to create the database and roles. */
  @IsOptional()
  @Matches(DB_URL, { message: 'DATABASE_ADMIN_URL must be a postgres:// URL' })
  DATABASE_ADMIN_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 20;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  DATABASE_PLATFORM_POOL_SIZE = 4;

  /** How long a request waits for a pooled PostgreSQL connection (a new one included) before 503. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  DATABASE_CONNECT_TIMEOUT_MS = 2_000;

  /** Server-side limit of one statement (`statement_timeout`). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 15_000;

  /**
   * Client-side limit of one query: how long the app waits for any answer, also when PostgreSQL or the network
   * hangs and `statement_timeout` cannot fire. Lower it for a faster 503 when the database stops answering.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DATABASE_QUERY_TIMEOUT_MS = 16_000;

  /** A transaction left idle this long is ended by PostgreSQL (`idle_in_transaction_session_timeout`). */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  DATABASE_IDLE_IN_TX_TIMEOUT_MS = 60_000;

  @Matches(REDIS_URL, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL!: string;

  /**
   * Prefix for every Redis key and queue, so several deployments (or test runs) share one Redis. Written as a
   * hash tag (`{bf}`, the default) every key of the deployment hashes to one slot, which is what BullMQ's Lua
   * scripts and our multi-key commands (lease MGETs, the throttler) need on a Redis Cluster; a bare name (`bf`)
   * still works on a single Redis. REDIS_CLUSTER_NODES requires the hash-tag form.
   */
  @Matches(/^(\{[a-z0-9_-]{1,40}\}[a-z0-9_-]{0,40}|[a-z0-9_-]{1,40})$/i, {
    message: 'REDIS_PREFIX must be 1-40 letters, digits, _ or -, optionally starting with a hash tag ({bf})',
  })
  REDIS_PREFIX = '{bf}';

  /**
   * A Redis Cluster instead of one Redis: comma-separated `host:port` seed nodes (REDIS_URL then only carries
   * the credentials and TLS: `redis://:password@ignored` or `rediss://…`). Empty = the single Redis of REDIS_URL.
   */
  @Matches(/^\s*[a-z0-9.:[\]-]+:\d{1,5}(\s*,\s*[a-z0-9.:[\]-]+:\d{1,5})*\s*$|^$/i, {
    message: 'REDIS_CLUSTER_NODES must be comma-separated host:port pairs',
  })
  REDIS_CLUSTER_NODES = '';

  /**
   * How long a command on the shared Redis connection may wait for its answer (ioredis `commandTimeout`; the
   * connection also gives up reconnect-queued commands after one retry). BullMQ workers keep their own blocking
   * connections without a limit, as BullMQ requires.
   */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  REDIS_COMMAND_TIMEOUT_MS = 1_000;

  /** How long a request or update waits to queue a job before it answers 503 (or, after a commit, leaves it to the outbox). */
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(60_000)
  JOB_ENQUEUE_TIMEOUT_MS = 1_000;

  /**
   * Versioned AES-256-GCM keys: `1:<base64 32 bytes>,2:<base64 32 bytes>`; the highest
   * version encrypts, every listed version decrypts. A bare base64 key means version 1.
   */
  @Matches(/^(\d{1,5}:)?[A-Za-z0-9+/]{43}=(,\s*(\d{1,5}:)?[A-Za-z0-9+/]{43}=)*$/, {
    message: 'ENCRYPTION_KEY must be a base64 32-byte key or a list "1:<key>,2:<key>"',
  })
  ENCRYPTION_KEY!: string;

  /** HMAC key (base64, 32 bytes) for token lookup hashes; it does not rotate with ENCRYPTION_KEY. */
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'TOKEN_HASH_KEY must be a base64 32-byte key' })
  TOKEN_HASH_KEY!: string;

  @IsString()
  @MinLength(32, { message: 'MASTER_API_TOKEN must be at least 32 characters' })
  MASTER_API_TOKEN!: string;

  @IsOptional()
  @Matches(/^\d{5,12}:[A-Za-z0-9_-]{30,}$/, { message: 'MASTER_BOT_TOKEN must look like a Telegram bot token' })
  MASTER_BOT_TOKEN?: string;

  /** Comma-separated Telegram user ids of the platform operator(s). */
  @Matches(/^(\s*\d{1,15}\s*)(,\s*\d{1,15}\s*)*$|^$/, {
    message: 'MASTER_ADMIN_TELEGRAM_IDS must be comma-separated Telegram user ids',
  })
  MASTER_ADMIN_TELEGRAM_IDS = '';

  @IsUrl(URL_OPTS, { message: 'TELEGRAM_API_ROOT must be an http(s) URL' })
  TELEGRAM_API_ROOT = 'https://api.telegram.org';

  @IsIn(['polling', 'webhook'])
  BOT_MODE: 'polling' | 'webhook' = 'polling';

  @IsUrl(URL_OPTS, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL = 'http://localhost:3000';

  /** Zarinpal's REST v4 and StartPay host (libs/payments/src/gateways/zarinpal); tests point it at the emulator. */
  @IsUrl(URL_OPTS, { message: 'ZARINPAL_BASE_URL must be an http(s) URL' })
  ZARINPAL_BASE_URL = 'https://payment.zarinpal.com';

  /** Zarinpal's sandbox host, used for a bot whose zarinpal feature config says `sandbox: true`. */
  @IsUrl(URL_OPTS, { message: 'ZARINPAL_SANDBOX_BASE_URL must be an http(s) URL' })
  ZARINPAL_SANDBOX_BASE_URL = 'https://sandbox.zarinpal.com';

  /** How often the worker asks the gateways about payments whose callback never came; 0 switches it off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  GATEWAY_RECONCILE_INTERVAL_MS = 120_000;

  /** Crypto Pay API host (@CryptoBot, libs/payments/src/gateways/cryptobot); tests point it at the emulator. */
  @IsUrl(URL_OPTS, { message: 'CRYPTO_PAY_BASE_URL must be an http(s) URL' })
  CRYPTO_PAY_BASE_URL = 'https://pay.crypt.bot';

  /** Crypto Pay testnet host (@CryptoTestnetBot), for a bot whose cryptobot config says `testnet: true`. */
  @IsUrl(URL_OPTS, { message: 'CRYPTO_PAY_TESTNET_BASE_URL must be an http(s) URL' })
  CRYPTO_PAY_TESTNET_BASE_URL = 'https://testnet-pay.crypt.bot';

  /** Serve /docs and /docs-json; unset means on outside production and off in production. */
  @Transform(toBool)
  @IsOptional()
  @IsBoolean()
  SWAGGER_ENABLED: boolean | undefined = undefined;

  /**
   * Which proxies in front of the API are trusted to say who the client is (X-Forwarded-For): empty = none
   * (the client is the TCP peer), a hop count (`1` behind one reverse proxy), or a list of addresses/CIDRs.
   * The failed-credential limiter counts per client address, so this must match the deployment.
   */
  @ValidateBy({
    name: 'trustProxy',
    validator: {
      validate: (v: unknown) => typeof v === 'string' && parseTrustProxy(v) !== null,
      defaultMessage: () =>
        'TRUST_PROXY must be empty, a hop count (0-99) or a comma-separated list of IP addresses, CIDRs or loopback/linklocal/uniquelocal',
    },
  })
  TRUST_PROXY = '';

  /**
   * Bearer token for /metrics (API and worker). When set, /metrics needs `Authorization: Bearer <token>`;
   * unset, /metrics is open outside production and not served (404) in production.
   */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters' })
  METRICS_TOKEN: string | undefined = undefined;

  // ---- the web console's sign-in (apps/api/src/sessions) ----

  /** How long a one-time sign-in link from a bot's /admin stays valid (seconds). */
  @Transform(toInt)
  @IsInt()
  @Min(30)
  @Max(3_600)
  CONSOLE_LINK_TTL_S = 300;

  /** How long a console session lives after sign-in (hours; fixed, not sliding). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(720)
  CONSOLE_SESSION_TTL_H = 12;

  /** The session cookie's `Secure` flag; unset means on in production and off in development and tests. */
  @Transform(toBool)
  @IsOptional()
  @IsBoolean()
  CONSOLE_COOKIE_SECURE: boolean | undefined = undefined;

  /** Requests per minute one API token (a tenant's bot, or the master) may make before 429 (0 = no limit). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  API_RATE_LIMIT_PER_MINUTE = 1200;

  // ---- bot hosting (worker). Defaults meet "another worker takes a dead worker's bots within 15 s". ----

  /** How long a worker's claim on a bot (the right to poll its token) lives without renewal. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(120_000)
  BOT_LEASE_TTL_MS = 10_000;

  /** How often a worker renews its leases and heartbeat; must be well below BOT_LEASE_TTL_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  BOT_LEASE_RENEW_MS = 3_000;

  /** How often a worker looks for bots nobody holds (a dead worker's, new ones missed by an event). */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60_000)
  BOT_ACQUIRE_INTERVAL_MS = 1_000;

  /** Full reload of the runnable bots from the database: the safety net behind bot events. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(600_000)
  BOT_RECONCILE_MS = 10_000;

  /** Bots a worker may hold beyond its fair share ceil(bots / live workers). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000)
  BOT_LEASE_SLACK = 2;

  /** getUpdates long-poll timeout in seconds. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(50)
  BOT_POLL_TIMEOUT_S = 25;

  /** How long a bot's settings, texts, buttons and features are cached by the worker (events also clear it). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(300_000)
  BOT_SETTINGS_CACHE_MS = 5_000;

  /** Webhook-mode updates handled at once by one worker (BullMQ concurrency). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000)
  TELEGRAM_UPDATES_CONCURRENCY = 64;

  // ---- the per-bot Telegram send budget (every message a bot sends; libs/telegram/src/budget) ----

  /**
   * Messages per second one bot may send (its token bucket's refill, decimals allowed), replies and broadcasts
   * together; 0 = no budget. At most BURST + RATE messages leave in any second: 4 + 25.5 stays under Telegram's
   * ~30/s, and a broadcast keeps 25.5/s (bulk never waits for a full bucket, so no refill is lost).
   */
  @Transform(toInt)
  @IsNumber({ maxDecimalPlaces: 3 })
  @Min(0)
  @Max(10_000)
  TELEGRAM_BOT_MSGS_PER_S = 25.5;

  /** The bot bucket's size (messages that may leave at once after a quiet moment); above the bulk reserve + 1. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  TELEGRAM_BOT_BURST = 4;

  /** Tokens of the bot bucket bulk sends (broadcasts) leave for interactive ones (answers); below BURST. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(9_999)
  TELEGRAM_BULK_RESERVE = 2;

  /** Messages per second to one private chat, and that chat's bucket size. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000)
  TELEGRAM_CHAT_MSGS_PER_S = 1;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000)
  TELEGRAM_CHAT_BURST = 5;

  /** Messages per minute to one group or channel, and that chat's bucket size. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(60_000)
  TELEGRAM_GROUP_MSGS_PER_MIN = 20;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000)
  TELEGRAM_GROUP_BURST = 5;

  // ---- broadcasts (worker) ----

  /** Broadcast jobs (one chunk of one broadcast each) one worker runs at once: bots broadcasting side by side. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000)
  BROADCAST_CONCURRENCY = 100;

  /** Deliveries leased to a run per database round trip (a killed run's lease passes to the next one, unsent). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500)
  BROADCAST_CLAIM_BATCH = 30;

  /**
   * Sends of one broadcast in flight at once (each still waits for the bot's budget): the pace is the budget's,
   * not one round trip's. A crash leaves at most about seven times this many deliveries ambiguous (`interrupted`)
   * per broadcast: those in flight, up to three times as many marked ahead and as many outcomes not yet written.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  BROADCAST_SENDS_IN_FLIGHT = 5;

  /**
   * Statements the broadcasts of one worker run at once (leases, outcomes, marks). The rest of the connection pool
   * stays free for the bots' answers, so many bots broadcasting at once never make an answer wait for the pool.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  BROADCAST_DB_CONCURRENCY = 6;

  /** Deliveries one broadcast job sends before it queues the next chunk, so broadcasts take turns. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  BROADCAST_CHUNK = 200;

  /** Lock of a broadcast job: a killed worker's chunk runs again about this long after the crash. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(600_000)
  BROADCAST_LOCK_MS = 30_000;

  /** How often the progress message in the admin chat is edited while a broadcast runs. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(3_600_000)
  BROADCAST_PROGRESS_EVERY_MS = 10_000;

  // ---- provisioning (worker) ----

  /** Tries of a provisioning job (create/extend/disable on a panel) before the order is failed and refunded. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  PROVISIONING_ATTEMPTS = 12;

  /**
   * Base of the exponential backoff between provisioning tries: the n-th retry waits base·2^(n-1).
   * 2 s over 12 tries is 2 s·(2^11 − 1) ≈ 68 minutes, the "about an hour" of RELIABILITY.md 4.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600_000)
  PROVISIONING_BACKOFF_MS = 2_000;

  // ---- notices (worker) ----

  /**
   * Tries of a notice that matters (the receipt to review, approval and rejection notices, the delivery of a
   * subscription, owner alerts) before the owner is told it never arrived.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  NOTICE_ATTEMPTS = 12;

  /**
   * Base of the exponential backoff between notice tries: the n-th retry waits base·2^(n-1).
   * 10 s over 12 tries is 10 s·(2^11 − 1) ≈ 5.7 hours, so a Telegram or admin-chat outage of hours loses nothing.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600_000)
  NOTICE_BACKOFF_MS = 10_000;

  /**
   * A claim on a support ticket's message (libs/telegram/src/support) left unfinished this long is taken over
   * by the job's next attempt: its worker died between the claim and the send. Longer than any one send may
   * wait (the bot's send budget, a 429 pause), well inside the notice retries' hours (loadConfig refuses a window
   * as long as the retries: no retry would come to take the claim over).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  SUPPORT_NOTICE_CLAIM_STALE_MS = 300_000;

  // ---- subscriptions (worker) ----

  /** How often subscriptions past their end are marked `expired` and switched off on their panel (0 = never). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  SUBSCRIPTION_EXPIRY_INTERVAL_MS = 60_000;

  /** Provisioning jobs one worker runs at once. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  PROVISIONING_CONCURRENCY = 5;

  /**
   * BullMQ lock of a running provisioning job; a job whose worker died is taken up again about this long
   * after the crash (also the stalled-job check interval).
   */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(600_000)
  PROVISIONING_LOCK_MS = 30_000;

  /** How often panel traffic is read back into subscriptions and bots (0 = never). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  TRAFFIC_SYNC_INTERVAL_MS = 600_000;

  /** Users read from one panel at once during a traffic sync. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50)
  TRAFFIC_SYNC_CONCURRENCY = 5;

  /** Pause between two batches of reads on one panel, so a sync never hammers it. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  TRAFFIC_SYNC_PAUSE_MS = 200;

  /**
   * How often a worker checks that every periodic job's scheduler is still in Redis and puts back one that is
   * not (a flushed or failed-over Redis loses them; they are otherwise written only at start). 0 = never.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  JOB_SCHEDULES_RECHECK_MS = 60_000;

  /** How often a worker expires overdue card payments and re-queues stuck fulfilments (0 = never). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  SALE_SWEEP_INTERVAL_MS = 30_000;

  /** A paid order still fulfilling after this long has its provisioning job queued again (same job id). */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  FULFILMENT_STUCK_AFTER_MS = 120_000;

  /**
   * A pending order nobody pays expires this long after it was made, whatever screen it was left on, and its
   * wholesale hold is released. A card payment started in time keeps the order until its own deadline
   * (`receipt_ttl_minutes`); a receipt already sent keeps it until an admin decides.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1440)
  ORDER_PAYMENT_TIMEOUT_MINUTES = 30;

  /** A job outbox row older than this belongs to a process that died after its commit: the sweeper relays it. */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  OUTBOX_RELAY_AFTER_MS = 10_000;

  /**
   * Operator alerts (the master bot tells MASTER_ADMIN_TELEGRAM_IDS): how often the conditions are checked (a job
   * scheduler; 0 = off), and the free wholesale balance (minor units, any currency) under which a tenant's
   * wallet is reported low.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  OPERATOR_ALERT_INTERVAL_MS = 60_000;

  /** How often the growth scan runs (auto-renewals from the wallet, expiry and traffic reminders); 0 = off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  RETENTION_SCAN_INTERVAL_MS = 300_000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  OPERATOR_WALLET_ALERT_MINOR = 100_000;

  /**
   * A gateway payment the bot opened whose gateway has not answered yet (its link job still asking): a second tap on
   * Pay within this window is told "the link is coming"; after it, the tap opens a new payment and the waiting one
   * is failed, so its late answer is never recorded or shown. Payments already started are not ended: a link with
   * under 5 minutes left (no longer offered again) or an open Stars invoice stays payable beside the new payment
   * until it expires; a second payment lands in the wallet as a keyed deposit (libs/payments
   * StartGatewayPaymentUseCase).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  GATEWAY_PAYMENT_IN_FLIGHT_MS = 60_000;

  /**
   * A broadcast draft's uploaded picture that no preview took to Telegram is dropped once the draft has been
   * untouched this long (the hourly broadcast photo sweep); the draft then waits for a picture again and says why.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(90 * 86_400_000)
  BROADCAST_PHOTO_UPLOAD_MAX_AGE_MS = 3 * 86_400_000;

  /** REDIS_CLUSTER_NODES as `{ host, port }` seeds; empty for a single Redis. */
  get redisClusterNodes(): { host: string; port: number }[] {
    return this.REDIS_CLUSTER_NODES.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((hp) => {
        const at = hp.lastIndexOf(':');
        return { host: hp.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(hp.slice(at + 1)) };
      });
  }

  get masterAdminTelegramIds(): number[] {
    return this.MASTER_ADMIN_TELEGRAM_IDS.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
  }

  get swaggerEnabled(): boolean {
    return this.SWAGGER_ENABLED ?? !this.isProduction;
  }

  get consoleCookieSecure(): boolean {
    return this.CONSOLE_COOKIE_SECURE ?? this.isProduction;
  }

  get trustProxy(): false | number | string[] {
    return parseTrustProxy(this.TRUST_PROXY) ?? false;
  }

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; reason: string }[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.reason}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

function flatten(errors: ValidationError[]): { variable: string; reason: string }[] {
  return errors.map((e) => ({
    variable: e.property,
    // Messages never include the value, so secrets cannot leak through a config error.
    reason: Object.values(e.constraints ?? { invalid: 'is invalid' }).join('; '),
  }));
}

/** Validates `env` and returns the typed configuration, or throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const required = [
    'DATABASE_URL',
    'DATABASE_OWNER_URL',
    'DATABASE_PLATFORM_URL',
    'REDIS_URL',
    'ENCRYPTION_KEY',
    'TOKEN_HASH_KEY',
    'MASTER_API_TOKEN',
  ];
  const raw: Record<string, string> = {};
  for (const key of [...known, ...required, 'MASTER_BOT_TOKEN', 'DATABASE_ADMIN_URL']) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const config = plainToInstance(AppConfig, raw);
  const problems = flatten(validateSync(config, { skipMissingProperties: false }));
  const missing = required.filter((k) => raw[k] === undefined && !problems.some((p) => p.variable === k));
  for (const m of missing) problems.push({ variable: m, reason: 'is required' });
  for (const p of problems)
    if (raw[p.variable] === undefined && required.includes(p.variable)) p.reason = 'is required';
  if (
    config.REDIS_CLUSTER_NODES &&
    !config.REDIS_PREFIX.startsWith('{') &&
    !problems.some((p) => p.variable === 'REDIS_PREFIX')
  ) {
    problems.push({
      variable: 'REDIS_PREFIX',
      reason: 'must be a hash tag such as {bf} when REDIS_CLUSTER_NODES is set (keys of one queue share a slot)',
    });
  }
  const retries = noticeRetryWindowMs(config.NOTICE_ATTEMPTS, config.NOTICE_BACKOFF_MS);
  if (config.SUPPORT_NOTICE_CLAIM_STALE_MS >= retries && !problems.some((p) => /NOTICE/.test(p.variable))) {
    problems.push({
      variable: 'SUPPORT_NOTICE_CLAIM_STALE_MS',
      reason:
        `must be shorter than the notice job's retries (NOTICE_ATTEMPTS tries, exponential NOTICE_BACKOFF_MS: ` +
        `${retries} ms from the first try to the last): a support message claimed by a worker that died is sent ` +
        `only by a retry that comes after the claim went stale`,
    });
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * From the first try of a notice job to its last (the notifications queue's defaults, libs/jobs noticeJobOptions):
 * BullMQ waits base·2^(n-1) before the n-th retry, so `attempts` tries span base·(2^(attempts-1) − 1).
 */
export function noticeRetryWindowMs(attempts: number, backoffMs: number): number {
  return backoffMs * (2 ** (attempts - 1) - 1);
}
