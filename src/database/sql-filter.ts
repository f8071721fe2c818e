import { BadRequestError } from '../common/errors';
import { SqlParams } from './row-mapper';

export type FilterNode = Record<string, unknown> & { $type?: unknown };

export interface FilterDialect {
  /** The condition of a leaf filter (never NULL, so that NOT stays a complement). */
  leaf(f: FilterNode, q: SqlParams): string;
  /** An array field of a composite filter, checked. */
  list(v: unknown, field: string): unknown[];
}

const MAX_DEPTH = 20;

/**
 * The one filter engine: an iCure filter tree becomes one SQL condition over the scoped rows
 * (union = OR, intersection = AND, complement = AND NOT), so the database pages the result by id
 * through an index instead of the service resolving id sets in memory.
 */
export function compileFilter(f: FilterNode, d: FilterDialect, q: SqlParams, depth = 0): string {
  if (depth > MAX_DEPTH) throw new BadRequestError('Filter nesting is too deep');
  if (!f || typeof f !== 'object' || Array.isArray(f)) throw new BadRequestError('Missing discriminator $type');
  const sub = (x: unknown) => compileFilter(x as FilterNode, d, q, depth + 1);
  switch (f.$type) {
    case 'UnionFilter': {
      const parts = d.list(f.filters, 'filters').map(sub);
      return parts.length ? `(${parts.join(' OR ')})` : '1 = 0';
    }
    case 'IntersectionFilter': {
      const parts = d.list(f.filters, 'filters').map(sub);
      return parts.length ? `(${parts.join(' AND ')})` : '1 = 0';
    }
    case 'ComplementFilter': {
      const sup = f.superSet ? sub(f.superSet) : '1 = 1';
      return `(${sup} AND NOT ${sub(f.subSet)})`;
    }
    default:
      return d.leaf(f, q);
  }
}
