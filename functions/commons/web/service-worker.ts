// The service worker (GET /sw.js): a unit's pages open with no signal once they were opened, or
// once the unit's home asked for them (its forms). Enketo's lessons (FACTS.md): POSTs are never
// intercepted (iOS WebKit sent them empty through a worker, enketo #1584), and an update never
// strands a cached form: the cache is not versioned with the worker, and an entry is replaced only
// by a good answer from the network (enketo #986).
import type { Context } from 'hono'

/** Plain ES2017, served as is: it runs in the worker's own global scope, not bundled with the pages' script. */
const SOURCE = `'use strict';
var CACHE = 'sentinel-pages';
var PAGE = /^\\/u\\/[^/]+(\\/forms\\/[a-z][a-z0-9-]*)?\\/?$/;
function cacheable(url) {
  if (url.origin !== self.location.origin) return false;
  if (url.pathname.indexOf('/assets/') === 0) return true;
  // a unit's home and its blank forms; a correction (?from=) or anything else goes to the network only
  var plain = Array.from(url.searchParams.keys()).every(function (k) { return k === 'lang'; });
  return plain && PAGE.test(url.pathname);
}
function keyOf(url) { return url.origin + url.pathname.replace(/\\/$/, ''); }
async function networkFirst(request, url) {
  var cache = await caches.open(CACHE);
  try {
    var response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(keyOf(url), response.clone());
    return response;
  } catch (error) {
    var cached = await cache.match(keyOf(url));
    if (cached) return cached;
    throw error;
  }
}
async function cacheFirst(request, url) {
  var cache = await caches.open(CACHE);
  var cached = await cache.match(keyOf(url));
  if (cached) return cached;
  var response = await fetch(request);
  if (response.ok) await cache.put(keyOf(url), response.clone());
  return response;
}
self.addEventListener('install', function () { self.skipWaiting(); });
self.addEventListener('activate', function (event) { event.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', function (event) {
  var request = event.request;
  if (request.method !== 'GET') return;
  var url = new URL(request.url);
  if (!cacheable(url)) return;
  event.respondWith(url.pathname.indexOf('/assets/') === 0 ? cacheFirst(request, url) : networkFirst(request, url));
});
// The unit's home names its forms: fetched now, so each opens offline even if never opened before.
self.addEventListener('message', function (event) {
  var data = event.data || {};
  if (data.type !== 'cache' || !Array.isArray(data.urls)) return;
  event.waitUntil(Promise.all(data.urls.map(function (href) {
    var url = new URL(href, self.location.origin);
    if (!cacheable(url)) return undefined;
    return networkFirst(new Request(url.href, { credentials: 'same-origin' }), url).then(function (response) {
      var html = response.headers.get('content-type') || '';
      if (html.indexOf('text/html') !== 0) return undefined;
      return response.text().then(function (text) {
        var script = /src="(\\/assets\\/[^"]+)"/.exec(text);
        return script ? cacheFirst(new Request(script[1]), new URL(script[1], self.location.origin)) : undefined;
      });
    }).catch(function () { return undefined; });
  })));
});
`

/** Where the pages register it: the root, so its scope covers every unit's pages. */
export const SERVICE_WORKER_PATH = '/sw.js'

/** GET /sw.js — checked again on every visit (no-cache), so an update arrives with the next page. */
export const serveServiceWorker = (c: Context) =>
  c.body(SOURCE, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' })
