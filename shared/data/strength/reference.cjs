// zxcvbn 4.4.2's guesses for synthetic passwords (never from a leak: its own dictionary words with
// the transforms people use, and zxcvbn's own examples), so the owned model is checked against
// the reference implementation. Run by refresh.sh: node reference.cjs <node_modules> > zxcvbn-4.4.2.tsv
const { createRequire } = require('node:module');
const { join } = require('node:path');
const req = createRequire(join(process.argv[2], 'x.js'));
const z = req('zxcvbn');
const f = req('zxcvbn/lib/frequency_lists.js');
let seed = 1;
const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (a) => a[Math.floor(rnd() * a.length)];
const lists = Object.values(f).map((l) => (typeof l === 'string' ? l.split(',') : l));
const leet = { a: '4@', e: '3', i: '1!', o: '0', s: '$5', t: '7+', l: '1', g: '9', b: '8' };
const walks = ['qwerty', 'asdfgh', 'zxcvbn', '1qaz2wsx', 'qazwsx', '!QAZ', '7896321', '147258', 'poiuy', 'mnbvc', '1q2w3e4r', 'zaq12wsx'];
const word = () => {
  let w = pick(pick(lists));
  const r = rnd();
  if (r < 0.2) w = w[0].toUpperCase() + w.slice(1);
  else if (r < 0.25) w = w.toUpperCase();
  else if (r < 0.3) w = [...w].map((c) => (rnd() < 0.3 ? c.toUpperCase() : c)).join('');
  if (rnd() < 0.25) w = [...w].map((c) => (leet[c] && rnd() < 0.6 ? pick(leet[c]) : c)).join('');
  if (rnd() < 0.05) w = [...w].reverse().join('');
  return w;
};
const tail = () => {
  const r = rnd();
  if (r < 0.2) return String(Math.floor(rnd() * 100));
  if (r < 0.3) return String(1950 + Math.floor(rnd() * 75));
  if (r < 0.35) return `${1 + Math.floor(rnd() * 28)}${pick(['', '.', '/', '-'])}${1 + Math.floor(rnd() * 12)}${pick(['', '.', '/', '-'])}${pick(['87', '1993', '04', '2011'])}`;
  if (r < 0.45) return pick(['!', '123', '1', '!!', '@', '#1', '007', '69']);
  if (r < 0.5) return pick(walks);
  if (r < 0.55) return 'abcdefghijklmnopqrstuvwxyz'.slice(0, 3 + Math.floor(rnd() * 5));
  if (r < 0.6) return pick(['aaa', 'xoxo', '111', 'lolol', 'zzzzzz']);
  return '';
};
const examples = [
  'zxcvbn', 'qwER43@!', 'Tr0ub4dour&3', 'correcthorsebatterystaple', 'coRrecth0rseba++ery9.23.2007staple$',
  'p@ssword', 'p@$$word', '123456', '123456789', '12345678', '11111111', 'zxcvbnm,./', 'love88', 'angel08',
  'monkey13', 'iloveyou', 'woaini', 'wang', 'tianya', 'zhang198822', 'li4478', 'a6a4Aa8a', 'b6b4Bb8b',
  'z6z4Zz8z', 'aiIiAaIA', 'zxXxZzXZ', 'pässwörd', 'alpha bravo charlie delta', 'a b c 1 2 3',
  'correct-horse-battery-staple', 'Rasmus Lerdorf', 'Hamburg', 'RAIDERS1', 'raiders1', 'Raiders1', 'hunter2',
  'password1', 'Password1', '1qaz2wsx', 'qazwsx', '!QAZ2wsx', 'asdfghjkl', '7896321', '1.5.91', '13051987',
  '2015_06_04', 'aaaaaa', 'abcabcabc', 'abcdef', 'zyxwvu', '9753', '1987', '2019', 'drowssap', 'Tr0ub4dor&3',
];
const out = [`# zxcvbn 4.4.2, reference year ${new Date().getFullYear()}: password<TAB>guesses`];
for (const p of examples) out.push(`${p}\t${z(p).guesses}`);
for (let k = 0; k < 3000; k++) {
  let p = word() + tail();
  if (rnd() < 0.3) p += word();
  if (rnd() < 0.1) p = pick(walks) + p;
  if (rnd() < 0.05) p = p.repeat(2);
  p = p.slice(0, 40);
  if (p.includes('\t') || p.length === 0) continue;
  out.push(`${p}\t${z(p).guesses}`);
}
console.log(out.join('\n'));
