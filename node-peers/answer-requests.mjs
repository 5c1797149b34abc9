// Answering Reactive IPC requests from node-ipc (and asking them), for node-ipc 14 and 10.
//
// Reactive IPC writes node-ipc's frames and puts what node-ipc has no words for beside "type" and "data":
//   request  {"type":"add","data":{"a":2,"b":3},"rid":1}\f     answer  {"type":"add","data":5,"re":1}\f
//   answer with no value ..."re":1,"end":true     error {"type":"add","data":{"code":..,"message":..},"re":1,"error":true}
//   relayed by a Java server from another client: ..."from":"<its id>"   (answer it with "to":"<that id>")
// node-ipc ignores these members: its handlers get (data, socket) and its emit writes type and data only. So
// plain node-ipc code can talk to Reactive IPC as it always did, and an answer to a plain emit comes back as a
// plain message of the same type. To answer a *request* (Java's request(), which waits for "re"), a node-ipc
// peer has to read the frame's members itself and write its answer itself. This module does both:
//
//   node-ipc 14:  ipc.config.parser = EnvelopeParser;          // before serve()/connectTo()
//   node-ipc 10:  readEnvelopes10(ipc.server)                   // server, before start()
//                 readEnvelopes10(ipc.of.world)                 // client, in connectTo's callback
//   then, for either version, in a handler:
//     ipc.server.on('add', (received, socket) => {
//       const { data } = envelope(received);                    // data, and rid/from when there are any
//       answer(socket, 'add', received, data.a + data.b);       // echoes rid as re (and from as to)
//     });
//   a client writes on ipc.of.world.socket: answer(ipc.of.world.socket, 'add', received, value)
//
// With either reader, a frame that carries rid, re or from reaches the handlers as an Envelope instead of
// its bare data; every other frame reaches them exactly as node-ipc would deliver it. A stream request
// ("credit") is answered with answer() per item, then end(). Frames are written with the default delimiter.
// The module imports node-ipc 14 for its Parser; with node-ipc 10 alone, copy all but EnvelopeParser.

import { Parser } from 'node-ipc';

const MEMBERS = ['rid', 'credit', 'more', 'cancel', 're', 'end', 'error', 'to', 'from'];

/** The data of a frame together with its Reactive IPC members. */
export class Envelope {
  constructor(frame) {
    this.data = frame.data;
    for (const k of MEMBERS) {
      if (frame[k] !== undefined) this[k] = frame[k];
    }
  }
}

/** True for a parsed frame that carries a request id, an answer's id or a relay sender. */
export const hasEnvelope = (frame) =>
  frame !== null && typeof frame === 'object' &&
  (frame.rid !== undefined || frame.re !== undefined || frame.from !== undefined);

/** What a handler received, as an Envelope (plain data: an Envelope with data alone). */
export const envelope = (received) => (received instanceof Envelope ? received : new Envelope({ data: received }));

/** Writes one frame; JSON.stringify and the delimiter, as node-ipc's own emit. */
const write = (socket, frame, delimiter = '\f') => socket.write(JSON.stringify(frame) + delimiter);

/**
 * Answers what a handler received: a request gets its rid back as "re", a message relayed from another client
 * goes back to it ("to"), anything else is a plain message of that type (what node-ipc's emit would write).
 */
export function answer(socket, type, received, value) {
  const e = envelope(received);
  const frame = { type, data: value === undefined ? null : value };
  if (e.rid !== undefined) frame.re = e.rid;
  if (e.from !== undefined) frame.to = e.from;
  return write(socket, frame);
}

/** Answers a request with an error: the requester's Mono fails with IpcRemoteException(code, message). */
export function fail(socket, type, received, code, message) {
  const e = envelope(received);
  const frame = { type, data: { code, message }, re: e.rid, error: true };
  if (e.from !== undefined) frame.to = e.from;
  return write(socket, frame);
}

/** Ends a stream request after its answers (or answers a request with no value: the requester's Mono is empty). */
export function end(socket, type, received) {
  const e = envelope(received);
  const frame = { type, data: null, re: e.rid, end: true };
  if (e.from !== undefined) frame.to = e.from;
  return write(socket, frame);
}

/** Sends a request (a stream request with credit); the answers come to the type's handlers with "re". */
export function ask(socket, type, data, rid, credit) {
  const frame = { type, data: data === undefined ? null : data, rid };
  if (credit !== undefined) frame.credit = credit;
  return write(socket, frame);
}

// ---- node-ipc 14: its public parser hook ---------------------------------------------------------------------

/** node-ipc 14's default ("fast") parser, but a frame with Reactive IPC members is handed on as an Envelope. */
export class EnvelopeParser extends Parser {
  decode(frame) {
    const message = super.decode(frame);
    return hasEnvelope(message) ? { type: message.type, data: new Envelope(message) } : message;
  }
}

// ---- node-ipc 10: no parser hook, so read the socket's frames before node-ipc does -----------------------------

const WRAPPED = Symbol('envelopes');

/**
 * For a node-ipc 10 server (ipc.server) or client (ipc.of.<id>): on every socket it connects, node-ipc's own
 * 'data' listener is replaced by one that splits the stream into frames, publishes a frame with Reactive IPC
 * members as an Envelope to the same handlers (publish is what node-ipc itself dispatches with), and hands every
 * other frame to node-ipc's listener, one frame at a time (so node-ipc 10 parses and dispatches it as usual, and
 * at once: it no longer waits for a read that ends on the delimiter). Costs one extra JSON.parse per frame.
 * Relies on what @achrinza/node-ipc 10.1.11 does (dao/socketServer.js, dao/client.js): one 'data' listener per
 * socket, registered before 'connect' is published, and publish() on the server and client objects.
 */
export function readEnvelopes10(emitter, delimiter = '\f') {
  const isServer = typeof emitter.broadcast === 'function';
  emitter.on('connect', (socket) => {
    const s = isServer ? socket : emitter.socket;
    if (!s || s[WRAPPED]) return;
    s[WRAPPED] = true;
    const publish = isServer ? (type, e) => emitter.publish(type, e, s) : (type, e) => emitter.publish(type, e);
    const [nodeIpc] = s.listeners('data');
    s.removeListener('data', nodeIpc);
    let buffer = '';
    s.on('data', function (chunk) {
      buffer += chunk;
      let start = 0;
      let at;
      while ((at = buffer.indexOf(delimiter, start)) !== -1) {
        const frame = buffer.slice(start, at);
        start = at + delimiter.length;
        let message;
        try {
          message = JSON.parse(frame);
        } catch {
          message = undefined; // node-ipc 10 turns it into its 'error' message, as it always did
        }
        if (hasEnvelope(message) && typeof message.type === 'string') publish(message.type, new Envelope(message));
        else nodeIpc.call(this, frame + delimiter);
      }
      buffer = buffer.slice(start);
    });
  });
}
