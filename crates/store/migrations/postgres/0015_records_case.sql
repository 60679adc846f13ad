-- xueshi schema v15 (PostgreSQL): the index a refresh reads a person's case records from. Kept
-- in step with ../sqlite/0015_records_case.sql: same index name, same leading columns.
--
-- A refresh (`summaries::facts::records_for_years`) reads, per person, the records that can
-- bear on the years decided. This index holds every column a case uses (`INCLUDE`), so the read
-- is an index-only scan once the table is vacuumed. It starts with the columns of
-- `records_person (person_id, completed_on)`, so it replaces that index for every other look-up
-- by person.
DROP INDEX records_person;
CREATE INDEX records_case ON records (person_id, completed_on) INCLUDE (started_on, for_year,
    form, achievement, subject, provider, hours_tenths, minutes, exam, filing_number,
    conversion_kind, corrects, registered_on, entry_index, label, id);
