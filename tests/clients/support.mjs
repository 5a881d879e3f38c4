// What the JavaScript client tests share: Chrome's headless arguments, data: pages, and a bounded
// wait for a promise.

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
