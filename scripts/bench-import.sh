#!/usr/bin/env bash
# Import benchmark (issue: store and ledger). Imports N base certificates (default 1,000,000) for
# P persons (default 100,000) into SQLite and PostgreSQL through `xueshi import` — validation,
# sealing look-ups, ledger and signed checkpoints included — and, in the same run, the same CSV
# through the raw write path of each database (`sqlite3 .import`, `psql \copy`) as the limit.
# Then `ledger verify` on both. Prints one line per measurement. Not a test.
#
#   scripts/bench-import.sh [N] [P]
#   XUESHI_BIN=/path/to/xueshi scripts/bench-import.sh …   # another build (e.g. a baseline)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
P=${2:-100000}
PG=${XUESHI_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
WORK=$(mktemp -d /tmp/xueshi-bench-import.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

if [ -z "${XUESHI_BIN:-}" ]; then
  cargo build -q --release -p xueshi
fi
X=${XUESHI_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/xueshi}

python3 - "$WORK" "$N" "$P" <<'PY'
import sys, random, datetime
work, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(2026)
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def id_number(body):
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
CS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CW = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
def credit(body):
    return body + CS[(31 - sum(CS.index(c) * w for c, w in zip(body, CW)) % 31) % 31]
counties = ["341502", "341503", "341504", "341522", "341523", "341524", "341525"]
units = [credit("12" + counties[i % 7] + "MB%07d" % i) for i in range(10)]
with open(f"{work}/units.csv", "w") as f:
    f.write("统一社会信用代码,单位名称,所在地区,行业,单位类型\n")
    for i, u in enumerate(units):
        f.write(f"{u},基准单位{i},{counties[i % 7]},卫生健康,事业单位\n")
persons = []
with open(f"{work}/persons.csv", "w") as f:
    f.write("身份证号,姓名,单位统一社会信用代码,入职日期,人员类别\n")
    for i in range(p):
        born = datetime.date(1965, 1, 1) + datetime.timedelta(days=i // 1000)
        idn = id_number("%s%s%03d" % (counties[i % 7], born.strftime("%Y%m%d"), i % 1000))
        name = "测" + "".join("零一二三四五六七八九"[int(c)] for c in "%06d" % i)
        persons.append((idn, name))
        f.write(f"{idn},{name},{units[i % 10]},2020-01-01,{'老人' if i % 2 else '新人'}\n")
with open(f"{work}/certs.csv", "w") as f:
    f.write("身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果,计入年度\n")
    for i in range(n):
        idn, name = persons[i % p]
        day = 1 + i % 28
        f.write(f"{idn},{name},{1 + i % 4},AH2026{i:010d},专业技术人员公需科目,10,2026-{1 + i % 10:02d}-{day:02d},合格,2026\n")
PY
echo "generated $N certificates for $P persons ($(du -h "$WORK/certs.csv" | cut -f1))"

run() { # label, database URL
  local label=$1 url=$2
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import units units.csv >/dev/null 2>&1)
  local t0 t1
  t0=$(date +%s.%N)
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import persons persons.csv 2>/dev/null | head -1)
  t1=$(date +%s.%N)
  echo "$label: persons $P in $(echo "$t1 - $t0" | bc) s"
  t0=$(date +%s.%N)
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" import certificates certs.csv 2>/dev/null | head -1)
  t1=$(date +%s.%N)
  local secs; secs=$(echo "$t1 - $t0" | bc)
  echo "$label: xueshi import certificates: $N rows in $secs s = $(echo "$N / $secs" | bc) rows/s"
  (cd "$WORK" && $X --database "$url" --keys "$WORK/$label.keys" ledger verify | head -1)
}

run sqlite "sqlite://$WORK/bench.db"
t0=$(date +%s.%N)
sqlite3 "$WORK/raw.db" "CREATE TABLE c (id_number TEXT, name TEXT, base TEXT, cert TEXT, course TEXT, hours TEXT, completed TEXT, exam TEXT, for_year TEXT);" ".import --csv --skip 1 $WORK/certs.csv c"
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "sqlite: raw sqlite3 .import: $N rows in $secs s = $(echo "$N / $secs" | bc) rows/s"

if psql "$PG" -Atc 'select 1' >/dev/null 2>&1; then
  DB=xueshi_bench_import_$$
  psql "$PG" -qc "CREATE DATABASE $DB"
  URL="${PG%/*}/$DB"
  run postgres "$URL"
  psql "$URL" -qc "CREATE TABLE c (id_number TEXT, name TEXT, base TEXT, cert TEXT, course TEXT, hours TEXT, completed TEXT, exam TEXT, for_year TEXT)"
  t0=$(date +%s.%N)
  psql "$URL" -qc "\\copy c FROM '$WORK/certs.csv' CSV HEADER"
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc)
  echo "postgres: raw COPY: $N rows in $secs s = $(echo "$N / $secs" | bc) rows/s"
  psql "$PG" -qc "DROP DATABASE $DB"
else
  echo "postgres: not reachable at $PG, skipped"
fi
