"""The DuckDB anchor of the refresh benchmark (crates/store/BENCH.md): the core annual rules of
one year (D4 minimums, D5 credit year for public hours asked for an earlier year, minutes at 40
per hour) as one SQL query over the records exported as CSV. Prints load + compute and compute
alone, in person-years per second. Not the engine: no caps, conversions, filings or providers.

    python3 scripts/duckdb-anchor.py records.csv YEAR
"""
import sys
import time

import duckdb

path, year = sys.argv[1], int(sys.argv[2])
QUERY = f"""
SELECT person_id,
       SUM(t) AS total,
       SUM(CASE WHEN subject = 'professional' THEN t ELSE 0 END) AS professional,
       SUM(CASE WHEN subject = 'public' THEN t ELSE 0 END) AS public,
       SUM(t) >= 900 AND SUM(CASE WHEN subject = 'professional' THEN t ELSE 0 END) >= 600 AS compliant
FROM (SELECT person_id, subject,
             COALESCE(hours_tenths, minutes * 10 // 40, 0) AS t,
             CASE WHEN subject = 'public' AND for_year IS NOT NULL AND for_year < year(completed_on)
                  THEN for_year ELSE year(completed_on) END AS y
        FROM r)
WHERE y = {year}
GROUP BY person_id
"""
con = duckdb.connect()
t0 = time.perf_counter()
con.execute(
    f"""CREATE TABLE r AS SELECT * FROM read_csv('{path}', header = true, columns = {{
    'person_id': 'BIGINT', 'subject': 'VARCHAR', 'form': 'VARCHAR', 'started_on': 'DATE',
    'completed_on': 'DATE', 'hours_tenths': 'BIGINT', 'minutes': 'BIGINT', 'for_year': 'BIGINT'}})"""
)
t1 = time.perf_counter()
n = len(con.execute(QUERY).fetchall())
t2 = time.perf_counter()
best = min(
    (lambda s: (con.execute(QUERY).fetchall(), time.perf_counter() - s)[1])(time.perf_counter())
    for _ in range(3)
)
rows = con.execute("SELECT COUNT(*) FROM r").fetchone()[0]
print(f"duckdb {duckdb.__version__}: {rows} records, {n} person-years of {year}")
print(f"duckdb load + compute: {t2 - t0:.2f} s = {n / (t2 - t0):,.0f} person-years/s")
print(f"duckdb compute (best of 3): {best * 1000:.0f} ms = {n / best:,.0f} person-years/s")
