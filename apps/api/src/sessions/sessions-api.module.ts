import { Module } from '@nestjs/common';
import { SessionsController } from './sessions.controller';

/** The web console's sign-in endpoints; the session service itself is provided by the global AuthModule. */
@Module({ controllers: [SessionsController] })
export class SessionsApiModule {}
