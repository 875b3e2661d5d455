// The data path's anchor (docs/benchmarks.md, "Data path against node-datachannel"): one file
// sent from one Node.js process to another over a node-datachannel (libdatachannel) data
// channel, 64 KiB messages, nothing verified — what a good native WebRTC stack does on this
// machine in the same sitting as Swarmkeeper's `seed` -> `fetch`.
//
//   node transfer.mjs FILE        (inside the test namespace: .ci/bench-data-path runs it)
//
// The parent forks a sender and a receiver and passes their offer, answer and candidates over
// the fork's IPC pipe (no server, no STUN: host candidates only). Prints one JSON line: bytes,
// seconds from the receiver's start to its channel opening, from the first byte to the last
// (transfer), from the parent's start to the last byte (whole), and each child's CPU seconds.
import { fork } from 'node:child_process';
import { openSync, readSync, fstatSync, closeSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import nodeDataChannel from 'node-datachannel';

const { version } = JSON.parse(readFileSync(new URL('node_modules/node-datachannel/package.json', import.meta.url)));

const MESSAGE = 64 * 1024;
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
const role = process.argv[2];

function peer(name, onSignal) {
  const pc = new nodeDataChannel.PeerConnection(name, { iceServers: [] });
  pc.onLocalDescription((sdp, type) => onSignal({ sdp, type }));
  if (process.env.ANCHOR_DEBUG) pc.onStateChange((st) => console.error(name, 'state', st));
  pc.onLocalCandidate((candidate, mid) => onSignal({ candidate, mid }));
  process.on('message', (m) => {
    if (process.env.ANCHOR_DEBUG) console.error(name, 'got', Object.keys(m).join(','));
    if (m.sdp) pc.setRemoteDescription(m.sdp, m.type);
    else if (m.candidate) pc.addRemoteCandidate(m.candidate, m.mid);
  });
  process.send({ ready: true }); // what the parent sent before this listener existed would be lost
  return pc;
}

function finish(pc, report) {
  process.send(report, () => {
    pc.close();
    nodeDataChannel.cleanup();
    process.exit(0);
  });
}

if (role === 'send') {
  const file = process.argv[3];
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size;
  const pc = peer('sender', (s) => process.send(s));
  const dc = pc.createDataChannel('anchor');
  let offset = 0;
  const pump = () => {
    while (offset < size && dc.bufferedAmount() < HIGH_WATER) {
      const chunk = Buffer.allocUnsafe(Math.min(MESSAGE, size - offset));
      readSync(fd, chunk, 0, chunk.length, offset);
      dc.sendMessageBinary(chunk); // false means queued, not refused (libdatachannel's send)
      offset += chunk.length;
    }
  };
  if (process.env.ANCHOR_DEBUG) {
    setInterval(() => console.error('sender at', offset, 'buffered', dc.bufferedAmount(), 'open', dc.isOpen()), 500).unref();
  }
  dc.setBufferedAmountLowThreshold(LOW_WATER);
  dc.onBufferedAmountLow(pump);
  dc.onOpen(pump);
  process.on('message', (m) => {
    if (m.done) {
      closeSync(fd);
      const cpu = process.cpuUsage();
      finish(pc, { cpu: (cpu.user + cpu.system) / 1e6 });
    }
  });
} else if (role === 'receive') {
  const size = Number(process.argv[3]);
  const t0 = process.hrtime.bigint();
  const pc = peer('receiver', (s) => process.send(s));
  let received = 0;
  let first = 0n;
  let opened = 0n;
  // Held for the whole transfer: node-datachannel closes a channel whose JS object is
  // garbage-collected (a 64 MiB transfer stalled at about 35 MB without this).
  const held = [];
  pc.onDataChannel((dc) => {
    held.push(dc);
    if (process.env.ANCHOR_DEBUG) console.error('receiver: channel');
    opened = process.hrtime.bigint();
    dc.onMessage((msg) => {
      if (received === 0) first = process.hrtime.bigint();
      received += msg.length;
      if (received >= size) {
        const last = process.hrtime.bigint();
        const cpu = process.cpuUsage();
        finish(pc, {
          received, openS: Number(opened - t0) / 1e9, transferS: Number(last - first) / 1e9,
          lastAt: Date.now(), cpu: (cpu.user + cpu.system) / 1e6,
        });
      }
    });
  });
} else {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node transfer.mjs FILE');
    process.exit(2);
  }
  const started = Date.now();
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size;
  closeSync(fd);
  const me = new URL(import.meta.url).pathname;
  const sender = fork(me, ['send', file]);
  const receiver = fork(me, ['receive', String(size)]);
  // Signals for a child wait until it says it listens.
  for (const child of [sender, receiver]) {
    child.waiting = [];
    child.relay = (m) => (child.ready ? child.send(m) : child.waiting.push(m));
  }
  const ready = (child) => {
    child.ready = true;
    child.waiting.forEach((m) => child.send(m));
  };
  sender.on('message', (m) => {
    if (m.ready) ready(sender);
    else if (m.cpu !== undefined) sender.cpu = m.cpu;
    else receiver.relay(m);
  });
  receiver.on('message', (m) => {
    if (m.ready) ready(receiver);
    else if (m.received !== undefined) {
      receiver.report = m;
      sender.send({ done: true });
    } else sender.relay(m);
  });
  let exited = 0;
  const done = () => {
    if (++exited < 2) return;
    const r = receiver.report;
    if (!r) {
      console.error('anchor: the transfer did not complete');
      process.exit(1);
    }
    console.log(JSON.stringify({
      anchor: 'node-datachannel', version, bytes: r.received,
      openS: +r.openS.toFixed(3), transferS: +r.transferS.toFixed(3), wholeS: +((r.lastAt - started) / 1e3).toFixed(3),
      transferMBps: +(r.received / r.transferS / 1e6).toFixed(1), senderCpuS: sender.cpu, receiverCpuS: r.cpu,
    }));
  };
  sender.on('exit', done);
  receiver.on('exit', done);
  setTimeout(() => { console.error('anchor: timed out'); process.exit(1); }, Number(process.env.ANCHOR_TIMEOUT_MS ?? 300_000)).unref();
}
