#!/usr/bin/env bash
# Backups of Caregate's database, and a tested restore.
#
#   scripts/backup-restore.sh backup-sqlite  <data-dir> <backup-file>   online copy (SQLite backup API, better-sqlite3)
#   scripts/backup-restore.sh restore-sqlite <backup-file> <data-dir>   service stopped: integrity-checked copy into place
#   scripts/backup-restore.sh backup-pg      <database-url> <dump-file> pg_dump, custom format
#   scripts/backup-restore.sh restore-pg     <dump-file> <database-url> pg_restore into an existing, empty database
#   scripts/backup-restore.sh verify-sqlite  <data-dir>                 backup, restore into a temp dir, compare every table's rows
#   scripts/backup-restore.sh verify-pg      <database-url>             backup, restore into a throwaway database, compare, drop it
#
# Run from the repository root (better-sqlite3 comes from node_modules). PostgreSQL tools: PATH, or
# /usr/lib/postgresql/15/bin when present (the client must not be older than the server).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d /usr/lib/postgresql/15/bin ] && PATH="/usr/lib/postgresql/15/bin:$PATH"

die() { echo "backup-restore: $*" >&2; exit 1; }

# Throwaway targets of the verify commands, removed however the script ends.
TMP_DIR=""
SCRATCH_DB=""
SCRATCH_ADMIN_URL=""
cleanup() {
  [ -n "$SCRATCH_DB" ] && psql -Atq "$SCRATCH_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$SCRATCH_DB\" WITH (FORCE)" >/dev/null 2>&1
  [ -n "$TMP_DIR" ] && rm -rf "$TMP_DIR"
  return 0
}
trap cleanup EXIT

# Row count of every table, one "table count" line each, sorted: two databases with equal output hold the same rows.
sqlite_counts() {
  node -e '
    const db = new (require("better-sqlite3"))(process.argv[1], { readonly: true, fileMustExist: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE ? ORDER BY name").all("table", "sqlite_%");
    for (const { name } of tables) console.log(name, db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get().n);
  ' "$1"
}
pg_counts() {
  local t
  for t in $(psql -Atq "$1" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"); do
    echo "$t $(psql -Atq "$1" -c "SELECT COUNT(*) FROM \"$t\"")"
  done
}

backup_sqlite() {
  local src="$1/caregate.sqlite" out="$2"
  [ -f "$src" ] || die "no database at $src"
  # The backup API copies a consistent snapshot while the service keeps running (WAL included).
  node -e '
    const db = new (require("better-sqlite3"))(process.argv[1], { fileMustExist: true });
    db.backup(process.argv[2]).then(() => db.close(), (e) => { console.error(e.message); process.exit(1); });
  ' "$src" "$out"
  echo "backup-restore: $src -> $out"
}
restore_sqlite() {
  local in="$1" dir="$2"
  [ -f "$in" ] || die "no backup at $in"
  node -e '
    const db = new (require("better-sqlite3"))(process.argv[1], { readonly: true, fileMustExist: true });
    const r = db.pragma("integrity_check", { simple: true });
    if (r !== "ok") { console.error("integrity check failed: " + r); process.exit(1); }
  ' "$in"
  mkdir -p "$dir"
  rm -f "$dir/caregate.sqlite-wal" "$dir/caregate.sqlite-shm"
  cp "$in" "$dir/caregate.sqlite.restoring" && mv "$dir/caregate.sqlite.restoring" "$dir/caregate.sqlite"
  echo "backup-restore: $in -> $dir/caregate.sqlite"
}
backup_pg() { pg_dump --format=custom --no-owner --file="$2" "$1"; echo "backup-restore: $(redact "$1") -> $2"; }
restore_pg() { pg_restore --no-owner --exit-on-error --dbname="$2" "$1"; echo "backup-restore: $1 -> $(redact "$2")"; }
redact() { sed -E 's#://([^:@/]+):[^@/]*@#://\1:***@#' <<<"$1"; }

verify_sqlite() {
  local tmp
  tmp="$(mktemp -d)"
  TMP_DIR="$tmp"
  backup_sqlite "$1" "$tmp/backup.sqlite"
  restore_sqlite "$tmp/backup.sqlite" "$tmp/restored"
  [ "$(sqlite_counts "$tmp/backup.sqlite")" = "$(sqlite_counts "$tmp/restored/caregate.sqlite")" ] || die "restored rows differ"
  [ -n "$(sqlite_counts "$tmp/restored/caregate.sqlite")" ] || die "restored database has no tables"
  sqlite_counts "$tmp/restored/caregate.sqlite" | sed 's/^/  restored: /'
  echo "backup-restore: SQLite restore verified"
}
verify_pg() {
  local url="$1" tmp scratch scratch_url base
  tmp="$(mktemp -d)"
  TMP_DIR="$tmp"
  scratch="caregate_restore_check_$$_$RANDOM"
  base="${url%/*}"
  scratch_url="$base/$scratch"
  SCRATCH_DB="$scratch"
  SCRATCH_ADMIN_URL="$base/postgres"
  backup_pg "$url" "$tmp/backup.dump"
  psql -Atq "$base/postgres" -c "CREATE DATABASE \"$scratch\"" >/dev/null
  restore_pg "$tmp/backup.dump" "$scratch_url"
  [ "$(pg_counts "$url")" = "$(pg_counts "$scratch_url")" ] || die "restored rows differ"
  [ -n "$(pg_counts "$scratch_url")" ] || die "restored database has no tables"
  pg_counts "$scratch_url" | sed 's/^/  restored: /'
  echo "backup-restore: PostgreSQL restore verified"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  backup-sqlite) [ $# -eq 2 ] || die "usage: backup-sqlite <data-dir> <backup-file>"; backup_sqlite "$@" ;;
  restore-sqlite) [ $# -eq 2 ] || die "usage: restore-sqlite <backup-file> <data-dir>"; restore_sqlite "$@" ;;
  backup-pg) [ $# -eq 2 ] || die "usage: backup-pg <database-url> <dump-file>"; backup_pg "$@" ;;
  restore-pg) [ $# -eq 2 ] || die "usage: restore-pg <dump-file> <database-url>"; restore_pg "$@" ;;
  verify-sqlite) [ $# -eq 1 ] || die "usage: verify-sqlite <data-dir>"; verify_sqlite "$@" ;;
  verify-pg) [ $# -eq 1 ] || die "usage: verify-pg <database-url>"; verify_pg "$@" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
