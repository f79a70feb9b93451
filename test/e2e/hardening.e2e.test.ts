// Issue E, items 1 and 2, in a real browser: a hostile page throws everything it can at its
// backend (test/fixtures/hostile/fuzz.js), and the backend (test/fixtures/hostile/backend.mjs,
// its own Node process) must not crash, hang, leak, or let a prototype change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINE, fixture, runNode } from './helpers.js';

const OPERATIONS = 100_000;

test(`a hostile page: ${OPERATIONS} random calls, events and store writes, 64 MB payloads, deep nesting, prototype keys, vandalized globals, raw channel calls (${ENGINE})`, { timeout: 500_000 }, async () => {
  const seed = Number(process.env.GLUON_FUZZ_SEED ?? 1 + Math.floor(Math.random() * 1e6));
  const { code, stdout, stderr } = await runNode(fixture('hostile', 'backend.mjs'), [String(OPERATIONS), String(seed)], { timeout: 480_000 });
  const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
  assert.ok(line, `the backend printed no result (exit ${code}, seed ${seed})\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`);
  const r = JSON.parse(line.slice('RESULT '.length));
  console.log(`hostile page on ${ENGINE} (seed ${seed}): ${OPERATIONS} operations in ${r.fuzzMs} ms ` +
    `(${r.outcomes.ok} answered, ${r.outcomes.rejected} rejected with an error, ${r.outcomes.threw} refused at once, ${r.outcomes.hung} never settled); ` +
    `backend crashes 0, unhandled rejections ${r.problems.length}; backend heap ${r.baselineMB} MB before, ${r.afterMB} MB after ` +
    `(${((r.afterMB / r.baselineMB - 1) * 100).toFixed(1)}%); a normal call afterwards took ${r.normalMs} ms; ` +
    `raw channel: ${r.frame.functions} function(s) reachable, ${r.frame.calls} malformed calls made`);
  assert.equal(code, 0, `the backend exited with ${code}\n${stderr.slice(-2000)}`);
  assert.deepEqual(r.problems, [], 'no unhandled rejection or uncaught exception in the backend');
  assert.equal(r.outcomes.hung, 0, `operations that never settled: ${JSON.stringify(r.outcomes.hungExamples)}`);
  assert.equal(r.outcomes.ok + r.outcomes.rejected + r.outcomes.threw, OPERATIONS);
  assert.ok(r.outcomes.ok > OPERATIONS / 10 && r.outcomes.rejected > OPERATIONS / 10, 'the fuzz reached the backend both ways');

  // Payloads: up to 64 MB crosses and comes back whole; over the limit is a clear error at the caller.
  assert.equal(r.sizes['1000000'], 'same');
  assert.equal(r.sizes['16000000'], 'same');
  assert.equal(r.sizes['64000000'], 'same');
  assert.match(r.sizes['67108865'], /^RangeError: echo\(\): the arguments are [\d,]+ characters encoded, over the 67,108,864 characters limit for one IPC message/);
  assert.match(r.deep, /^TypeError: echo\(\): the arguments cannot be sent to the backend: (Maximum call stack size exceeded|too much recursion)/);

  // Prototype keys: refused at the caller, or arrive as plain data; nothing changed in the backend.
  assert.match(r.merged[0], /Cannot stringify objects with __proto__ keys/);
  assert.equal(r.merged[1], 2);
  assert.equal(r.polluted, false, 'no prototype of the backend changed');

  // The engine's own page -> backend function: Chromium's binding exists in a same-origin frame
  // (the top frame's is removed before page scripts run) and its malformed texts were dropped;
  // Firefox's channel is an argument of the preload script, reachable from no page global.
  if (ENGINE === 'chromium') assert.ok(r.frame.functions >= 1 && r.frame.calls > 1000, JSON.stringify(r.frame));
  else assert.equal(r.frame.functions, 0, JSON.stringify(r.frame));

  // After the page replaced JSON, Promise, prototypes' methods and tried to replace Gluon.
  assert.ok(r.vandalized > 1000);
  assert.equal(r.toVandal, 'TimeoutError', "the backend's own send to a page that no longer answers is bounded by its timeout");
  assert.deepEqual(r.normal, { normal: true }, 'after a reload, a normal call is answered');

  // Memory: what the page left in the shared store is the app's data (the fixture counts and clears it).
  assert.ok(r.afterMB <= r.baselineMB * 1.2, `backend heap ${r.afterMB} MB after, against ${r.baselineMB} MB before`);
});
