import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { WEBHOOK_SECRET_HEADER } from '@botfleet/bot-api';
import { Public } from '../auth';
import { TelegramWebhookService } from './telegram-webhook.service';

/** Telegram's side of webhook mode (BOT_MODE=webhook): one URL per bot, no token in it. */
@ApiTags('telegram')
@Controller('telegram/webhook')
export class TelegramWebhookController {
  constructor(private readonly webhooks: TelegramWebhookService) {}

  @Public()
  @Post(':botId')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Telegram update for one bot (called by Telegram)',
    description:
      'Checks X-Telegram-Bot-Api-Secret-Token in constant time, queues the update durably (one job per bot and ' +
      'update_id) and only then answers 200. The worker handles it exactly once.',
  })
  @ApiHeader({ name: 'X-Telegram-Bot-Api-Secret-Token', required: true, description: 'The secret given in setWebhook' })
  @ApiBody({ description: 'A Telegram Update object', schema: { type: 'object', required: ['update_id'] } })
  @ApiOkResponse({ description: 'Queued', schema: { example: { ok: true } } })
  @ApiResponse({ status: 400, description: 'Not an update (VALIDATION_FAILED)' })
  @ApiResponse({ status: 401, description: 'Secret header missing (UNAUTHORIZED); nothing queued' })
  @ApiResponse({ status: 403, description: 'Secret header wrong (FORBIDDEN); nothing queued' })
  @ApiResponse({ status: 404, description: 'Unknown or deleted bot (NOT_FOUND)' })
  @ApiResponse({ status: 503, description: 'Bot not running or queue unavailable (DEPENDENCY_DOWN); Telegram retries' })
  async receive(
    @Param('botId') botId: string,
    @Headers(WEBHOOK_SECRET_HEADER) secret: string | undefined,
    @Body() update: unknown,
  ): Promise<{ ok: true }> {
    await this.webhooks.accept(botId, secret, update);
    return { ok: true };
  }
}
