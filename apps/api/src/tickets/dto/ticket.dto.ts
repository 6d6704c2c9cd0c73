import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import type { TicketEntity, TicketMessageEntity, TicketStatus, UserEntity } from '@botfleet/dal';
import { TICKET_MESSAGE_MAX, TICKET_STATUSES, TICKET_SUBJECT_MAX } from '@botfleet/support';
import { PageMetaDto, PageQueryDto } from '../../common/api-docs';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export class TicketDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 12, description: 'Per bot, in the order tickets were opened' }) number!: number;
  @ApiProperty({ format: 'uuid', description: 'The customer (users.id)' }) userId!: string;
  @ApiProperty({ nullable: true, type: String, example: 'VPN is slow' }) subject!: string | null;
  @ApiProperty({ enum: TICKET_STATUSES, description: 'open = waiting for support; answered; closed' })
  status!: TicketStatus;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'user:6f1c…',
    description: 'Who closed it: user:<user id> (the customer), bot_admin:<telegram id>, tenant_api:<bot id>',
  })
  closedBy!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) lastMessageAt!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(t: TicketEntity): TicketDto {
    return {
      id: t.id,
      number: t.number,
      userId: t.userId,
      subject: t.subject,
      status: t.status,
      closedBy: t.closedBy,
      closedAt: iso(t.closedAt),
      lastMessageAt: t.lastMessageAt.toISOString(),
      createdAt: t.createdAt.toISOString(),
    };
  }
}

export class TicketMessageDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) ticketId!: string;
  @ApiProperty({ enum: ['user', 'admin'] }) sender!: 'user' | 'admin';
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'An admin message: bot_admin:<telegram id> or tenant_api:<bot id>',
  })
  author!: string | null;
  @ApiProperty({ description: 'The text, or a photo’s caption (may be empty then)' }) text!: string;
  @ApiProperty({ description: 'The message carries a photo (sent in Telegram; not downloadable here)' })
  hasPhoto!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  static of(m: TicketMessageEntity): TicketMessageDto {
    return {
      id: m.id,
      ticketId: m.ticketId,
      sender: m.sender,
      author: m.author,
      text: m.text,
      hasPhoto: !!m.photoFileId,
      createdAt: m.createdAt.toISOString(),
    };
  }
}

export class TicketCustomerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 123456789 }) telegramId!: number;
  @ApiProperty({ nullable: true, type: String }) username!: string | null;
  @ApiProperty({ nullable: true, type: String }) firstName!: string | null;
  @ApiProperty({ nullable: true, type: String }) lastName!: string | null;

  static of(u: UserEntity): TicketCustomerDto {
    return { id: u.id, telegramId: u.telegramId, username: u.username, firstName: u.firstName, lastName: u.lastName };
  }
}

export class TicketDetailDto extends TicketDto {
  @ApiProperty({ type: TicketCustomerDto, nullable: true }) customer!: TicketCustomerDto | null;
  @ApiProperty({ type: [TicketMessageDto], description: 'The first 100 messages, oldest first (more: …/messages)' })
  messages!: TicketMessageDto[];
}

export class TicketPageDto extends PageMetaDto {
  @ApiProperty({ type: [TicketDto] }) items!: TicketDto[];
}

export class TicketMessagePageDto extends PageMetaDto {
  @ApiProperty({ type: [TicketMessageDto] }) items!: TicketMessageDto[];
}

export class TicketListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;
}

export class TicketReplyDto {
  @ApiProperty({
    minLength: 1,
    maxLength: TICKET_MESSAGE_MAX,
    example: 'Please update the app and reconnect.',
    description: 'Plain text; shown to the customer escaped (no HTML)',
  })
  @IsString()
  @Length(1, TICKET_MESSAGE_MAX)
  text!: string;
}

/** The shop opens a ticket to a customer of the bot (POST /v1/bots/{botId}/tickets). */
export class OpenTicketDto {
  @ApiProperty({ format: 'uuid', description: 'The customer (users.id) of this bot' })
  @IsUUID()
  userId!: string;

  @ApiProperty({ minLength: 1, maxLength: TICKET_SUBJECT_MAX, example: 'Your subscription' })
  @IsString()
  @Length(1, TICKET_SUBJECT_MAX)
  subject!: string;

  @ApiProperty({
    minLength: 1,
    maxLength: TICKET_MESSAGE_MAX,
    example: 'Your server moves tonight; reconnect after 02:00.',
    description: 'The first message, sent to the customer in the bot; plain text, shown escaped (no HTML)',
  })
  @IsString()
  @Length(1, TICKET_MESSAGE_MAX)
  text!: string;
}
