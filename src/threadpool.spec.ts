import { availableParallelism } from 'node:os';

describe('thread pool size (entry point)', () => {
  it('one libuv thread per CPU unless UV_THREADPOOL_SIZE is set', async () => {
    const before = process.env.UV_THREADPOOL_SIZE;
    try {
      delete process.env.UV_THREADPOOL_SIZE;
      await jest.isolateModulesAsync(async () => {
        await import('./threadpool');
      });
      expect(process.env.UV_THREADPOOL_SIZE).toBe(String(availableParallelism()));
      process.env.UV_THREADPOOL_SIZE = '7';
      await jest.isolateModulesAsync(async () => {
        await import('./threadpool');
      });
      expect(process.env.UV_THREADPOOL_SIZE).toBe('7');
    } finally {
      if (before === undefined) delete process.env.UV_THREADPOOL_SIZE;
      else process.env.UV_THREADPOOL_SIZE = before;
    }
  });
});
