import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject } from 'class-validator';
import { MaxJsonLength } from '../../common/validators';
import { Present } from './catalog-validators';

export class SetFeatureDto {
  @ApiProperty({ example: true, description: 'Turn the feature on or off. On needs the platform to allow it.' })
  @IsBoolean()
  enabled!: boolean;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { sandbox: false },
    description: "The feature's settings, validated by its configSchema (GET …/features). Left out: unchanged.",
  })
  @Present()
  @IsObject()
  @MaxJsonLength(10_000)
  config?: Record<string, unknown>;
}

export class FeatureDto {
  @ApiProperty({ example: 'card_to_card' }) key!: string;
  @ApiProperty({ example: 'Card-to-card payments with receipt review.' }) description!: string;
  @ApiProperty({ description: 'On for this bot (only ever true when allowed)' }) enabled!: boolean;
  @ApiProperty({ description: 'The platform lets this bot turn it on' }) allowed!: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The config without its secret fields (a merchant id, an API token): those are never shown back',
  })
  config!: Record<string, unknown>;
  @ApiProperty({
    type: [String],
    example: ['merchantId'],
    description: 'Secret config fields that are set (stored encrypted). A PUT that leaves one out keeps it.',
  })
  secretsSet!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'How `config` is validated' })
  configSchema!: unknown;
}
