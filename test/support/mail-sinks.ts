import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server inside the test process; tests read codes from what it received. */
export class SmtpSink {
  readonly messages: { to: string[]; raw: string }[] = [];
  private server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, cb) => {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString('utf8')));
      stream.on('end', () => {
        this.messages.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  /** The last message to `to`, decoded from quoted-printable soft breaks. */
  lastTo(to: string): string | undefined {
    const m = [...this.messages].reverse().find((x) => x.to.includes(to));
    return m?.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  }
}

/** An HTTP SMS gateway sink: records `{to, text}` posts; can be told to fail. */
export class SmsSink {
  readonly messages: { to: string; text: string }[] = [];
  failNext = 0;
  private server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (this.failNext > 0) {
        this.failNext--;
        res.writeHead(502).end();
        return;
      }
      this.messages.push(JSON.parse(body) as { to: string; text: string });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sms`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  lastTo(to: string): string | undefined {
    return [...this.messages].reverse().find((m) => m.to === to)?.text;
  }
}

export const codeIn = (text: string | undefined): string => {
  const m = /code is (\d{6})/.exec(text ?? '');
  if (!m) throw new Error(`no code in ${text}`);
  return m[1];
};

export const resetTokenIn = (text: string | undefined): string => {
  const m = /reset your password: ([A-Za-z0-9_-]{22})/.exec(text ?? '');
  if (!m) throw new Error(`no reset token in ${text}`);
  return m[1];
};
