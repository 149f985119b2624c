// src/ui owns how results reach people and scripts: the text of each command's report, tables,
// progress on a terminal, one-line errors with their hint (reportError.ts), the one table from
// error codes to exit statuses (exitCodes.ts), and the shell completion scripts.
//
// Invariants: output only (stdout for results, stderr for progress and errors); --json output
// is stable for scripts; nothing here decides what a command does.
//
// Must not touch: a repository. It formats the plain objects the other areas return.
