import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { applyEnv, EmulatedBot, REMNAWAVE_DEFAULT_SQUAD_UUID, TestEnv } from '@botfleet/testing';
import { createApiApp } from '../../../apps/api/src/bootstrap';

export interface HostedTenant {
  id: string;
  /** The tenant's API token, as `POST /v1/bots` shows it once. */
  apiToken: string;
}

export interface RegisterOptions {
  name?: string;
  ownerTelegramId?: number;
  defaultLanguage?: 'fa' | 'en' | 'ru';
  supportUsername?: string;
}

let seq = 0;

/**
 * The real API in-process on a test environment, for suites that host bots in a spawned worker: tenants
 * join the way resellers do (an operator's invite, then `POST /v1/bots` with the emulator bot's token), and
 * change their bots through the same endpoints. The worker learns of every change from the API's bot events.
 */
export class PublicApi {
  private constructor(
    readonly app: INestApplication,
    private readonly env: TestEnv,
    private readonly restore: () => void,
  ) {}

  /** `env` must point TELEGRAM_API_ROOT at the emulator the bots were created on (onboarding calls getMe). */
  static async start(env: TestEnv): Promise<PublicApi> {
    // The API's own logs are not under test in these suites.
    const restore = applyEnv({ ...env.vars, LOG_LEVEL: 'silent' });
    const app = await createApiApp();
    await app.init();
    return new PublicApi(app, env, restore);
  }

  async close(): Promise<void> {
    await this.app.close();
    this.restore();
  }

  /** A request with a bearer token, from an address of its own (failed-auth counting is per address). */
  as(token: string | undefined, method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string) {
    seq++;
    const r = request(this.app.getHttpServer())
      [method](path)
      .set('X-Forwarded-For', `10.7.${(seq >> 8) & 255}.${seq & 255}`);
    return token ? r.set('Authorization', `Bearer ${token}`) : r;
  }

  get master(): string {
    return this.env.masterToken;
  }

  /** Registers an emulator bot with a fresh invite; English by default, like the shops these suites talk to. */
  async registerBot(tg: EmulatedBot, options: RegisterOptions = {}): Promise<HostedTenant> {
    const invite = await this.as(this.master, 'post', '/v1/admin/invites').send({});
    if (invite.status !== 201) throw new Error(`invite: ${invite.status} ${invite.text}`);
    const res = await this.as(undefined, 'post', '/v1/bots').send({
      name: options.name ?? `Shop ${tg.username}`,
      telegramBotToken: tg.token,
      ownerTelegramId: options.ownerTelegramId ?? 700_000 + Math.floor(Math.random() * 1e6),
      inviteCode: invite.body.code,
      defaultLanguage: options.defaultLanguage ?? 'en',
      ...(options.supportUsername ? { supportUsername: options.supportUsername } : {}),
    });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`);
    return { id: res.body.bot.id, apiToken: res.body.apiToken };
  }

  /** The tenant pauses or resumes its bot (`PATCH /v1/bots/{id}`). */
  async setPaused(bot: HostedTenant, paused: boolean): Promise<void> {
    await this.as(bot.apiToken, 'patch', `/v1/bots/${bot.id}`)
      .send({ status: paused ? 'paused' : 'active' })
      .expect(200);
  }

  /** The operator moves the bot to another Telegram bot's token (`PUT /v1/bots/{id}/telegram-token`). */
  async replaceTelegramToken(bot: HostedTenant, tg: EmulatedBot): Promise<void> {
    await this.as(this.master, 'put', `/v1/bots/${bot.id}/telegram-token`)
      .send({ telegramBotToken: tg.token, allowDifferentBot: true })
      .expect(200);
  }

  /** The operator registers a VPN panel (`POST /v1/admin/panels`); returns its id. */
  async newPanel(body: Record<string, unknown>): Promise<string> {
    const res = await this.as(this.master, 'post', '/v1/admin/panels')
      .send({ name: `panel ${++seq}`, ...body })
      .expect(201);
    return res.body.id;
  }
}

/** What `POST /v1/bots` takes, but for the invite code `joinWithInvite` fetches. */
export interface JoiningBot {
  name: string;
  telegramBotToken: string;
  ownerTelegramId: number;
  defaultLanguage?: 'fa' | 'en' | 'ru';
  adminChatId?: number;
}

/**
 * A tenant joins the way a reseller does, through whichever API `http` reaches (in-process or a process of its
 * own): the operator makes an invite, then `POST /v1/bots` with it. Returns the bot's id and the API token shown once.
 */
export async function joinWithInvite(
  http: () => ReturnType<typeof request>,
  masterToken: string,
  bot: JoiningBot,
): Promise<{ botId: string; apiToken: string }> {
  const invite = await http()
    .post('/v1/admin/invites')
    .set('Authorization', `Bearer ${masterToken}`)
    .send({})
    .expect(201);
  const res = await http()
    .post('/v1/bots')
    .send({ ...bot, inviteCode: invite.body.code })
    .expect(201);
  return { botId: res.body.bot.id, apiToken: res.body.apiToken };
}

/** The operator registers the Remnawave panel at `baseUrl` (new users go to the default squad); returns its id. */
export async function addRemnawavePanel(
  http: () => ReturnType<typeof request>,
  masterToken: string,
  panel: { baseUrl: string; apiKey: string },
): Promise<string> {
  const res = await http()
    .post('/v1/admin/panels')
    .set('Authorization', `Bearer ${masterToken}`)
    .send({
      name: 'rw',
      type: 'remnawave',
      baseUrl: panel.baseUrl,
      credentials: { apiKey: panel.apiKey },
      settings: { activeInternalSquads: [REMNAWAVE_DEFAULT_SQUAD_UUID] },
    })
    .expect(201);
  return res.body.id;
}
