import { Module } from '@nestjs/common';
import { AdminAccessService } from './admin-access.service';

/** The role check of a tenant's Telegram admins. Needs the global DalModule. */
@Module({ providers: [AdminAccessService], exports: [AdminAccessService] })
export class BotAdminsModule {}
