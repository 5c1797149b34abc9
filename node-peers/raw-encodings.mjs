// Prints what node's Buffer.from(string, encoding) gives (what node-ipc's raw buffer mode writes for a string, 14
// and 10 alike: docs/raw-buffer-wire.md) for every encoding node-ipc lists and strings that test each one's edges,
// one JSON line each: {"encoding","string","hex"}. The interop suite holds the raw codec's string encoding to it.
const lone = (unit) => String.fromCharCode(unit);
const strings = [
  '',
  'plain ASCII 0123456789',
  'é✓ 😀 Ωμέγα 漢字 \u0000\u001f\u007f\u0080\u00ff\u0100',
  `lone high ${lone(0xd83d)} and low ${lone(0xde00)} surrogates, reversed pair ${lone(0xde00)}${lone(0xd83d)}`,
  // base64 and base64url alphabets, padding, white space, junk, a lone sextet, padding in the middle
  '/wCAQQw=', '_wCAQQw', '/w CA\nQQ w=', 'QUJD!@#REVG', 'QUJDR', 'QQ==QUJD', '-_-_', '====',
  // hex: odd length, upper case, a bad digit in the middle, non-ASCII digits
  'ff0080410c', 'FF00A', 'ab12zz34', '０１', 'f',
  // base64 and hex read only the low byte of each UTF-16 unit: U+0151 is 'Q', U+0166 is 'f', U+013D is '='
  'QQ\u0151Q', 'QUJD\u013dQUJD', '\u0166\u0166', 'a\u0130b1',
];
const encodings = ['utf8', 'ascii', 'utf16le', 'ucs2', 'base64', 'base64url', 'hex', 'latin1', 'binary'];
for (const encoding of encodings) {
  for (const string of strings) {
    // the string travels as its UTF-16 units, so lone surrogates survive JSON
    const units = Array.from({ length: string.length }, (_, i) => string.charCodeAt(i));
    const hex = Buffer.from(string, encoding).toString('hex');
    process.stdout.write(JSON.stringify({ encoding, units, hex }) + '\n');
  }
}
