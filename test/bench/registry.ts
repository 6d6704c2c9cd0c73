import { b6RestReads } from './b6-rest-reads.bench';
import { b1UpdatesThroughput } from './b1-updates-throughput.bench';
import { b2UpdateLatency } from './b2-update-latency.bench';
import { b3IdleBots } from './b3-idle-bots.bench';
import { b4RegisterToAnswer } from './b4-register-to-answer.bench';
import { b5Broadcasts } from './b5-broadcasts.bench';
import { b7Takeover } from './b7-takeover.bench';
import { b8WebhookAck } from './b8-webhook-ack.bench';
import type { Benchmark } from './types';

/**
 * Every benchmark `npm run bench` knows, in run order. To add one: write `bN-….bench.ts`
 * exporting a `Benchmark`, and add it here. `npm run bench -- B6` runs only the ids given.
 */
export const BENCHMARKS: Benchmark[] = [
  b1UpdatesThroughput,
  b2UpdateLatency,
  b3IdleBots,
  b4RegisterToAnswer,
  b5Broadcasts,
  b6RestReads,
  b7Takeover,
  b8WebhookAck,
];
