// testdata/replays/studio-bug by hand (React, BrowserRouter): sign in after
// sending the empty form once, search "offsite" with Enter, open the result
// by its heading, open the editor and Cancel (history back), write a new
// article with two tags committed by Enter, Publish; POST /api/articles
// answers the recorded 422 and the buggy app throws reading data.article.slug.
'use strict';

exports.expect = { type: 'TypeError', text: "Cannot read properties of undefined (reading 'slug')" };

const signIn = 'form[aria-label="Sign in"] button[type=submit]';
const editor = 'form[aria-label="Article editor"]';

exports.run = async (page, at) => {
	await page.goto(at('/'));
	await page.waitForURL('**/login');
	await page.click(signIn); // empty form: inline errors, no request
	await page.click('input[type=email]');
	await page.fill('input[type=email]', 'dana.lee@example.com');
	await page.click('input[type=password]');
	await page.fill('input[type=password]', 'correct-horse-42');
	await page.click(signIn); // POST /api/login, then the app goes to /
	await page.waitForURL((u) => u.pathname === '/');

	const search = 'input[aria-label="Search articles"]';
	await page.click(search);
	await page.fill(search, 'offsite');
	await page.press(search, 'Enter');
	await page.waitForURL('**/search?q=offsite');
	await page.click('main a[href="/articles/team-offsite-2025"] h2');
	await page.waitForURL('**/articles/team-offsite-2025');
	await page.click('main a[href="/editor/team-offsite-2025"]');
	await page.waitForURL('**/editor/team-offsite-2025');
	await page.click(`${editor} > div:last-child > button[type=button]`); // Cancel: navigate(-1)
	await page.waitForURL('**/articles/team-offsite-2025');

	await page.click('header nav a[href="/editor"]');
	await page.waitForURL((u) => u.pathname === '/editor');
	await page.click('input[aria-label="Title"]');
	await page.fill('input[aria-label="Title"]', 'Team offsite 2026');
	await page.click('textarea[aria-label="Body"]');
	await page.fill('textarea[aria-label="Body"]', "Dates, venue and the budget for this year's offsite.");
	const tags = 'input[aria-label="Tags"]';
	await page.click(tags);
	for (const tag of ['offsite', 'planning']) {
		await page.fill(tags, tag);
		await page.press(tags, 'Enter');
		await page.locator(`${editor} li`, { hasText: tag }).waitFor();
	}
	await page.click(`${editor} button[type=submit]`); // Publish
};
