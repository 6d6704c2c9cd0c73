import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('vpn_panels')
export class VpnPanelEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar' }) name!: string;
  @Column({ type: 'varchar' }) type!: 'remnawave' | 'marzban' | 'xui';
  @Column({ name: 'base_url', type: 'varchar' }) baseUrl!: string;
  @Column({ name: 'credentials_ciphertext', type: 'text' }) credentialsCiphertext!: string;
  @Column({ name: 'credentials_key_version', type: 'int' }) credentialsKeyVersion!: number;
  @Column({ type: 'jsonb', default: {} }) settings!: Record<string, unknown>;
  @Column({ type: 'varchar', nullable: true }) location!: string | null;
  @Column({ type: 'int' }) capacity!: number;
  @Column({ name: 'active_users', type: 'int' }) activeUsers!: number;
  @Column({ name: 'is_active', type: 'boolean' }) isActive!: boolean;
  @Column({ name: 'last_health_at', type: 'timestamptz', nullable: true }) lastHealthAt!: Date | null;
  @Column({ name: 'last_health_ok', type: 'boolean', nullable: true }) lastHealthOk!: boolean | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
