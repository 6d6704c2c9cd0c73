import { Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { DomainError, ErrorCode, isUuid } from '@botfleet/common';
import { CryptoBotWebhook } from '@botfleet/payments';
import { Public } from '../auth';

/**
 * Crypto Pay's webhook (`POST /payments/cryptobot/webhook/{botId}`, public; the reseller registers this URL for
 * their app in @CryptoBot). Trusted only by its `crypto-pay-api-signature` over the raw body with this bot's token
 * (CryptoBotWebhook): a forged or foreign signature, an unknown bot → 401 and nothing changes. A signed update is
 * acknowledged with 200 `{ ok: true }` (Crypto Pay retries anything else).
 */
@Controller('payments/cryptobot/webhook')
export class CryptoBotWebhookController {
  constructor(private readonly webhook: CryptoBotWebhook) {}

  @Post(':botId')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  async receive(
    @Param('botId') botId: string,
    @Req() req: { rawBody?: Buffer },
    @Headers('crypto-pay-api-signature') signature?: string,
  ): Promise<{ ok: true }> {
    if (!isUuid(botId)) throw new DomainError(ErrorCode.UNAUTHORIZED, 'The Crypto Pay signature does not match');
    await this.webhook.handle(botId, req.rawBody, signature);
    return { ok: true };
  }
}
