// A node-ipc peer for the interop suite. Usage:
//   node peer.mjs <10|14> <server|client> <unix|tcp> <path | host:port> [id]
// It prints one JSON line per event on stdout ({"event":"ready"}, {"event":"connected"}, ...), so the Java side
// waits on events, never on time. Commands arrive as node-ipc messages:
//   echo <data>         -> answers echo <data> to the sender (node-ipc's own payload normalisation applies)
//   burst {n}           -> sends n messages of type "n" with data 0..n-1 to the sender
//   broadcast <data>    -> (server) broadcasts news <data> to every client
//   news <data>         -> (client) answers news-ack {id, data}
import { IPCModule as V14 } from 'node-ipc';
import { IPCModule as V10 } from '@achrinza/node-ipc';

const [version, role, transport, address, id = 'peer'] = process.argv.slice(2);
const ipc = new (version === '10' ? V10 : V14)();
ipc.config.id = id;
ipc.config.silent = true;
ipc.config.retry = 100;
ipc.config.maxRetries = 50;

const say = (event, extra = {}) => process.stdout.write(JSON.stringify({ event, ...extra }) + '\n');
const [host, port] = address.split(':');

if (role === 'server') {
  // serve(...)'s callback runs on start; the server starts only when start() is called.
  if (transport === 'unix') ipc.serve(address, () => say('ready'));
  else ipc.serveNet(host, Number(port), () => say('ready'));
  const server = ipc.server;
  server.on('echo', (data, socket) => server.emit(socket, 'echo', data));
  server.on('burst', (data, socket) => {
    for (let i = 0; i < data.n; i++) server.emit(socket, 'n', i);
  });
  server.on('broadcast', (data) => server.broadcast('news', data));
  server.on('connect', () => say('client-connected'));
  server.on('error', (err) => say('error', { message: String(err && err.message) }));
  server.start();
} else {
  const setup = () => {
    const world = ipc.of.world;
    world.on('connect', () => say('connected'));
    world.on('disconnect', () => say('disconnected'));
    world.on('echo', (data) => world.emit('echo', data));
    world.on('burst', (data) => { for (let i = 0; i < data.n; i++) world.emit('n', i); });
    world.on('news', (data) => world.emit('news-ack', { id, data }));
    world.on('error', (err) => say('error', { message: String(err && (err.code || err.message)) }));
  };
  if (transport === 'unix') ipc.connectTo('world', address, setup);
  else ipc.connectToNet('world', host, Number(port), setup);
}
process.on('SIGTERM', () => process.exit(0));
