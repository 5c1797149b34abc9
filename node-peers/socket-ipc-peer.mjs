// A @crussell52/socket-ipc 0.4.0 peer for the interop suite (docs/socket-ipc-wire.md). Usage:
//   node socket-ipc-peer.mjs <server|client> <socket file> [id] [flags]
// Like peer.mjs it prints one JSON line per event on stdout ({"event":"ready"}, {"event":"connected"}, ...), so the
// Java side waits on events, never on time. Commands arrive as socket-ipc messages (topic, message):
//   echo <m>           -> sends echo <m> back to the sender (server: send(topic, m, clientId); client: send)
//   burst {n}          -> sends n messages of topic "n" with messages 0..n-1 to the sender
//   broadcast <m>      -> (server) broadcast('news', m) to every client
//   send-to {id, topic, message} -> (server) send(topic, message, id) to the client with that id ("first": the
//                         first client that connected)
//   news <m>           -> (client) sends news-ack {id, message}
//   send {topic, message} -> (client) sends <topic> <message>
// Only a client with the flag "news" listens to topic news (on('message.news')); every client reports what its
// socket-ipc 'message' event delivered when it has the flag "watch".
// flags, comma-separated:
//   watch   reports every delivered message ({"event":"got","topic","message"[,"absent"]}) and every chunk the
//           sockets read ({"event":"bytes","text"}); without it nothing per message is printed (bursts stay fast)
//   news    (client) answers news with news-ack
import sipc from '@crussell52/socket-ipc';

const { Client, Server } = sipc;
const [role, socketFile, id = 'peer', flagList = ''] = process.argv.slice(2);
const flags = new Set(flagList.split(',').filter(Boolean));
const say = (event, extra = {}) => process.stdout.write(JSON.stringify({ event, ...extra }) + '\n');
// a message sent without "message" arrives as undefined, which JSON.stringify would drop: say so explicitly
const got = (topic, message) => say('got', message === undefined ? { topic, absent: true } : { topic, message });
// prepended: a chunk is reported before socket-ipc dispatches what it completes
const tap = (socket) => {
  if (flags.has('watch')) socket.prependListener('data', (chunk) => say('bytes', { text: String(chunk) }));
};

if (role === 'server') {
  const server = new Server({ socketFile });
  const clients = [];
  server.on('listening', () => say('ready'));
  server.on('connection', (clientId, socket) => {
    clients.push(clientId);
    tap(socket);
    // socket-ipc adds no 'error' listener to accepted sockets: a client that resets would end this process
    socket.on('error', (err) => say('socket-error', { message: String(err.code || err.message) }));
    socket.on('close', () => say('client-closed', { clientId }));
    say('client-connected', { clientId });
  });
  server.on('error', (err) => say('error', { message: `${err.constructor.name}: ${err.message}` }));
  server.on('message', (message, topic, clientId) => {
    if (flags.has('watch')) got(topic, message);
    switch (topic) {
      case 'echo':
        server.send('echo', message, clientId);
        break;
      case 'burst':
        for (let i = 0; i < message.n; i++) server.send('n', i, clientId);
        break;
      case 'broadcast':
        server.broadcast('news', message);
        break;
      case 'send-to':
        server.send(message.topic, message.message, message.id === 'first' ? clients[0] : message.id);
        break;
      default:
    }
  });
  server.listen();
  process.on('SIGTERM', () => {
    server.close();
    process.exit(0);
  });
} else {
  const client = new Client({ socketFile, retryDelay: 50, reconnectDelay: 50 });
  client.on('connect', (socket) => {
    tap(socket);
    say('connected');
  });
  client.on('disconnect', () => say('disconnected'));
  client.on('connectError', (err) => say('connect-error', { message: String(err.code || err.message) }));
  client.on('error', (err) => say('error', { message: `${err.constructor.name}: ${err.message}` }));
  client.on('message', (message, topic) => {
    if (flags.has('watch')) got(topic, message);
  });
  client.on('message.echo', (message) => client.send('echo', message));
  client.on('message.burst', (message) => {
    for (let i = 0; i < message.n; i++) client.send('n', i);
  });
  client.on('message.send', (message) => client.send(message.topic, message.message));
  if (flags.has('news')) client.on('message.news', (message) => client.send('news-ack', { id, message }));
  client.connect();
  process.on('SIGTERM', () => {
    client.close();
    process.exit(0);
  });
}
