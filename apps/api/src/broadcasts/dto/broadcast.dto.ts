import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  AUDIENCE_LANGUAGES,
  AUDIENCE_SEGMENTS,
  AudienceLanguage,
  AudienceSegment,
  BroadcastView,
  MAX_BUTTONS,
} from '@botfleet/broadcasts';
import { PageMetaDto, PageQueryDto } from '../../common/api-docs';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** `photoUploadFollows` of a new or changed draft: the same field, documented and checked once. */
const PhotoUploadFollows = () =>
  applyDecorators(
    ApiPropertyOptional({
      description:
        'A picture is uploaded next (POST …/{id}/photo): no preview is sent until it arrives, and the text is held ' +
        'to a caption’s length',
    }),
    IsOptional(),
    IsBoolean(),
  );

export class BroadcastAudienceDto {
  @ApiProperty({
    enum: AUDIENCE_SEGMENTS,
    description:
      'all; active = with an active subscription; expired = had one, none active now; never_bought = no paid order',
  })
  @IsIn(AUDIENCE_SEGMENTS)
  segment!: AudienceSegment;

  @ApiPropertyOptional({
    enum: AUDIENCE_LANGUAGES,
    description: "Only users speaking this language (a user without one speaks the bot's default language)",
  })
  @ValidateIf((_o, v) => v !== undefined)
  @IsIn(AUDIENCE_LANGUAGES)
  language?: AudienceLanguage;
}

export class BroadcastButtonDto {
  @ApiProperty({ example: 'Open the shop', maxLength: 64 })
  @IsString()
  @Length(1, 64)
  text!: string;

  @ApiProperty({ example: 'https://example.com/offer', description: 'http(s):// or tg:// link', maxLength: 1000 })
  @IsString()
  @Length(1, 1000)
  url!: string;
}

export class CreateBroadcastDto {
  @ApiProperty({
    example: '<b>New plans!</b> 3 months for the price of 2.',
    maxLength: 4000,
    description:
      "Telegram's HTML subset: b, i, u, s, a href, code, pre, blockquote, tg-spoiler; &lt; &gt; &amp; for the " +
      'characters. At most 4096 characters as shown (1024 with a photo).',
  })
  @IsString()
  @Length(1, 4000)
  text!: string;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    maxLength: 1000,
    description: 'A Telegram file_id or an http(s) URL of a picture; the text becomes its caption',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Length(1, 1000)
  photo?: string | null;

  @ApiPropertyOptional({ type: [BroadcastButtonDto], maxItems: MAX_BUTTONS, description: 'URL buttons, one per row' })
  @ValidateIf((_o, v) => v !== undefined)
  @IsArray()
  @ArrayMaxSize(MAX_BUTTONS)
  @ValidateNested({ each: true })
  @Type(() => BroadcastButtonDto)
  buttons?: BroadcastButtonDto[];

  @ApiProperty({ type: BroadcastAudienceDto })
  @IsObject()
  @ValidateNested()
  @Type(() => BroadcastAudienceDto)
  audience!: BroadcastAudienceDto;

  @ApiPropertyOptional({
    example: 123456789,
    description: "Telegram id of the bot admin who gets the preview (one of the bot's admins); the owner by default",
  })
  @ValidateIf((_o, v) => v !== undefined)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  previewTelegramId?: number;

  @PhotoUploadFollows()
  photoUploadFollows?: boolean;
}

export class UpdateBroadcastDto {
  @ApiPropertyOptional({ maxLength: 4000 })
  @ValidateIf((_o, v) => v !== undefined)
  @IsString()
  @Length(1, 4000)
  text?: string;

  @ApiPropertyOptional({ nullable: true, type: String, maxLength: 1000 })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Length(1, 1000)
  photo?: string | null;

  @ApiPropertyOptional({ type: [BroadcastButtonDto], maxItems: MAX_BUTTONS })
  @ValidateIf((_o, v) => v !== undefined)
  @IsArray()
  @ArrayMaxSize(MAX_BUTTONS)
  @ValidateNested({ each: true })
  @Type(() => BroadcastButtonDto)
  buttons?: BroadcastButtonDto[];

  @ApiPropertyOptional({ type: BroadcastAudienceDto })
  @ValidateIf((_o, v) => v !== undefined)
  @IsObject()
  @ValidateNested()
  @Type(() => BroadcastAudienceDto)
  audience?: BroadcastAudienceDto;

  @ApiPropertyOptional({ example: 123456789 })
  @ValidateIf((_o, v) => v !== undefined)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  previewTelegramId?: number;

  @PhotoUploadFollows()
  photoUploadFollows?: boolean;
}

export class BroadcastProgressDto {
  @ApiProperty({ description: 'Recipients written when it started' }) total!: number;
  @ApiProperty() sent!: number;
  @ApiProperty({ description: 'Failed sends, interrupted ones included' }) failed!: number;
  @ApiProperty({ description: 'Users who blocked the bot (marked as such)' }) blocked!: number;
  @ApiProperty({
    description: 'Being sent when a worker stopped: never sent again (may or may not have arrived)',
  })
  interrupted!: number;
  @ApiProperty({ description: 'Never sent: the broadcast was cancelled or failed first' }) skipped!: number;
  @ApiProperty({ description: 'Not sent yet (0 once the broadcast ended)' }) remaining!: number;
  @ApiProperty({ description: 'Messages per second over the last 30 s' }) ratePerSecond!: number;
  @ApiProperty({ nullable: true, type: Number, description: 'Seconds to go at that rate' }) etaSeconds!: number | null;
}

export class BroadcastDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['draft', 'running', 'completed', 'cancelled', 'failed'] }) status!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ nullable: true, type: String }) photo!: string | null;
  @ApiProperty({
    nullable: true,
    enum: ['image/jpeg', 'image/png', 'image/webp'],
    type: String,
    description:
      'The type of a picture uploaded (POST …/{id}/photo) that waits for the preview to take it to Telegram; ' +
      'its file_id then becomes `photo` and this is null',
  })
  photoUpload!: string | null;
  @ApiProperty({
    description:
      'Saved with `photoUploadFollows` and its picture not uploaded yet (POST …/{id}/photo): no preview is sent and ' +
      'it cannot start until the picture arrives or the draft is saved without `photoUploadFollows`',
  })
  awaitingPhoto!: boolean;
  @ApiProperty({ type: [BroadcastButtonDto] }) buttons!: BroadcastButtonDto[];
  @ApiProperty({ type: BroadcastAudienceDto }) audience!: BroadcastAudienceDto;
  @ApiProperty({ nullable: true, type: Number, description: 'Who gets (got) the preview' })
  previewTelegramId!: number | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'When the preview reached the admin; a draft starts only after this is set',
  })
  previewedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Why it failed, or why the preview was not sent' })
  failure!: string | null;
  @ApiProperty({ type: BroadcastProgressDto }) progress!: BroadcastProgressDto;
  @ApiProperty({ description: 'Who made it (actor)' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) startedAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) finishedAt!: string | null;

  static of(v: BroadcastView): BroadcastDto {
    const b = v.broadcast;
    return {
      id: b.id,
      status: b.status,
      text: b.text,
      photo: b.photo,
      photoUpload: b.photoUploadType,
      awaitingPhoto: b.photoAwaited,
      buttons: b.buttons,
      audience: v.audience,
      previewTelegramId: b.previewTelegramId,
      previewedAt: iso(b.previewedAt),
      failure: b.failure,
      progress: v.progress,
      createdBy: b.createdBy,
      createdAt: b.createdAt.toISOString(),
      startedAt: iso(b.startedAt),
      finishedAt: iso(b.finishedAt),
    };
  }
}

export class BroadcastPageDto extends PageMetaDto {
  @ApiProperty({ type: [BroadcastDto] }) items!: BroadcastDto[];
}

export class BroadcastListQueryDto extends PageQueryDto {}

/** The multipart body of POST …/{id}/photo (documentation only: the file is read by readUpload). */
export class BroadcastPhotoUploadDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'A JPEG, PNG or WebP picture, at most 5 MB' })
  photo!: unknown;
}
