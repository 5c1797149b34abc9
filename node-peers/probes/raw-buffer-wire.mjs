// Captures node-ipc's raw-buffer mode (rawBuffer: true, encoding) on the wire, for node-ipc 14.0.0 and
// @achrinza/node-ipc 10.1.11, for docs/raw-buffer-wire.md. Run: node probes/raw-buffer-wire.mjs. One JSON line per
// finding. A raw `net` peer sits on the other end of every node-ipc client and server, so what is printed is exactly
// what went over the Unix socket (outbound) or exactly what node-ipc handed its `data` listener (inbound).
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IPCModule as V14 } from 'node-ipc';
import { IPCModule as V10 } from '@achrinza/node-ipc';

const VERSIONS = { 14: V14, 10: V10 };
const ENCODINGS = ['utf8', 'ascii', 'utf16le', 'ucs2', 'base64', 'hex', 'latin1', 'binary'];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rawbuf-'));
let n = 0;
const sock = () => path.join(dir, `r${n++}.sock`);
const say = (fact, extra) => console.log(JSON.stringify({ fact, ...extra }));
const hex = (b) => Buffer.from(b).toString('hex');
const tick = (ms) => new Promise((r) => setTimeout(r, ms));
const once = (emitter, event) => new Promise((resolve) => emitter.once(event, (...a) => resolve(a)));

// What each emit is given. The string is the same for every encoding; the encoded strings are the ones a user of
// that encoding would write for the bytes ff 00 80 41 0c.
const BYTES = Buffer.from([0xff, 0x00, 0x80, 0x41, 0x0c]);
const STRING = 'Aé✓\f';
const ENCODED = { base64: BYTES.toString('base64'), hex: BYTES.toString('hex') };
// Inbound: every byte value a codec could mangle: invalid UTF-8, a high byte for ascii, an odd length for utf16le,
// a length not divisible by 3 for base64.
const INBOUND = Buffer.from([0xff, 0xfe, 0x41, 0x0c, 0x00, 0x80, 0xe9]);

function ipcFor(version, encoding, extra = {}) {
  const ipc = new VERSIONS[version]();
  Object.assign(ipc.config, { silent: true, rawBuffer: true, encoding, retry: 50, maxRetries: 20 }, extra);
  return ipc;
}

/** Bytes a raw `net` server reads from a node-ipc client after each emit. */
async function clientOutbound(version, encoding) {
  const file = sock();
  const chunks = [];
  const server = net.createServer((s) => s.on('data', (c) => chunks.push(c)));
  server.listen(file);
  await once(server, 'listening');
  const ipc = ipcFor(version, encoding);
  const connected = new Promise((resolve) => ipc.connectTo('raw', file, () => ipc.of.raw.on('connect', resolve)));
  await connected;
  const result = {};
  const cases = { buffer: BYTES, string: STRING, ...(ENCODED[encoding] ? { encodedString: ENCODED[encoding] } : {}),
    number: 5 };
  for (const [label, value] of Object.entries(cases)) {
    const before = Buffer.concat(chunks).length;
    try {
      ipc.of.raw.emit(value);
    } catch (e) {
      result[label] = `throws ${e.constructor.name}: ${e.message.split('\n')[0]}`;
      continue;
    }
    await tick(30);
    result[label] = hex(Buffer.concat(chunks).subarray(before));
  }
  ipc.disconnect('raw');
  server.close();
  return result;
}

/** What a node-ipc server's `data` listener gets for bytes a raw client writes, and what its emit/broadcast write. */
async function server(version, encoding) {
  const file = sock();
  const ipc = ipcFor(version, encoding);
  const got = [];
  await new Promise((resolve) => {
    ipc.serve(file, resolve);
    ipc.server.on('data', (data, socket) => got.push({ data, socket }));
    ipc.server.start();
  });
  const raw = net.createConnection(file);
  const rawGot = [];
  raw.on('data', (c) => rawGot.push(c));
  await once(raw, 'connect');
  raw.write(INBOUND);
  await tick(50);
  const inbound = got.map((g) => (Buffer.isBuffer(g.data) ? hex(g.data) : `${typeof g.data}: ${g.data}`));
  // a byte more: what a decoder held back (v10's utf16le and base64 keep an incomplete unit) comes out now
  raw.write(Buffer.from([0x42]));
  await tick(50);
  const next = got.slice(inbound.length).map((g) => hex(g.data));
  const socket = got[0]?.socket;
  const result = { inbound: inbound.join(' | '), thenByte42: next.join(' | ') };
  const sends = { emitBuffer: () => ipc.server.emit(socket, BYTES), emitString: () => ipc.server.emit(socket, STRING),
    broadcastBuffer: () => ipc.server.broadcast(BYTES) };
  for (const [label, send] of Object.entries(sends)) {
    const before = Buffer.concat(rawGot).length;
    try {
      send();
    } catch (e) {
      result[label] = `throws ${e.constructor.name}: ${e.message.split('\n')[0]}`;
      continue;
    }
    await tick(30);
    result[label] = hex(Buffer.concat(rawGot).subarray(before));
  }
  raw.destroy();
  ipc.server.stop();
  return result;
}

/** What a node-ipc client's `data` listener gets for bytes a raw server writes. */
async function clientInbound(version, encoding) {
  const file = sock();
  let peer;
  const server = net.createServer((s) => { peer = s; });
  server.listen(file);
  await once(server, 'listening');
  const ipc = ipcFor(version, encoding);
  const got = [];
  await new Promise((resolve) => ipc.connectTo('raw', file, () => {
    ipc.of.raw.on('connect', resolve);
    ipc.of.raw.on('data', (d) => got.push(d));
  }));
  while (!peer) await tick(5);
  peer.write(INBOUND);
  await tick(50);
  const result = got.map((d) => (Buffer.isBuffer(d) ? hex(d) : `${typeof d}: ${d}`)).join(' | ');
  ipc.disconnect('raw');
  server.close();
  return result;
}

/** Message boundaries: two writes from the peer, one `data` event per read, not per write. */
async function boundaries(version) {
  const file = sock();
  const ipc = ipcFor(version, 'utf8');
  const got = [];
  await new Promise((resolve) => {
    ipc.serve(file, resolve);
    ipc.server.on('data', (data) => got.push(hex(data)));
    ipc.server.start();
  });
  const raw = net.createConnection(file);
  await once(raw, 'connect');
  raw.write('ab');
  raw.write('cd');
  await tick(50);
  raw.write('ef');
  await tick(50);
  const big = Buffer.alloc(1024 * 1024, 0x61);
  const before = got.length;
  raw.write(big);
  await tick(200);
  raw.destroy();
  ipc.server.stop();
  return { smallWrites: got.slice(0, before), oneMiBWrite: `${got.length - before} data events` };
}

/** node-ipc 14's parser: 'raw' without rawBuffer. */
async function parserRaw() {
  const file = sock();
  const chunks = [];
  const server = net.createServer((s) => s.on('data', (c) => chunks.push(c)));
  server.listen(file);
  await once(server, 'listening');
  const ipc = new V14();
  Object.assign(ipc.config, { silent: true, parser: 'raw', encoding: 'hex' });
  await new Promise((resolve) => ipc.connectTo('raw', file, () => ipc.of.raw.on('connect', resolve)));
  ipc.of.raw.emit('ff00');
  ipc.of.raw.emit(BYTES);
  await tick(30);
  ipc.disconnect('raw');
  server.close();
  return hex(Buffer.concat(chunks));
}

for (const version of [14, 10]) {
  for (const encoding of ENCODINGS) {
    say(`v${version} client emit, encoding ${encoding}`, await clientOutbound(version, encoding));
    say(`v${version} server, encoding ${encoding}`, await server(version, encoding));
    say(`v${version} client data listener, encoding ${encoding}`, { inbound: await clientInbound(version, encoding) });
  }
  say(`v${version} read boundaries`, await boundaries(version));
}
say('v14 parser raw, encoding hex: emit("ff00"), emit(buffer)', { wire: await parserRaw() });
say('sent inbound bytes', { hex: hex(INBOUND) });
fs.rmSync(dir, { recursive: true, force: true });
process.exit(0);
