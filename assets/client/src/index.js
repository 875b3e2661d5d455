// The client's entry for code that imports it (Node, tests): Swarmkeeper.start(options).
// Browsers load dist/swarmkeeper.js instead (src/browser.js), which defines window.Swarmkeeper.

import { Client } from './client.js';

export { Client } from './client.js';
export { parseId } from './ids.js';

export const version = '0.1.0';

/**
 * Starts a client. Options: server (ws:// URL of the signaling server; absent: everything from
 * origins), cache ({maxBytes, name}; false: no cache), upload ({slots, bytesPerSecond}),
 * geolocation (true: hello carries the visitor's position if allowed), and, in Node only,
 * wrtc (a WebRTC implementation for simple-peer), pouch (a PouchDB adapter plugin),
 * WebSocket (a WebSocket class).
 */
export function start(options = {}) {
  return new Client(options);
}
