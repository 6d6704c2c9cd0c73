import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiAuthGuard } from './api-auth.guard';

@Module({ providers: [{ provide: APP_GUARD, useClass: ApiAuthGuard }] })
export class AuthModule {}
