import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { DomainError, ErrorCode, REDIS } from '@botfleet/common';
import { AppConfig } from '@botfleet/config';
import { sha256Hex } from '@botfleet/secrets';
import { AdminAccessService } from '../admins/admin-access.service';

/** Who a one-time console link signs in: a bot admin of one bot, or an operator (the master console). */
export type ConsoleLinkSubject =
  { kind: 'tenant'; botId: string; telegramId: number } | { kind: 'master'; telegramId: number };

/** A link issued: the code (for the URL fragment only; never stored) and when it stops working. */
export interface IssuedConsoleLink {
  code: string;
  url: string;
  expiresAt: Date;
}

/** Where the console reads the code: in the fragment, so it never reaches a server log or a Referer header. */
export const CONSOLE_LOGIN_PATH = '/console/login';

/** A page of the web console under PUBLIC_BASE_URL (`path` from the console's root, e.g. `/bots/<id>/settings`). */
export function consoleUrl(publicBaseUrl: string, path: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/console${path}`;
}
/** 32 random bytes, base64url: 43 characters. */
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** A console path to return to: absolute within the console, no scheme, host, query or fragment. */
const RETURN_TO = /^\/[A-Za-z0-9_-][A-Za-z0-9/_-]{0,199}$/;

/**
 * One-time sign-in links for the web console, sent by the bot to an admin who taps "Open the web console".
 * The code is 256 random bits; Redis keeps only its SHA-256 under a TTL (CONSOLE_LINK_TTL_S), bound to the bot
 * and the admin's Telegram id. `consume` takes it with GETDEL, so of two requests with one code exactly one gets
 * the subject. The role is not in the link: the sign-in reads it when the code is consumed.
 */
@Injectable()
export class ConsoleLinksService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly access: AdminAccessService,
  ) {}

  /**
   * A link for an admin of `botId`; FORBIDDEN when they are not one (any role may open the console). `returnTo`
   * (a console path such as `/bots/<id>/settings`) rides in the fragment next to the code: the page opened after
   * sign-in, when the session may open it.
   */
  async issueForAdmin(botId: string, telegramId: number, returnTo?: string): Promise<IssuedConsoleLink> {
    if ((await this.access.roleOf(botId, telegramId)) === null) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only the bot admins may open the web console');
    }
    return this.issue({ kind: 'tenant', botId, telegramId }, returnTo);
  }

  /** A link for an operator listed in MASTER_ADMIN_TELEGRAM_IDS (the master bot's console). */
  async issueForOperator(telegramId: number): Promise<IssuedConsoleLink> {
    if (!this.config.masterAdminTelegramIds.includes(telegramId)) {
      throw new DomainError(ErrorCode.FORBIDDEN, 'Only the operators may open the master console');
    }
    return this.issue({ kind: 'master', telegramId });
  }

  /** The subject of a live code, once; null for a code that is unknown, used or expired. */
  async consume(code: string): Promise<ConsoleLinkSubject | null> {
    if (typeof code !== 'string' || !CODE_PATTERN.test(code)) return null;
    const raw = await this.redis.getdel(this.key(code));
    if (!raw) return null;
    try {
      return parseSubject(JSON.parse(raw));
    } catch {
      return null;
    }
  }

  private async issue(subject: ConsoleLinkSubject, returnTo?: string): Promise<IssuedConsoleLink> {
    const code = randomBytes(32).toString('base64url');
    const ttl = this.config.CONSOLE_LINK_TTL_S;
    await this.redis.set(this.key(code), JSON.stringify(subject), 'EX', ttl);
    const to = returnTo && RETURN_TO.test(returnTo) ? `&to=${encodeURIComponent(returnTo)}` : '';
    return {
      code,
      url: `${consoleUrl(this.config.PUBLIC_BASE_URL, '/login')}#code=${code}${to}`,
      expiresAt: new Date(Date.now() + ttl * 1000),
    };
  }

  private key(code: string): string {
    return `${this.config.REDIS_PREFIX}:console-link:${sha256Hex(code)}`;
  }
}

function parseSubject(v: unknown): ConsoleLinkSubject | null {
  const o = v as Partial<{ kind: string; botId: string; telegramId: number }>;
  if (!o || !Number.isSafeInteger(o.telegramId)) return null;
  if (o.kind === 'master') return { kind: 'master', telegramId: o.telegramId! };
  if (o.kind === 'tenant' && typeof o.botId === 'string')
    return { kind: 'tenant', botId: o.botId, telegramId: o.telegramId! };
  return null;
}
