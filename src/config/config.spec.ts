import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has the documented defaults with no environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', nodeEnv: 'development', databaseUrl: undefined, smsProvider: 'log' });
    expect(c.argon2).toEqual({ memoryKiB: 19456, timeCost: 2, parallelism: 1 });
    expect(c.password.minLength).toBe(12);
    expect(c.sqliteFile).toMatch(/data[\\/]caregate\.sqlite$/);
    expect(c.admin).toEqual({ login: 'admin', password: undefined });
  });

  it("thread pool: libuv's default (4) when the entry point did not set UV_THREADPOOL_SIZE, else its value", () => {
    expect(loadConfig({}).threadPoolSize).toBe(4);
    expect(loadConfig({ UV_THREADPOOL_SIZE: '2' }).threadPoolSize).toBe(2);
  });

  it('CORS: reflect in development, none in production, or the configured list; credentials only when set', () => {
    expect(loadConfig({}).cors).toEqual({ origins: 'reflect', credentials: false });
    expect(loadConfig({ NODE_ENV: 'production' }).cors).toEqual({ origins: [], credentials: false });
    expect(loadConfig({ CAREGATE_CORS_ORIGINS: 'none' }).cors.origins).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'production', CAREGATE_CORS_ORIGINS: '*' }).cors.origins).toBe('reflect');
    expect(
      loadConfig({ CAREGATE_CORS_ORIGINS: 'https://a.example.org, http://127.0.0.1:8080', CAREGATE_CORS_CREDENTIALS: 'true' }).cors,
    ).toEqual({ origins: ['https://a.example.org', 'http://127.0.0.1:8080'], credentials: true });
  });

  it('starts in production without SMS settings (SMS then fails with 503)', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).smsProvider).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT="abc": expected an integer from 0 to 65535'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL: expected a URL with scheme postgres:// or postgresql://'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, silent'],
    [{ CAREGATE_ADMIN_PASSWORD: 'short' }, 'CAREGATE_ADMIN_PASSWORD: expected at least 12 characters'],
    [{ NODE_ENV: 'production', SMS_PROVIDER: 'log' }, 'SMS_PROVIDER=log is for development only'],
    [{ SMS_PROVIDER: 'http' }, 'SMS_HTTP_URL: required when SMS_PROVIDER=http'],
    [{ CAREGATE_CORS_ORIGINS: 'https://a.example.org/path' }, 'CAREGATE_CORS_ORIGINS: "https://a.example.org/path" is not an origin'],
    [{ CAREGATE_CORS_ORIGINS: 'null' }, 'CAREGATE_CORS_ORIGINS: "null" is not an origin'],
    [{ UV_THREADPOOL_SIZE: '0' }, 'UV_THREADPOOL_SIZE'],
    [{ UV_THREADPOOL_SIZE: 'many' }, 'UV_THREADPOOL_SIZE'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
