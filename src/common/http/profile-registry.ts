import type { CoreError } from '../errors';

export interface RenderedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ErrorRenderInput {
  error: CoreError;
  requestId: string;
  url: string;
}

/** `Retry-After` for rate-limited errors; every profile sends it the same way. */
export function retryHeaders(error: CoreError): Record<string, string> {
  return error.details.retryAfterSeconds ? { 'retry-after': String(error.details.retryAfterSeconds) } : {};
}

/** A profile's exception filter: turns a core error into its wire shape. */
export interface ProfileErrorRenderer {
  render(input: ErrorRenderInput): RenderedError;
}

/**
 * Which profile owns a URL, so errors raised before a route runs (bad JSON, oversized body,
 * unknown route) still come back in that profile's shape. Longest prefix wins; the native
 * profile is the fallback.
 */
export class ProfileRegistry {
  private readonly entries: { prefix: string; renderer: ProfileErrorRenderer }[] = [];

  constructor(private readonly fallback: ProfileErrorRenderer) {}

  register(prefix: string, renderer: ProfileErrorRenderer): void {
    this.entries.push({ prefix, renderer });
    this.entries.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  rendererFor(url: string): ProfileErrorRenderer {
    const path = url.split('?')[0];
    return this.entries.find((e) => path === e.prefix || path.startsWith(`${e.prefix}/`))?.renderer ?? this.fallback;
  }
}
