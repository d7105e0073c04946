// The Playwright peer that testdata/bench times repro against: a
// hand-written browser test of a bundled replay's flow, as an engineer would
// write it by hand (hand-picked selectors, Playwright's own auto-waiting,
// fill for text), in the same Chromium, against the same app, with the API
// answered from the same recorded responses and no latency. It exits 0 once
// the recorded failure has happened (its "verdict"), 3 if it did not within
// 10 s, 1 on any other error.
//
//   node peer.js <config.json>
//
// The config is written by `go run ./testdata/bench` (see main.go):
//   flow        a module in flows/ (the bundle's name)
//   app         the app under test's base URL (a static server with SPA fallback)
//   chrome      the Chromium executable; args its flags (the same as repro's)
//   exchanges   the recorded API calls, in recorded order
//   apiPaths    path prefixes of the recorded API ("/api/")
//   viewport, userAgent, locale, timezone   the recorded environment
//   latency     "none", or "recorded" to wait each exchange's recorded latency
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

async function main() {
	const cfgPath = process.argv[2];
	if (!cfgPath) throw new Error('usage: node peer.js <config.json>');
	const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
	const flow = require(path.join(__dirname, 'flows', cfg.flow + '.js'));

	const browser = await chromium.launch({ executablePath: cfg.chrome, headless: true, args: cfg.args });
	let code = 1;
	try {
		const context = await browser.newContext({
			viewport: cfg.viewport ? { width: cfg.viewport.width, height: cfg.viewport.height } : undefined,
			deviceScaleFactor: cfg.viewport && cfg.viewport.deviceScaleFactor ? cfg.viewport.deviceScaleFactor : undefined,
			userAgent: cfg.userAgent || undefined,
			locale: cfg.locale || undefined,
			timezoneId: cfg.timezone || undefined,
		});
		const api = new RecordedAPI(cfg.exchanges, cfg.latency === 'recorded');
		const appOrigin = new URL(cfg.app).origin;
		await context.route(
			(u) => u.origin === appOrigin && cfg.apiPaths.some((p) => u.pathname.startsWith(p)),
			(route) => api.answer(route),
		);
		const page = await context.newPage();

		// The recorded failure: an uncaught error whose message contains the
		// flow's text (Chromium reports unhandled rejections here too).
		let failed;
		const happened = new Promise((resolve) => { failed = resolve; });
		page.on('pageerror', (err) => {
			if (err.name === flow.expect.type && err.message.includes(flow.expect.text)) failed(err);
		});

		await flow.run(page, (p) => cfg.app + p);

		const timeout = new Promise((resolve) => setTimeout(resolve, 10_000, null));
		const err = await Promise.race([happened, timeout]);
		if (err) {
			console.log(`peer: reproduced: uncaught ${err.name}: ${err.message}`);
			code = 0;
		} else {
			console.log(`peer: not reproduced: no uncaught ${flow.expect.type} containing ${JSON.stringify(flow.expect.text)} within 10 s`);
			code = 3;
		}
		if (api.unmatched.length) console.error(`peer: ${api.unmatched.length} request(s) not in the recording: ${api.unmatched.join(', ')}`);
		await context.close();
	} finally {
		await browser.close();
	}
	return code;
}

// RecordedAPI answers requests from the recorded exchanges as repro's mock
// does in outline: a request matches exchanges of the same method, path and
// set of query parameter names (values typed into masked fields differ, so
// they are matched by presence); the Nth identical request gets the Nth
// recorded answer, and the last one again once they run out. Anything else
// gets 404 and is listed.
class RecordedAPI {
	constructor(exchanges, withLatency) {
		this.withLatency = withLatency;
		this.queues = new Map();
		this.unmatched = [];
		for (const x of exchanges) {
			const k = key(x.method, new URL(x.url, 'http://recorded.invalid'));
			if (!this.queues.has(k)) this.queues.set(k, { list: [], next: 0 });
			this.queues.get(k).list.push(x);
		}
	}

	async answer(route) {
		const req = route.request();
		const q = this.queues.get(key(req.method(), new URL(req.url())));
		if (!q) {
			this.unmatched.push(`${req.method()} ${req.url()}`);
			return route.fulfill({ status: 404, contentType: 'application/json', body: '{"error":"not in the recording"}' });
		}
		const x = q.list[Math.min(q.next, q.list.length - 1)];
		q.next++;
		if (this.withLatency && x.latencyMs > 0) await new Promise((r) => setTimeout(r, x.latencyMs));
		if (x.status === 0) return route.abort('failed');
		return route.fulfill({
			status: x.status,
			headers: x.headers || {},
			body: x.bodyBase64 ? Buffer.from(x.bodyBase64, 'base64') : (x.body || ''),
		});
	}
}

function key(method, u) {
	const names = [...new Set([...u.searchParams.keys()])].sort();
	return `${method.toUpperCase()} ${u.pathname}?${names.join('&')}`;
}

main().then(
	(code) => process.exit(code),
	(err) => {
		console.error(`peer: ${err && err.message ? err.message.split('\n')[0] : err}`);
		process.exit(1);
	},
);
