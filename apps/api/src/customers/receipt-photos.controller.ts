import { Controller, Get, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReceiptPhotosService, RECEIPT_PHOTO_URL_TTL_S } from '@botfleet/bots';
import { DomainError, ErrorCode } from '@botfleet/common';
import { Public } from '../auth';
import { ApiErrors } from '../common/api-docs';

const notFoundOnBadId = new ParseUUIDPipe({
  exceptionFactory: () => new DomainError(ErrorCode.NOT_FOUND, 'Not found'),
});

export class ReceiptPhotoUrlDto {
  @ApiProperty({
    example: '/v1/media/receipts/…',
    description: 'Relative to the API; works without credentials until expiresAt (5 minutes) for this one photo',
  })
  url!: string;
  @ApiProperty() expiresAt!: Date;
}

/** A receipt's photo for the web console: a short-lived signed URL, never a bot token in it. */
@ApiTags('sales')
@ApiBearerAuth()
@Controller('v1/bots/:botId/card-payments')
export class ReceiptPhotoUrlController {
  constructor(private readonly photos: ReceiptPhotosService) {}

  @Get(':id/photo-url')
  @ApiOperation({
    summary: "A signed URL of the receipt's photo",
    description: `The URL works for ${RECEIPT_PHOTO_URL_TTL_S / 60} minutes; a payment without a photo answers 404.`,
  })
  @ApiResponse({ status: 200, type: ReceiptPhotoUrlDto })
  @ApiErrors(404)
  photoUrl(@Param('botId') botId: string, @Param('id', notFoundOnBadId) id: string): Promise<ReceiptPhotoUrlDto> {
    return this.photos.urlFor(botId, id);
  }
}

/**
 * The signed receipt-photo URLs: checked (HMAC, expiry), then the photo is fetched from Telegram with the bot's
 * token server-side and streamed. Public (an <img> sends no bearer header); the signature is the credential.
 */
@ApiTags('sales')
@Controller('v1/media/receipts')
export class ReceiptMediaController {
  constructor(private readonly photos: ReceiptPhotosService) {}

  @Get(':token')
  @Public()
  @ApiOperation({ summary: 'The receipt photo a signed URL names (from GET …/card-payments/{id}/photo-url)' })
  @ApiProduces('image/jpeg', 'image/png', 'image/webp')
  @ApiResponse({ status: 200, description: 'The image, Cache-Control: private, max-age=300' })
  @ApiErrors(404, 503)
  async photo(@Param('token') token: string, @Res() res: FastifyReply): Promise<void> {
    const target = this.photos.verify(token);
    if (!target) throw new DomainError(ErrorCode.NOT_FOUND, 'This photo link has expired or is not valid');
    const photo = await this.photos.open(target.botId, target.paymentId);
    void res
      .header('Content-Type', photo.contentType)
      .header('Cache-Control', `private, max-age=${RECEIPT_PHOTO_URL_TTL_S}`)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Referrer-Policy', 'no-referrer');
    if (photo.length !== null) void res.header('Content-Length', String(photo.length));
    await res.send(photo.body);
  }
}
