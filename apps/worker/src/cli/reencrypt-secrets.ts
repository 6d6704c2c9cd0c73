import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigModule } from '@botfleet/config';
import { ReencryptSecretsUseCase } from '@botfleet/operator';
import { PlatformDbModule } from '@botfleet/platform';
import { SecretsModule } from '@botfleet/secrets';

@Module({ imports: [ConfigModule, SecretsModule, PlatformDbModule], providers: [ReencryptSecretsUseCase] })
class ReencryptSecretsModule {}

/**
 * `npm run secrets:reencrypt [-- --batch-size N]`: every stored secret under the newest ENCRYPTION_KEY version
 * (README "Key rotation"). Prints progress and a summary as JSON lines (counts and places, never a value);
 * exits 1 when a secret could not be decrypted.
 */
async function main(): Promise<void> {
  const arg = process.argv.indexOf('--batch-size');
  const batchSize = arg > 0 ? Number(process.argv[arg + 1]) : 500;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    throw new Error('--batch-size must be an integer from 1 to 100000');
  }
  const app = await NestFactory.createApplicationContext(ReencryptSecretsModule, { logger: ['error'] });
  try {
    const log = (msg: string, extra: object = {}) =>
      process.stdout.write(JSON.stringify({ level: 'info', msg, ...extra }) + '\n');
    const report = await app.get(ReencryptSecretsUseCase).execute({
      batchSize,
      onBatch: (r) => log('progress', { scanned: r.scanned, reencrypted: r.reencrypted }),
    });
    log('secrets re-encrypted', report);
    if (report.failed.length) process.exitCode = 1;
  } finally {
    await app.close();
  }
}

main().catch((e: unknown) => {
  console.error(`secrets:reencrypt failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
