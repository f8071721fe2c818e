import { availableParallelism } from 'node:os';

/**
 * Imported first by the entry point, before anything can use libuv's thread pool: unless the
 * operator set it, the pool gets one thread per CPU (libuv's default is 4). argon2 hashing runs on
 * these threads; the hashing gate (credentials/password/password-hasher.ts) keeps up to twice as
 * many jobs in flight, so a thread that finishes a hash starts the next queued one at once instead
 * of waiting for the main thread to hand it over, and no more hashes run than there are CPUs to run
 * them (more would only time-slice, each thrashing the others' 19 MiB).
 */
process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
