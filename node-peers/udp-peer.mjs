// A node-ipc UDP peer for the interop suite: ipc.serveNet(host, port, 'udp4' | 'udp6'), as both ends of a node-ipc UDP
// conversation do. Usage:
//   node udp-peer.mjs <10|14> <udp4|udp6> <host:port> [targetHost:targetPort]
// It prints one JSON line per event on stdout: {"event":"ready","port"} once its socket is bound (node-ipc 10 calls
// serveNet's callback before bind completes, so the server's 'connect' event, published when it listens, is the
// signal), and
// {"event":"got","type","data","from":{"address","port"}} for every message. With a target, it emits
// hello {"from":"node-ipc <version>"} to it once bound. Commands arrive as node-ipc messages:
//   echo <data>          -> emits echo <data> back to the sender (server.emit(socket, ...))
//   broadcast <data>     -> server.broadcast('news', <data>) (node-ipc 14: every peer heard from; 10: nobody)
//   send {address, port, type, data} -> server.emit({address, port}, type, data)
import { IPCModule as V14 } from 'node-ipc';
import { IPCModule as V10 } from '@achrinza/node-ipc';

const [version, family, address, target] = process.argv.slice(2);
const ipc = new (version === '10' ? V10 : V14)();
ipc.config.id = 'udp-peer';
ipc.config.silent = true;

const say = (event, extra = {}) => process.stdout.write(JSON.stringify({ event, ...extra }) + '\n');
// host:port, the host possibly an IPv6 literal in brackets or not
const split = (a) => {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i).replace(/^\[|\]$/g, ''), Number(a.slice(i + 1))];
};
const [host, port] = split(address);

ipc.serveNet(host, port, family, () => {});
const server = ipc.server;
const from = (socket) => ({ address: socket.address, port: socket.port });
server.on('echo', (data, socket) => {
  say('got', { type: 'echo', data, from: from(socket) });
  server.emit(socket, 'echo', data);
});
server.on('broadcast', (data, socket) => {
  say('got', { type: 'broadcast', data, from: from(socket) });
  server.broadcast('news', data);
});
server.on('send', (d, socket) => {
  say('got', { type: 'send', data: d, from: from(socket) });
  server.emit({ address: d.address, port: d.port }, d.type, d.data);
});
server.on('error', (err) => say('error', { message: String(err && (err.code || err.message)) }));
server.start();
// 'connect' with the dgram socket, once it listens: node-ipc 14 from bind's callback, 10 from 'listening'
server.on('connect', (socket) => {
  say('ready', { port: socket.address().port });
  if (target) {
    const [th, tp] = split(target);
    server.emit({ address: th, port: tp }, 'hello', { from: 'node-ipc ' + version });
  }
});
process.on('SIGTERM', () => process.exit(0));
