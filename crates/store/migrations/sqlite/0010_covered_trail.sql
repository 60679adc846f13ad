-- xueshi schema v10 (SQLite): the audit trail hash-chained and covering the rows an official
-- reads. Kept in step with ../postgres/0010_covered_trail.sql: same column names.
--
-- Each audit line written from now on carries `chain`, SHA-256 of the previous line's chain
-- and its own fields (see crates/store/src/audit.rs), and, when the line is about a row of
-- filings, verification_applications, year_page_submissions or bookings, that row's table,
-- id and digest (`row_table`, `row_id`, `row_digest`) as the act left it. Every signed
-- checkpoint names the trail's head (an extension line), so `ledger verify` finds a line or a
-- covered row altered, deleted, inserted or reordered.
--
-- Lines written before this migration keep a NULL chain: they come before the first chained
-- line and are reported as not covered, never as tampered. Rows of the four tables written
-- before it are sealed as they stand by one system line each ("ledger.coverage") the first
-- time the database is opened after the upgrade: tampering before that cannot be seen.
--
-- `ledger_entries.at_ms` is dropped: no leaf covered it and nothing read it; an entry's time is
-- in the row its leaf covers. (`person_id` stays for the person's index; `ledger verify`
-- checks it against the covered row.)
ALTER TABLE audit_log ADD COLUMN chain BLOB CHECK (chain IS NULL OR length(chain) = 32);
ALTER TABLE audit_log ADD COLUMN row_table TEXT;
ALTER TABLE audit_log ADD COLUMN row_id INTEGER;
ALTER TABLE audit_log ADD COLUMN row_digest BLOB CHECK (row_digest IS NULL OR length(row_digest) = 32);
CREATE INDEX audit_log_row ON audit_log (row_table, row_id) WHERE row_table IS NOT NULL;
ALTER TABLE ledger_entries DROP COLUMN at_ms;
