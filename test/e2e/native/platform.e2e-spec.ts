import { DataSource } from 'typeorm';
import { basic } from '../../support/fixtures';
import { ADMIN_LOGIN, ADMIN_PASSWORD, startApp, TestApp } from '../../support/test-app';
import { expect } from '@jest/globals';
import type { OpenAPIObject } from '@nestjs/swagger';

describe('platform: health, Swagger, CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('serves liveness and readiness without auth', async () => {
    await t.http().get('/health').expect(200, { status: 'ok' });
    await t.http().get('/health/ready').expect(200, { status: 'ok', database: 'up' });
  });

  it('serves Swagger UI at /api and the OpenAPI document at /api-json with bearer and basic schemes', async () => {
    const ui = await t.http().get('/api').expect(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = (await t.http().get('/api-json').expect(200)).body as OpenAPIObject;
    expect(Object.keys(doc.components?.securitySchemes ?? {})).toEqual(expect.arrayContaining(['bearer', 'basic']));
    expect(doc.paths['/rest/v2/auth/login']).toBeDefined();
    expect(doc.paths['/rest/v2/user/current'].get?.security).toEqual(expect.arrayContaining([{ bearer: [] }, { basic: [] }]));
  });

  it('reflects the Origin (development default) for the iCure client headers, without credentials', async () => {
    const res = await t
      .http()
      .options('/rest/v2/user/current')
      .set('Origin', 'https://app.example.org')
      .set('Access-Control-Request-Method', 'GET')
      .set('Access-Control-Request-Headers', 'authorization,refresh-token,x-requested-with,content-type')
      .expect(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers['access-control-allow-headers']).toContain('refresh-token');
  });

  it('a server fault is a 500 with only a request reference, and readiness turns 503', async () => {
    await t.get(DataSource).destroy();
    await t.http().get('/health/ready').expect(503, { status: 'unavailable', database: 'down' });
    const res = await t.http().get('/rest/v2/user/current').set(basic(ADMIN_LOGIN, ADMIN_PASSWORD)).expect(500);
    expect(res.body).toEqual({
      message: `Internal server error, reference ${(res.body as { requestId: string }).requestId}`,
      code: 'INTERNAL',
      status: 500,
      requestId: expect.any(String),
    });
  });
});
