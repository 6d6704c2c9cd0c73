import { Injectable } from '@nestjs/common';
import { JobName, JobPayloads } from '@botfleet/jobs';

/** The jobs of the notifications queue (JOB_QUEUE maps these to QueueName.Notifications). */
export type NotificationJobName = JobName.DeliverSubscription | JobName.NotifyOwner | JobName.SaleNotification;

type Handler<J extends NotificationJobName> = (payload: JobPayloads[J]) => Promise<unknown>;

/**
 * Who handles each job of the notifications queue. That queue has one consumer (a second BullMQ worker
 * would receive jobs of every name), and several parts of the worker send notifications: each registers
 * its job name here at module init (delivery of subscriptions, sale notices, owner notices).
 */
@Injectable()
export class NotificationHandlers {
  private readonly handlers = new Map<NotificationJobName, Handler<NotificationJobName>>();

  register<J extends NotificationJobName>(name: J, handler: Handler<J>): void {
    if (this.handlers.has(name)) throw new Error(`A handler for ${name} is already registered`);
    this.handlers.set(name, handler as unknown as Handler<NotificationJobName>);
  }

  get(name: string): Handler<NotificationJobName> | undefined {
    return this.handlers.get(name as NotificationJobName);
  }
}
