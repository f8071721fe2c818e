import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { BasicStrategy as PassportBasic } from 'passport-http';
import { Principal } from '../../common/request-context';
import { CredentialsService } from '../credentials.service';

/** Basic auth on every protected route: `login:password`, `login:password|TOTP` or `login:appToken`. */
@Injectable()
export class BasicAuthStrategy extends PassportStrategy(PassportBasic, 'basic') {
  constructor(private readonly credentials: CredentialsService) {
    super();
  }

  async validate(username: string, password: string): Promise<Principal> {
    const auth = await this.credentials.authenticate(username, password);
    return CredentialsService.principalOf(auth, 'basic');
  }
}
