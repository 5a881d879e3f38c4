// End to end: real WebDriver BiDi and CDP clients (WebdriverIO, selenium-webdriver, puppeteer-core)
// and raw WebSockets against the real wdhost binary, which relays each session's BiDi socket
// (/session/<id>/se/bidi) and Chrome's browser-level CDP endpoint (/session/<id>/se/cdp).
//
//   WDHOST_BINARY=build/bin/wdhost node --test --test-concurrency=1 tests/clients/bidi_cdp.test.mjs
//
// The clients are pinned in package-lock.json beside this file; `tools/install-deps test` installs
// them. WDHOST_SKIP_FIREFOX_BIDI=1 skips the Firefox test, saying so. Every process started here
// is stopped (SIGTERM, then SIGKILL after 10 s), every wait is bounded, and only 127.0.0.1 is used.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import puppeteer from 'puppeteer-core';
import { Builder } from 'selenium-webdriver';
import chrome from 'selenium-webdriver/chrome.js';
import LogInspector from 'selenium-webdriver/bidi/logInspector.js';
import { remote } from 'webdriverio';

import { CHROME_ARGS, dataUrl, startHost, within } from './support.mjs';
import WebSocket from 'ws';

const chromeCaps = () => ({
  browserName: 'chrome',
  'goog:chromeOptions': { args: [...CHROME_ARGS] },
});
const firefoxCaps = () => ({ browserName: 'firefox', 'moz:firefoxOptions': { args: ['-headless'] } });

const TEST_TIMEOUT = 180_000;
const HTTP_TIMEOUT = 120_000; // a New Session may have to start a browser
const EVENT_TIMEOUT = 15_000;

// ---------------------------------------------------------------------------------------------
// Plain WebDriver over HTTP

async function wd(host, method, path, body, headers = {}) {
  const response = await fetch(`${host.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_TIMEOUT),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

async function newSession(host, capabilities, headers = {}) {
  const reply = await wd(host, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } }, headers);
  assert.equal(reply.status, 200, `New Session failed: ${reply.text}`);
  const { sessionId, capabilities: returned } = reply.json.value;
  assert.ok(sessionId, reply.text);
  return { sessionId, capabilities: returned };
}

async function deleteSession(host, sessionId, headers = {}) {
  return wd(host, 'DELETE', `/session/${sessionId}`, undefined, headers);
}

// ---------------------------------------------------------------------------------------------
// WebSockets

/** A raw WebSocket upgrade with node's http module: resolves with the status, headers and body. */
function upgrade(wsUrl, headers = {}) {
  const key = randomBytes(16).toString('base64');
  return within(15_000, new Promise((resolve, reject) => {
    const request = http.request(wsUrl.replace(/^ws/, 'http'), {
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
        ...headers,
      },
    });
    request.on('upgrade', (response, socket) => {
      // A polite close frame (masked, empty), then hang up.
      socket.on('error', () => {});
      socket.resume();
      socket.end(Buffer.from([0x88, 0x80, 0, 0, 0, 0]));
      setTimeout(() => socket.destroy(), 2_000).unref();
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      resolve({ status: response.statusCode, headers: response.headers, body: '', accept });
    });
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  }), `the upgrade of ${wsUrl}`);
}

/** A raw BiDi connection: `send` resolves with the reply of the same id (bounded). */
async function openBidi(wsUrl, headers = {}) {
  const ws = new WebSocket(wsUrl, { headers, handshakeTimeout: 15_000 });
  const pending = new Map(); // id -> { resolve, reject }
  const closed = new Promise((resolve) => {
    ws.once('close', (code, reason) => {
      for (const { reject } of pending.values()) {
        reject(new Error(`the BiDi socket closed (code ${code}) before the reply came`));
      }
      pending.clear();
      resolve({ code, reason: reason.toString() });
    });
  });
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.id !== undefined && pending.has(message.id)) {
      pending.get(message.id).resolve(message);
      pending.delete(message.id);
    }
  });
  ws.on('error', () => {}); // surfaces as a close
  await within(15_000, new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    ws.once('error', reject);
  }), `the BiDi socket ${wsUrl} to open`);
  let nextId = 1;
  return {
    ws,
    closed,
    send(method, params = {}) {
      const id = nextId++;
      if (ws.readyState !== WebSocket.OPEN) {
        return Promise.reject(new Error(`the BiDi socket is not open for ${method} (state ${ws.readyState})`));
      }
      const reply = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      ws.send(JSON.stringify({ id, method, params }));
      return within(EVENT_TIMEOUT, reply, `the reply to ${method} (id ${id})`);
    },
    close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      setTimeout(() => ws.terminate(), 2_000).unref(); // unless the host answers the close
    },
  };
}

/** The value of the unlabelled metric `name` in the host's /metrics, or NaN. */
async function metric(host, name) {
  const { status, text } = await wd(host, 'GET', '/metrics');
  const line = status === 200 ? text.split('\n').find((l) => l.startsWith(`${name} `)) : undefined;
  return line === undefined ? NaN : Number(line.slice(name.length + 1));
}

/** Polls `check` (async) every 200 ms until it is true, for at most `ms`; its last value. */
async function eventually(ms, check) {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= until) return false;
    await sleep(200);
  }
}

const bidiUrlOf = (host, sessionId) => `ws://127.0.0.1:${host.port}/session/${sessionId}/se/bidi`;
const cdpUrlOf = (host, sessionId) => `ws://127.0.0.1:${host.port}/session/${sessionId}/se/cdp`;

// ---------------------------------------------------------------------------------------------

describe('wdhost with real BiDi and CDP clients', () => {
  let host;
  before(async () => { host = await startHost(); });
  after(async () => { await host?.stop(); });

  /** A WebdriverIO session against the host, with its defaults (it asks for BiDi itself). */
  const wdioRemote = (capabilities) => remote({
    protocol: 'http',
    hostname: '127.0.0.1',
    port: host.port,
    path: '/',
    capabilities,
    logLevel: 'error',
    connectionRetryTimeout: HTTP_TIMEOUT,
    connectionRetryCount: 0,
  });

  async function wdioConsoleEvent(capabilities) {
    const browser = await wdioRemote(capabilities);
    try {
      assert.equal(browser.isBidi, true, 'WebdriverIO did not get a BiDi session');
      const { webSocketUrl } = browser.capabilities;
      assert.equal(webSocketUrl, bidiUrlOf(host, browser.sessionId), 'webSocketUrl is not the host\'s');
      assert.equal(new URL(webSocketUrl).port, String(host.port));

      let resolveEntry;
      const entry = new Promise((resolve) => { resolveEntry = resolve; });
      browser.on('log.entryAdded', (event) => {
        if (event.text === 'hello-bidi' || event.args?.[0]?.value === 'hello-bidi') resolveEntry(event);
      });
      await browser.sessionSubscribe({ events: ['log.entryAdded'] });
      await browser.url(dataUrl("<title>bidi</title><script>console.log('hello-bidi')</script>"));
      const event = await within(EVENT_TIMEOUT, entry, "log.entryAdded of console.log('hello-bidi')");
      assert.equal(event.type, 'console');
      assert.equal(event.method, 'log');
    } finally {
      await browser.deleteSession();
    }
  }

  test('WebdriverIO (default BiDi) gets console events from Chrome through the host',
    { timeout: TEST_TIMEOUT }, () => wdioConsoleEvent(chromeCaps()));

  test('WebdriverIO (default BiDi) gets console events from Firefox through the host', {
    timeout: TEST_TIMEOUT,
    skip: process.env.WDHOST_SKIP_FIREFOX_BIDI ? 'WDHOST_SKIP_FIREFOX_BIDI is set' : false,
  }, () => wdioConsoleEvent(firefoxCaps()));

  test('selenium-webdriver: a BiDi LogInspector and createCDPConnection through the host',
    { timeout: TEST_TIMEOUT }, async () => {
      const options = new chrome.Options()
        .addArguments(...CHROME_ARGS)
        .enableBidi();
      const driver = await new Builder().usingServer(host.url).forBrowser('chrome')
        .setChromeOptions(options).build();
      try {
        const sessionId = (await driver.getSession()).getId();
        const caps = await driver.getCapabilities();
        assert.equal(caps.get('webSocketUrl'), bidiUrlOf(host, sessionId));
        assert.equal(caps.get('se:cdp'), cdpUrlOf(host, sessionId));

        const inspector = await within(EVENT_TIMEOUT, LogInspector(driver), 'the LogInspector to subscribe');
        let resolveEntry;
        const entry = new Promise((resolve) => { resolveEntry = resolve; });
        await inspector.onConsoleEntry((logEntry) => {
          if (logEntry.text === 'hello-selenium') resolveEntry(logEntry);
        });
        await driver.get(dataUrl("<title>Selenium BiDi</title><script>console.log('hello-selenium')</script>"));
        const logEntry = await within(EVENT_TIMEOUT, entry, "the console entry 'hello-selenium'");
        assert.equal(logEntry.method, 'log');
        assert.equal(logEntry.type, 'console');

        // Selenium takes se:cdp as it is (a browser-level endpoint) and attaches to the page.
        const cdp = await within(EVENT_TIMEOUT, driver.createCDPConnection('page'), 'createCDPConnection');
        assert.equal(driver._wsUrl, cdpUrlOf(host, sessionId), 'selenium did not use se:cdp');
        const sum = await cdp.send('Runtime.evaluate', { expression: '1 + 1', returnByValue: true });
        assert.equal(sum.result?.result?.value, 2, JSON.stringify(sum));
        const title = await cdp.send('Runtime.evaluate', { expression: 'document.title', returnByValue: true });
        assert.equal(title.result?.result?.value, 'Selenium BiDi', JSON.stringify(title));
      } finally {
        try {
          driver._cdpWsConnection?.close();
          if (driver._bidiConnection) {
            await within(10_000, driver._bidiConnection.close(), 'selenium to close its BiDi socket');
          }
        } finally {
          await driver.quit();
        }
      }
    });

  test('puppeteer-core connects to se:cdp of a session made over plain HTTP', { timeout: TEST_TIMEOUT }, async () => {
    const { sessionId, capabilities } = await newSession(host, { ...chromeCaps(), webSocketUrl: true });
    try {
      const seCdp = capabilities['se:cdp'];
      assert.equal(seCdp, cdpUrlOf(host, sessionId));
      assert.equal(capabilities['se:forwardCdp'], seCdp);
      assert.equal(typeof capabilities['se:cdpVersion'], 'string');
      assert.ok(capabilities['se:cdpVersion'].length > 0);
      assert.equal(capabilities.webSocketUrl, bidiUrlOf(host, sessionId));

      const navigated = await wd(host, 'POST', `/session/${sessionId}/url`,
        { url: dataUrl('<title>From WebDriver</title><p>hi</p>') });
      assert.equal(navigated.status, 200, navigated.text);

      const browser = await within(EVENT_TIMEOUT,
        puppeteer.connect({ browserWSEndpoint: seCdp, defaultViewport: null, protocolTimeout: 30_000 }),
        'puppeteer.connect');
      try {
        assert.match(await browser.version(), /Chrom/);
        const pages = await browser.pages();
        const titles = await Promise.all(pages.map((page) => page.title()));
        assert.ok(titles.includes('From WebDriver'), `titles of the pages: ${JSON.stringify(titles)}`);

        // And the other way: what puppeteer does, WebDriver sees.
        const page = pages[titles.indexOf('From WebDriver')];
        await page.goto(dataUrl('<title>From Puppeteer</title>'), { timeout: 30_000 });
        assert.equal(await page.title(), 'From Puppeteer');
        const title = await wd(host, 'GET', `/session/${sessionId}/title`);
        assert.equal(title.json?.value, 'From Puppeteer', title.text);
      } finally {
        await browser.disconnect();
      }
    } finally {
      await deleteSession(host, sessionId);
    }
  });

  test('a persistent sessions.create session is attached to by id: puppeteer on cdpUrl, BiDi on webSocketUrl',
    { timeout: TEST_TIMEOUT }, async () => {
      const id = `shop-${randomBytes(4).toString('hex')}`;
      const created = await wd(host, 'POST', '/api/v1', { cmd: 'sessions.create', session: id, browser: [{ name: 'chrome' }] });
      assert.equal(created.status, 200, created.text);
      try {
        assert.equal(created.json.webSocketUrl, bidiUrlOf(host, id));
        assert.equal(created.json.cdpUrl, cdpUrlOf(host, id));
        const listed = await wd(host, 'POST', '/api/v1', { cmd: 'sessions.list' });
        const entry = listed.json.sessions.find((session) => session.session === id);
        assert.equal(entry?.cdpUrl, cdpUrlOf(host, id), listed.text);

        const navigated = await wd(host, 'POST', `/session/${id}/url`, { url: dataUrl('<title>Kept</title>') });
        assert.equal(navigated.status, 200, navigated.text);
        const browser = await within(EVENT_TIMEOUT,
          puppeteer.connect({ browserWSEndpoint: created.json.cdpUrl, defaultViewport: null, protocolTimeout: 30_000 }),
          'puppeteer.connect to cdpUrl');
        try {
          const titles = await Promise.all((await browser.pages()).map((page) => page.title()));
          assert.ok(titles.includes('Kept'), JSON.stringify(titles));
        } finally {
          await browser.disconnect();
        }
        const bidi = await openBidi(created.json.webSocketUrl);
        try {
          const tree = await bidi.send('browsingContext.getTree', { maxDepth: 0 });
          assert.equal(tree.type, 'success', JSON.stringify(tree));
          assert.ok(tree.result.contexts.length >= 1, JSON.stringify(tree));
        } finally {
          bidi.close();
        }
      } finally {
        await wd(host, 'POST', '/api/v1', { cmd: 'sessions.destroy', session: id });
      }
    });

  test('a BiDi client that stops reading while Chrome floods it: the host holds it back, others unaffected',
    { timeout: TEST_TIMEOUT }, async () => {
      const flooded = await newSession(host, { ...chromeCaps(), webSocketUrl: true });
      const other = await newSession(host, { ...chromeCaps(), webSocketUrl: true });
      let slow;
      let busy;
      try {
        slow = await openBidi(flooded.capabilities.webSocketUrl);
        const tree = await slow.send('browsingContext.getTree');
        assert.equal(tree.type, 'success', JSON.stringify(tree));
        const context = tree.result.contexts[0].context;
        busy = await openBidi(other.capabilities.webSocketUrl);
        // This client asks for 64 answers of about 1 MB of random text each (it does not
        // compress: the socket has permessage-deflate, which shrinks repeated text, such as the
        // console events tried first, to nothing), and stops reading once the first one came:
        // some 60 MB that Chrome sends for sure, far more than the host's buffer and the
        // kernel's hold.
        const random = 'Array.from({ length: 1000000 }, ' +
          '() => String.fromCharCode(35 + Math.floor(Math.random() * 90))).join("")';
        const first = new Promise((resolve) => slow.ws.once('message', resolve));
        for (let id = 1000; id < 1064; id++) {
          slow.ws.send(JSON.stringify({ id, method: 'script.evaluate',
            params: { expression: random, target: { context }, awaitPromise: false } }));
        }
        const answer = JSON.parse(String(await within(EVENT_TIMEOUT, first, 'the first large answer')));
        assert.equal(answer.type, 'success', JSON.stringify(answer).slice(0, 300));
        slow.ws.pause();
        // Meanwhile the other session answers over HTTP and over BiDi as usual.
        for (let i = 0; i < 8; i++) {
          const status = await busy.send('session.status');
          assert.equal(status.type, 'success', JSON.stringify(status));
          const title = await wd(host, 'GET', `/session/${other.sessionId}/title`);
          assert.equal(title.status, 200, title.text);
          await sleep(500);
        }
        // The host stopped reading Chrome's answers for the client that does not read: its own
        // counters say so, and what it holds is its buffers' worth (1 MiB a direction, at most
        // four directions open here), not the flood's.
        assert.ok(await eventually(60_000, async () => await metric(host, 'wdhost_websocket_reads_held') >= 1),
          'the host never held back the flooding session');
        const buffered = await metric(host, 'wdhost_websocket_buffered_bytes');
        assert.ok(buffered >= 1024 * 1024 && buffered <= 4 * 1024 * 1024,
          `the host holds ${buffered} bytes for its websockets`);
      } finally {
        slow?.ws.terminate();
        busy?.close();
        await deleteSession(host, flooded.sessionId);
        await deleteSession(host, other.sessionId);
      }
    });

  test('an upgrade for an unknown session gets 404 invalid session id', { timeout: 30_000 }, async () => {
    const reply = await upgrade(`ws://127.0.0.1:${host.port}/session/nope/se/bidi`);
    assert.equal(reply.status, 404, reply.body);
    const json = JSON.parse(reply.body);
    assert.equal(json.value?.error, 'invalid session id', reply.body);
  });

  test('Delete Session closes an open BiDi socket with a close frame', { timeout: TEST_TIMEOUT }, async () => {
    const { sessionId, capabilities } = await newSession(host, { ...chromeCaps(), webSocketUrl: true });
    let bidi;
    try {
      assert.equal(capabilities.webSocketUrl, bidiUrlOf(host, sessionId));
      bidi = await openBidi(capabilities.webSocketUrl);
      const status = await bidi.send('session.status');
      assert.equal(status.type, 'success', JSON.stringify(status));
      assert.equal(typeof status.result?.ready, 'boolean', JSON.stringify(status));

      const deleted = await deleteSession(host, sessionId);
      assert.equal(deleted.status, 200, deleted.text);
      const { code } = await within(5_000, bidi.closed, 'the host to close the BiDi socket');
      assert.notEqual(code, 1006, 'the socket was dropped without a close frame');
    } finally {
      bidi?.close();
      await deleteSession(host, sessionId); // a no-op once deleted
    }
  });

  test('BiDi traffic alone keeps a session with wdhost:sessionTimeout 3 alive', { timeout: TEST_TIMEOUT }, async (t) => {
    const { sessionId, capabilities } = await newSession(host,
      { ...chromeCaps(), webSocketUrl: true, 'wdhost:sessionTimeout': 3 });
    let bidi;
    try {
      bidi = await openBidi(capabilities.webSocketUrl);
      let lastSent = Date.now();
      const tree = await bidi.send('browsingContext.getTree');
      assert.equal(tree.type, 'success', JSON.stringify(tree));
      const context = tree.result.contexts[0].context;

      // 8 s with no HTTP request, one BiDi command a second. Each command's bytes mark the
      // session used, so it may have expired only if the time from sending one command to
      // hearing the next one's reply reached the 3 s timeout (this machine stalled): then the
      // rest is not judged.
      const stalled = () => {
        if (Date.now() - lastSent < 3_000) return false;
        t.diagnostic(`a reply came ${Date.now() - lastSent} ms after the command before it: not judged`);
        return true;
      };
      const until = Date.now() + 8_000;
      while (Date.now() < until) {
        await sleep(1_000);
        const sent = Date.now();
        const sum = await bidi.send('script.evaluate',
          { expression: '1 + 1', target: { context }, awaitPromise: false }).catch((e) => e);
        if (stalled()) return;
        assert.equal(sum.type, 'success', JSON.stringify(sum));
        assert.equal(sum.result.result.value, 2, JSON.stringify(sum));
        lastSent = sent;
      }
      const title = await wd(host, 'GET', `/session/${sessionId}/title`);
      if (stalled()) return;
      assert.equal(title.status, 200, `the session expired although BiDi kept it busy: ${title.text}`);

      // The control: idle (the socket open but silent), it is closed as a Delete would.
      const { code } = await within(15_000, bidi.closed, 'the idle session to expire and close its socket');
      assert.notEqual(code, 1006, 'the socket was dropped without a close frame');
      const gone = await wd(host, 'GET', `/session/${sessionId}/title`);
      assert.equal(gone.status, 404, gone.text);
      assert.equal(gone.json?.value?.error, 'invalid session id', gone.text);
    } finally {
      bidi?.close();
      await deleteSession(host, sessionId);
    }
  });
});

describe('wdhost --auth-token guards the BiDi upgrade', () => {
  const token = 's3cret';
  const auth = { Authorization: `Bearer ${token}` };
  let host;
  before(async () => { host = await startHost(['--auth-token', token]); });
  after(async () => { await host?.stop(); });

  test('without the token 401, with it 101', { timeout: TEST_TIMEOUT }, async () => {
    const refused = await wd(host, 'POST', '/session', { capabilities: { alwaysMatch: chromeCaps() } });
    assert.equal(refused.status, 401, refused.text);

    const { sessionId, capabilities } = await newSession(host, { ...chromeCaps(), webSocketUrl: true }, auth);
    try {
      const url = capabilities.webSocketUrl;
      assert.equal(url, bidiUrlOf(host, sessionId));

      assert.equal((await upgrade(url)).status, 401);
      assert.equal((await upgrade(url, { Authorization: 'Bearer wrong' })).status, 401);

      const bearer = await upgrade(url, auth);
      assert.equal(bearer.status, 101, bearer.body);
      assert.equal(bearer.headers['sec-websocket-accept'], bearer.accept);

      const basic = `Basic ${Buffer.from(`user:${token}`).toString('base64')}`;
      assert.equal((await upgrade(url, { Authorization: basic })).status, 101);

      // A real client with the header gets a working socket.
      const bidi = await openBidi(url, auth);
      try {
        const status = await bidi.send('session.status');
        assert.equal(status.type, 'success', JSON.stringify(status));
      } finally {
        bidi.close();
      }
    } finally {
      await deleteSession(host, sessionId, auth);
    }
  });
});
