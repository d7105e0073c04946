// testdata/replays/tasks-bug by hand (Vue, hash routes): create board
// "Launch plan" (Create on the empty name first), add two tasks with Enter,
// tick one, filter with Enter, leave the filter and the board with the
// page's Back button, create board "Q3 launch"; POST /api/boards answers the
// recorded 409 and the buggy app throws reading data.board.id.
'use strict';

exports.expect = { type: 'TypeError', text: "Cannot read properties of undefined (reading 'id')" };

const newBoard = 'main section > div:first-child > h1 + button';
const boardName = 'form[aria-label="New board"] input';
const create = 'form[aria-label="New board"] button[type=submit]';
const newTask = 'input[aria-label="New task"]';
const filter = 'input[aria-label="Filter tasks"]';
const back = 'main section > div:first-child > button:first-child';

exports.run = async (page, at) => {
	await page.goto(at('/'));
	await page.waitForURL('**/#/boards');

	await page.click(newBoard);
	await page.click(create); // empty name: inline error, no request
	await page.click(boardName);
	await page.fill(boardName, 'Launch plan');
	await page.click(create); // POST /api/boards → 201, then router.push
	await page.waitForURL('**/#/board/12');

	await page.click(newTask);
	for (const [i, task] of ['Draft the announcement', 'Book a venue'].entries()) {
		await page.fill(newTask, task);
		await page.press(newTask, 'Enter');
		await page.locator(`main ul li:nth-child(${i + 1})`, { hasText: task }).waitFor();
	}
	await page.check('main ul li:nth-child(1) input[type=checkbox]'); // PATCH /api/tasks/101

	await page.click(filter);
	await page.fill(filter, 'venue');
	await page.press(filter, 'Enter');
	await page.waitForURL('**/#/board/12?q=venue');
	await page.click(back); // router.back(): the filter goes
	await page.waitForURL('**/#/board/12');
	await page.click(back); // router.back() to the boards
	await page.waitForURL('**/#/boards');

	await page.click(newBoard);
	await page.click(boardName);
	await page.fill(boardName, 'Q3 launch');
	await page.click(create); // POST /api/boards → 409
};
