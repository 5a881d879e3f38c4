// End to end: the published npm client of the hosted sessions API (scrappey-wrapper v1, pinned in
// package-lock.json beside this file) against the real wdhost binary and a real headless
// Chromium: create -> get with browserActions, screenshot and output options -> post -> destroy;
// the main document's headers and redirects, and plain requests (requestType "request",
// request.put/patch/delete) sharing the session's cookies, on Chromium and Firefox ESR.
//
//   WDHOST_BINARY=build/bin/wdhost node --test tests/clients/scrappey_client.test.mjs
//
// The client's base URL is pointed at the host on 127.0.0.1 (it is a public field); the page
// server is this file's own, on a port the OS picks. Every process is stopped, every wait bounded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';

import { startHost, within } from './support.mjs';

const Scrappey = createRequire(import.meta.url)('scrappey-wrapper');

const PAGE = `<!doctype html><title>Form</title>
<input id="name"><button id="go" onclick="document.getElementById('out').textContent =
'hello ' + document.getElementById('name').value">go</button><p id="out"></p>
<a href="/next">next</a><img src="/pixel.png">`;

let host;
let site;
let tlsSite;
let untrustedSite;
let siteUrl;
let client;

before(async () => {
  site = http.createServer((request, response) => {
    if (request.url === '/login') {
      response.writeHead(302, { Location: '/echo', 'Set-Cookie': 'token=abc; Path=/; HttpOnly' });
      response.end();
      return;
    }
    if (request.url === '/echo') {
      let body = '';
      request.on('data', (chunk) => { body += chunk; });
      request.on('end', () => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'X-Echo': 'yes' });
        response.end(JSON.stringify({
          method: request.method, body, cookie: request.headers.cookie ?? '',
          contentType: request.headers['content-type'] ?? '', userAgent: request.headers['user-agent'],
          extra: request.headers['x-extra'] ?? '',
        }));
      });
      return;
    }
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
  // Two TLS sites: one whose certificate the host is told to trust (SSL_CERT_FILE), one it is not.
  const fixtures = new URL('./fixtures/', import.meta.url);
  const tlsServer = (name) => {
    const server = https.createServer({
      key: readFileSync(new URL(`${name}.key`, fixtures)),
      cert: readFileSync(new URL(`${name}.crt`, fixtures)),
    }, (request, response) => response.end(`${name} secret`));
    server.listen(0, '127.0.0.1');
    return server;
  };
  tlsSite = tlsServer('trusted');
  untrustedSite = tlsServer('untrusted');
  await Promise.all([once(tlsSite, 'listening'), once(untrustedSite, 'listening')]);
  // The pages are on this machine: the sessions API reaches them only through explicit exceptions.
  const allowed = [site, tlsSite, untrustedSite].flatMap((server) => ['--allow-target', `127.0.0.1:${server.address().port}`]);
  host = await startHost(['--plugin', 'chrome', '--plugin', 'firefox', '--warm-browsers', '0', ...allowed], {
    SSL_CERT_FILE: new URL('trusted.crt', fixtures).pathname,
  });
  client = new Scrappey('local-key');
  client.baseUrl = `${host.url}/api/v1`;
});

after(async () => {
  await host?.stop();
  site?.close();
  tlsSite?.close();
  untrustedSite?.close();
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

// Plain requests made by the host for `session`: the browser's user agent and cookies go out,
// the cookies set come back into the browser.
async function checkPlainRequests(session) {
  const origin = new URL(siteUrl).origin;
  const got = await within(60_000, client.get({
    url: `${origin}/login`, session, requestType: 'request', listAllRedirects: true,
    cookiejar: [{ key: 'given', value: 'g1' }], customHeaders: { 'X-Extra': 'custom' },
  }), 'request.get requestType request');
  assert.equal(got.data, 'success', JSON.stringify(got).slice(0, 500));
  const solution = got.solution;
  assert.equal(solution.type, 'request');
  assert.equal(solution.statusCode, 200);
  assert.equal(solution.currentUrl, `${origin}/echo`);
  const echoed = JSON.parse(solution.response);
  assert.equal(echoed.method, 'GET');
  // The browser's own cookie, the one given, and the redirect's Set-Cookie with the next hop.
  const cookieSet = (header) => header.split('; ').sort().join('; ');
  assert.equal(cookieSet(echoed.cookie), 'given=g1; token=abc; visited=yes');
  assert.equal(echoed.userAgent, solution.userAgent);
  assert.equal(echoed.extra, 'custom');
  assert.equal(solution.responseHeaders['x-echo'], 'yes');
  assert.deepEqual(solution.listAllRedirectsResponse.map((hop) => hop.statusCode), [302, 200]);
  assert.ok(solution.cookies.some((cookie) => cookie.name === 'token' && cookie.httpOnly));

  for (const [endpoint, method] of [['request.put', 'PUT'], ['request.patch', 'PATCH'], ['request.delete', 'DELETE']]) {
    const sent = await within(60_000, client.sendRequest({
      endpoint, url: `${origin}/echo`, session, postData: method === 'DELETE' ? undefined : { n: 1 },
    }), endpoint);
    assert.equal(sent.data, 'success', JSON.stringify(sent).slice(0, 500));
    const reply = JSON.parse(sent.solution.response);
    assert.equal(reply.method, method);
    assert.equal(cookieSet(reply.cookie), 'given=g1; token=abc; visited=yes');
    if (method !== 'DELETE') {
      assert.equal(reply.body, '{"n":1}');
      assert.equal(reply.contentType, 'application/json');
    }
  }

  // The browser itself now sends the cookie the plain request received.
  const page = await within(60_000, client.get({ url: `${origin}/echo`, session }), 'request.get');
  assert.match(page.solution.innerText, /token=abc/);

  // What cannot be done is refused with what to fix.
  await assert.rejects(
    client.sendRequest({ endpoint: 'request.put', url: `${origin}/echo`, session, requestType: 'browser' }),
    (error) => error.response?.status === 400 && /GET or POST only/.test(error.response.data.error));
  await assert.rejects(
    client.get({ url: `${origin}/echo`, session, requestType: 'request', screenshot: true }),
    (error) => error.response?.status === 400 && /needs requestType "browser"/.test(error.response.data.error));
  // TLS: a certificate the host trusts is served; one it does not is refused, naming why.
  const secure = await within(60_000, client.get({
    url: `https://127.0.0.1:${tlsSite.address().port}/`, session, requestType: 'request',
  }), 'request.get https');
  assert.equal(secure.solution.response, 'trusted secret', JSON.stringify(secure).slice(0, 500));
  await assert.rejects(
    client.get({ url: `https://127.0.0.1:${untrustedSite.address().port}/`, session, requestType: 'request' }),
    (error) => error.response?.status === 502 && /certificate verify failed/.test(error.response.data.error));
}

// A redirect, followed by the browser: every hop with its status and headers, the final document's
// headers in responseHeaders; then plain requests on the same session.
async function checkRedirects(browser) {
  const created = await within(120_000, client.createSession({ browser: [{ name: browser }] }), 'sessions.create');
  assert.equal(created.data, 'success', JSON.stringify(created));
  try {
    const movedUrl = siteUrl.replace(/\/form$/, '/moved');
    const got = await within(120_000, client.get({
      url: movedUrl, session: created.session, listAllRedirects: true, customHeaders: { 'X-Extra': 'page' },
    }), 'request.get');
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
    assert.equal(solution.requestHeaders['x-extra'], 'page'); // customHeaders, on every browser with BiDi
    // ... for that request only.
    const next = await within(60_000, client.get({ url: siteUrl, session: created.session }), 'request.get');
    assert.equal(next.solution.requestHeaders['x-extra'], undefined);
    await checkPlainRequests(created.session);
  } finally {
    await client.destroySession(created.session);
  }
}

test('scrappey-wrapper: the main document\'s headers and redirects, and plain requests, on chrome', { timeout: 240_000 },
  () => checkRedirects('chrome'));

test('scrappey-wrapper: the main document\'s headers and redirects, and plain requests, on firefox', { timeout: 240_000 },
  () => checkRedirects('firefox'));
