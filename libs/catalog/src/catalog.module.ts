import { Module } from '@nestjs/common';
import { AuditModule } from '@botfleet/audit';
import { BotAdminsModule } from '@botfleet/bots';
import { SecretsModule } from '@botfleet/secrets';
import { ConfigurationsService } from './settings/configurations.service';
import { FeaturesService } from './features/features.service';
import { PaymentCardsService } from './cards/payment-cards.service';
import { CardRotationService } from './cards/card-rotation.service';
import { PlansService } from './plans/plans.service';

/** Features, configurations, payment cards with rotation, plans (feature secrets are sealed with the SecretBox). */
@Module({
  imports: [AuditModule, BotAdminsModule, SecretsModule],
  providers: [ConfigurationsService, FeaturesService, PaymentCardsService, CardRotationService, PlansService],
  exports: [ConfigurationsService, FeaturesService, PaymentCardsService, CardRotationService, PlansService],
})
export class CatalogModule {}
