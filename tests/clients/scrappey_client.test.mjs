// End to end: the published npm client of the hosted sessions API (scrappey-wrapper v1, pinned in
// package-lock.json beside this file) against the real wdhost binary and a real headless
// Chromium: create -> get with browserActions, screenshot and output options -> post -> destroy;
// and the main document's headers and redirects on Chromium and Firefox ESR.
//
//   WDHOST_BINARY=build/bin/wdhost node --test tests/clients/scrappey_client.test.mjs
//
// The client's base URL is pointed at the host on 127.0.0.1 (it is a public field); the page
// server is this file's own, on a port the OS picks. Every process is stopped, every wait bounded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { createRequire } from 'node:module';

import { startHost, within } from './support.mjs';

const Scrappey = createRequire(import.meta.url)('scrappey-wrapper');

const PAGE = `<!doctype html><title>Form</title>
<input id="name"><button id="go" onclick="document.getElementById('out').textContent =
'hello ' + document.getElementById('name').value">go</button><p id="out"></p>
<a href="/next">next</a><img src="/pixel.png">`;

let host;
let site;
let siteUrl;
let client;

before(async () => {
  site = http.createServer((request, response) => {
    if (request.method === 'POST') {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        response.writeHead(200, { 'Content-Type': 'text/html' });
        response.end(`<!doctype html><p id="posted">${body.replace(/[<>&]/g, '')}</p>`);
      });
      return;
    }
    if (request.url === '/moved') {
      response.writeHead(302, { Location: '/form', 'X-Hop': 'moved' });
      response.end();
      return;
    }
    response.writeHead(200, {
      'Content-Type': 'text/html', 'Set-Cookie': 'visited=yes; Path=/', 'X-Served-By': 'test-site',
    });
    response.end(PAGE);
  });
  site.listen(0, '127.0.0.1');
  await once(site, 'listening');
  siteUrl = `http://127.0.0.1:${site.address().port}/form`;
  host = await startHost(['--plugin', 'chrome', '--plugin', 'firefox', '--warm-browsers', '0']);
  client = new Scrappey('local-key');
  client.baseUrl = `${host.url}/api/v1`;
});

after(async () => {
  await host?.stop();
  site?.close();
});

test('scrappey-wrapper: create, get with browserActions and screenshot, post, destroy', { timeout: 240_000 }, async () => {
  const created = await within(120_000, client.createSession({ browser: [{ name: 'chrome' }] }), 'sessions.create');
  assert.equal(created.data, 'success', JSON.stringify(created));
  const session = created.session;
  assert.ok(session);

  const got = await within(120_000, client.get({
    url: siteUrl,
    session,
    browserActions: [
      { type: 'type', cssSelector: '#name', text: 'wdhost' },
      { type: 'click', cssSelector: '#go' },
      { type: 'wait_for_function', code: "document.getElementById('out').textContent.length > 0", timeout: 5000 },
      { type: 'execute_js', code: "document.getElementById('out').textContent" },
      { type: 'if', condition: 'document.title === "Form"', then: [{ type: 'execute_js', code: 'return 40 + 2' }] },
    ],
    screenshot: true,
    includeLinks: true,
    includeImages: true,
  }), 'request.get');
  assert.equal(got.data, 'success', JSON.stringify(got).slice(0, 500));
  const solution = got.solution;
  assert.equal(solution.statusCode, 200);
  assert.deepEqual(solution.javascriptReturn, ['hello wdhost', 42]);
  assert.match(solution.response, /hello wdhost/);
  assert.match(solution.screenshot, /^iVBORw0KGgo/); // base64 of the PNG signature
  assert.ok(solution.links.some((link) => link.endsWith('/next')), JSON.stringify(solution.links));
  assert.ok(solution.images.some((image) => image.endsWith('/pixel.png')));
  assert.ok(solution.cookies.some((cookie) => cookie.name === 'visited'));
  // The main document's exchange, as the browser's network saw it.
  assert.equal(solution.method, 'GET');
  assert.equal(solution.responseHeaders['x-served-by'], 'test-site', JSON.stringify(solution.responseHeaders));
  assert.equal(solution.responseHeaders['set-cookie'], 'visited=yes; Path=/');
  assert.equal(solution.requestHeaders['user-agent'], solution.userAgent);

  const only = await client.get({ url: siteUrl, session, cssSelector: '#go' });
  assert.match(only.solution.response, /^<button id="go"/);

  const posted = await within(120_000, client.post({ url: siteUrl, session, postData: 'a=1&b=two' }), 'request.post');
  assert.equal(posted.data, 'success', JSON.stringify(posted).slice(0, 500));
  assert.match(posted.solution.response, /a=1b=two/); // the page drops <, > and &
  assert.equal(posted.solution.method, 'POST');
  assert.equal(posted.solution.requestHeaders['content-type'], 'application/x-www-form-urlencoded');

  // A bad action is refused before anything runs, naming what is known.
  await assert.rejects(
    client.get({ url: siteUrl, session, browserActions: [{ type: 'fly' }] }),
    (error) => error.response?.status === 400 && /known: click, type, goto/.test(error.response.data.error));
  await assert.rejects(
    client.get({ url: siteUrl, session, browserActions: [{ type: 'solve_captcha' }] }),
    (error) => error.response?.status === 400 && error.response.data.code === 'unsupported_parameter');

  const destroyed = await client.destroySession(session);
  assert.equal(destroyed.data, 'success', JSON.stringify(destroyed));
});

// A redirect, followed by the browser: every hop with its status and headers, the final document's
// headers in responseHeaders.
async function checkRedirects(browser) {
  const created = await within(120_000, client.createSession({ browser: [{ name: browser }] }), 'sessions.create');
  assert.equal(created.data, 'success', JSON.stringify(created));
  try {
    const movedUrl = siteUrl.replace(/\/form$/, '/moved');
    const got = await within(120_000, client.get({ url: movedUrl, session: created.session, listAllRedirects: true }),
      'request.get');
    assert.equal(got.data, 'success', JSON.stringify(got).slice(0, 500));
    const solution = got.solution;
    assert.equal(solution.statusCode, 200);
    assert.equal(solution.currentUrl, siteUrl);
    assert.equal(solution.responseHeaders['x-served-by'], 'test-site');
    assert.equal(solution.responseHeaders.location, undefined, JSON.stringify(solution.responseHeaders));
    const hops = solution.listAllRedirectsResponse;
    assert.deepEqual(hops.map((hop) => [hop.url, hop.statusCode]), [[movedUrl, 302], [siteUrl, 200]]);
    assert.equal(hops[0].responseHeaders.location, '/form');
    assert.equal(hops[0].responseHeaders['x-hop'], 'moved');
    assert.equal(solution.requestHeaders.host, new URL(siteUrl).host);
  } finally {
    await client.destroySession(created.session);
  }
}

test('scrappey-wrapper: the main document\'s headers and redirects on chrome', { timeout: 240_000 },
  () => checkRedirects('chrome'));

test('scrappey-wrapper: the main document\'s headers and redirects on firefox', { timeout: 240_000 },
  () => checkRedirects('firefox'));
