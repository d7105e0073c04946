const q = new URLSearchParams(self.location.search);
const targets = ['recorded', 'api', 'backend', 'ingest'].map(k => q.get(k)).filter(Boolean);
self.addEventListener('install', e => { self.skipWaiting(); e.waitUntil(Promise.all(targets.map(t => fetch(t + '/sw-install', {method: 'POST', body: 'i'}).catch(() => {})))); });
self.addEventListener('activate', e => e.waitUntil(clients.claim()));
self.addEventListener('fetch', e => {
  if (new URL(e.request.url).pathname.endsWith('/sw-proxied')) e.respondWith(fetch(q.get('backend') + '/sw-fetch').catch(() => new Response('blocked', {status: 599})));
});
