import { Body, Controller, Delete, Get, Param, Patch, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PlansService, PlanView } from '@botfleet/catalog';
import { PanelAvailability } from '@botfleet/platform';
import { actorOf, CurrentPrincipal, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { CreatePlanDto, PlanDto, UpdatePlanDto } from './dto/plan.dto';

/** The tenant's plans (API.md "Catalogue, customers and money"). */
@ApiTags('plans')
@ApiBearerAuth()
@Controller('v1/bots/:botId/plans')
export class PlansController {
  constructor(
    private readonly plans: PlansService,
    private readonly panels: PanelAvailability,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Plans of the bot, active and inactive, by sortOrder' })
  @ApiResponse({ status: 200, type: [PlanDto] })
  @ApiErrors(404)
  list(@Param('botId') botId: string): Promise<PlanView[]> {
    return this.plans.list(botId);
  }

  @Post()
  @ApiOperation({ summary: 'Add a plan', description: 'panelId must be an active VPN panel of the platform.' })
  @ApiResponse({ status: 201, type: PlanDto })
  @ApiErrors(400, 403, 404)
  create(
    @Param('botId') botId: string,
    @Body() dto: CreatePlanDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<PlanView> {
    return this.plans.create(botId, dto, actorOf(p), this.panels);
  }

  @Patch(':planId')
  @ApiParam({ name: 'planId', format: 'uuid' })
  @ApiResponse({ status: 200, type: PlanDto })
  @ApiErrors(400, 403, 404)
  update(
    @Param('botId') botId: string,
    @Param('planId') planId: string,
    @Body() dto: UpdatePlanDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<PlanView> {
    return this.plans.update(botId, planId, dto, actorOf(p), this.panels);
  }

  @Delete(':planId')
  @ApiOperation({
    summary: 'Delete a plan',
    description:
      'A plan that was ever ordered is not deleted: it is deactivated (200 with the plan, isActive false) and ' +
      'stays in the list. Otherwise it is deleted (204). Deleting the trial plan clears trial_plan_id.',
  })
  @ApiParam({ name: 'planId', format: 'uuid' })
  @ApiResponse({ status: 200, type: PlanDto, description: 'The plan has sales: deactivated instead' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrors(403, 404)
  async remove(
    @Param('botId') botId: string,
    @Param('planId') planId: string,
    @CurrentPrincipal() p: Principal,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<PlanView | undefined> {
    const result = await this.plans.remove(botId, planId, actorOf(p));
    if (result.outcome === 'deactivated') {
      void res.status(200);
      return result.plan;
    }
    void res.status(204);
    return undefined;
  }
}
