import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiAuthGuard } from './api-auth.guard';
import { AuthFailureLimiter } from './auth-failure-limiter';

@Global()
@Module({
  providers: [AuthFailureLimiter, { provide: APP_GUARD, useClass: ApiAuthGuard }],
  exports: [AuthFailureLimiter],
})
export class AuthModule {}
