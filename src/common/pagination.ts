/** The native profile's keyset page (iCure PaginatedList). */
export interface KeysetPage<T> {
  pageSize: number;
  totalSize: number;
  rows: T[];
  nextKeyPair?: { startKey: unknown; startKeyDocId: string };
}

export interface KeysetQuery {
  startKey?: string;
  startDocumentId?: string;
  limit: number;
}

/** Turn `limit + 1` fetched rows into a page; the extra row becomes `nextKeyPair`. */
export function toKeysetPage<T extends { id: string }>(
  fetched: T[],
  limit: number,
  totalSize: number,
  keyOf: (row: T) => unknown,
): KeysetPage<T> {
  const rows = fetched.slice(0, limit);
  const next = fetched.length > limit ? fetched[limit] : undefined;
  return {
    pageSize: limit,
    totalSize,
    rows,
    ...(next ? { nextKeyPair: { startKey: keyOf(next), startKeyDocId: next.id } } : {}),
  };
}

export interface OffsetPage<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
