// Publishes request/response records without ever blocking or failing a request: publish() only
// appends to a bounded in-memory queue; a background loop encodes and sends batches. When the queue
// is full, or a batch cannot be delivered, records are dropped and counted exactly (the durable
// spool that keeps them instead is a later step).
import { HEADERS, RecordCodec, type Logger, type RecordKind, type RecordOf } from '@switchyard/schemas';
import type { OutgoingMessage, RecordTransport } from './kafka.ts';

export interface RecordSink {
  publish<K extends RecordKind>(kind: K, record: RecordOf<K>): void;
  stats(): ProducerStats;
  /** Send what is queued (bounded by timeoutMs), then disconnect. */
  close(timeoutMs?: number): Promise<void>;
}

export interface ProducerStats {
  queued: number;
  published: number;
  droppedQueueFull: number;
  droppedSendFailed: number;
  droppedInvalid: number;
  sendErrors: number;
  connected: boolean;
}

interface Pending { kind: RecordKind; record: RecordOf<RecordKind>; key: string }

export interface ProducerOptions {
  transport: RecordTransport;
  topic: string;
  codec: RecordCodec;
  logger: Logger;
  queueMax: number;
  batchMax: number;
  lingerMs: number;
  /** Delay between reconnect attempts while Kafka is unreachable. */
  reconnectMs?: number;
}

export class KafkaRecordProducer implements RecordSink {
  private queue: Pending[] = [];
  private readonly s: ProducerStats = {
    queued: 0, published: 0, droppedQueueFull: 0, droppedSendFailed: 0, droppedInvalid: 0, sendErrors: 0, connected: false,
  };
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  private closed = false;
  private connecting: Promise<void> | undefined;
  private readonly o: ProducerOptions;
  private readonly schemaHex: Record<RecordKind, string>;

  constructor(o: ProducerOptions) {
    this.o = o;
    this.schemaHex = { request: o.codec.current.request.fingerprintHex, response: o.codec.current.response.fingerprintHex };
    this.ensureConnected().catch(() => this.retryLater());
  }

  publish<K extends RecordKind>(kind: K, record: RecordOf<K>): void {
    if (this.closed || this.queue.length >= this.o.queueMax) {
      this.s.droppedQueueFull++;
      return;
    }
    this.queue.push({ kind, record, key: record.log_id });
    if (this.queue.length >= this.o.batchMax) this.schedule(0);
    else this.schedule(this.o.lingerMs);
  }

  stats(): ProducerStats {
    return { ...this.s, queued: this.queue.length };
  }

  private schedule(ms: number): void {
    if (this.sending) return; // the send loop re-checks the queue when it finishes
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), ms);
    this.timer.unref();
  }

  private ensureConnected(): Promise<void> {
    if (this.s.connected) return Promise.resolve();
    this.connecting ??= this.o.transport.connect().then(
      () => {
        this.s.connected = true;
        this.connecting = undefined;
      },
      (err: unknown) => {
        this.connecting = undefined;
        this.o.logger.warn({ err: (err as Error).message }, 'kafka unreachable; records queue in memory');
        throw err;
      },
    );
    return this.connecting;
  }

  /** Send queued records in batches until the queue is empty or Kafka fails. */
  async flush(): Promise<void> {
    this.timer = undefined;
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        try {
          await this.ensureConnected();
        } catch {
          // Keep the queue (bounded) and try again later.
          if (!this.closed) this.retryLater();
          return;
        }
        const batch = this.queue.splice(0, this.o.batchMax);
        const messages = this.encode(batch);
        try {
          await this.o.transport.send(this.o.topic, messages);
          this.s.published += messages.length;
        } catch (err) {
          this.s.sendErrors++;
          this.s.droppedSendFailed += messages.length;
          this.o.logger.warn({ err: (err as Error).message, dropped: messages.length }, 'record batch not delivered');
          this.s.connected = false;
          if (!this.closed) this.retryLater();
          return;
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private retryLater(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.o.reconnectMs ?? 1_000);
    this.timer.unref();
  }

  private encode(batch: Pending[]): OutgoingMessage[] {
    const out: OutgoingMessage[] = [];
    for (const p of batch) {
      try {
        out.push({
          key: p.key,
          value: this.o.codec.encode(p.kind, p.record),
          headers: { [HEADERS.kind]: p.kind, [HEADERS.schema]: this.schemaHex[p.kind] },
        });
      } catch (err) {
        this.s.droppedInvalid++;
        this.o.logger.error({ err: (err as Error).message, kind: p.kind }, 'record does not fit its schema');
      }
    }
    return out;
  }

  async close(timeoutMs = 5_000): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + timeoutMs;
    const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, Math.min(ms, deadline - Date.now()))));
    if (!this.s.connected && this.queue.length > 0) {
      await Promise.race([this.ensureConnected().catch(() => undefined), pause(timeoutMs)]);
    }
    while (this.queue.length > 0 && this.s.connected && Date.now() < deadline) {
      if (this.sending) await pause(10);
      else await this.flush();
    }
    while (this.sending && Date.now() < deadline) await pause(10);
    if (this.queue.length > 0) {
      this.s.droppedSendFailed += this.queue.length;
      this.queue = [];
    }
    await this.o.transport.disconnect().catch(() => undefined);
  }
}

/** Used when no Kafka is configured (the embedded defaults): records are not kept. */
export class DisabledRecordSink implements RecordSink {
  publish(): void {}
  stats(): ProducerStats {
    return { queued: 0, published: 0, droppedQueueFull: 0, droppedSendFailed: 0, droppedInvalid: 0, sendErrors: 0, connected: false };
  }
  async close(): Promise<void> {}
}
