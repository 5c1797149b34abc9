// Captures @crussell52/socket-ipc 0.4.0's bytes on the wire and its reactions to bad input, for
// docs/socket-ipc-wire.md. Run: node probes/socket-ipc-wire.mjs [section]. Each finding is one JSON line.
// A raw `net` server sits under a socket-ipc Client and a raw `net` client under a socket-ipc Server, so the bytes
// printed are exactly what went over the Unix socket. Sections that may crash the Node process run in a child.
import net from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sipc from '@crussell52/socket-ipc';

const { Client, Server } = sipc;
const SELF = fileURLToPath(import.meta.url);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipc-'));
let n = 0;
const sock = () => path.join(dir, `s${n++}.sock`);
const say = (fact, extra) => console.log(JSON.stringify({ fact, ...extra }));
const hex = (b) => Buffer.from(b).toString('hex');
const text = (b) => JSON.stringify(Buffer.from(b).toString('utf8'));
const until = (emitter, event) => new Promise((resolve) => emitter.once(event, (...a) => resolve(a)));
const tick = (ms) => new Promise((r) => setTimeout(r, ms));

/** A raw server that records every byte; resolves with {server, bytes(), sockets}. */
async function rawServer(file) {
  const chunks = [];
  const sockets = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('data', (c) => chunks.push(c));
    s.on('error', () => {});
  });
  server.listen(file);
  await until(server, 'listening');
  return { server, sockets, bytes: () => Buffer.concat(chunks) };
}

/** Waits until `get()` returns a truthy value; bounded by `ms` (a probe, not a test: it reports a timeout). */
async function waitFor(get, ms = 3000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = get();
    if (v) return v;
    await tick(5);
  }
  return undefined;
}

const sections = {
  // What a socket-ipc client writes: nothing on connect, then one frame per send().
  async clientSend() {
    const file = sock();
    const raw = await rawServer(file);
    const client = new Client({ socketFile: file });
    client.on('error', (e) => say('client error', { error: e.message }));
    client.connect();
    await until(client, 'connect');
    await tick(200);
    say('client bytes on connect (200 ms after connect)', { hex: hex(raw.bytes()), length: raw.bytes().length });
    const cases = [
      ['string', 'hello', 'world'],
      ['object', 'obj', { a: 1, s: 'é✓\f\n"', nul: 'a\u0000b' }],
      ['undefined', 'undef', undefined],
      ['omitted', 'omit'],
      ['null', 'nul', null],
      ['empty string data', 'es', ''],
      ['number', 'num', 0],
      ['boolean', 'bool', false],
      ['array', 'arr', [1, 'x', null]],
      ['empty topic', '', 'x'],
      ['undefined topic', undefined, 'x'],
      ['null topic', null, 'x'],
      ['numeric topic', 5, 'x'],
      ['topic with dot and unicode', 'a.b é', 1],
      ['NaN and Infinity data', 'nan', [NaN, Infinity]],
      ['Date data', 'date', new Date(0)],
    ];
    for (const [label, topic, ...message] of cases) {
      const before = raw.bytes().length;
      client.send(topic, ...message);
      const got = await waitFor(() => raw.bytes().length > before && raw.bytes().subarray(before));
      say(`client.send: ${label}`, { text: got && text(got), hex: got && hex(got) });
    }
    const before = raw.bytes().length;
    client.send('cyc', (() => { const o = {}; o.o = o; return o; })());
    await tick(100);
    say('client.send: circular object', { wrote: raw.bytes().length - before });
    client.close();
    raw.server.close();
  },

  // What a socket-ipc server writes: send() to one client, broadcast() to all (subscribed or not).
  async serverSend() {
    const file = sock();
    const server = new Server({ socketFile: file });
    const ids = [];
    server.on('connection', (id) => ids.push(id));
    server.on('error', (e) => say('server error', { error: e.message, name: e.constructor.name }));
    server.listen();
    await until(server, 'listening');
    const a = [];
    const b = [];
    const ca = net.createConnection(file);
    ca.on('data', (c) => a.push(c));
    await until(ca, 'connect');
    const cb = net.createConnection(file);
    cb.on('data', (c) => b.push(c));
    await until(cb, 'connect');
    await waitFor(() => ids.length === 2);
    say('server: client ids (never on the wire)', { ids });
    await tick(100);
    say('server bytes on connect', { a: hex(Buffer.concat(a)), b: hex(Buffer.concat(b)) });
    server.send('only-a', { x: 1 }, ids[0]);
    await waitFor(() => a.length);
    await tick(50);
    say('server.send(topic, data, idA)', { a: text(Buffer.concat(a)), aHex: hex(Buffer.concat(a)), b: text(Buffer.concat(b)) });
    a.length = 0;
    server.broadcast('all', 'news');
    await waitFor(() => a.length && b.length);
    say('server.broadcast(topic, data)', { a: text(Buffer.concat(a)), b: text(Buffer.concat(b)) });
    a.length = 0;
    server.send('', 'x', ids[0]);
    server.send('u', undefined, ids[0]);
    await waitFor(() => Buffer.concat(a).includes('"u"'));
    say('server.send empty topic, undefined data', { a: text(Buffer.concat(a)) });
    server.send('t', 'x', 'no-such-id');
    await tick(50);
    ca.destroy();
    cb.destroy();
    server.close();
  },

  // A socket-ipc client and server: what their listeners receive (decoding), including a frame cut anywhere.
  async roundTrip() {
    const file = sock();
    const server = new Server({ socketFile: file });
    const got = [];
    server.on('message', (message, topic, clientId) => got.push({ topic, message, hasId: typeof clientId }));
    server.on('message.t', (message) => got.push({ viaTopicEvent: message }));
    server.on('error', (e) => say('server error', { error: e.message }));
    server.listen();
    await until(server, 'listening');
    const raw = net.createConnection(file);
    await until(raw, 'connect');
    // one frame written one byte at a time, two frames in one write, a frame without its second NUL
    const frame = Buffer.from('{"topic":"t","message":"é"}\0\0');
    for (const byte of frame) {
      raw.write(Buffer.from([byte]));
      await tick(2);
    }
    raw.write('{"topic":"t","message":1}\0\0{"topic":"t","message":2}\0\0');
    raw.write('{"topic":"t","message":3}\0');
    await waitFor(() => got.length >= 6);
    await tick(100);
    say('server listeners got (byte-by-byte frame, two frames in one write, one with a single NUL)', { got });
    raw.write('\0');
    await tick(100);
    say('after the missing NUL', { got: got.slice(6) });
    // members beyond topic/message, order reversed, whitespace, topic missing
    got.length = 0;
    raw.write('{"message":"m","topic":"t","rid":1}\0\0 {"topic" : "t" , "message" : 2 }\0\0{"message":3}\0\0');
    await waitFor(() => got.length >= 5);
    await tick(50);
    say('extra members, reversed order, whitespace, no topic', { got });
    raw.destroy();
    server.close();
  },

  // Bad input sent by a raw client to a socket-ipc server, one case per child process (some crash it).
  async badToServer() {
    const cases = {
      malformed: '{"topic":"t","message":\0\0',
      emptyFrame: '\0\0',
      fourNuls: '{"topic":"t","message":"a"}\0\0\0\0{"topic":"t","message":"b"}\0\0',
      threeNuls: '{"topic":"t","message":"a"}\0\0\0{"topic":"t","message":"b"}\0\0',
      nulInsideString: '{"topic":"t","message":"a\0b"}\0\0',
      nullFrame: 'null\0\0',
      numberFrame: '5\0\0',
      noTopic: '{"message":1}\0\0',
      numericTopic: '{"topic":5,"message":1}\0\0',
      arrayFrame: '[1,2]\0\0',
      invalidUtf8: Buffer.concat([Buffer.from('{"topic":"t","message":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\0\0')]),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      const result = await child('badToServerCase', name, Buffer.from(bytes).toString('base64'));
      say(`raw client sends ${name} to a socket-ipc server`, { sent: text(Buffer.from(bytes)), ...result });
    }
  },

  async badToServerCase(name, b64) {
    const file = sock();
    const server = new Server({ socketFile: file });
    const log = [];
    server.on('message', (message, topic) => log.push({ message: { topic, message } }));
    server.on('error', (e) => log.push({ error: `${e.constructor.name}: ${e.message}` }));
    server.listen();
    await until(server, 'listening');
    const raw = net.createConnection(file);
    raw.on('error', () => {});
    await until(raw, 'connect');
    let closed = false;
    raw.on('close', () => { closed = true; });
    raw.write(Buffer.from(b64, 'base64'));
    await tick(150);
    const other = net.createConnection(file);
    other.on('error', (e) => log.push({ secondClientError: e.code }));
    const ok = await Promise.race([until(other, 'connect').then(() => true), tick(500).then(() => false)]);
    if (!closed) raw.write('{"topic":"after","message":1}\0\0');
    await tick(150);
    console.log(JSON.stringify({ log, badSocketClosed: closed, serverStillAccepts: ok }));
    process.exit(0);
  },

  // A raw server sends bad input to a socket-ipc client.
  async badToClient() {
    for (const [name, bytes] of Object.entries({ malformed: 'x\0\0', nullFrame: 'null\0\0', noTopic: '{"message":1}\0\0' })) {
      const result = await child('badToClientCase', name, Buffer.from(bytes).toString('base64'));
      say(`raw server sends ${name} to a socket-ipc client`, { sent: text(Buffer.from(bytes)), ...result });
    }
  },

  async badToClientCase(name, b64) {
    const file = sock();
    const raw = await rawServer(file);
    const client = new Client({ socketFile: file, retryDelay: 100, reconnectDelay: 100 });
    const log = [];
    client.on('message', (message, topic) => log.push({ message: { topic, message } }));
    client.on('error', (e) => log.push({ error: `${e.constructor.name}: ${e.message}` }));
    client.on('disconnect', () => log.push('disconnect'));
    client.on('connect', () => log.push('connect'));
    client.connect();
    await until(client, 'connect');
    raw.sockets[0].write(Buffer.from(b64, 'base64'));
    await tick(400);
    console.log(JSON.stringify({ log, connections: raw.sockets.length }));
    process.exit(0);
  },

  // A large message: is there a limit, how long does it take, what does a never-ending frame cost.
  async huge() {
    const file = sock();
    const server = new Server({ socketFile: file });
    let got;
    server.on('message', (m) => { got = m; });
    server.on('error', (e) => say('server error', { error: e.message }));
    server.listen();
    await until(server, 'listening');
    const client = new Client({ socketFile: file });
    client.connect();
    await until(client, 'connect');
    for (const mib of [1, 16, 64]) {
      got = undefined;
      const t0 = process.hrtime.bigint();
      client.send('big', 'x'.repeat(mib * 1024 * 1024));
      await waitFor(() => got, 120000);
      say(`a ${mib} MiB string message`, { delivered: got?.length === mib * 1024 * 1024,
        ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    }
    // an unterminated frame: the decoder's buffer only grows
    const raw = net.createConnection(file);
    await until(raw, 'connect');
    const chunk = Buffer.alloc(1024 * 1024, 'y');
    for (let i = 0; i < 32; i++) raw.write(chunk);
    await new Promise((r) => raw.write('', r));
    await tick(1000);
    say('32 MiB without a delimiter from one client (the decoder keeps it all)', { connectionOpen: !raw.destroyed });
    raw.destroy();
    client.close();
    server.close();
  },

  // Stale socket files, regular files, live servers at the path.
  async reclaim() {
    // a socket file left behind by a SIGKILLed server
    const stale = sock();
    const killed = spawn(process.execPath, [SELF, 'listenForever', stale], { stdio: ['ignore', 'pipe', 'inherit'] });
    await until(killed.stdout, 'data');
    killed.kill('SIGKILL');
    await until(killed, 'exit');
    say('stale socket file present after SIGKILL', { isSocket: fs.lstatSync(stale).isSocket() });
    say('new Server on a stale socket file', await listen(stale));
    // a live server at the path
    const live = sock();
    const first = new Server({ socketFile: live });
    first.on('error', () => {});
    first.listen();
    await until(first, 'listening');
    say('new Server on a live server\'s path', await listen(live));
    first.close();
    // a regular file at the path
    const regular = path.join(dir, 'regular.file');
    fs.writeFileSync(regular, 'precious');
    const r = await listen(regular);
    say('new Server on a regular file', { ...r, fileNow: fs.existsSync(regular)
      ? (fs.lstatSync(regular).isSocket() ? 'socket' : `regular: ${fs.readFileSync(regular, 'utf8')}`) : 'gone' });
    // a directory at the path
    const directory = path.join(dir, 'a-directory');
    fs.mkdirSync(directory);
    say('new Server on a directory', { ...(await listen(directory)), stillDirectory: fs.lstatSync(directory).isDirectory() });
    // a socket file nobody listens on after close(): is it removed?
    const closed = sock();
    const s = new Server({ socketFile: closed });
    s.listen();
    await until(s, 'listening');
    s.close();
    await until(s, 'close');
    say('socket file after server.close()', { exists: fs.existsSync(closed) });
  },

  async listenForever(file) {
    const server = new Server({ socketFile: file });
    server.listen();
    await until(server, 'listening');
    process.stdout.write('listening\n');
  },

  // A client that goes away while the server writes to it: accepted sockets have no 'error' listener.
  async writeToGoneClient() {
    const result = await child('writeToGoneClientCase');
    say('server keeps writing to a client that closed its socket', result);
  },

  async writeToGoneClientCase() {
    const file = sock();
    const server = new Server({ socketFile: file });
    const log = [];
    server.on('error', (e) => log.push({ error: `${e.constructor.name}: ${e.message}` }));
    server.listen();
    await until(server, 'listening');
    const raw = net.createConnection(file);
    await until(raw, 'connect');
    await tick(50);
    const big = 'z'.repeat(64 * 1024);
    const timer = setInterval(() => server.broadcast('t', big), 1);
    await tick(50);
    raw.destroy();
    await tick(500);
    clearInterval(timer);
    console.log(JSON.stringify({ log }));
    process.exit(0);
  },

  // Client: send while disconnected, connect retry timing, reconnect timing, listen twice.
  async client() {
    const file = sock();
    const client = new Client({ socketFile: file });
    const log = [];
    const t0 = Date.now();
    client.on('error', (e) => log.push({ at: Date.now() - t0, error: `${e.constructor.name}: ${e.message}` }));
    client.on('connectError', (e) => log.push({ at: Date.now() - t0, connectError: e.code }));
    client.on('connect', () => log.push({ at: Date.now() - t0, event: 'connect' }));
    client.on('reconnect', () => log.push({ at: Date.now() - t0, event: 'reconnect' }));
    client.on('disconnect', () => log.push({ at: Date.now() - t0, event: 'disconnect' }));
    client.send('early', 1);
    client.connect();
    await tick(1500);
    const raw = await rawServer(file);
    await waitFor(() => raw.sockets.length, 3000);
    raw.sockets[0].destroy();
    await waitFor(() => raw.sockets.length === 2, 3000);
    say('client: send before connect, retry and reconnect timing (defaults)', { log, rawBytesReceived: raw.bytes().length });
    let threw;
    try { client.connect(); } catch (e) { threw = e.message; }
    say('client.connect() twice', { threw });
    client.close();
    raw.server.close();
  },
};

/** Runs a section in a child process; reports its output and exit code (a crash is a finding, not a failure). */
function child(section, ...args) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [SELF, section, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c) => { out += c; });
    p.stderr.on('data', (c) => { err += c; });
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop();
      let parsed = {};
      try { parsed = JSON.parse(line); } catch { /* crashed before printing */ }
      const crash = err.split('\n').find((l) => /Error/.test(l));
      resolve({ exitCode: code, ...parsed, ...(code ? { crash } : {}) });
    });
  });
}

function listen(file) {
  return new Promise((resolve) => {
    const server = new Server({ socketFile: file });
    server.on('error', (e) => { resolve({ listening: false, error: e.code || e.message }); });
    server.on('listening', () => { server.close(); resolve({ listening: true }); });
    server.listen();
  });
}

const [section = 'all', ...args] = process.argv.slice(2);
const run = section === 'all'
  ? ['clientSend', 'serverSend', 'roundTrip', 'badToServer', 'badToClient', 'huge', 'reclaim', 'writeToGoneClient', 'client']
  : [section];
for (const s of run) await sections[s](...args);
if (section === 'all') {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
