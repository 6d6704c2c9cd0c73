import { ApiProperty } from '@nestjs/swagger';

export class OfferedPanelDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Frankfurt 1' }) name!: string;
  @ApiProperty({ example: 'DE', nullable: true, type: String }) location!: string | null;
}
