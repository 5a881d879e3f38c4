// What the JavaScript client tests share: Chrome's headless arguments, data: pages, a bounded
// wait for a promise, and the wdhost process (stopped with SIGTERM, then SIGKILL after 10 s).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** The arguments every headless Chromium of these tests gets. */
export const CHROME_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

/** A data: URL of an HTML page. */
export const dataUrl = (html) => `data:text/html,${encodeURIComponent(html)}`;

/** Resolves with `promise`, or rejects naming `what` once `ms` have passed. */
export async function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL'); // only if an after hook never ran
});

async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  try {
    await exited;
  } finally {
    clearTimeout(killer);
    children.delete(child);
  }
}

/**
 * Starts `$WDHOST_BINARY --port 0 --host 127.0.0.1 ...extraArgs` with `extraEnv` added to the
 * environment; resolves once it listens.
 */
export async function startHost(extraArgs = [], extraEnv = {}) {
  const binary = process.env.WDHOST_BINARY;
  assert.ok(binary, 'set WDHOST_BINARY to the wdhost binary to test');
  const child = spawn(binary, ['--port', '0', '--host', '127.0.0.1', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...extraEnv },
  });
  children.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-16_000);
  });
  child.stdout.setEncoding('utf8');
  let stdout = '';
  const listening = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      if (stdout.includes('\n')) return; // keeps draining
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      const first = stdout.slice(0, newline).trim();
      const match = /^wdhost listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(first);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`unexpected first line from wdhost: ${JSON.stringify(first)}`));
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`wdhost exited (${code ?? signal}) before listening; stderr:\n${stderr}`)));
  });
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`wdhost exited unexpectedly (${code ?? signal}); stderr:\n${stderr}\n`);
  });
  const stop = () => { stopping = true; return stopProcess(child); };
  try {
    const port = await within(30_000, listening, 'wdhost to print its port');
    const url = `http://127.0.0.1:${port}`;
    return { port, url, child, stderr: () => stderr, stop };
  } catch (error) {
    await stop();
    error.message += `\nwdhost stderr:\n${stderr}`;
    throw error;
  }
}
