// `npm run test:backup`: the runtime configuration (its root hook starts the engine when none answers, and
// forbid-pending), with the backup suites only. A spec given on mocha's command line is added to the config's
// spec rather than replacing it, hence this file instead of `--config .mocharc.runtime.json <files>`.
module.exports = { ...require("./.mocharc.runtime.json"), spec: ["test/runtime/backup*.test.ts"] };
