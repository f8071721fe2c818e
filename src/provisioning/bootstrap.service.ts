import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ADMINISTRATOR, RequestContext } from '../common/request-context';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TransactionRunner } from '../database/transaction-runner';
import { GroupsService } from '../groups/groups.service';
import { UsersService } from '../users/users.service';

export const ROOT_GROUP_ID = 'root';

/**
 * First start on an empty database: the root group and one administrator. The password comes from
 * CAREGATE_ADMIN_PASSWORD, else a random one printed once to the log. There is no default password.
 */
@Injectable()
export class BootstrapService implements OnApplicationBootstrap {
  private readonly log = new Logger('Bootstrap');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly groups: GroupsService,
    private readonly users: UsersService,
    private readonly tx: TransactionRunner,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureRoot();
  }

  async ensureRoot(): Promise<{ created: boolean; password?: string }> {
    if (await this.groups.findRoot(RequestContext.crossTenant('bootstrap'))) return { created: false };
    const sys = RequestContext.system(ROOT_GROUP_ID);
    const generated = this.config.admin.password === undefined;
    const password = this.config.admin.password ?? randomBytes(18).toString('base64url');
    const login = this.config.admin.login;
    // Hashed first; the root group and its administrator then commit together, so a crash in
    // between never leaves a root without an administrator.
    const encodedPassword = await this.users.encodePassword(password, false);
    await this.tx.run(sys, async (t) => {
      await this.groups.createGroup(t, { id: ROOT_GROUP_ID, name: 'Root', superAdmin: true, type: 'root' });
      await this.users.create(t, {
        login,
        name: 'Administrator',
        roles: [ADMINISTRATOR],
        confirmed: true,
        encodedPassword,
      });
    });
    if (generated) {
      // Printed once, on the first start only; it is not stored anywhere in clear.
      this.log.warn(`Created the root group and administrator "${login}" with the generated password: ${password}`);
    } else {
      this.log.log(`Created the root group and administrator "${login}" (password from CAREGATE_ADMIN_PASSWORD)`);
    }
    return { created: true, password };
  }
}
