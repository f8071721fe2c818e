import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Secondary keys of tenant documents that a column index cannot serve: normalized text tokens,
 * tag and identifier codes, delegate ids. One row per (document, key); `kind` names the document
 * type and the key family (e.g. `user`, `hcp`, `hcp-tag`). Lookups are ranges over
 * (group_id, kind, key), so prefix search is an index range scan.
 */
@Entity('search_keys')
@Index('idx_search_keys_doc', ['groupId', 'kind', 'docId'])
export class SearchKeyEntity {
  @PrimaryColumn({ name: 'group_id', type: 'varchar', length: 64 })
  groupId: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  kind: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  key: string;

  @PrimaryColumn({ name: 'doc_id', type: 'varchar', length: 64 })
  docId: string;
}
