import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConfigurationsService, ConfigurationView } from '@botfleet/catalog';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { ConfigurationDto, SetConfigurationDto } from './dto/configuration.dto';

/** Typed configuration keys (API.md "Features and configuration"). */
@ApiTags('configurations')
@ApiBearerAuth()
@Controller('v1/bots/:botId/configurations')
export class ConfigurationsController {
  constructor(private readonly configurations: ConfigurationsService) {}

  @Get()
  @ApiOperation({ summary: 'Every configuration key with its value, default and schema' })
  @ApiResponse({ status: 200, type: [ConfigurationDto] })
  @ApiErrors(404)
  list(@Param('botId') botId: string): Promise<ConfigurationView[]> {
    return this.configurations.list(botId);
  }

  @Put(':key')
  @ApiOperation({
    summary: 'Set a configuration value',
    description:
      "Validated by the key's schema (400 names the bad paths). languages must include the bot's default " +
      'language; trial_plan_id must be a plan of this bot (404 otherwise) and becomes the plan with isTrial. ' +
      'currency cannot change once the bot has orders or balances (409 CURRENCY_LOCKED).',
  })
  @ApiParam({ name: 'key', example: 'receipt_ttl_minutes' })
  @ApiResponse({ status: 200, type: ConfigurationDto })
  @ApiErrors(400, 403, 404, 409)
  async set(
    @Param('botId') botId: string,
    @Param('key') key: string,
    @Body() dto: SetConfigurationDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<ConfigurationView> {
    await this.configurations.set(botId, key, dto.value, undefined, actorOf(p));
    return this.configurations.describe(botId, key);
  }

  @Delete(':key')
  @ApiOperation({
    summary: 'Restore the default value',
    description: 'currency cannot change once the bot has orders or balances (409 CURRENCY_LOCKED).',
  })
  @ApiParam({ name: 'key', example: 'receipt_ttl_minutes' })
  @ApiResponse({ status: 200, type: ConfigurationDto })
  @ApiErrors(403, 404, 409)
  async reset(
    @Param('botId') botId: string,
    @Param('key') key: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<ConfigurationView> {
    await this.configurations.reset(botId, key, actorOf(p));
    return this.configurations.describe(botId, key);
  }
}
