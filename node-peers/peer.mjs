// A node-ipc peer for the interop suite. Usage:
//   node peer.mjs <10|14> <server|client> <unix|tcp> <path | host:port> [id] [flags]
// It prints one JSON line per event on stdout ({"event":"ready"}, {"event":"connected"}, ...), so the Java side
// waits on events, never on time. Commands arrive as node-ipc messages:
//   echo <data>         -> answers echo <data> to the sender (node-ipc's own payload normalisation applies)
//   burst {n}           -> sends n messages of type "n" with data 0..n-1 to the sender
//   broadcast <data>    -> (server) broadcasts news <data> to every client
//   news <data>         -> (client) answers news-ack {id, data}
//   add {a, b}          -> answers add a+b to the sender (a client: only a request, with the answer flag)
//   send {type, data}   -> (client) emits <type> <data> with node-ipc's own emit
//   ask {type, data, rid, credit} -> (client) writes a Reactive IPC request frame {type, data, rid[, credit]}
//   raw <string>        -> writes the string's bytes as they are on the sender's socket (bad frames on purpose)
// An 'error' event is reported as {"event":"error","message",...}, plus "data": the argument itself when it is
// not an Error (what a wire message of type "error" dispatches to node-ipc's error listeners).
// TLS: the environment variable PEER_TLS, when set, is node-ipc's ipc.config.tls as JSON (private, public,
// trustedConnections, requestCert, rejectUnauthorized: file paths the test wrote to a temporary directory).
// flags, comma-separated:
//   watch   reports every message node-ipc dispatches ({"event":"got","type","data"}) and every chunk its
//           sockets read ({"event":"bytes","text"}); without it nothing per message is printed (bursts stay fast)
//   answer  reads Reactive IPC's members with answer-requests.mjs (node-ipc 14: its parser hook; 10: its socket
//           reader), answers requests with "re" (echo, add; boom fails, count {n} streams 0..n-1) and reports
//           every answer to its own ask ({"event":"answer","type","data","re"[,"end"][,"error"]})
import { IPCModule as V14 } from 'node-ipc';
import { IPCModule as V10 } from '@achrinza/node-ipc';
import { Envelope, EnvelopeParser, answer, ask, end, envelope, fail, readEnvelopes10 } from './answer-requests.mjs';

const [version, role, transport, address, id = 'peer', flagList = ''] = process.argv.slice(2);
const flags = new Set(flagList.split(',').filter(Boolean));
const ipc = new (version === '10' ? V10 : V14)();
ipc.config.id = id;
ipc.config.silent = true;
ipc.config.retry = 100;
ipc.config.maxRetries = 50;
if (flags.has('answer') && version !== '10') ipc.config.parser = EnvelopeParser;
if (process.env.PEER_TLS) ipc.config.tls = JSON.parse(process.env.PEER_TLS);

const say = (event, extra = {}) => process.stdout.write(JSON.stringify({ event, ...extra }) + '\n');
const [host, port] = address.split(':');
const LIFECYCLE = new Set(['start', 'connect', 'disconnect', 'destroy', 'close', 'socket.disconnected', 'error',
  'data']);

/**
 * The handlers both roles share. emitter: ipc.server or ipc.of.world; socketOf(socket): where answers go.
 * Without 'answer', replies are node-ipc's own emit; with it, answer() (a request gets "re", a relayed message
 * goes back to its sender, anything else is a plain message as emit would write it).
 */
function handlers(emitter, socketOf, emit) {
  const reply = flags.has('answer')
    ? (socket, type, received, value) => answer(socketOf(socket), type, received, value)
    : (socket, type, received, value) => emit(socket, type, value);
  emitter.on('echo', (d, socket) => reply(socket, 'echo', d, envelope(d).data));
  // a client answers add only when it is a request: a Java server's plain answer to the client's own add
  // arrives as a message of type add too, and answering that would never end
  emitter.on('add', (d, socket) => {
    if (role === 'server' || envelope(d).rid !== undefined) {
      reply(socket, 'add', d, envelope(d).data.a + envelope(d).data.b);
    }
  });
  emitter.on('burst', (d, socket) => {
    for (let i = 0; i < d.n; i++) emit(socket, 'n', i);
  });
  if (flags.has('answer')) {
    emitter.on('boom', (d, socket) => fail(socketOf(socket), 'boom', d, 'E_NODE', 'node-ipc says no'));
    emitter.on('count', (d, socket) => {
      for (let i = 0; i < envelope(d).data.n; i++) answer(socketOf(socket), 'count', d, i);
      end(socketOf(socket), 'count', d);
    });
  }
  emitter.on('*', (type, d) => {
    if (LIFECYCLE.has(type)) return;
    if (flags.has('watch')) say('got', d instanceof Envelope ? { type, envelope: d } : { type, data: d });
    if (d instanceof Envelope && d.re !== undefined) say('answer', { type, ...d });
  });
}

const detail = (err) => (err instanceof Error || err === undefined ? {} : { data: err });

const tap = (socket) => {
  // prepended: a chunk is reported before node-ipc dispatches what it completes
  if (flags.has('watch')) socket.prependListener('data', (chunk) => say('bytes', { text: String(chunk) }));
};

if (role === 'server') {
  // serve(...)'s callback runs on start; the server starts only when start() is called.
  if (transport === 'unix') ipc.serve(address, () => say('ready'));
  else ipc.serveNet(host, Number(port), () => say('ready'));
  const server = ipc.server;
  if (flags.has('answer') && version === '10') readEnvelopes10(server);
  handlers(server, (socket) => socket, (socket, type, data) => server.emit(socket, type, data));
  server.on('broadcast', (data) => server.broadcast('news', data));
  server.on('connect', (socket) => {
    tap(socket);
    say('client-connected');
  });
  server.on('raw', (d, socket) => socket.write(d));
  server.on('error', (err) => say('error', { message: String(err && err.message), ...detail(err) }));
  server.start();
} else {
  const setup = () => {
    const world = ipc.of.world;
    if (flags.has('answer') && version === '10') readEnvelopes10(world);
    world.on('connect', () => {
      tap(world.socket);
      say('connected');
    });
    world.on('disconnect', () => say('disconnected'));
    handlers(world, () => world.socket, (socket, type, data) => world.emit(type, data));
    world.on('news', (d) => world.emit('news-ack', { id, data: envelope(d).data }));
    world.on('send', (d) => world.emit(d.type, d.data));
    world.on('ask', (d) => ask(world.socket, d.type, d.data, d.rid, d.credit));
    world.on('raw', (d) => world.socket.write(d));
    world.on('error', (err) => say('error', { message: String(err && (err.code || err.message)), ...detail(err) }));
  };
  if (transport === 'unix') ipc.connectTo('world', address, setup);
  else ipc.connectToNet('world', host, Number(port), setup);
}
process.on('SIGTERM', () => process.exit(0));
