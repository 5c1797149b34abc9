// node-ipc 14 side of the benchmark (the baseline), speaking the same protocol as the Java workers:
//   node bench-peer.mjs server <unix|tcp> <path|host:port>
//   node bench-peer.mjs client <unix|tcp> <path|host:port> <throughput|rtt> <count> <warmup>
// Messages: m (counted), sync -> ack <count>, ping -> pong (same data), stats -> stats {rssKb}.
import { IPCModule } from 'node-ipc';

const [role, transport, address, scenario, countArg, warmupArg] = process.argv.slice(2);
const ipc = new IPCModule();
ipc.config.id = role;
ipc.config.silent = true;
ipc.config.retry = 50;
const [host, port] = address.split(':');
const PAYLOAD = 'x'.repeat(100);
const rssKb = () => Math.round(process.resourceUsage().maxRSS);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

if (role === 'server') {
  if (transport === 'unix') ipc.serve(address, () => out({ event: 'ready' }));
  else ipc.serveNet(host, Number(port), () => out({ event: 'ready' }));
  let count = 0;
  const server = ipc.server;
  server.on('m', () => { count++; });
  server.on('sync', (data, socket) => server.emit(socket, 'ack', count));
  server.on('ping', (data, socket) => server.emit(socket, 'pong', data));
  server.on('stats', (data, socket) => server.emit(socket, 'stats', { rssKb: rssKb() }));
  server.start();
} else {
  const count = Number(countArg);
  const warmup = Number(warmupArg);
  const go = () => {
    const world = ipc.of.world;
    let acks = [];
    world.on('ack', (n) => { const f = acks.shift(); if (f) f(n); });
    const sync = () => new Promise((resolve) => { acks.push(resolve); world.emit('sync', {}); });
    const stats = () => new Promise((resolve) => { world.on('stats', resolve); world.emit('stats', {}); });
    world.on('connect', async () => {
      if (scenario === 'throughput') {
        for (let i = 0; i < warmup; i++) world.emit('m', PAYLOAD);
        await sync();
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < count; i++) world.emit('m', PAYLOAD);
        const received = await sync();
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        const server = await stats();
        out({ scenario, messages: count, received: received - warmup, seconds, rate: count / seconds,
          clientRssKb: rssKb(), serverRssKb: server.rssKb });
      } else {
        const lat = new Float64Array(count);
        let i = -warmup;
        let t = 0n;
        await new Promise((resolve) => {
          world.on('pong', () => {
            if (i >= 0) lat[i] = Number(process.hrtime.bigint() - t) / 1000;
            i++;
            if (i === count) { resolve(); return; }
            t = process.hrtime.bigint();
            world.emit('ping', PAYLOAD);
          });
          t = process.hrtime.bigint();
          world.emit('ping', PAYLOAD);
        });
        const sorted = Array.from(lat).sort((a, b) => a - b);
        const mean = sorted.reduce((a, b) => a + b, 0) / count;
        const server = await stats();
        out({ scenario, messages: count, p50: sorted[Math.floor(count * 0.5)], p99: sorted[Math.floor(count * 0.99)],
          mean, clientRssKb: rssKb(), serverRssKb: server.rssKb });
      }
      process.exit(0);
    });
  };
  if (transport === 'unix') ipc.connectTo('world', address, go); else ipc.connectToNet('world', host, Number(port), go);
}
