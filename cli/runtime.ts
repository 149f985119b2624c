// Process-wide tuning, applied before anything else runs (cli/main.ts imports this first).
// libuv's thread pool runs both file system calls and zstd; with the default 4 threads,
// compression jobs queue in front of file reads and restore's reads.
process.env.UV_THREADPOOL_SIZE ??= '8';
