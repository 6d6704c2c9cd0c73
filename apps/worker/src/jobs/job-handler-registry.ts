import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Job } from 'bullmq';
import {
  FinalFailureOutcome,
  JOB_FINAL_FAILURE_METADATA,
  JOB_HANDLER_METADATA,
  JobName,
  JobPayloads,
} from '@botfleet/jobs';

type AnyPayload = JobPayloads[JobName];

/** One discovered method: where it is (for messages) and how to call it. */
export interface DiscoveredMethod<F> {
  /** `ClassName.method`, named in the refusal to start. */
  where: string;
  call: F;
}

export type BoundJobHandler = (payload: AnyPayload, job: Job) => Promise<unknown>;
export type BoundFinalFailureHook = (payload: AnyPayload, error: Error, job: Job) => Promise<FinalFailureOutcome>;

/** Thrown at boot: the worker does not start with a job nobody runs, or a job two methods claim. */
export class JobHandlersInvalidError extends Error {
  constructor(problems: string[]) {
    super(`job handlers: ${problems.join('; ')}`);
    this.name = 'JobHandlersInvalidError';
  }
}

/**
 * Every `@OnJob` handler and `@OnJobFinalFailure` hook of the application, found once at module init by
 * scanning the providers' methods. Each JobName needs exactly one handler, and at most one failure hook;
 * otherwise init throws naming the job, so a job name added without its handler never reaches production.
 */
@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<JobName, DiscoveredMethod<BoundJobHandler>>();
  private readonly hooks = new Map<JobName, DiscoveredMethod<BoundFinalFailureHook>>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const handlers = new Map<JobName, DiscoveredMethod<BoundJobHandler>[]>();
    const hooks = new Map<JobName, DiscoveredMethod<BoundFinalFailureHook>[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const where = `${instance.constructor.name}.${method}`;
        const call = (fn as (...args: unknown[]) => Promise<never>).bind(instance);
        const handled = this.reflector.get<JobName | undefined>(JOB_HANDLER_METADATA, fn);
        if (handled) push(handlers, handled, { where, call });
        const hooked = this.reflector.get<JobName | undefined>(JOB_FINAL_FAILURE_METADATA, fn);
        if (hooked) push(hooks, hooked, { where, call });
      }
    }
    const problems = validateJobHandlers(handlers, hooks);
    if (problems.length) throw new JobHandlersInvalidError(problems);
    for (const [name, [found]] of handlers) this.handlers.set(name, found);
    for (const [name, [found]] of hooks) this.hooks.set(name, found);
  }

  handler(name: string): DiscoveredMethod<BoundJobHandler> | undefined {
    return this.handlers.get(name as JobName);
  }

  finalFailureHook(name: string): DiscoveredMethod<BoundFinalFailureHook> | undefined {
    return this.hooks.get(name as JobName);
  }
}

function push<T>(map: Map<JobName, T[]>, name: JobName, value: T): void {
  const list = map.get(name);
  if (list) list.push(value);
  else map.set(name, [value]);
}

/** The rules, apart from discovery: what is wrong with this set of handlers and hooks (empty = fine). */
export function validateJobHandlers(
  handlers: ReadonlyMap<JobName, readonly { where: string }[]>,
  hooks: ReadonlyMap<JobName, readonly { where: string }[]>,
): string[] {
  const known = new Set<string>(Object.values(JobName));
  const problems: string[] = [];
  for (const name of Object.values(JobName)) {
    const found = handlers.get(name) ?? [];
    if (found.length === 0) problems.push(`no @OnJob handler for job "${name}"`);
    if (found.length > 1) problems.push(`job "${name}" has ${found.length} handlers (${wheres(found)})`);
    const failures = hooks.get(name) ?? [];
    if (failures.length > 1) {
      problems.push(`job "${name}" has ${failures.length} final-failure hooks (${wheres(failures)})`);
    }
  }
  for (const [name, found] of [...handlers, ...hooks]) {
    if (!known.has(name)) problems.push(`${wheres(found)} names a job that does not exist: "${name}"`);
  }
  return problems;
}

const wheres = (found: readonly { where: string }[]) => found.map((f) => f.where).join(', ');
