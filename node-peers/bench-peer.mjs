// node-ipc 14 side of the benchmark (the baseline), speaking the same protocol as the Java workers:
//   node bench-peer.mjs server <unix|tcp> <path|host:port>
//   node bench-peer.mjs client <unix|tcp> <path|host:port> <throughput|rtt> <count> <warmup>
//   node --expose-gc bench-peer.mjs client <unix|tcp> <path|host:port> idle <connections> 0
// Messages: m (counted), sync -> ack <count>, ping -> pong (same data), stats -> stats {rssKb},
// mem -> mem {rssKb, heapKb, peakKb} after a full collection.
import { IPCModule } from 'node-ipc';

const [role, transport, address, scenario, countArg, warmupArg] = process.argv.slice(2);
const ipc = new IPCModule();
ipc.config.id = role;
ipc.config.silent = true;
ipc.config.retry = 50;
ipc.config.maxConnections = 2000; // room for the idle scenario's 1,000 connections
const [host, port] = address.split(':');
const PAYLOAD = 'x'.repeat(100);
const rssKb = () => Math.round(process.resourceUsage().maxRSS);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const memory = () => {
  global.gc();
  const m = process.memoryUsage();
  return { rssKb: Math.round(m.rss / 1024), heapKb: Math.round(m.heapUsed / 1024), peakKb: rssKb() };
};

if (role === 'server') {
  if (transport === 'unix') ipc.serve(address, () => out({ event: 'ready' }));
  else ipc.serveNet(host, Number(port), () => out({ event: 'ready' }));
  let count = 0;
  const server = ipc.server;
  server.on('m', () => { count++; });
  server.on('sync', (data, socket) => server.emit(socket, 'ack', count));
  server.on('ping', (data, socket) => server.emit(socket, 'pong', data));
  server.on('stats', (data, socket) => server.emit(socket, 'stats', { rssKb: rssKb() }));
  server.on('mem', (data, socket) => server.emit(socket, 'mem', { ...memory(), connections: server.sockets.length }));
  server.on('fanout', (data) => { for (let i = 0; i < data.n; i++) server.broadcast('b', PAYLOAD); });
  server.start();
} else if (scenario === 'idle') {
  // N connections in this process, each its own IPCModule, one round trip each, then idle.
  const connections = Number(countArg);
  const connect = (id, onWorld) => {
    const m = new IPCModule();
    m.config.id = id; m.config.silent = true; m.config.retry = 50;
    const go = () => onWorld(m.of.world, m);
    if (transport === 'unix') m.connectTo('world', address, go); else m.connectToNet('world', host, Number(port), go);
  };
  const control = await new Promise((resolve) => connect('control', (w) => w.on('connect', () => resolve(w))));
  let pending = null;
  control.on('mem', (m) => pending(m));
  const serverMemory = () => new Promise((resolve) => { pending = resolve; control.emit('mem', {}); });
  // As many opened and closed once first, as the Java workers do: one-time costs are not per connection.
  const openIdle = (round) => new Promise((resolve) => {
    const opened = [];
    let ponged = 0;
    for (let c = 0; c < connections; c++) {
      connect('idle' + round + '-' + c, (w, m) => {
        opened.push(m);
        w.on('connect', () => w.emit('ping', 'hello'));
        w.on('pong', () => { if (++ponged === connections) resolve(opened); });
      });
    }
  });
  const warm = await openIdle(0);
  warm.forEach((m) => m.disconnect('world'));
  while ((await serverMemory()).connections !== 1) { /* each check is a round trip to the server */ }
  const serverBefore = await serverMemory();
  const clientBefore = memory();
  await openIdle(1);
  const clientAfter = memory();
  const serverAfter = await serverMemory();
  const per = (a, b, k) => (a[k] - b[k]) / connections;
  out({ scenario: 'idle', connections, serverRssPerConnKb: per(serverAfter, serverBefore, 'rssKb'),
    serverHeapPerConnKb: per(serverAfter, serverBefore, 'heapKb'), clientRssPerConnKb: per(clientAfter, clientBefore, 'rssKb'),
    clientHeapPerConnKb: per(clientAfter, clientBefore, 'heapKb'), clientRssKb: rssKb(), serverRssKb: serverAfter.peakKb });
  process.exit(0);
} else if (scenario === 'fanout') {
  // N clients in this process, each its own IPCModule; the first asks the server for a broadcast of n messages.
  const count = Number(countArg);
  const warmup = Number(warmupArg);
  const clients = Number(process.argv[8]);
  let received = 0;
  let goal = Infinity;
  let reached = null;
  const worlds = [];
  let connected = 0;
  const allConnected = new Promise((resolve) => {
    for (let c = 0; c < clients; c++) {
      const m = new IPCModule();
      m.config.id = 'client' + c; m.config.silent = true; m.config.retry = 50;
      const go = () => {
        const world = m.of.world;
        world.on('b', () => { if (++received === goal && reached) reached(); });
        world.on('connect', () => { if (++connected === clients) resolve(); });
        worlds.push(world);
      };
      if (transport === 'unix') m.connectTo('world', address, go); else m.connectToNet('world', host, Number(port), go);
    }
  });
  await allConnected;
  const first = worlds[0];
  const phase = (n) => new Promise((resolve) => { reached = resolve; goal = received + n * clients; first.emit('fanout', { n }); });
  const watchdog = setTimeout(() => { process.stderr.write('stuck: received ' + received + ' of goal ' + goal + '\n'); process.exit(3); }, Number(process.env.BENCH_WATCHDOG_MS || 60000));
  await phase(warmup);
  const t0 = process.hrtime.bigint();
  await phase(count);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearTimeout(watchdog);
  const server = await new Promise((resolve) => { first.on('stats', resolve); first.emit('stats', {}); });
  out({ scenario: 'fanout', clients, messages: count, deliveries: count * clients, seconds,
    rate: count * clients / seconds, clientRssKb: rssKb(), serverRssKb: server.rssKb });
  process.exit(0);
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
        // warm-up in rounds of 1,000,000, each drained (a sync) before the next: emit has no back pressure
        for (let left = warmup; left > 0; left -= 1000000) {
          for (let i = 0; i < Math.min(left, 1000000); i++) world.emit('m', PAYLOAD);
          await sync();
        }
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
