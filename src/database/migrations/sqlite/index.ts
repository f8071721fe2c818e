import { Initial1763800000000 } from './1763800000000-Initial';
import { UserSecurityVersion1764100000000 } from './1764100000000-UserSecurityVersion';
import { ScaleIndexes1764200000000 } from './1764200000000-ScaleIndexes';
import { AuditWebhooks1764400000000 } from './1764400000000-AuditWebhooks';
import { LiveUserIndex1764500000000 } from './1764500000000-LiveUserIndex';
import { TextSearchProbeIndex1764510000000 } from './1764510000000-TextSearchProbeIndex';
import { BytewiseCollation1764600000000 } from './1764600000000-BytewiseCollation';
import { WebhookSecretGrace1764610000000 } from './1764610000000-WebhookSecretGrace';

/** Ordered; the same class names and timestamps as the postgres list. */
export const SQLITE_MIGRATIONS = [
  Initial1763800000000,
  UserSecurityVersion1764100000000,
  ScaleIndexes1764200000000,
  AuditWebhooks1764400000000,
  LiveUserIndex1764500000000,
  TextSearchProbeIndex1764510000000,
  BytewiseCollation1764600000000,
  WebhookSecretGrace1764610000000,
];
