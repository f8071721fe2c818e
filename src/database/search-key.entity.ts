import { Entity, Index, PrimaryColumn } from 'typeorm';
import { BYTEWISE } from './columns';

/**
 * Secondary keys of tenant documents that a column index cannot serve: normalized text tokens,
 * tag and identifier codes, delegate ids. One row per (document, key); `kind` names the document
 * type and the key family (e.g. `user`, `hcp`, `hcp-tag`). Lookups are ranges over
 * (group_id, kind, key), so prefix search is an index range scan; (group_id, kind, doc_id, key)
 * answers "does this document have a key in this range" with one seek, reading the index only.
 */
@Entity('search_keys')
@Index('idx_search_keys_doc_key', ['groupId', 'kind', 'docId', 'key'])
export class SearchKeyEntity {
  @PrimaryColumn({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  kind: string;

  @PrimaryColumn({ type: 'varchar', length: 255, ...BYTEWISE })
  key: string;

  @PrimaryColumn({ name: 'doc_id', type: 'varchar', length: 64 })
  docId: string;
}
