import { Injectable } from '@nestjs/common';

/**
 * What time it is for the growth jobs (reminders, auto-renew). The scanners take `now` from here once per run
 * and pass it down, so a test drives time by passing its own `now` (or binding another Clock), never by sleeping.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
