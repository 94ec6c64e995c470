import type { MessagePort } from 'node:worker_threads';
import type { Endpoint } from 'comlink';

/**
 * comlink speaks the DOM's `addEventListener` dialect; Node's `MessagePort` speaks `on`/`off`.
 * This adapts one to the other (the shape of comlink's own node adapter).
 */
export function nodeEndpoint(port: MessagePort): Endpoint {
  const listeners = new WeakMap<object, (data: unknown) => void>();
  return {
    postMessage: (msg: unknown, transfer?: readonly unknown[]) => port.postMessage(msg, transfer as never),
    addEventListener: (_type: string, handler: unknown) => {
      const l = (data: unknown) => {
        if (typeof handler === 'function') handler({ data });
        else (handler as { handleEvent(e: unknown): void }).handleEvent({ data });
      };
      port.on('message', l);
      listeners.set(handler as object, l);
    },
    removeEventListener: (_type: string, handler: unknown) => {
      const l = listeners.get(handler as object);
      if (!l) return;
      port.off('message', l);
      listeners.delete(handler as object);
    },
    start: () => port.start(),
  } as Endpoint;
}
