// End to end: WebdriverIO runs a small scripted test on chrome, firefox and WebKit through the
// real wdhost binary with wdhost:trace on: it opens a sign-in form, fills it (setValue: clear,
// then typing, into a name and a password field), clicks submit, fails one find, reads the
// title. The trace at wdhost:traceUrl holds every command in order with its W3C name and status,
// the failed find's error, a picture after the click other than the one before it, the URL and
// title of the submitted page, and (chrome) the page's console message; the password typed is
// nowhere in it, the name typed is.
//
//   WDHOST_BINARY=build/bin/wdhost node --test tests/clients/trace.test.mjs
//
// WebdriverIO is pinned in package-lock.json beside this file. Every process started here is
// stopped, every wait is bounded, and only 127.0.0.1 is used.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { remote } from 'webdriverio';

import { CHROME_ARGS, startHost } from './support.mjs';

const TEST_TIMEOUT = 180_000;
const NAME = 'Grace Hopper';
const PASSWORD = 'wdio-Pa55-never-in-a-trace';
const FORM = '<!doctype html><title>Sign in</title><form action="/done" method="post">' +
  '<input id="name" name="name"><input id="password" type="password" name="password">' +
  '<button id="submit">Sign in</button></form>';
const DONE = '<!doctype html><title>Welcome</title><body style="background:rgb(0,200,0)">' +
  '<script>console.log("wdio signed in")</script>Signed in</body>';

describe('traces with WebdriverIO', () => {
  let host;
  let site;
  let pages;
  let work;
  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'wdhost-wdio-trace-'));
    site = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end(request.url.startsWith('/done') ? DONE : FORM);
      });
    });
    await new Promise((resolve) => site.listen(0, '127.0.0.1', resolve));
    pages = `http://127.0.0.1:${site.address().port}`;
    host = await startHost(['--plugin', 'chrome', '--plugin', 'firefox', '--plugin', 'safari',
      '--plugin-option', 'safari.display=xvfb', '--warm-browsers', '0',
      '--traces-dir', path.join(work, 'traces')]);
  });
  after(async () => {
    await host?.stop();
    await new Promise((resolve) => (site ? site.close(resolve) : resolve()));
    rmSync(work, { recursive: true, force: true });
  });

  const cases = [
    ['chrome', { browserName: 'chrome', 'goog:chromeOptions': { args: [...CHROME_ARGS] } }],
    ['firefox', { browserName: 'firefox', 'moz:firefoxOptions': { args: ['-headless'] } }],
    ['WebKit', { browserName: 'MiniBrowser' }],
  ];
  for (const [name, capabilities] of cases) {
    test(`${name}: the trace holds the scripted test, its failure and its pages`, { timeout: TEST_TIMEOUT }, async () => {
      const browser = await remote({
        protocol: 'http', hostname: '127.0.0.1', port: host.port, path: '/', logLevel: 'error',
        connectionRetryTimeout: 120_000, connectionRetryCount: 0,
        capabilities: { ...capabilities, 'wdhost:trace': 'on' },
      });
      const traceUrl = browser.capabilities['wdhost:traceUrl'];
      try {
        assert.match(traceUrl ?? '', /\/wdhost\/traces\//, JSON.stringify(browser.capabilities));
        await browser.url(`${pages}/form`);
        await (await browser.$('#name')).setValue(NAME);
        await (await browser.$('#password')).setValue(PASSWORD);
        await (await browser.$('#submit')).click();
        await browser.waitUntil(async () => (await browser.getTitle()) === 'Welcome',
          { timeout: 20_000, interval: 100 });
        const missing = await browser.findElement('css selector', '#not-there').catch((e) => e);
        assert.ok(missing?.error === 'no such element' || /no such element/.test(String(missing?.message)),
          JSON.stringify(missing));
      } finally {
        await browser.deleteSession();
      }
      let trace;
      for (let i = 0; i < 100 && !trace?.complete; ++i) {
        const answer = await fetch(traceUrl, { signal: AbortSignal.timeout(30_000) });
        if (answer.status === 200) trace = (await answer.json()).value;
        if (!trace?.complete) await sleep(200);
      }
      assert.ok(trace?.complete, 'the trace did not complete within 20 s');
      const names = trace.commands.map((c) => c.name);
      const typed = trace.commands.filter((c) => c.name === 'Element Send Keys');
      // WebdriverIO asks a few things of its own first; where the session has WebDriver BiDi
      // (chrome, firefox) it navigates and finds elements over it, and the trace follows it.
      const navigation = names.findIndex((n) => n === 'Navigate To' || n === 'browsingContext.navigate');
      assert.ok(navigation >= 0 && navigation < names.indexOf('Element Send Keys'), names.join(', '));
      if (name !== 'WebKit') {
        assert.equal(names[navigation], 'browsingContext.navigate', names.join(', '));
        assert.equal(trace.commands[navigation].method, 'BIDI');
        assert.match(trace.commands[navigation].request, /\/form/);
        assert.match(trace.commands[navigation].response, /"type":"success"/);
        assert.ok(names.includes('browsingContext.locateNodes'), names.join(', '));
      }
      assert.equal(typed.length, 2, names.join(', '));
      const click = trace.commands.find((c) => c.name === 'Element Click');
      assert.ok(click && names.indexOf('Element Click') > names.indexOf('Element Send Keys'), names.join(', '));
      const failed = trace.commands.filter((c) => c.error);
      assert.ok(failed.some((c) => c.name === 'Find Element' && c.error === 'no such element' && c.status === 404),
        JSON.stringify(failed.map((c) => [c.name, c.error])));
      assert.deepEqual(trace.commands.map((c) => c.number), [...trace.commands.keys()].map((i) => i + 1));
      const frames = new Map(trace.frames.map((f) => [f.id, f]));
      assert.ok(frames.has(click.after) && frames.has(click.before), JSON.stringify([click.before, click.after]));
      assert.notEqual(frames.get(click.after).data, frames.get(click.before).data);
      assert.equal(click.title, 'Welcome');
      assert.match(click.url, /\/done$/);
      const text = JSON.stringify(trace);
      assert.ok(!text.includes(PASSWORD), 'the password is in the trace');
      assert.ok(typed[0].request.includes(NAME), typed[0].request);
      if (name === 'chrome') assert.ok(trace.events.some((e) => e.text.includes('wdio signed in')),
        JSON.stringify(trace.events));
    });
  }
});
