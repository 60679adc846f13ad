-- xueshi schema v4 (SQLite): the requests that start an official act — a year page submitted
-- for review (D12) and an application for verification (D13). Kept in step with
-- ../postgres/0004_submissions_and_applications.sql. Not ledger-covered (a request decides
-- nothing; the act that answers it is), but append-only like the acts: a request is answered
-- by an act whose ledger index is at or after the request's `ledger_size`, never by an update.

CREATE TABLE year_page_submissions (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    year        INTEGER NOT NULL,
    -- the unit the person worked for on 31 December of the year (whose authority reviews)
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    submitted_by TEXT NOT NULL,
    submitted_ms INTEGER NOT NULL,
    -- the ledger's size when submitted: a review act at or after it answers the submission
    ledger_size INTEGER NOT NULL
);
CREATE INDEX year_page_submissions_person ON year_page_submissions (person_id, year, id);
CREATE INDEX year_page_submissions_unit ON year_page_submissions (unit_id, year);

CREATE TABLE verification_applications (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    level       TEXT NOT NULL CHECK (level IN ('junior', 'intermediate', 'senior')),
    first_year  INTEGER NOT NULL,
    last_year   INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    -- where the policy's routing table (D13) sends it: a region, or a development zone
    verifier_region INTEGER NOT NULL REFERENCES regions (code),
    verifier_zone_id INTEGER REFERENCES zones (id),
    applied_by  TEXT NOT NULL,
    applied_ms  INTEGER NOT NULL,
    ledger_size INTEGER NOT NULL,
    CONSTRAINT verification_applications_cycle_check CHECK (first_year <= last_year)
);
CREATE INDEX verification_applications_person ON verification_applications (person_id, id);
CREATE INDEX verification_applications_verifier ON verification_applications (verifier_region, verifier_zone_id, id);

CREATE TRIGGER year_page_submissions_no_update BEFORE UPDATE ON year_page_submissions BEGIN SELECT RAISE(ABORT, 'append-only: year_page_submissions'); END;
CREATE TRIGGER year_page_submissions_no_delete BEFORE DELETE ON year_page_submissions BEGIN SELECT RAISE(ABORT, 'append-only: year_page_submissions'); END;
CREATE TRIGGER verification_applications_no_update BEFORE UPDATE ON verification_applications BEGIN SELECT RAISE(ABORT, 'append-only: verification_applications'); END;
CREATE TRIGGER verification_applications_no_delete BEFORE DELETE ON verification_applications BEGIN SELECT RAISE(ABORT, 'append-only: verification_applications'); END;

-- A state-owned unit's organisation acts for that unit's staff (235号 五(二)).
ALTER TABLE organisations ADD COLUMN unit_id INTEGER REFERENCES units (id);
