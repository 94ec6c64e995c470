// Trains a tiny run into a viz server with a browser-like stream open, closes the server, and must
// then exit by itself (no handle left open). Run by close.test.ts.
import { request } from 'node:http';
import { serveViz } from '../src/index.js';
import { tinyFit } from './tiny-fit.js';

const viz = await serveViz({ log: null });
const req = request(`${viz.url}api/runs/child/events`);
const connected = new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    if (viz.store.get('child')) {
      clearInterval(timer);
      req.on('response', (res) => {
        res.resume();
        resolve();
      });
      req.on('error', () => {});
      req.end();
    }
  }, 5);
});
await tinyFit([viz.callback({ name: 'child' })]);
await connected;
await viz.close();
console.log('closed');
