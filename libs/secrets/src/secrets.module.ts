import { Global, Module } from '@nestjs/common';
import { AppConfig } from '@botfleet/config';
import { SecretBox, TokenHasher } from './secrets.service';

@Global()
@Module({
  providers: [
    { provide: SecretBox, useFactory: (c: AppConfig) => new SecretBox(c.ENCRYPTION_KEY), inject: [AppConfig] },
    { provide: TokenHasher, useFactory: (c: AppConfig) => new TokenHasher(c.TOKEN_HASH_KEY), inject: [AppConfig] },
  ],
  exports: [SecretBox, TokenHasher],
})
export class SecretsModule {}
