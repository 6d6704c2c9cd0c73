import { Module } from '@nestjs/common';
import { BotUsersService } from './bot-users.service';

@Module({
  providers: [BotUsersService],
  exports: [BotUsersService],
})
export class UsersModule {}
