// Entry point bundled by esbuild into dist/sentry.js (an IIFE that sets
// window.Sentry). It re-exports the real browser SDK, whose default bundle
// includes replayIntegration.
export * from '@sentry/browser';
