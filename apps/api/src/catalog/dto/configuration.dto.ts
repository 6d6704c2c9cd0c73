import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { MaxJsonLength } from '../../common/validators';
import { IsPresent } from './catalog-validators';

const ANY_JSON = {
  oneOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'array', items: {} },
    { type: 'object', additionalProperties: true },
  ],
  nullable: true,
};

export class SetConfigurationDto {
  @ApiProperty({
    ...ANY_JSON,
    example: 45,
    description: "The new value, validated by the key's schema (GET …/configurations lists each schema)",
  })
  @IsPresent()
  @MaxJsonLength(20_000)
  value!: unknown;
}

export class SetTranslationDto {
  @ApiProperty({
    example: 'Welcome to our shop!',
    description:
      "The text in this one language (not blank; at most the key's maxLength: welcome_text 3000, support_text 1000)",
  })
  @IsString()
  @MaxLength(20_000)
  value!: string;
}

export class ConfigurationDto {
  @ApiProperty({ example: 'receipt_ttl_minutes' }) key!: string;
  @ApiProperty({ ...ANY_JSON, example: 45 }) value!: unknown;
  @ApiProperty({ ...ANY_JSON, example: 30 }) default!: unknown;
  @ApiProperty({ description: 'true when the value is the default (never set, or reset with DELETE)' })
  isDefault!: boolean;
  @ApiProperty() description!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) schema!: unknown;
}
