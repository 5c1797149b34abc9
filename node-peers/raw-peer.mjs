// A node-ipc peer in raw buffer mode (rawBuffer: true) for the interop suite. Usage:
//   node raw-peer.mjs <10|14> <server|client> <unix|tcp> <path | host:port> <encoding> [hex-to-send] [string-to-send]
// Prints one JSON line per event: {"event":"ready"}, {"event":"connected"}, and after every chunk read
// {"event":"total","hex":<every byte read so far, as hex>}. A server writes each chunk back to its sender as it
// came (server.emit(socket, buffer)); a client, once connected, emits the bytes of hex-to-send as a Buffer, then
// string-to-send as a string (node-ipc encodes it with config.encoding).
import { IPCModule as V14 } from 'node-ipc';
import { IPCModule as V10 } from '@achrinza/node-ipc';

const [version, role, transport, address, encoding, hex = '', text = ''] = process.argv.slice(2);
const ipc = new (version === '10' ? V10 : V14)();
ipc.config.id = 'raw';
ipc.config.silent = true;
ipc.config.retry = 100;
ipc.config.maxRetries = 50;
ipc.config.rawBuffer = true;
ipc.config.encoding = encoding;

const say = (event, extra = {}) => process.stdout.write(JSON.stringify({ event, ...extra }) + '\n');
const [host, port] = address.split(':');
let total = '';
const read = (chunk) => {
  // node-ipc 10 hands over a string decoded with config.encoding; 14 the Buffer as read
  total += (Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding)).toString('hex');
  say('total', { hex: total });
};

if (role === 'server') {
  if (transport === 'unix') ipc.serve(address, () => say('ready'));
  else ipc.serveNet(host, Number(port), () => say('ready'));
  ipc.server.on('data', (chunk, socket) => {
    read(chunk);
    ipc.server.emit(socket, chunk);
  });
  ipc.server.on('connect', () => say('client-connected'));
  ipc.server.start();
} else {
  const setup = () => {
    const world = ipc.of.world;
    world.on('connect', () => {
      say('connected');
      if (hex) world.emit(Buffer.from(hex, 'hex'));
      if (text) world.emit(text);
    });
    world.on('data', read);
  };
  if (transport === 'unix') ipc.connectTo('world', address, setup);
  else ipc.connectToNet('world', host, Number(port), setup);
}
process.on('SIGTERM', () => process.exit(0));
