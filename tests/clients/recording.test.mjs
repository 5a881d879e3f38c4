// End to end: WebdriverIO records a chrome, a firefox and a WebKit session through the real
// wdhost binary, each showing a red page then a blue one; Debian's ffprobe and ffmpeg find an
// H.264 video that goes from red to blue, and the session's log holds its commands and (chrome,
// firefox) what the page wrote to its console. Firefox and WebKit run on a private Xvfb of their session (firefox.display=xvfb,
// safari.display=xvfb), recorded from it.
//
//   WDHOST_BINARY=build/bin/wdhost node --test tests/clients/recording.test.mjs
//
// WebdriverIO is pinned in package-lock.json beside this file. Every process started here is
// stopped, every wait is bounded, and only 127.0.0.1 is used.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { remote } from 'webdriverio';

import { CHROME_ARGS, dataUrl, startHost } from './support.mjs';

const TEST_TIMEOUT = 180_000;
const page = (colour) => dataUrl(`<title>${colour}</title><body style="margin:0;background:${colour}">` +
  `<script>console.log('wdio page is ${colour}')</script></body>`);

// Each frame's average colour near the top left of the page, in order.
function colours(file) {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'crop=200:200:100:100,scale=1:1',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { timeout: 60_000, maxBuffer: 1 << 24 });
  const named = [];
  for (let i = 0; i + 2 < raw.length; i += 3) {
    const [r, g, b] = [raw[i], raw[i + 1], raw[i + 2]];
    named.push(r > 180 && g < 80 && b < 80 ? 'red' : b > 180 && r < 80 && g < 80 ? 'blue' : 'other');
  }
  return named;
}

describe('recording with WebdriverIO', () => {
  let host;
  let work;
  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'wdhost-wdio-recording-'));
    host = await startHost(['--plugin', 'chrome', '--plugin', 'firefox', '--plugin', 'safari',
      '--plugin-option', 'firefox.display=xvfb', '--plugin-option', 'safari.display=xvfb',
      '--warm-browsers', '0', '--recordings-dir', path.join(work, 'recordings')]);
  });
  after(async () => {
    await host?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const cases = [
    ['chrome', { browserName: 'chrome', 'goog:chromeOptions': { args: [...CHROME_ARGS] } }],
    ['firefox', { browserName: 'firefox' }],
    ['WebKit', { browserName: 'MiniBrowser' }],
  ];
  for (const [name, capabilities] of cases) {
    test(`${name}: the video goes from red to blue, the log holds the page's console`, { timeout: TEST_TIMEOUT }, async () => {
      const browser = await remote({
        protocol: 'http', hostname: '127.0.0.1', port: host.port, path: '/', logLevel: 'error',
        connectionRetryTimeout: 120_000, connectionRetryCount: 0,
        capabilities: { ...capabilities, 'se:recordVideo': true, 'se:name': `wdio ${name}` },
      });
      const recording = browser.capabilities['wdhost:recording'];
      try {
        assert.ok(recording?.video && recording?.log, JSON.stringify(browser.capabilities));
        for (const colour of ['red', 'blue']) {
          await browser.url(page(colour));
          assert.equal(await browser.getTitle(), colour);
          await sleep(2000);
        }
      } finally {
        await browser.deleteSession();
      }
      // Served once finished.
      let video;
      for (let i = 0; i < 120 && !video; ++i) {
        const answer = await fetch(recording.video, { signal: AbortSignal.timeout(30_000) });
        if (answer.status === 200) video = Buffer.from(await answer.arrayBuffer());
        else await sleep(500);
      }
      assert.ok(video, 'the video was not served within 60 s');
      const file = path.join(work, `${name}.mp4`);
      writeFileSync(file, video);
      const probed = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0',
        '-show_entries', 'stream=codec_name,pix_fmt', '-of', 'json', file], { timeout: 60_000 }));
      assert.equal(probed.streams[0].codec_name, 'h264');
      assert.equal(probed.streams[0].pix_fmt, 'yuv420p');
      const named = colours(file);
      assert.ok(named.includes('red') && named.includes('blue'), named.join(' '));
      assert.ok(named.indexOf('red') < named.lastIndexOf('blue'), named.join(' '));
      const log = await (await fetch(recording.log, { signal: AbortSignal.timeout(30_000) })).text();
      // The page's console: chrome's over DevTools, Firefox's through its output; WebKit's
      // driver offers neither (said in the README).
      if (name !== 'WebKit') assert.match(log, /wdio page is blue/, log);
      assert.match(log, /GET \/title 200/, log);
      assert.match(log, /session ended: it was deleted/, log);
    });
  }
});
