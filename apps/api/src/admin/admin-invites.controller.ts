import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InvitesService } from '@botfleet/operator';
import { actorOf, CurrentPrincipal, MasterOnly, Principal } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { CreateInviteDto, InviteDto, InvitePageDto, ListInvitesQueryDto } from './dto/admin.dto';

/** Single-use onboarding invites. */
@ApiTags('admin')
@ApiBearerAuth()
@MasterOnly()
@Controller('v1/admin/invites')
export class AdminInvitesController {
  constructor(private readonly invites: InvitesService) {}

  @Get()
  @ApiOperation({ summary: 'Invites, newest first, with their state (active, used, revoked, expired)' })
  @ApiResponse({ status: 200, type: InvitePageDto })
  @ApiErrors(400, 403)
  list(@Query() q: ListInvitesQueryDto): Promise<InvitePageDto> {
    return this.invites.list(q.page, q.pageSize, q.state);
  }

  @Post()
  @ApiOperation({ summary: 'Make an invite; the code is generated here' })
  @ApiResponse({ status: 201, type: InviteDto })
  @ApiErrors(400, 403)
  create(@Body() dto: CreateInviteDto, @CurrentPrincipal() p: Principal): Promise<InviteDto> {
    return this.invites.create(dto, actorOf(p));
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an unused invite' })
  @ApiResponse({ status: 200, type: InviteDto })
  @ApiErrors(403, 404, 409)
  revoke(@Param('id') id: string, @CurrentPrincipal() p: Principal): Promise<InviteDto> {
    return this.invites.revoke(id, actorOf(p));
  }
}
