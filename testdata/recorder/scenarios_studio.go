package main

import "slices"

// Selectors of the studio app (React). It has no ids, no data-testid and
// only generated class names, so the driver finds elements by ARIA labels,
// hrefs and structure, as a test author would.
const (
	studioEmail      = `input[type=email]`
	studioPassword   = `input[type=password]`
	studioSignIn     = `form[aria-label="Sign in"] button[type=submit]`
	studioSearch     = `input[aria-label="Search articles"]`
	studioNewArticle = `header nav a[href="/editor"]`
	studioTitle      = `input[aria-label="Title"]`
	studioBody       = `textarea[aria-label="Body"]`
	studioTags       = `input[aria-label="Tags"]`
	studioCancel     = `form[aria-label="Article editor"] > div:last-child > button[type=button]`
	studioPublish    = `form[aria-label="Article editor"] button[type=submit]`
)

// studioCard is the heading inside the link card of an article: the user
// clicks the title, the link around it navigates.
func studioCard(slug string) string { return `main a[href="/articles/` + slug + `"] h2` }

// studioSignInSteps signs in after first sending the empty form (inline
// errors, no request); the app then redirects itself to where the user was
// going.
func studioSignInSteps(p *person) []func() error {
	return []func() error{
		func() error { return p.navigate("/") }, // not signed in: the app replaces / with /login
		func() error { return p.wait(1500) },
		func() error { return p.click(studioSignIn) },
		func() error { return p.wait(1200) },
		func() error { return p.click(studioEmail) },
		func() error { return p.typeText(studioEmail, "dana.lee@example.com", true) },
		func() error { return p.click(studioPassword) },
		func() error { return p.typeText(studioPassword, "correct-horse-42", true) },
		func() error { return p.wait(500) },
		func() error { return p.click(studioSignIn) }, // POST /api/login, then navigate('/', {replace: true})
		func() error { return p.wait(2500) },
	}
}

// studioSearchOpenEditCancel searches with Enter, opens a result by its
// heading, opens the editor on it and leaves with Cancel (navigate(-1)).
func studioSearchOpenEditCancel(p *person) []func() error {
	return []func() error{
		func() error { return p.click(studioSearch) },
		func() error { return p.typeText(studioSearch, "offsite", true) },
		func() error { return p.wait(400) },
		func() error { return p.pressEnter(studioSearch) }, // /search?q=offsite
		func() error { return p.wait(1800) },
		func() error { return p.click(studioCard("team-offsite-2025")) },
		func() error { return p.wait(2500) },
		func() error { return p.click(`main a[href="/editor/team-offsite-2025"]`) },
		func() error { return p.wait(2000) },
		func() error { return p.click(studioCancel) }, // history back to the article
		func() error { return p.wait(1500) },
	}
}

// studioWrite fills a new article: title, body, and two tags each committed
// with Enter (a chip appears, the field empties).
func studioWrite(p *person, title, body string, tags ...string) []func() error {
	steps := []func() error{
		func() error { return p.click(studioTitle) },
		func() error { return p.typeText(studioTitle, title, true) },
		func() error { return p.click(studioBody) },
		func() error { return p.typeText(studioBody, body, true) },
		func() error { return p.wait(600) },
		func() error { return p.click(studioTags) },
	}
	for _, t := range tags {
		steps = append(steps,
			func() error { return p.typeText(studioTags, t, true) },
			func() error { return p.pressEnter(studioTags) },
			func() error { return p.wait(500) },
		)
	}
	return steps
}

var studioScenarios = []scenario{
	{
		Name: "studio-bug", App: "studio", Variant: "buggy", CaptureBodies: true, Seed: 11,
		Description: "User signs in (the empty form first shows inline errors), searches \"offsite\" with Enter, opens a result by clicking its heading inside the link card, opens the editor and cancels (history back), then writes a new article with two tags committed by Enter and clicks Publish; POST /api/articles answers 422 (title taken), the app reads data.article.slug and throws; nothing changes on screen.",
		Expected:    expectedVerdict{Buggy: "reproduced", Fixed: "not_reproduced"},
		Bug:         bugInfo{Summary: "Publish does nothing when the title is taken: the editor ignores the 422 {errors} answer and throws TypeError reading data.article.slug", Breakdown: "in_between"},
		Drive: func(p *person) error {
			return run(slices.Concat(
				studioSignInSteps(p),
				studioSearchOpenEditCancel(p),
				[]func() error{
					func() error { return p.click(studioNewArticle) },
					func() error { return p.wait(1200) },
				},
				studioWrite(p, "Team offsite 2026", "Dates, venue and the budget for this year's offsite.", "offsite", "planning"),
				[]func() error{
					func() error { return p.wait(1000) },
					func() error { return p.click(studioPublish) }, // 422 → TypeError, no visible change
					func() error { return p.wait(9000) },
				},
			)...)
		},
	},
	{
		Name: "studio-healthy", App: "studio", Variant: "fixed", CaptureBodies: true, Seed: 12,
		Description: "User signs in, opens an article from the home list by its heading, goes Back with the browser, searches with Enter, opens a result, opens the editor and cancels, then publishes a new article (Publish on the empty form first shows inline errors) with two tags committed by Enter; the app shows the published article and a toast. Nothing fails.",
		Expected:    expectedVerdict{Buggy: "inconclusive", Fixed: "inconclusive"},
		Bug:         bugInfo{Summary: "No bug in this session: every request succeeds and the article is published", Breakdown: "none"},
		Drive: func(p *person) error {
			return run(slices.Concat(
				studioSignInSteps(p),
				[]func() error{
					func() error { return p.click(studioCard("release-notes-4-2")) },
					func() error { return p.wait(2000) },
					func() error { return p.back() }, // the browser's Back button
					func() error { return p.wait(1500) },
				},
				studioSearchOpenEditCancel(p),
				[]func() error{
					func() error { return p.click(studioNewArticle) },
					func() error { return p.wait(1200) },
					func() error { return p.click(studioPublish) }, // empty form: inline errors, no request
					func() error { return p.wait(1200) },
				},
				studioWrite(p, "Spring offsite recap", "What we decided about venues and travel for the spring offsite.", "offsite", "recap"),
				[]func() error{
					func() error { return p.wait(1000) },
					func() error { return p.click(studioPublish) }, // 201, then navigate to the article and a toast
					func() error { return p.wait(4000) },
				},
			)...)
		},
	},
}
