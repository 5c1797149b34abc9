// Prints the frames @crussell52/socket-ipc 0.4.0's own encoder (its default JSON transcoder) writes for a list of
// (topic, message) pairs, one JSON line each: {"case","hex"}. The interop suite reads them back with Reactive IPC's
// socket-ipc codec and checks that encoding the same values gives the same bytes.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const transcoder = require('@crussell52/socket-ipc/src/lib/transcoder/jsonTranscoder.js');
const encode = transcoder.createEncoder();

const lone = String.fromCharCode(0xd83d); // a lone high surrogate: JSON.stringify writes it escaped
const cases = [
  ['string', 'hello', 'world'],
  ['every escape', 'esc', '\f\n\r\t\b\u0000\u0001\u001f\u007f "quote" \\backslash /slash'],
  ['non-ASCII and astral', 'é✓', 'é✓ 😀 Ωμέγα 漢字 \u2028\u2029'],
  ['lone surrogate', 'lone', `a${lone}b`],
  ['integers', 'ints', [0, -1, 2147483647, -2147483648, 2147483648, 9007199254740991, -9007199254740991]],
  ['decimals', 'dec', [0.5, -2.5, 0.1, 1.25]],
  ['booleans and null', 'lit', [true, false, null]],
  ['empty object and array', 'empty', { o: {}, a: [] }],
  ['nested object, member order kept', 'nested', { z: 1, a: { y: [1, { x: 'x' }], b: null }, m: 'é' }],
  ['null message', 'nul', null],
  ['empty string message', 'es', ''],
  ['undefined message', 'undef', undefined],
  ['empty topic', '', 1],
  ['topic with every escape', 'a.b \f\u0000"\\ é😀', 1],
  ['large string', 'big', '0123456789abcdef'.repeat(4096)],
];

for (const [name, topic, message] of cases) {
  encode({ topic, message }, (err, data) => {
    if (err) throw err;
    process.stdout.write(JSON.stringify({ case: name, hex: Buffer.from(data, 'utf8').toString('hex') }) + '\n');
  });
}
