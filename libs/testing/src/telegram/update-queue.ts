import type { Update } from './bot-api-types';

export interface QueuedUpdate {
  updateId: number;
  /** The update kind (`message`, `callback_query`...), for allowed_updates. */
  kind: string;
  update: Update;
  /** Serialized once: the same update may be sent several times (long-poll retries, webhook retries). */
  json: string;
  /** The chat the update came from, if any, to measure how long the bot takes to answer there. */
  chatId: number | undefined;
  /**
   * A redelivery pushed with an update_id the bot may already have confirmed. It is handed out once
   * even if the bot's offset is past it, which is how a test reproduces a duplicate delivery.
   */
  redelivery: boolean;
  handedOut: boolean;
}

/**
 * A bot's pending updates in delivery order. Backed by an array with a moving head so that
 * confirming (dropping from the front) is O(1) per update; the array is compacted now and then.
 */
export class UpdateQueue {
  // Slots before `head` are cleared so confirmed updates can be collected before the next compaction.
  private items: Array<QueuedUpdate | undefined> = [];
  private head = 0;
  /** Redeliveries not yet handed out; while there are none, confirming is a prefix drop. */
  private pendingRedeliveries = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(entry: QueuedUpdate): void {
    this.items.push(entry);
    if (entry.redelivery) this.pendingRedeliveries++;
    // Telegram keeps updates for 24 hours; a bounded queue keeps a forgotten bot from eating memory.
    if (this.size > this.capacity) this.shift();
  }

  peek(): QueuedUpdate | undefined {
    return this.items[this.head];
  }

  shift(): QueuedUpdate | undefined {
    if (this.head >= this.items.length) return undefined;
    const entry = this.items[this.head]!;
    this.items[this.head] = undefined;
    this.head++;
    if (entry.redelivery && !entry.handedOut) this.pendingRedeliveries--;
    this.compactIfSparse();
    return entry;
  }

  /** Drops every update with update_id < offset: getUpdates' confirmation. */
  confirm(offset: number): void {
    if (this.pendingRedeliveries === 0) {
      while (this.head < this.items.length && this.items[this.head]!.updateId < offset) {
        this.items[this.head] = undefined;
        this.head++;
      }
      this.compactIfSparse();
      return;
    }
    this.items = this.toArray().filter((entry) => entry.updateId >= offset || (entry.redelivery && !entry.handedOut));
    this.head = 0;
  }

  /** A negative offset: keep only the last `count` updates, forgetting the rest. */
  keepLast(count: number): void {
    while (this.size > count) this.shift();
  }

  /** The first `limit` updates, marked as handed out; they stay queued until confirmed. */
  take(limit: number): QueuedUpdate[] {
    const end = Math.min(this.items.length, this.head + limit);
    const taken = this.items.slice(this.head, end) as QueuedUpdate[];
    for (const entry of taken) this.markHandedOut(entry);
    return taken;
  }

  markHandedOut(entry: QueuedUpdate): void {
    if (entry.handedOut) return;
    entry.handedOut = true;
    if (entry.redelivery) this.pendingRedeliveries--;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.pendingRedeliveries = 0;
  }

  toArray(): QueuedUpdate[] {
    return this.items.slice(this.head) as QueuedUpdate[];
  }

  private compactIfSparse(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
