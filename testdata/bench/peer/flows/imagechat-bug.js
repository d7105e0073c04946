// testdata/replays/imagechat-bug by hand: open shot 42, open Image chat,
// type a prompt, click Generate; POST /api/chat answers the recorded 500 and
// the buggy app throws reading data.image.url.
'use strict';

exports.expect = { type: 'TypeError', text: "Cannot read properties of undefined (reading 'url')" };

exports.run = async (page, at) => {
	await page.goto(at('/shots'));
	await page.click('#shot-42 .thumb');
	await page.waitForURL('**/shots/42');
	await page.click('#open-chat');
	await page.click('#prompt');
	await page.fill('#prompt', 'make the sky warmer at sunset'); // 29 characters, as recorded
	await page.click('#generate');
};
