#!/usr/bin/env bash
# What a running cluster writes to PostgreSQL's WAL, by table and by kind of record: takes the WAL
# position, waits SECONDS, and reads the records in between with pg_waldump (full-page images
# counted with the record that wrote them). Defaults to scripts/scale.sh's database.
#   scripts/wal-by-table.sh [SECONDS] [PG_DIR] [PORT]
# A window shorter than PostgreSQL's checkpoint interval (checkpoint_timeout, 5 min by default)
# sees the full-page images of one part of it only: take 300 s or more for a figure to keep.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
SECONDS_=${1:-300}
PG_DIR=${2:-$ATS_ROOT/.data/pg-scale}
PORT=${3:-55440}
q() { pg_run "$(pg_bindir)/psql" -h "$PG_DIR" -p "$PORT" -U postgres -d ats -tAqc "$1"; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(q "SELECT pg_current_wal_lsn()")
sleep "$SECONDS_"
end=$(q "SELECT pg_current_wal_lsn()")
q "SELECT pg_relation_filenode(c.oid) || ' ' || c.relname FROM pg_class c
   WHERE pg_relation_filenode(c.oid) IS NOT NULL" > "$out/relations"
# pg_waldump may end with an error at the last record it reads; no records at all means the
# window's segments were recycled (a window of several checkpoints needs wal_keep_size, which
# scripts/scale.sh sets).
pg_run "$(pg_bindir)/pg_waldump" -p "$PG_DIR/pg_wal" -s "$start" -e "$end" > "$out/records" 2> "$out/errors" || true
if ! [ -s "$out/records" ]; then
    echo "pg_waldump read no record from $start to $end: $(head -3 "$out/errors")" >&2
    echo "(segments recycled? set wal_keep_size above the window's WAL)" >&2
    exit 1
fi
echo "WAL $start → $end over $SECONDS_ s; settings: $(q "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name)
   FROM pg_settings WHERE name IN ('wal_compression', 'checkpoint_timeout', 'max_wal_size', 'full_page_writes')")"
python3 - "$SECONDS_" "$out" <<'PY'
import collections, re, sys
seconds, out = float(sys.argv[1]), sys.argv[2]
names = dict(line.split(' ', 1) for line in open(f'{out}/relations').read().splitlines() if ' ' in line)
size, count, images = collections.Counter(), collections.Counter(), collections.Counter()
for line in open(f'{out}/records'):
    m = re.search(r'rmgr: (\w+)\s+len \(rec/tot\):\s+\d+/\s*(\d+).*?desc: (\w+)', line)
    if not m:
        continue
    rel = re.search(r'rel \d+/\d+/(\d+)', line)
    key = (names.get(rel.group(1), rel.group(1)) if rel else '-', m.group(1), m.group(3))
    size[key] += int(m.group(2))
    count[key] += 1
    images[key] += 'FPW' in line
total = sum(size.values())
per_minute = lambda b: b / 1048576 / seconds * 60
print(f"total {per_minute(total):.1f} MB a minute")
tables = collections.Counter()
for key, b in size.items():
    tables[key[0]] += b
for name, b in tables.most_common(12):
    print(f"  {name:34s} {per_minute(b):6.1f} MB/min {100 * b / total:5.1f}%")
print("largest kinds of record (table, resource manager, record: MB a minute, records a second, of them with a full page)")
for key, b in size.most_common(14):
    print(f"  {key[0]:26s} {key[1]:6s} {key[2]:12s} {per_minute(b):6.1f} MB/min {count[key] / seconds:8.1f}/s"
          f" {images[key] / seconds:6.1f}/s full page, {b / count[key]:5.0f} B each")
PY
