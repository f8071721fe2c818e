import { Controller, Get, Header, Headers, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { Ctx, Public, Roles } from '../../common/http/decorators';
import { Jwk, KeyStore } from '../../auth/tokens/key-store';
import { ADMINISTRATOR, RequestContext } from '../../common/request-context';
import { APP_CONFIG, AppConfig } from '../../config/config';

/**
 * What other backends need to verify Caregate's access tokens offline: the JWK Set and a minimal
 * discovery document. Caregate is not an OpenID provider beyond these two documents.
 */
@ApiTags('keys')
@Controller()
export class WellKnownController {
  constructor(
    private readonly keys: KeyStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('.well-known/jwks.json')
  @Public()
  // Short enough that verifiers learn a rotated-in key quickly; they refetch on an unknown kid anyway.
  @Header('Cache-Control', 'public, max-age=300, stale-while-revalidate=60')
  @ApiOperation({ summary: 'JWK Set of every key that verifies Caregate tokens (kid, alg, use)' })
  jwks(
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): { keys: Jwk[] } | undefined {
    const set = this.keys.jwks();
    // A revalidating client gets 304 until the key set changes.
    const etag = `"${createHash('sha256').update(JSON.stringify(set)).digest('base64url').slice(0, 27)}"`;
    void reply.header('etag', etag);
    if (ifNoneMatch === etag) {
      void reply.status(304);
      return undefined;
    }
    return set;
  }

  @Get('.well-known/openid-configuration')
  @Public()
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiOperation({ summary: 'Discovery document: issuer and jwks_uri only (Caregate is not an OpenID provider)' })
  discovery(@Req() req: FastifyRequest): Record<string, unknown> {
    const base = this.config.publicBaseUrl ?? `${req.protocol}://${req.headers.host ?? 'localhost'}`;
    return {
      issuer: this.config.jwt.issuer,
      jwks_uri: `${base.replace(/\/$/, '')}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: [...new Set(this.keys.jwks().keys.map((k) => k.alg))],
      token_endpoint: `${base.replace(/\/$/, '')}/rest/v2/auth/login`,
    };
  }

  @Post('rest/v2/keys/reload')
  @HttpCode(200)
  @Roles(ADMINISTRATOR)
  @ApiOperation({ summary: 'Re-read the signing and verification key files (root administrators only)' })
  @ApiUnprocessableEntityResponse({ description: 'A key file does not load (what is wrong is in the message); the current keys stay' })
  reload(@Ctx() ctx: RequestContext): { signingKid: string; kids: string[] } {
    return this.keys.reloadAs(ctx);
  }
}
