import type { IncomingMessage, ServerResponse } from 'node:http';
import { BotApiError } from './bot-api-error';
import type { ChatMember } from './bot-api-types';
import type {
  BatchTextInput,
  BlockInput,
  CreateBotInput,
  PayInvoiceInput,
  PreCheckoutInput,
  PressButtonInput,
  ResetOptions,
  SendDocumentInput,
  SendPhotoInput,
  SendTextInput,
  SuccessfulPaymentInput,
  RefundedPaymentInput,
} from './control-types';
import { ControlError } from './emulator-core';
import type { FaultConfig } from './faults';
import { isRecord } from './params';
import { readBody } from './request-body';
import type { TelegramEmulator } from './telegram-emulator';

interface RouteContext {
  /** Path parameters by name (`:bot`, `:chat`...). */
  path: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

type RouteHandler = (ctx: RouteContext) => unknown;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
}

const MEMBER_STATUSES = new Set(['creator', 'administrator', 'member', 'restricted', 'left', 'kicked']);

function number(value: string | null | undefined, name: string): number {
  const parsed = Number(value);
  if (value === null || value === undefined || value === '' || !Number.isFinite(parsed)) {
    throw new ControlError(400, `${name} must be a number`);
  }
  return parsed;
}

const optionalNumber = (value: string | null, name: string): number | undefined =>
  value === null ? undefined : number(value, name);

const flag = (value: string | null): boolean | undefined =>
  value === null ? undefined : value === 'true' || value === '1';

/** Bodies are the control API's own types; the emulator validates what it relies on. */
const as = <T>(body: Record<string, unknown>): T => body as unknown as T;

/**
 * The control API over HTTP, under `/_control/`. Every route maps onto one public method of the
 * emulator, so the HTTP client and in-process use behave the same. Bodies and answers are JSON;
 * failures answer `{ error }` with a 4xx status (408 when a wait times out).
 */
export class ControlRoutes {
  private readonly routes: Route[] = [];

  constructor(emulator: TelegramEmulator) {
    const e = emulator;
    const bot = (ctx: RouteContext): number | string => ctx.path.bot;
    const chat = (ctx: RouteContext): number => number(ctx.path.chat, 'chat id');
    const timeout = (ctx: RouteContext): number | undefined => optionalNumber(ctx.query.get('timeoutMs'), 'timeoutMs');
    const ok = { ok: true };

    this.add('POST', 'bots', (ctx) => e.createBot(as<CreateBotInput>(ctx.body)));
    this.add('GET', 'bots/:bot', (ctx) => e.getBotStats(bot(ctx)));
    this.add('DELETE', 'bots/:bot', (ctx) => (e.deleteBot(bot(ctx)), ok));
    this.add('POST', 'bots/:bot/revoke', (ctx) => (e.revokeToken(bot(ctx)), ok));
    this.add('POST', 'bots/:bot/restore', (ctx) => (e.restoreToken(bot(ctx)), ok));

    this.add('POST', 'bots/:bot/messages', (ctx) => e.sendText(bot(ctx), as<SendTextInput>(ctx.body)));
    this.add('POST', 'messages/batch', (ctx) => {
      const items = ctx.body.items;
      if (!Array.isArray(items)) throw new ControlError(400, 'items must be an array');
      return { results: e.sendTexts(items as BatchTextInput[]) };
    });
    this.add('POST', 'bots/:bot/photos', (ctx) => e.sendPhoto(bot(ctx), as<SendPhotoInput>(ctx.body)));
    this.add('POST', 'bots/:bot/documents', (ctx) => e.sendDocument(bot(ctx), as<SendDocumentInput>(ctx.body)));
    this.add('POST', 'bots/:bot/callback-queries', (ctx) => e.pressButton(bot(ctx), as<PressButtonInput>(ctx.body)));
    this.add('POST', 'bots/:bot/pre-checkout-queries', (ctx) =>
      e.sendPreCheckoutQuery(bot(ctx), as<PreCheckoutInput>(ctx.body)),
    );
    this.add('POST', 'bots/:bot/successful-payments', (ctx) =>
      e.sendSuccessfulPayment(bot(ctx), as<SuccessfulPaymentInput>(ctx.body)),
    );
    this.add('POST', 'bots/:bot/refunded-payments', (ctx) =>
      e.sendRefundedPayment(bot(ctx), as<RefundedPaymentInput>(ctx.body)),
    );
    this.add('POST', 'bots/:bot/pay', (ctx) => e.payInvoice(bot(ctx), as<PayInvoiceInput>(ctx.body)));
    this.add('POST', 'bots/:bot/block', (ctx) => e.blockBot(bot(ctx), as<BlockInput>(ctx.body)));
    this.add('POST', 'bots/:bot/unblock', (ctx) => e.unblockBot(bot(ctx), as<BlockInput>(ctx.body)));
    this.add('PUT', 'bots/:bot/chats/:chat/members/:user', (ctx) => {
      const status = ctx.body.status;
      if (typeof status !== 'string' || !MEMBER_STATUSES.has(status)) throw new ControlError(400, 'invalid status');
      e.setChatMemberStatus(bot(ctx), chat(ctx), number(ctx.path.user, 'user id'), status as ChatMember['status']);
      return ok;
    });
    this.add('POST', 'bots/:bot/updates', (ctx) => e.pushUpdate(bot(ctx), ctx.body));
    this.add('GET', 'bots/:bot/updates', (ctx) => e.getPendingUpdates(bot(ctx)));

    this.add('GET', 'bots/:bot/chats/:chat/messages', (ctx) =>
      e.getChatMessages(bot(ctx), chat(ctx), {
        includeUser: flag(ctx.query.get('includeUser')),
        includeDeleted: flag(ctx.query.get('includeDeleted')),
      }),
    );
    this.add('GET', 'bots/:bot/chats/:chat/messages/wait', (ctx) =>
      e.waitForMessages(bot(ctx), chat(ctx), number(ctx.query.get('count'), 'count'), timeout(ctx)),
    );
    this.add('GET', 'bots/:bot/chats/:chat/messages/:message/wait-edit', (ctx) =>
      e.waitForEdit(
        bot(ctx),
        chat(ctx),
        number(ctx.path.message, 'message id'),
        optionalNumber(ctx.query.get('editCount'), 'editCount'),
        timeout(ctx),
      ),
    );
    this.add('GET', 'bots/:bot/callback-answers', (ctx) => e.getCallbackAnswers(bot(ctx)));
    this.add('GET', 'bots/:bot/callback-answers/:id/wait', (ctx) =>
      e.waitForCallbackAnswer(bot(ctx), ctx.path.id, timeout(ctx)),
    );
    this.add('GET', 'bots/:bot/pre-checkout-answers', (ctx) => e.getPreCheckoutAnswers(bot(ctx)));
    this.add('GET', 'bots/:bot/pre-checkout-answers/:id/wait', (ctx) =>
      e.waitForPreCheckoutAnswer(bot(ctx), ctx.path.id, timeout(ctx)),
    );
    this.add('GET', 'bots/:bot/invoices', (ctx) => e.getInvoices(bot(ctx)));
    this.add('GET', 'bots/:bot/payments', (ctx) => e.getPayments(bot(ctx)));
    this.add('GET', 'bots/:bot/refunds', (ctx) => e.getRefunds(bot(ctx)));
    this.add('GET', 'bots/:bot/updates/consumed/wait', async (ctx) => {
      await e.waitForUpdatesConsumed(bot(ctx), timeout(ctx));
      return ok;
    });

    this.add('GET', 'bots/:bot/polling/wait', async (ctx) => {
      await e.waitForPolling(bot(ctx), timeout(ctx));
      return ok;
    });

    this.add('GET', 'stats', () => e.getStats());
    this.add('POST', 'stats/reset', () => (e.resetStats(), ok));
    this.add('PUT', 'faults', (ctx) => (e.setFaults('global', as<FaultConfig>(ctx.body)), ok));
    this.add('DELETE', 'faults', () => (e.clearFaults(), ok));
    this.add('PUT', 'bots/:bot/faults', (ctx) => (e.setFaults(bot(ctx), as<FaultConfig>(ctx.body)), ok));
    this.add('DELETE', 'bots/:bot/faults', (ctx) => (e.clearFaults(bot(ctx)), ok));
    this.add('POST', 'reset', (ctx) => (e.reset(as<ResetOptions>(ctx.body)), ok));
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    try {
      const queryStart = url.indexOf('?');
      const path = (queryStart < 0 ? url : url.slice(0, queryStart)).slice('/_control/'.length);
      const query = new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1));
      const segments = path
        .split('/')
        .filter((segment) => segment !== '')
        .map(decodeURIComponent);
      const match = this.match(req.method ?? 'GET', segments);
      if (!match) throw new ControlError(404, `no control route ${req.method} /_control/${path}`);
      const body = await this.readJson(req);
      let result = match.route.handler({ path: match.path, query, body });
      if (result instanceof Promise) result = (await result) as unknown;
      this.reply(res, req.method === 'POST' && segments.length === 1 && segments[0] === 'bots' ? 201 : 200, result);
    } catch (error) {
      if (error instanceof ControlError) this.reply(res, error.status, { error: error.message });
      else if (error instanceof BotApiError) this.reply(res, error.errorCode, { error: error.description });
      else {
        console.error('telegram emulator: control route failed', error);
        this.reply(res, 500, { error: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  private add(method: string, pattern: string, handler: RouteHandler): void {
    this.routes.push({ method, segments: pattern.split('/'), handler });
  }

  private match(method: string, segments: string[]): { route: Route; path: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const path: Record<string, string> = {};
      let matched = true;
      for (let i = 0; i < segments.length && matched; i++) {
        const expected = route.segments[i];
        if (expected.startsWith(':')) path[expected.slice(1)] = segments[i];
        else matched = expected === segments[i];
      }
      if (matched) return { route, path };
    }
    return undefined;
  }

  private async readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    const raw = await readBody(req, 64 * 1024 * 1024);
    if (raw.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new ControlError(400, 'body must be JSON');
    }
    if (!isRecord(parsed)) throw new ControlError(400, 'body must be a JSON object');
    return parsed;
  }

  private reply(res: ServerResponse, status: number, result: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    const body = JSON.stringify(result ?? null);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }
}
