import { Injectable } from '@nestjs/common';

/**
 * Roles that only describe what a user is and carry no rights in Caregate, so an administrator may
 * hand them out without holding them. The core knows iCure's; a profile adds the ones its API
 * defines (Nabla's PRACTITIONER) when its module starts.
 */
@Injectable()
export class FunctionalRoles {
  private readonly roles = new Set<string>(['USER', 'HCP', 'PATIENT', 'DEVICE']);

  add(...roles: string[]): void {
    for (const r of roles) this.roles.add(r);
  }

  has(role: string): boolean {
    return this.roles.has(role);
  }
}
