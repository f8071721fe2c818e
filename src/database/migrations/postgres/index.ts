import { Initial1763800000000 } from './1763800000000-Initial';
import { UserSecurityVersion1764100000000 } from './1764100000000-UserSecurityVersion';

/** Ordered; the same class names and timestamps as the sqlite list. */
export const POSTGRES_MIGRATIONS = [Initial1763800000000, UserSecurityVersion1764100000000];
