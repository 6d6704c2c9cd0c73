import { Module } from '@nestjs/common';
import { PlatformModule } from '@botfleet/platform';
import { BotsController } from './bots.controller';

@Module({ imports: [PlatformModule], controllers: [BotsController] })
export class BotsApiModule {}
