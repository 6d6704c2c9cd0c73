import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { OperatorAuditService } from '@botfleet/operator';
import { MasterOnly } from '../auth';
import { ApiErrors } from '../common/api-docs';
import { AdminAuditLogPageDto, AdminAuditLogQueryDto } from './dto/admin-audit.dto';

/** The operator's own audit log: every change made with the master token, the master bot or the operator console. */
@ApiTags('admin')
@ApiBearerAuth()
@MasterOnly()
@Controller('v1/admin/audit-log')
export class AdminAuditLogController {
  constructor(private readonly audit: OperatorAuditService) {}

  @Get()
  @ApiOperation({
    summary: "The operator's audit log, newest first",
    description:
      'Panels, invites, onboardings, suspensions, allowances, wholesale prices, wallet top-ups and adjustments, ' +
      'with before/after. Credentials (passwords, API keys, tokens, merchant ids) are never shown.',
  })
  @ApiResponse({ status: 200, type: AdminAuditLogPageDto })
  @ApiErrors(400, 403)
  list(@Query() q: AdminAuditLogQueryDto): Promise<AdminAuditLogPageDto> {
    const { page, pageSize, actor, action, botId, from, to } = q;
    return this.audit.page({ actor, action, botId, from, to }, page, pageSize);
  }
}
