import * as http from 'node:http';

export interface SinkRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  status: number;
}

/** Sinks not closed yet: `closeSinks` (an `afterEach`) closes those a failed test left open. */
const open = new Set<() => Promise<void>>();

/** Closes every sink still open, so that a failing test does not keep Jest's process alive. */
export async function closeSinks(): Promise<void> {
  await Promise.all([...open].map((close) => close()));
}

/**
 * A local HTTP receiver on 127.0.0.1 and an ephemeral port. `respond` picks the status of each
 * request (default 204); every answered request is recorded with the status it got. Status 0 leaves
 * the request unanswered (a hung receiver); `pending()` counts those.
 */
export async function startSink(respond: (req: { headers: http.IncomingHttpHeaders; body: string; n: number }) => number = () => 204) {
  const received: SinkRequest[] = [];
  let n = 0;
  let hung = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const status = respond({ headers: req.headers, body, n: n++ });
      if (status === 0) return void hung++;
      received.push({ headers: req.headers, body, status });
      res.writeHead(status, status >= 300 && status < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  let closing: Promise<void> | undefined;
  const close = () => {
    open.delete(close);
    server.closeAllConnections();
    return (closing ??= new Promise<void>((resolve) => server.close(() => resolve())));
  };
  open.add(close);
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    pending: () => hung,
    close,
  };
}
