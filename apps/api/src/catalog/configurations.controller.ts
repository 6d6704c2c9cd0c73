import { Body, Controller, Delete, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ConfigurationsService, ConfigurationView } from '@botfleet/catalog';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { ConfigurationDto, SetConfigurationDto, SetTranslationDto } from './dto/configuration.dto';

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
      'language; time_zone must be an IANA zone name as written in the tz database (Asia/Tehran, UTC) that both ' +
      'Intl and PostgreSQL know (400 naming it otherwise); ' +
      'trial_plan_id must be a plan of this bot (404 otherwise) and becomes the plan with isTrial. ' +
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

  @Put(':key/translations/:lang')
  @ApiOperation({
    summary: 'Set one language of a per-language text',
    description:
      'For the per-language keys (welcome_text, support_text): sets the text in one language and keeps the ' +
      'others as they are now, so two editors of different languages (the console, the bot) never undo each ' +
      "other. lang is one of fa, en, ru (a language the shop does not speak yet may be prepared). 400 names key " +
      '(not a per-language key), lang or value (blank, too long); 404 for an unknown key. Nothing changes on an error.',
  })
  @ApiParam({ name: 'key', enum: ['welcome_text', 'support_text'] })
  @ApiParam({ name: 'lang', enum: ['fa', 'en', 'ru'] })
  @ApiResponse({ status: 200, type: ConfigurationDto })
  @ApiErrors(400, 403, 404)
  async setTranslation(
    @Param('botId') botId: string,
    @Param('key') key: string,
    @Param('lang') lang: string,
    @Body() dto: SetTranslationDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<ConfigurationView> {
    await this.configurations.setTranslation(botId, key, lang, dto.value, actorOf(p));
    return this.configurations.describe(botId, key);
  }

  @Delete(':key/translations/:lang')
  @ApiOperation({
    summary: 'Remove one language of a per-language text',
    description:
      'The bot shows its built-in text in that language again; the other languages are kept as they are now. ' +
      '400 names key (not a per-language key) or lang; 404 for an unknown key.',
  })
  @ApiParam({ name: 'key', enum: ['welcome_text', 'support_text'] })
  @ApiParam({ name: 'lang', enum: ['fa', 'en', 'ru'] })
  @ApiResponse({ status: 200, type: ConfigurationDto })
  @ApiErrors(400, 403, 404)
  async removeTranslation(
    @Param('botId') botId: string,
    @Param('key') key: string,
    @Param('lang') lang: string,
    @CurrentPrincipal() p: Principal,
  ): Promise<ConfigurationView> {
    await this.configurations.setTranslation(botId, key, lang, null, actorOf(p));
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
