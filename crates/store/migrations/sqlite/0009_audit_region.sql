-- xueshi schema v9 (SQLite): the place of each audit line. Kept in step with
-- ../postgres/0009_audit_region.sql: same column and index names.
--
-- `region` is the region code (GB/T 2260) of where the act happened: the acting official's
-- organisation, the unit of a unit administrator, the unit of a professional. It is NULL for
-- lines of the system itself (the CLI import, the demo seed, an unknown login), which only a
-- provincial supervisor reads. A supervisor reads the lines whose region its own covers (D18).
-- Adding a column changes no row: the table stays append-only (its triggers refuse UPDATE and
-- DELETE), and lines written before this migration keep a NULL region.
ALTER TABLE audit_log ADD COLUMN region INTEGER;
CREATE INDEX audit_log_region ON audit_log (region, at_ms);
