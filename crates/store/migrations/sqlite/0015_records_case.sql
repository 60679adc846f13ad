-- xueshi schema v15 (SQLite): the index a refresh reads a person's case records from. Kept in
-- step with ../postgres/0015_records_case.sql: same index name, same leading columns.
--
-- A refresh (`summaries::facts::records_for_years`) reads, per person, the records that can
-- bear on the years decided. Through `records_person (person_id, completed_on)` each of them
-- cost a look-up in the table (a B-tree seek per record, most of the refresh's time in SQLite);
-- this index holds every column a case uses, so the read never leaves the index. It starts with
-- the same two columns, so it replaces `records_person` for every other look-up by person.
DROP INDEX records_person;
CREATE INDEX records_case ON records (person_id, completed_on, started_on, for_year, form,
    achievement, subject, provider, hours_tenths, minutes, exam, filing_number, conversion_kind,
    corrects, registered_on, entry_index, label);
