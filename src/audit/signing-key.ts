import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { APP_CONFIG, AppConfig } from '../config/config';

/** The key that signs audit checkpoints: configured, else generated once into the data dir. */
@Injectable()
export class AuditSigningKey {
  private key?: Buffer;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get(): Buffer {
    if (this.key) return this.key;
    if (this.config.audit.signingKey) return (this.key = Buffer.from(this.config.audit.signingKey, 'utf8'));
    const file = path.join(this.config.dataDir, 'audit-signing.key');
    if (!fs.existsSync(file)) {
      fs.mkdirSync(this.config.dataDir, { recursive: true });
      fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    }
    return (this.key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'utf8'));
  }
}
