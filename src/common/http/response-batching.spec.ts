import Fastify, { FastifyInstance, FastifyReply } from 'fastify';
import { AddressInfo, connect } from 'node:net';
import { installResponseBatching } from './response-batching';

describe('installResponseBatching', () => {
  let app: FastifyInstance;

  beforeEach(() => {
    app = Fastify();
    installResponseBatching(app);
  });
  afterEach(() => app.close());

  it('writes the responses answered in one turn after all of them were answered, in order', async () => {
    const replies: FastifyReply[] = [];
    let sentWhenLastAnswered: boolean[] = [];
    const finished: number[] = [];
    app.get('/r/:n', (req, reply) => {
      const n = Number((req.params as { n: string }).n);
      replies.push(reply);
      reply.raw.on('finish', () => finished.push(n));
      // The last handler of the turn: the earlier answers must still be unwritten.
      if (replies.length === 3) sentWhenLastAnswered = replies.map((r) => r.raw.headersSent);
      return { n };
    });
    await app.ready();
    const results = await Promise.all([1, 2, 3].map((n) => app.inject({ url: `/r/${n}` })));
    expect(results.map((r): unknown[] => [r.statusCode, r.json()])).toEqual([
      [200, { n: 1 }],
      [200, { n: 2 }],
      [200, { n: 3 }],
    ]);
    expect(sentWhenLastAnswered).toEqual([false, false, false]);
    expect(finished).toEqual([1, 2, 3]);
  });

  it('keeps the order of pipelined requests on one socket whatever order they are answered in', async () => {
    // Handlers finish in reverse order: /p/3 first, /p/1 last.
    app.get('/p/:n', async (req) => {
      const n = Number((req.params as { n: string }).n);
      await new Promise((resolve) => setTimeout(resolve, (4 - n) * 20));
      return `answer ${n}`;
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let out = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        out += d;
        if ((out.match(/answer \d/g) ?? []).length === 3) {
          socket.destroy();
          resolve(out);
        }
      });
      socket.on('error', reject);
      socket.write([1, 2, 3].map((n) => `GET /p/${n} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
    });
    expect(text.match(/answer \d/g)).toEqual(['answer 1', 'answer 2', 'answer 3']);
  });

  it('answers a response that cannot be written with a 500 instead of crashing', async () => {
    app.get('/bad', (_req, reply) => {
      void reply.header('x-bad', 'a\nb');
      return 'never sent';
    });
    app.get('/ok', () => 'ok');
    await app.ready();
    const [bad, ok] = await Promise.all([app.inject({ url: '/bad' }), app.inject({ url: '/ok' })]);
    expect(bad.statusCode).toBe(500);
    expect(bad.body).not.toContain('never sent');
    expect([ok.statusCode, ok.body]).toEqual([200, 'ok']);
  });
});
