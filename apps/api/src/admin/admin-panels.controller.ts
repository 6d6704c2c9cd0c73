import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { PanelsRegistryService } from '@botfleet/operator';
import { actorOf, CurrentPrincipal, MasterOnly, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { CreatePanelDto, PanelDto, UpdatePanelDto } from './dto/admin.dto';

/** VPN panels; credentials are write-only. */
@ApiTags('admin')
@ApiBearerAuth()
@MasterOnly()
@Controller('v1/admin/panels')
export class AdminPanelsController {
  constructor(private readonly panels: PanelsRegistryService) {}

  @Get()
  @ApiOperation({ summary: 'Every panel (credentials never included)' })
  @ApiResponse({ status: 200, type: [PanelDto] })
  @ApiErrors(403)
  list(): Promise<PanelDto[]> {
    return this.panels.list();
  }

  @Get(':panelId')
  @ApiOperation({ summary: 'One panel (credentials never included)' })
  @ApiResponse({ status: 200, type: PanelDto })
  @ApiErrors(403, 404)
  get(@Param('panelId') panelId: string): Promise<PanelDto> {
    return this.panels.get(panelId);
  }

  @Post()
  @ApiOperation({ summary: 'Register a panel; credentials are validated for its type and stored encrypted' })
  @ApiResponse({ status: 201, type: PanelDto })
  @ApiErrors(400, 403)
  create(@Body() dto: CreatePanelDto, @CurrentPrincipal() p: Principal): Promise<PanelDto> {
    return this.panels.create(dto, actorOf(p));
  }

  @Patch(':panelId')
  @ApiOperation({ summary: 'Change a panel; credentials, when given, replace the stored ones' })
  @ApiResponse({ status: 200, type: PanelDto })
  @ApiErrors(400, 403, 404)
  update(
    @Param('panelId') panelId: string,
    @Body() dto: UpdatePanelDto,
    @CurrentPrincipal() p: Principal,
  ): Promise<PanelDto> {
    return this.panels.update(panelId, dto, actorOf(p));
  }
}
