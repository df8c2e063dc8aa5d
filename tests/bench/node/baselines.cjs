// Node.js baselines for `make bench`, run side by side with the Rust measurements.
//
// Reads a JSON job on stdin and prints JSON results: CPU time per call (process.cpuUsage, user +
// system), measured after a warm-up, like the Rust side.
//   {"generate": {"groups": ["abc…", …], "length": 18, "batches": 15, "per_batch": 20000}}
//     → crypto.randomInt over the pool, redrawn until every group is present (rejection sampling:
//       uniform over valid passwords, the same output space as the API's default policy).
//   {"zxcvbn": {"inputs": […], "runs": 5, "per_run": 3}}
//     → @zxcvbn-ts/core check() per input (median of runs), and the CPU of loading and building it.
'use strict';
const crypto = require('node:crypto');

function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function generator(groups, length) {
  const pool = groups.join('');
  return () => {
    for (;;) {
      let out = '';
      for (let i = 0; i < length; i++) out += pool[crypto.randomInt(pool.length)];
      if (groups.every((g) => [...out].some((c) => g.includes(c)))) return out;
    }
  };
}

function benchGenerate({ groups, length, batches, per_batch }) {
  const generate = generator(groups, length);
  for (let i = 0; i < per_batch; i++) generate();
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const start = cpuMicros();
    for (let i = 0; i < per_batch; i++) generate();
    samples.push((cpuMicros() - start) / per_batch);
  }
  return { micros_per_call: median(samples), example: generate() };
}

function benchZxcvbn({ inputs, runs, per_run }) {
  const start = cpuMicros();
  const { ZxcvbnFactory } = require('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common');
  const en = require('@zxcvbn-ts/language-en');
  const zxcvbn = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  zxcvbn.check('warm-up');
  const startup = cpuMicros() - start;
  const perInput = inputs.map((password) => {
    const samples = [];
    for (let r = 0; r < runs; r++) {
      const t = cpuMicros();
      for (let i = 0; i < per_run; i++) zxcvbn.check(password);
      samples.push((cpuMicros() - t) / per_run);
    }
    return median(samples);
  });
  return { startup_micros: startup, micros_per_input: perInput };
}

let input = '';
process.stdin.on('data', (chunk) => (input += chunk));
process.stdin.on('end', () => {
  const job = JSON.parse(input);
  const out = {};
  if (job.generate) out.generate = benchGenerate(job.generate);
  if (job.zxcvbn) out.zxcvbn = benchZxcvbn(job.zxcvbn);
  process.stdout.write(JSON.stringify(out));
});
