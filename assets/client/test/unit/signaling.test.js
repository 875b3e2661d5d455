// The signaling connection against a real WebSocket server on loopback (ws): hello, pacing under
// the welcome's limits, stale signals dropped unsent, reconnection that obeys retryAfterMs and
// presents the resume token of the last welcome.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer } from 'ws';
import { Signaling } from '../../src/signaling.js';
import { Backoff } from '../../src/backoff.js';
import * as messages from '../../src/messages.js';

function server(onConnection) {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 }, () => resolve(wss));
    wss.on('connection', onConnection);
  });
}

const welcome = (id, resume, limits) => JSON.stringify({ type: 'welcome', id, resume, resumed: false, iceServers: [], limits });
const until = async (what, check, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('messages are paced under the server limits: a burst of half its burst, the rest queued in order', async () => {
  const received = [];
  const wss = await server((socket) => {
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString());
      received.push(m);
      if (m.type === 'hello') socket.send(welcome('k3v9q2mx7a', 'T1', { maxFrameBytes: 65536, maxHashesPerMessage: 1000, maxMessagesPerSecond: 10, heartbeatSeconds: 30, messageBurst: 8 }));
    });
  });
  const s = new Signaling({ url: `ws://127.0.0.1:${wss.address().port}`, WebSocket }).start();
  await s.waitForWelcome(5000);
  assert.equal(s.id, 'k3v9q2mx7a');
  assert.deepEqual(received[0], { type: 'hello', version: 1, role: 'browser' });
  const t0 = Date.now();
  s.pace.now = () => t0; // the clock stands still while the ten are sent: no token comes meanwhile
  s.pace.at = t0;
  for (let i = 0; i < 10; i++) s.send(messages.have([String(i)]));
  assert.equal(s.outbox.length, 6, 'four went at once (half the burst of 8), six wait for the pace');
  s.pace.now = () => Date.now();
  await until('all ten', () => received.length === 11);
  assert.deepEqual(received.slice(1).map((m) => m.hashes[0]), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  s.close();
  wss.close();
});

test('a signal no longer wanted when its turn comes is dropped unsent', async () => {
  const received = [];
  const wss = await server((socket) => {
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString());
      received.push(m);
      if (m.type === 'hello') socket.send(welcome('a', 'T', { maxMessagesPerSecond: 10, messageBurst: 2 }));
    });
  });
  const s = new Signaling({ url: `ws://127.0.0.1:${wss.address().port}`, WebSocket }).start();
  await s.waitForWelcome(5000);
  let linkOpen = true;
  s.send(messages.signal('p', { type: 'offer', sdp: 'v=0' })); // goes at once
  s.send(messages.signal('p', { type: 'candidate', candidate: { candidate: 'candidate:1' } }), () => linkOpen);
  s.send(messages.cancel('x'));
  linkOpen = false; // the link closed while its candidate waited
  await until('the cancel', () => received.some((m) => m.type === 'cancel'));
  assert.deepEqual(received.map((m) => m.type), ['hello', 'signal', 'cancel']);
  assert.equal(s.stats.droppedStale, 1);
  s.close();
  wss.close();
});

test('a refused client waits as long as retryAfterMs says, then comes back with the resume token of its last welcome', async () => {
  const hellos = [];
  let connections = 0;
  const wss = await server((socket) => {
    const n = ++connections;
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.type !== 'hello') return;
      hellos.push(m);
      if (n === 1) {
        socket.send(JSON.stringify({ type: 'error', code: 'overloaded', message: 'server is full', retryAfterMs: 300 }));
        socket.close(1013, 'overloaded');
      } else if (n === 2) {
        socket.send(welcome('first1', 'TOKEN-1', { maxMessagesPerSecond: 50, messageBurst: 200 }));
        setTimeout(() => socket.terminate(), 50); // the server goes away
      } else {
        socket.send(JSON.stringify({ type: 'welcome', id: 'first1', resume: 'TOKEN-2', resumed: true, iceServers: [], limits: {} }));
      }
    });
  });
  const disconnects = [];
  const s = new Signaling({ url: `ws://127.0.0.1:${wss.address().port}`, WebSocket, backoff: new Backoff(50, 1000, () => 0) });
  s.on('disconnected', (d) => disconnects.push(d));
  const welcomes = [];
  s.on('welcome', (w) => welcomes.push(w));
  s.start();
  await until('two welcomes', () => welcomes.length === 2);
  assert.equal(disconnects[0].retryInMs, 300, 'the hint is obeyed (the jittered back-off drew 0)');
  assert.equal(disconnects[1].retryInMs, 0, 'after a welcome the back-off starts over, and the hint is spent');
  assert.equal(hellos[0].resume, undefined);
  assert.equal(hellos[1].resume, undefined, 'refused before any welcome: nothing to resume');
  assert.equal(hellos[2].resume, 'TOKEN-1', 'the token of the last welcome');
  assert.equal(s.id, 'first1');
  assert.equal(s.welcome.resume, 'TOKEN-2', 'each token works once: the next reconnect presents the new one');
  s.close();
  wss.close();
});

test('an unreachable server is retried with back-off and never throws at the page', async () => {
  const wss = await server(() => {});
  const port = wss.address().port;
  await new Promise((r) => wss.close(r));
  const disconnects = [];
  const s = new Signaling({ url: `ws://127.0.0.1:${port}`, WebSocket, backoff: new Backoff(20, 40) });
  s.on('disconnected', (d) => disconnects.push(d));
  s.start();
  await until('three attempts', () => disconnects.length >= 3);
  assert.ok(disconnects.every((d) => d.retryInMs >= 0 && d.retryInMs <= 40));
  assert.equal(s.connected, false);
  assert.equal(s.send(messages.cancel('x')), false, 'nothing is queued while disconnected');
  s.close();
});
