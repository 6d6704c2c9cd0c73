import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_DATA_SOURCE } from './tenant-context';

/** The readiness probe's question to PostgreSQL, on the application pool. */
@Injectable()
export class DatabasePing {
  constructor(@Inject(APP_DATA_SOURCE) private readonly ds: DataSource) {}

  /** Resolves when the database answers one trivial statement; rejects when it cannot. */
  async ping(): Promise<void> {
    await this.ds.query('SELECT 1');
  }
}
