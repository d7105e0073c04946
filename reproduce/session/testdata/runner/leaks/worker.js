const q = new URLSearchParams(self.location.search);
const targets = ['recorded', 'api', 'backend', 'ingest'].map(k => q.get(k)).filter(Boolean);
Promise.all(targets.map(t => fetch(t + '/worker', {method: 'POST', body: 'w'}).then(r => r.status, () => 'error')))
  .then(statuses => Promise.all(targets.map(t => new Promise(r => {
    try { const ws = new WebSocket(t.replace(/^http/, 'ws') + '/ws-worker'); ws.onopen = () => r('open'); ws.onerror = () => r('error'); }
    catch (e) { r('throw'); }
  }))).then(sockets => postMessage({statuses, sockets})));
