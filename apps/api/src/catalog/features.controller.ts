import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { FeaturesService, FeatureView } from '@botfleet/catalog';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { FeatureDto, SetFeatureDto } from './dto/feature.dto';

/** Feature flags (API.md "Features and configuration"). */
@ApiTags('features')
@ApiBearerAuth()
@Controller('v1/bots/:botId/features')
export class FeaturesController {
  constructor(private readonly features: FeaturesService) {}

  @Get()
  @ApiOperation({ summary: 'Every catalogue feature with enabled, allowed (by the platform), config and its schema' })
  @ApiResponse({ status: 200, type: [FeatureDto] })
  @ApiErrors(404)
  list(@Param('botId') botId: string): Promise<FeatureView[]> {
    return this.features.list(botId);
  }

  @Put(':key')
  @ApiOperation({
    summary: 'Turn a feature on or off, optionally with its config',
    description: 'Unknown key: 404. Turning on a feature the platform has not allowed: 403 FEATURE_NOT_ALLOWED.',
  })
  @ApiParam({ name: 'key', example: 'card_to_card' })
  @ApiResponse({ status: 200, type: FeatureDto })
  @ApiErrors(400, 403, 404)
  set(
    @Param('botId') botId: string,
    @Param('key') key: string,
    @Body() dto: SetFeatureDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<FeatureView> {
    return this.features.set(botId, key, dto.enabled, dto.config, actorOf(p));
  }
}
