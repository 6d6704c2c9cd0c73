import { Module } from '@nestjs/common';
import { CatalogModule } from '@botfleet/catalog';
import { PanelAvailability } from '@botfleet/platform';
import { ConfigurationsController } from './configurations.controller';
import { FeaturesController } from './features.controller';
import { PanelsController } from './panels.controller';
import { PaymentCardsController } from './payment-cards.controller';
import { PlansController } from './plans.controller';

/** Features, configurations, payment cards and plans of one bot (and the panels its plans may name). */
@Module({
  imports: [CatalogModule],
  controllers: [
    FeaturesController,
    ConfigurationsController,
    PaymentCardsController,
    PlansController,
    PanelsController,
  ],
  providers: [PanelAvailability],
})
export class CatalogApiModule {}
