import { request } from 'node:http';
import type { Recorded } from '../src/index.js';

export interface SseMessage {
  id: number;
  events: Recorded[];
  at: number;
}

/** A minimal SSE reader (node has no EventSource): collects `batch` messages until `close()`. */
export function openStream(url: string, headers: Record<string, string> = {}) {
  const messages: SseMessage[] = [];
  let status = 0;
  let buffer = '';
  const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } });
  const ready = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      resolve(status);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id && data) messages.push({ id: Number(id), events: JSON.parse(data), at: Date.now() });
          end = buffer.indexOf('\n\n');
        }
      });
    });
    req.on('error', reject);
  });
  req.end();
  return {
    messages,
    ready,
    events: () => messages.flatMap((m) => m.events),
    lastId: () => messages.at(-1)?.id ?? 0,
    close: () => req.destroy(),
  };
}

/** Waits until `cond()` holds (polling every 20 ms) or fails after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
