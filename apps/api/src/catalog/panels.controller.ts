import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { OfferedPanel, PanelAvailability } from '@botfleet/platform';
import { ApiErrors } from '../common/api-docs';
import { OfferedPanelDto } from './dto/offered-panel.dto';

/** The VPN panels a plan of this bot may be put on (the plan form's panel picker). */
@ApiTags('plans')
@ApiBearerAuth()
@Controller('v1/bots/:botId/panels')
export class PanelsController {
  constructor(private readonly panels: PanelAvailability) {}

  @Get()
  @ApiOperation({
    summary: 'Active VPN panels a plan may name as panelId, with their locations',
    description:
      'Only the id, name and location of each active panel; addresses, credentials and load stay the operator’s.',
  })
  @ApiParam({ name: 'botId', type: String })
  @ApiResponse({ status: 200, type: [OfferedPanelDto] })
  @ApiErrors(404)
  list(): Promise<OfferedPanel[]> {
    return this.panels.listActive();
  }
}
