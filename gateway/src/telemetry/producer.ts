// Publishes request/response records without ever blocking or failing a request: publish() only
// appends to a bounded in-memory queue; a background loop encodes and sends batches. When Kafka is
// unreachable, a batch fails, or the queue is full, records go to the durable local spool (in
// order: once anything is spooled, newer records are spooled behind it until it has drained) and
// are replayed when Kafka is back. Only when the spool is full (or there is none) are records
// dropped, each one counted.
import { HEADERS, RecordCodec, type Logger, type RecordKind, type RecordOf } from '@switchyard/schemas';
import type { OutgoingMessage, RecordTransport } from './kafka.ts';
import type { Spool, SpoolEntry } from './spool.ts';

export interface RecordSink {
  publish<K extends RecordKind>(kind: K, record: RecordOf<K>): void;
  stats(): ProducerStats;
  /** Send what is queued (bounded by timeoutMs), then disconnect. */
  close(timeoutMs?: number): Promise<void>;
}

export interface ProducerStats {
  queued: number;
  published: number;
  spooled: number;
  spoolBytes: number;
  droppedSpoolFull: number;
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
  /** Durable overflow; without one, undeliverable records are dropped (and counted). */
  spool?: Spool;
}

export class KafkaRecordProducer implements RecordSink {
  private queue: Pending[] = [];
  private readonly s: ProducerStats = {
    queued: 0, published: 0, spooled: 0, spoolBytes: 0, droppedSpoolFull: 0,
    droppedQueueFull: 0, droppedSendFailed: 0, droppedInvalid: 0, sendErrors: 0, connected: false,
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
    const pending: Pending = { kind, record, key: record.log_id };
    const spool = this.o.spool;
    if (spool && (!spool.empty || this.queue.length >= this.o.queueMax || this.closed)) {
      // Keep order: everything queued goes to the spool ahead of this record.
      this.spoolMessages(this.encode(this.queue.splice(0).concat(pending)));
      this.schedule(this.o.lingerMs);
      return;
    }
    if (this.closed || this.queue.length >= this.o.queueMax) {
      this.s.droppedQueueFull++;
      return;
    }
    this.queue.push(pending);
    if (this.queue.length >= this.o.batchMax) this.schedule(0);
    else this.schedule(this.o.lingerMs);
  }

  stats(): ProducerStats {
    return { ...this.s, queued: this.queue.length, spoolBytes: this.o.spool?.bytes ?? 0 };
  }

  /** Append to the spool; whatever does not fit is dropped and counted. */
  private spoolMessages(messages: OutgoingMessage[]): void {
    if (messages.length === 0) return;
    const spool = this.o.spool;
    if (!spool) {
      this.s.droppedSendFailed += messages.length;
      return;
    }
    const accepted = spool.append(messages.map((m) => ({ kind: m.headers[HEADERS.kind] as RecordKind, key: m.key, value: m.value })));
    this.s.spooled += accepted;
    this.s.droppedSpoolFull += messages.length - accepted;
  }

  private toMessage(e: SpoolEntry): OutgoingMessage {
    return { key: e.key, value: e.value, headers: { [HEADERS.kind]: e.kind, [HEADERS.schema]: e.value.subarray(2, 10).toString('hex') } };
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

  /** Send spooled records (oldest first), then queued ones, in batches, until done or Kafka fails. */
  async flush(): Promise<void> {
    this.timer = undefined;
    if (this.sending) return;
    this.sending = true;
    try {
      const spool = this.o.spool;
      while ((spool && !spool.empty) || this.queue.length > 0) {
        try {
          await this.ensureConnected();
        } catch {
          // Kafka is away: make what is queued durable (without a spool it waits in memory, bounded).
          if (spool) this.spoolMessages(this.encode(this.queue.splice(0)));
          if (!this.closed) this.retryLater();
          return;
        }
        if (spool && !spool.empty) {
          const { entries, next } = spool.read(this.o.batchMax);
          if (!(await this.send(entries.map((e) => this.toMessage(e))))) return;
          spool.ack(next);
          continue;
        }
        const messages = this.encode(this.queue.splice(0, this.o.batchMax));
        if (!(await this.send(messages))) {
          // Keep order: the failed batch goes to the spool before what is still queued.
          this.spoolMessages(messages.concat(this.encode(this.queue.splice(0))));
          return;
        }
      }
    } finally {
      this.sending = false;
    }
  }

  /** One batch to Kafka; false (and a reconnect scheduled) when it was not acknowledged. */
  private async send(messages: OutgoingMessage[]): Promise<boolean> {
    if (messages.length === 0) return true;
    try {
      await this.o.transport.send(this.o.topic, messages);
      this.s.published += messages.length;
      return true;
    } catch (err) {
      this.s.sendErrors++;
      this.o.logger.warn({ err: (err as Error).message, records: messages.length }, 'record batch not delivered');
      this.s.connected = false;
      if (!this.closed) this.retryLater();
      return false;
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
    if (!this.s.connected && (this.queue.length > 0 || (this.o.spool !== undefined && !this.o.spool.empty))) {
      await Promise.race([this.ensureConnected().catch(() => undefined), pause(timeoutMs)]);
    }
    const pendingWork = () => this.queue.length > 0 || (this.o.spool !== undefined && !this.o.spool.empty);
    while (pendingWork() && this.s.connected && Date.now() < deadline) {
      if (this.sending) await pause(10);
      else await this.flush();
    }
    while (this.sending && Date.now() < deadline) await pause(10);
    // What Kafka did not take in time stays durable in the spool for the next start.
    this.spoolMessages(this.encode(this.queue.splice(0)));
    this.o.spool?.close();
    await this.o.transport.disconnect().catch(() => undefined);
  }
}

/** Used when no Kafka is configured (the embedded defaults): records are not kept. */
export class DisabledRecordSink implements RecordSink {
  publish(): void {}
  stats(): ProducerStats {
    return { queued: 0, published: 0, spooled: 0, spoolBytes: 0, droppedSpoolFull: 0, droppedQueueFull: 0, droppedSendFailed: 0, droppedInvalid: 0, sendErrors: 0, connected: false };
  }
  async close(): Promise<void> {}
}
