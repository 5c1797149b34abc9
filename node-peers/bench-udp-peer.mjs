// node-ipc 14's UDP side of the benchmark (the baseline), speaking the protocol of the Java UdpWorker:
//   node bench-udp-peer.mjs server udp4 <host:port>
//   node bench-udp-peer.mjs client udp4 <host:port> udp <count> <warmup> <own port> [round]
// Both ends are ipc.serveNet(host, port, 'udp4') (node-ipc binds 8000 for port 0, so the client is given its port).
// Messages: m (counted), sync {seq} -> ack {seq, count, dropped: 0}, stats -> stats {rssKb}. The client sends as fast as
// node-ipc's emit goes, yielding to the event loop every 10,000 so that sends complete, then syncs (with a round: in
// rounds of that many, each synced before the next); a sync is sent again every 20 ms until its ack arrives (UDP may
// drop it).
import { IPCModule } from 'node-ipc';

const [role, , address, , countArg, warmupArg, ownPort, roundArg = '0'] = process.argv.slice(2);
const round = Number(roundArg);
const ipc = new IPCModule();
ipc.config.id = role;
ipc.config.silent = true;
const [host, port] = address.split(':');
const PAYLOAD = 'x'.repeat(100);
const WARMUP_ROUND = 1000000;
const rssKb = () => Math.round(process.resourceUsage().maxRSS);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

if (role === 'server') {
  ipc.serveNet(host, Number(port), 'udp4', () => {});
  const server = ipc.server;
  let count = 0;
  server.on('m', () => { count++; });
  server.on('sync', (data, socket) => server.emit(socket, 'ack', { seq: data.seq, count, dropped: 0 }));
  server.on('stats', (data, socket) => server.emit(socket, 'stats', { rssKb: rssKb() }));
  server.on('connect', () => out({ event: 'ready' }));
  server.start();
} else {
  const count = Number(countArg);
  const warmup = Number(warmupArg);
  ipc.serveNet('127.0.0.1', Number(ownPort), 'udp4', () => {});
  const server = ipc.server;
  const to = { address: host, port: Number(port) };
  const waiting = new Map();
  server.on('ack', (data) => { const f = waiting.get(data.seq); if (f) { waiting.delete(data.seq); f(data); } });
  let stats = null;
  server.on('stats', (data) => { if (stats) stats(data); });
  let seq = 0;
  const sync = () => new Promise((resolve) => {
    const id = ++seq;
    const again = setInterval(() => server.emit(to, 'sync', { seq: id }), 20);
    waiting.set(id, (data) => { clearInterval(again); resolve(data); });
    server.emit(to, 'sync', { seq: id });
  });
  const send = async (n) => {
    for (let i = 0; i < n; i++) {
      server.emit(to, 'm', PAYLOAD);
      if (round > 0 && (i % round === round - 1 || i === n - 1)) await sync();
      else if (i % 10000 === 9999) await new Promise(setImmediate);
    }
  };
  server.on('connect', async () => {
    for (let left = warmup; left > 0; left -= WARMUP_ROUND) {
      await send(Math.min(left, WARMUP_ROUND));
      await sync();
    }
    const before = await sync();
    const t0 = process.hrtime.bigint();
    await send(count);
    const sendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const after = await sync();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const delivered = after.count - before.count;
    const server2 = await new Promise((resolve) => {
      stats = resolve;
      const again = setInterval(() => server.emit(to, 'stats', {}), 20);
      const done = resolve;
      stats = (d) => { clearInterval(again); done(d); };
      server.emit(to, 'stats', {});
    });
    out({ scenario: 'udp', round, messages: count, delivered, loss: 1 - delivered / count, seconds, rate: delivered / seconds,
      sendRate: count / sendSeconds, inboundDropped: 0, clientRssKb: rssKb(), serverRssKb: server2.rssKb });
    process.exit(0);
  });
  server.start();
}
process.on('SIGTERM', () => process.exit(0));
