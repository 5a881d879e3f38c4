// End to end through a Selenium Grid 4 whose relay nodes front wdhost hosts: WebdriverIO's BiDi
// and selenium-webdriver's CDP, each over the Grid router's websocket URLs. Run by
// tests/e2e/grid_relay_test.py, which starts the hosts and the Grid and passes the router as
// GRID_URL (http://127.0.0.1:PORT); on its own this file skips, saying why.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Builder } from 'selenium-webdriver';
import chrome from 'selenium-webdriver/chrome.js';
import { remote } from 'webdriverio';

import { CHROME_ARGS, dataUrl, within } from './support.mjs';

const GRID_URL = process.env.GRID_URL;
const skip = GRID_URL ? false : 'GRID_URL is not set: run through tests/e2e/grid_relay_test.py';
const TEST_TIMEOUT = 180_000;
const EVENT_TIMEOUT = 20_000;

/** True when `url` is a websocket URL on the Grid router, for session `id`. */
function onRouter(url, id, kind) {
  const router = new URL(GRID_URL);
  const ws = new URL(url);
  return ws.protocol === 'ws:' && ws.host === router.host && ws.pathname === `/session/${id}/se/${kind}`;
}

test('WebdriverIO gets BiDi console events through the Grid router', { skip, timeout: TEST_TIMEOUT }, async () => {
  const router = new URL(GRID_URL);
  const browser = await remote({
    hostname: router.hostname,
    port: Number(router.port),
    path: '/',
    capabilities: {
      browserName: 'chrome',
      'goog:chromeOptions': { args: [...CHROME_ARGS] },
    },
    logLevel: 'error',
    connectionRetryTimeout: 150_000,
    connectionRetryCount: 0,
  });
  try {
    assert.equal(browser.isBidi, true, 'WebdriverIO did not get a BiDi session');
    const { webSocketUrl } = browser.capabilities;
    assert.ok(onRouter(webSocketUrl, browser.sessionId, 'bidi'), `webSocketUrl ${webSocketUrl} is not Grid's`);
    let resolveEntry;
    const entry = new Promise((resolve) => { resolveEntry = resolve; });
    browser.on('log.entryAdded', (event) => {
      if (event.text === 'hello-grid' || event.args?.[0]?.value === 'hello-grid') resolveEntry(event);
    });
    await browser.sessionSubscribe({ events: ['log.entryAdded'] });
    await browser.url(dataUrl("<title>grid</title><script>console.log('hello-grid')</script>"));
    const event = await within(EVENT_TIMEOUT, entry, "log.entryAdded of console.log('hello-grid')");
    assert.equal(event.type, 'console');
  } finally {
    await browser.deleteSession();
  }
});

test('selenium-webdriver evaluates over CDP through the Grid router', { skip, timeout: TEST_TIMEOUT }, async () => {
  const options = new chrome.Options().addArguments(...CHROME_ARGS);
  const driver = await new Builder().usingServer(GRID_URL).forBrowser('chrome').setChromeOptions(options).build();
  try {
    const sessionId = (await driver.getSession()).getId();
    const caps = await driver.getCapabilities();
    assert.ok(onRouter(caps.get('se:cdp'), sessionId, 'cdp'), `se:cdp ${caps.get('se:cdp')} is not Grid's`);
    await driver.get(dataUrl('<title>Grid CDP</title>'));
    const cdp = await within(EVENT_TIMEOUT, driver.createCDPConnection('page'), 'createCDPConnection');
    const title = await cdp.send('Runtime.evaluate', { expression: 'document.title', returnByValue: true });
    assert.equal(title.result?.result?.value, 'Grid CDP', JSON.stringify(title));
  } finally {
    try {
      driver._cdpWsConnection?.close();
    } finally {
      await driver.quit();
    }
  }
});
