import type { ServerResponse } from 'node:http';
import type { Run } from './store.js';

/** At most this many events per message (a long history goes out over several ticks). */
const MAX_BATCH = 4000;
/** A client whose socket has not drained for this long is dropped (it reconnects with Last-Event-ID). */
export const STALL_MS = 10_000;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

/**
 * One browser's Server-Sent Events stream of one run. Nothing is queued per client: the client only
 * remembers the last id it was sent, and each tick sends the run's kept events after it as one
 * `batch` message whose SSE id is the last event's id. A reconnect with `Last-Event-ID: n` thus
 * resumes right after n — no gap, no duplicate. While the socket is not drained (`write` returned
 * false) the client is skipped; when it drains it gets what it missed (skipping ahead over steps
 * downsampled meanwhile); stalled for `STALL_MS`, it is dropped.
 */
export class SseClient {
  private blockedSince = 0;
  private lastWrite = Date.now();
  private lastMessage = 0;
  closed = false;

  constructor(
    private readonly res: ServerResponse,
    readonly run: Run,
    private sent: number,
    private readonly onClose: (c: SseClient) => void,
    private readonly stallMs = STALL_MS,
  ) {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Content-Type-Options': 'nosniff',
      Connection: 'keep-alive',
    });
    res.on('close', () => this.close());
    res.on('drain', () => {
      this.blockedSince = 0;
    });
    this.write('retry: 1000\n\n');
  }

  /** Sends what the client has not seen yet, unless it is blocked or was sent a message < 100 ms ago. */
  tick(now: number): void {
    if (this.closed) return;
    if (this.blockedSince) {
      if (now - this.blockedSince > this.stallMs) this.close();
      return;
    }
    if (now - this.lastMessage < 95) return;
    const events = this.sent < this.run.lastId ? this.run.since(this.sent, MAX_BATCH) : [];
    if (events.length) {
      const last = events[events.length - 1]!.id;
      this.sent = last;
      this.lastMessage = now;
      this.write(`id: ${last}\nevent: batch\ndata: ${JSON.stringify(events)}\n\n`);
    } else if (now - this.lastWrite > HEARTBEAT_MS) this.write(': keep-alive\n\n');
  }

  private write(chunk: string): void {
    this.lastWrite = Date.now();
    if (!this.res.write(chunk)) this.blockedSince = this.lastWrite;
  }

  /** The run, the last id sent, whether the socket is not drained, and the bytes it holds unsent. */
  stats(): ClientStats {
    return { run: this.run.id, sent: this.sent, blocked: this.blockedSince > 0, buffered: this.res.writableLength };
  }

  /** Ends the stream (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (!this.res.writableEnded) this.res.end();
    this.res.socket?.destroy();
    this.onClose(this);
  }
}

/** What `viz.clients()` reports of each connected stream. */
export interface ClientStats {
  run: string;
  sent: number;
  blocked: boolean;
  buffered: number;
}

/** The server's SSE clients and the ticker (every 100 ms while any is connected) that feeds them. */
export class SseHub {
  private readonly clients = new Set<SseClient>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly stallMs = STALL_MS) {}

  /** Starts streaming `run` to `res` after event id `after`; the first message goes out at once. */
  add(res: ServerResponse, run: Run, after: number): SseClient {
    const client = new SseClient(res, run, after, (c) => this.remove(c), this.stallMs);
    this.clients.add(client);
    this.timer ??= setInterval(() => this.tickAll(), 100);
    client.tick(Date.now());
    return client;
  }

  /** Every connected stream's state. */
  stats(): ClientStats[] {
    return [...this.clients].map((c) => c.stats());
  }

  private tickAll(): void {
    const now = Date.now();
    for (const c of this.clients) c.tick(now);
  }

  private remove(c: SseClient): void {
    this.clients.delete(c);
    if (this.clients.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  /** Ends every stream and stops the ticker. */
  close(): void {
    for (const c of [...this.clients]) c.close();
  }
}
