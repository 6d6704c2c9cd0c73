import { Module } from '@nestjs/common';
import { SupportModule } from '@botfleet/support';
import { TicketsController } from './tickets.controller';

@Module({
  imports: [SupportModule],
  controllers: [TicketsController],
})
export class TicketsApiModule {}
