import { availableParallelism } from 'node:os';

/**
 * Imported first by the entry point, before anything can use libuv's thread pool: unless the
 * operator set it, the pool gets one thread per CPU (libuv's default is 4), so no more argon2 hashes
 * run than there are CPUs; why the hashing gate then keeps twice as many in flight is HashingGate's
 * comment (credentials/password/password-hasher.ts).
 */
process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
