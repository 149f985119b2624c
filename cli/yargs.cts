// yargs as CommonJS, for cli/main.ts: yargs' ES module build wraps help text with a helper that
// cuts words in two at the terminal's edge; its CommonJS build wraps between words. A CommonJS
// module of ours (rather than createRequire) lets the bundler (scripts/bundle.mjs) see and
// bundle it too.
import yargs = require('yargs');

export = yargs;
