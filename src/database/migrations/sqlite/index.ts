import { Initial1763800000000 } from './1763800000000-Initial';

/** Ordered; the same class names and timestamps as the postgres list. */
export const SQLITE_MIGRATIONS = [Initial1763800000000];
