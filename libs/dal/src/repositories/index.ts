import type { Type } from '@nestjs/common';
import { BotSelfRepository } from './bot-self.repository';
import { JobOutboxRepository } from './job-outbox.repository';
import { ProcessedUpdatesRepository } from './processed-updates.repository';

// Named repositories: every raw query of the tenant path lives in one of these files, as a method that
// takes the bot id first. Add a class here (export + list entry) and DalModule provides and exports it.
export * from './bot-self.repository';
export * from './job-outbox.repository';
export * from './processed-updates.repository';

export const DAL_REPOSITORIES: Type<unknown>[] = [BotSelfRepository, JobOutboxRepository, ProcessedUpdatesRepository];
