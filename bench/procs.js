// Process bookkeeping for the bench: which processes descend from a pid, which of them
// are still alive (zombies do not count), and ending exactly those. A process is known
// by its pid and its start time, so a pid the system has since given to another process
// is never signalled. Reads /proc, so it works on Linux; elsewhere it finds nothing and
// the process-group kills in the runners and scripts/bench.js are what clean up.
import { readdirSync, readFileSync } from 'node:fs';

/** { pid, ppid, start, state } of every process, or [] without /proc. */
function table() {
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const rows = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      rows.push({ pid: Number(entry), state: fields[0], ppid: Number(fields[1]), start: fields[19] });
    } catch {
      // gone while we looked
    }
  }
  return rows;
}

const live = () => table().filter((row) => row.state !== 'Z');

/** Live (not zombie) descendants of `pid`, as { pid, start }. */
export function descendants(pid) {
  const rows = live();
  const found = [];
  let frontier = new Set([pid]);
  while (frontier.size) {
    const next = rows.filter((row) => frontier.has(row.ppid));
    found.push(...next);
    frontier = new Set(next.map((row) => row.pid));
  }
  return found.map(({ pid: p, start }) => ({ pid: p, start }));
}

/** Which of `procs` ({ pid, start }) are still running. */
export function alive(procs) {
  const running = new Set(live().map((row) => `${row.pid}:${row.start}`));
  return procs.filter((p) => running.has(`${p.pid}:${p.start}`));
}

export function kill(procs, signal = 'SIGKILL') {
  for (const { pid } of procs) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits up to `ms` for `procs` to end, then SIGKILLs what is left. Returns what it had to kill. */
export async function reap(procs, ms = 3000) {
  const until = Date.now() + ms;
  while (alive(procs).length && Date.now() < until) await sleep(25);
  const left = alive(procs);
  kill(left);
  if (left.length) await sleep(50);
  return left;
}
