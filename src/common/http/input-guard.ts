import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import secureJson from 'secure-json-parse';
import { CoreError, ValidationError } from '../errors';
import { sendError } from './exception.filter';
import { normalizeError } from './normalize-error';
import { ProfileRegistry } from './profile-registry';

/**
 * Everything a client sends passes here before a route, a validator or a query sees it:
 * - JSON bodies are parsed with prototype-pollution keys dropped, and refused when nested deeper
 *   than CAREGATE_JSON_MAX_DEPTH (checked on the text, so no recursive code ever sees a deep value);
 * - NUL characters are refused in the URL (path and query), headers (and decoded Basic
 *   credentials) and bodies: PostgreSQL cannot store them and would answer with a driver error;
 * - Fastify's own errors raised before routing (bad URL, long parameter, oversized headers) are
 *   rendered by the profile that owns the path, like every other error.
 */
const registries = new WeakMap<object, ProfileRegistry>();

/** Adapter options; the handlers find the profile registry installed by `installInputGuard`. */
export function inputGuardOptions(): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> {
  return {
    frameworkErrors: (err, req, reply) => {
      const registry = registries.get(req.server);
      if (registry) sendError(registry, err, req, reply);
      else (reply as unknown as FastifyReply).code(400).send();
    },
    clientErrorHandler: function (this: FastifyInstance, err: Error, socket: Socket) {
      answerClientError(registries.get(this), err, socket);
    },
  };
}

/** The part of the configuration the guard reads (AppConfig has it; common/ does not import config/). */
export interface InputGuardOptions {
  jsonMaxDepth: number;
}

export function installInputGuard(app: NestFastifyApplication, config: InputGuardOptions): void {
  const fastify = app.getHttpAdapter().getInstance();
  registries.set(fastify, app.get(ProfileRegistry));
  const maxDepth = config.jsonMaxDepth;
  const parseJson = (text: string): unknown => {
    assertDepth(text, maxDepth);
    let value: unknown;
    try {
      value = secureJson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
    } catch {
      throw Object.assign(new Error('Malformed JSON body'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    }
    assertNoNul(value, ['body']);
    return value;
  };
  const parser = (text: string, done: (err: Error | null, body?: unknown) => void): void => {
    try {
      done(null, parseJson(text));
    } catch (e) {
      done(e as Error, undefined);
    }
  };

  // JSON bodies: `null` accepted (iCure's bodyless POST/PUT), empty treated as absent; text/plain
  // `null` (what fetch labels a bare `null`) is accepted too.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(['application/json', 'application/*+json'], { parseAs: 'string' }, (_req, body: string, done) =>
    body.trim() === '' ? done(null, undefined) : parser(body, done),
  );
  // curl -d without -H sends a JSON body labelled as a form: accept it when it is JSON.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body: string, done) => {
    const t = body.trim();
    if (!t.startsWith('{') && !t.startsWith('['))
      return done(
        Object.assign(new Error('Unsupported Content-Type'), { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }),
        undefined,
      );
    parser(t, done);
  });
  fastify.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body: string, done) => {
    if (body.includes('\0')) return done(nulError(['body']), undefined);
    done(null, body.trim() === 'null' || body === '' ? undefined : body);
  });

  fastify.addHook('onRequest', (req: FastifyRequest, _reply, done) => {
    const q = req.url.indexOf('?');
    if (/%00|\0/i.test(q < 0 ? req.url : req.url.slice(0, q))) throw nulError(['path']);
    if (q >= 0 && /%00|\0/i.test(req.url.slice(q))) throw nulError(['query']);
    const headers = req.headers;
    for (const name in headers) {
      const value = headers[name];
      if (typeof value === 'string') {
        if (value.includes('\0') || (name === 'authorization' && basicHasNul(value))) throw nulError(['header', name]);
      } else if (Array.isArray(value)) {
        for (const v of value)
          if (typeof v === 'string' && (v.includes('\0') || (name === 'authorization' && basicHasNul(v)))) throw nulError(['header', name]);
      }
    }
    // A callback hook (nothing here awaits): Fastify answers a synchronous throw like a rejection.
    done();
  });
}

function basicHasNul(header: string): boolean {
  const m = /^basic\s+(\S+)/i.exec(header);
  return !!m && Buffer.from(m[1], 'base64').includes(0);
}

function nulError(loc: (string | number)[]): ValidationError {
  return new ValidationError([{ loc, type: 'string_nul', msg: 'NUL characters are not allowed' }]);
}

/** Refuses JSON text nested deeper than `max` arrays/objects, without parsing it. */
export function assertDepth(text: string, max: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) throw new CoreError('BAD_REQUEST', `JSON body nested deeper than ${max} levels`);
    } else if (c === 93 || c === 125) depth--;
  }
}

/** Walks a parsed body (already bounded in depth) for NUL characters in keys and strings. */
function assertNoNul(value: unknown, loc: (string | number)[]): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) throw nulError(loc);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoNul(v, [...loc, i]));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\0')) throw nulError(loc);
      assertNoNul(v, [...loc, k]);
    }
  }
}

/** Past this, an oversized head is blamed on the URL (414) rather than on the headers (431). */
const MAX_REQUEST_LINE = 8192;

/**
 * Errors of the HTTP parser itself (headers too large, a request line too long, garbage): the
 * request never reached Fastify, so the path is read from the raw bytes to pick the profile.
 */
function answerClientError(
  registry: ProfileRegistry | undefined,
  err: Error & { code?: string; rawPacket?: Buffer },
  socket: Socket,
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable && registry) {
    const raw = err.rawPacket?.toString('latin1') ?? '';
    const lineEnd = raw.indexOf('\r\n');
    const url = /^[A-Z]+ (\S+)/.exec(raw)?.[1] ?? '/';
    let error: CoreError;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') error = new CoreError('REQUEST_TIMEOUT', 'Request timeout');
    else if (err.code === 'HPE_HEADER_OVERFLOW')
      error =
        (lineEnd < 0 ? raw.length : lineEnd) > MAX_REQUEST_LINE
          ? new CoreError('URI_TOO_LONG', 'URI too long')
          : new CoreError('HEADERS_TOO_LARGE', 'Request headers too large');
    else error = normalizeError(Object.assign(new Error('Malformed HTTP request'), { statusCode: 400, code: 'FST_ERR_CLIENT' }));
    const out = registry.rendererFor(url).render({ error, requestId: randomUUID(), url });
    const body = out.body === undefined ? '' : JSON.stringify(out.body);
    const headers = {
      ...(out.headers ?? {}),
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    socket.write(
      `HTTP/1.1 ${out.status} ${STATUS_CODES[out.status] ?? ''}\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
