package main

import (
	"github.com/repro-dev/repro/reproduce/replay"
	"github.com/repro-dev/repro/reproduce/sentryapi"
	"github.com/repro-dev/repro/reproduce/session"
	"github.com/repro-dev/repro/reproduce/tickets"
)

// errorCodes maps library sentinel errors to exit codes.
var errorCodes = []struct {
	err  error
	code int
}{
	{replay.ErrNotReplay, exitBadReplay},
	{replay.ErrEmptyReplay, exitBadReplay},
	{replay.ErrNoFullSnapshot, exitBadReplay},
	{session.ErrChromeNotFound, exitChrome},
	{session.ErrAppUnreachable, exitAppUnreachable},
	{sentryapi.ErrUnauthorized, exitSentryAuth},
	{sentryapi.ErrNotFound, exitNotFound},
	{sentryapi.ErrRateLimited, exitRateLimited},
	{sentryapi.ErrConfig, exitUsage},
	{sentryapi.ErrIncomplete, exitBadReplay},
	{sentryapi.ErrArchived, exitNotFound},
	{sentryapi.ErrTooLarge, exitBadReplay},
	{sentryapi.ErrMalformedBundle, exitBadReplay},
	{tickets.ErrUnauthorized, exitSentryAuth},
	{tickets.ErrNotFound, exitNotFound},
	{tickets.ErrRateLimited, exitRateLimited},
	{tickets.ErrConfig, exitUsage},
	{tickets.ErrNotTicket, exitUsage},
	{errNoReplayInTicket, exitNotFound},
}
