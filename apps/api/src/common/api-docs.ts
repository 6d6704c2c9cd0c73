import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class ApiFieldErrorDto {
  @ApiProperty({ example: 'name' }) field!: string;
  @ApiProperty({ type: [String], example: ['name must be shorter than or equal to 100 characters'] }) errors!: string[];
}

export class ApiErrorDto {
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable SNAKE_CASE code; see API.md "Errors"' })
  code!: string;
  @ApiProperty({ example: 'Invalid request: name' }) message!: string;
  @ApiPropertyOptional({
    description: 'For 400: the list of fields and what is wrong with each (ApiFieldErrorDto[]); otherwise free-form',
    type: 'object',
    additionalProperties: true,
  })
  details?: unknown;
}

/** The one error body of every endpoint (API.md). */
export class ApiErrorBodyDto {
  @ApiProperty({ type: ApiErrorDto }) error!: ApiErrorDto;
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input (VALIDATION_FAILED; details names each field). Nothing was changed.',
  401: 'Missing or invalid bearer token (UNAUTHORIZED); answered with WWW-Authenticate: Bearer',
  403: 'Not allowed (FORBIDDEN, BOT_SUSPENDED, INVITE_INVALID, FEATURE_NOT_ALLOWED)',
  404: 'Not found, or belongs to another tenant (NOT_FOUND)',
  409: 'Conflict with the current state (BOT_TOKEN_TAKEN, IDEMPOTENCY_KEY_REUSED, CONFLICT)',
  413: 'The body or the uploaded file is too large (PAYLOAD_TOO_LARGE)',
  422: 'Rejected by an outside party (TELEGRAM_TOKEN_REJECTED, TELEGRAM_BOT_MISMATCH)',
  429: 'Too many failed authentications from this address, or over the token’s requests per minute (RATE_LIMITED; Retry-After)',
  503: 'A dependency (Telegram) is unreachable (DEPENDENCY_DOWN)',
};

/** Documents error answers with the shared error body; 401 and 429 are added for every authenticated route. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([...statuses, 401, 429])].sort();
  return applyDecorators(
    ...all.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ApiErrorBodyDto })),
  );
}

// `?page=` is a value that is not a number (400), never "no value" (which left the page undefined: a 500).
const toInt = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : /^-?\d{1,16}$/.test(String(value)) ? Number(value) : value;

/** `?page=&pageSize=` (1-based), as every paged list in API.md. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1, example: 1 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20, example: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize = 20;
}

/** Paged response envelope fields (documented per list DTO). */
export class PageMetaDto {
  @ApiProperty({ example: 42 }) total!: number;
  @ApiProperty({ example: 1 }) page!: number;
  @ApiProperty({ example: 20 }) pageSize!: number;
}
