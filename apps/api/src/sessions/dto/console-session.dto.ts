import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { ADMIN_PERMISSIONS, type AdminPermission } from '@botfleet/bots';
import type { ConsoleSessionEntity } from '@botfleet/dal';

/** Exactly one of the two (checked by the controller): a one-time link code from a bot, or an API token (a tenant's bft_… or the master's). */
export class CreateConsoleSessionDto {
  @ApiPropertyOptional({ description: 'The code from the one-time link (the URL fragment after #code=)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  code?: string;

  @ApiPropertyOptional({ description: "A tenant's API token (bft_…) or the master token, pasted to sign in" })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  apiToken?: string;
}

export class ConsoleSessionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['master', 'tenant'] }) kind!: 'master' | 'tenant';
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) botId!: string | null;
  @ApiProperty({
    enum: ['owner', 'admin', 'support', 'operator'],
    description: "The bot admin's role (owner for a pasted tenant token, operator for the master)",
  })
  role!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'The Telegram id of who opened the link; null when an API token was pasted',
  })
  telegramId!: number | null;
  @ApiProperty({ type: String, nullable: true }) userAgent!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() lastSeenAt!: Date;
  @ApiProperty() expiresAt!: Date;
  @ApiProperty({ description: 'Whether this is the session of the request' }) current!: boolean;

  static of(s: ConsoleSessionEntity, currentId?: string): ConsoleSessionDto {
    return {
      id: s.id,
      kind: s.kind,
      botId: s.botId,
      role: s.role,
      telegramId: s.telegramId,
      userAgent: s.userAgent,
      createdAt: s.createdAt,
      lastSeenAt: s.lastSeenAt,
      expiresAt: s.expiresAt,
      current: s.id === currentId,
    };
  }
}

export class ConsoleSessionCreatedDto {
  @ApiProperty({ type: ConsoleSessionDto }) session!: ConsoleSessionDto;
  @ApiProperty({
    description:
      'Send it as X-CSRF-Token with every cookie-authenticated POST, PUT, PATCH and DELETE. Shown only here.',
  })
  csrfToken!: string;
}

export class ConsoleSessionListDto {
  @ApiProperty({ type: [ConsoleSessionDto] }) items!: ConsoleSessionDto[];
}

export class ConsoleWhoAmIDto {
  @ApiProperty({ type: ConsoleSessionDto }) session!: ConsoleSessionDto;
  @ApiProperty({ type: String, nullable: true, description: "The bot's name (tenant sessions)" }) botName!:
    string | null;
  @ApiProperty({
    enum: ADMIN_PERMISSIONS,
    isArray: true,
    description: 'What the caller may do, for the console to show or hide pages (the API checks again)',
  })
  permissions!: AdminPermission[];
}
