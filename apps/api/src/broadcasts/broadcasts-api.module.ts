import { Module } from '@nestjs/common';
import { BroadcastsModule } from '@botfleet/broadcasts';
import { BroadcastsController } from './broadcasts.controller';

@Module({
  imports: [BroadcastsModule],
  controllers: [BroadcastsController],
})
export class BroadcastsApiModule {}
