-- xueshi schema v2 (SQLite): the remaining official acts and workflows. Kept in step with
-- ../postgres/0002_acts_and_workflows.sql: same tables, columns and constraint names.
-- Person-owned tables carry person_id so that they can be distributed by it later.

-- An industry authority's review of a person's year page (D12): a stamp or a rejection with
-- reasons per record. A later act for the same person-year supersedes an earlier one; none is
-- ever changed (ledger-covered, append-only).
CREATE TABLE review_acts (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    year        INTEGER NOT NULL,
    authority_id INTEGER NOT NULL REFERENCES organisations (id),
    actor       TEXT NOT NULL,
    decided_on  TEXT NOT NULL,
    approved    INTEGER NOT NULL CHECK (approved IN (0, 1)),
    -- JSON array of {"reason": …, "record": label}; empty for a stamp
    reasons     TEXT NOT NULL,
    entry_index INTEGER NOT NULL CONSTRAINT review_acts_entry_key UNIQUE,
    CONSTRAINT review_acts_reasons_check CHECK (approved = 1 OR reasons <> '[]')
);
CREATE INDEX review_acts_person ON review_acts (person_id, year, entry_index);

-- The HR bureau's verification of a person's hours over a tenure cycle for a title (D13, D14),
-- online (relying on the engine decision whose SHA-256 it carries) or an offline paper
-- verification recorded afterwards (D17). Ledger-covered, append-only.
CREATE TABLE verification_acts (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    level       TEXT NOT NULL CHECK (level IN ('junior', 'intermediate', 'senior')),
    first_year  INTEGER NOT NULL,
    last_year   INTEGER NOT NULL,
    verifier_id INTEGER REFERENCES organisations (id),
    verifier_place TEXT,
    actor       TEXT NOT NULL,
    decided_on  TEXT NOT NULL,
    online      INTEGER NOT NULL CHECK (online IN (0, 1)),
    approved    INTEGER NOT NULL CHECK (approved IN (0, 1)),
    decision_hash BLOB,
    paper_ref   TEXT,
    entry_index INTEGER NOT NULL CONSTRAINT verification_acts_entry_key UNIQUE,
    CONSTRAINT verification_acts_cycle_check CHECK (first_year <= last_year),
    CONSTRAINT verification_acts_verifier_check CHECK (verifier_id IS NOT NULL OR verifier_place IS NOT NULL),
    CONSTRAINT verification_acts_online_check CHECK (online = 0 OR decision_hash IS NOT NULL),
    CONSTRAINT verification_acts_paper_check CHECK (online = 1 OR paper_ref IS NOT NULL),
    CONSTRAINT verification_acts_hash_check CHECK (decision_hash IS NULL OR length(decision_hash) = 32)
);
CREATE INDEX verification_acts_person ON verification_acts (person_id, entry_index);

-- Appointment slots a bureau opens for verification (D16), and units' bookings of them.
-- Not ledger-covered: a booking may be cancelled.
CREATE TABLE appointment_slots (
    id          INTEGER PRIMARY KEY,
    bureau_id   INTEGER NOT NULL REFERENCES organisations (id),
    slot_on     TEXT NOT NULL,
    online      INTEGER NOT NULL CHECK (online IN (0, 1)),
    place       TEXT,
    capacity    INTEGER NOT NULL CONSTRAINT appointment_slots_capacity_check CHECK (capacity > 0),
    industry    TEXT,
    opened_by   TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    CONSTRAINT appointment_slots_place_check CHECK (online = 1 OR place IS NOT NULL)
);
CREATE INDEX appointment_slots_bureau ON appointment_slots (bureau_id, slot_on);

CREATE TABLE bookings (
    id          INTEGER PRIMARY KEY,
    slot_id     INTEGER NOT NULL REFERENCES appointment_slots (id),
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    status      TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    created_ms  INTEGER NOT NULL,
    cancelled_ms INTEGER,
    CONSTRAINT bookings_cancelled_check CHECK ((status = 'cancelled') = (cancelled_ms IS NOT NULL))
);
CREATE INDEX bookings_slot ON bookings (slot_id, status);

CREATE TABLE booking_persons (
    booking_id  INTEGER NOT NULL REFERENCES bookings (id),
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    CONSTRAINT booking_persons_pkey PRIMARY KEY (booking_id, person_id)
);
CREATE INDEX booking_persons_person ON booking_persons (person_id);

CREATE INDEX audit_log_action ON audit_log (action, at_ms);

CREATE TRIGGER review_acts_no_update BEFORE UPDATE ON review_acts BEGIN SELECT RAISE(ABORT, 'append-only: review_acts'); END;
CREATE TRIGGER review_acts_no_delete BEFORE DELETE ON review_acts BEGIN SELECT RAISE(ABORT, 'append-only: review_acts'); END;
CREATE TRIGGER verification_acts_no_update BEFORE UPDATE ON verification_acts BEGIN SELECT RAISE(ABORT, 'append-only: verification_acts'); END;
CREATE TRIGGER verification_acts_no_delete BEFORE DELETE ON verification_acts BEGIN SELECT RAISE(ABORT, 'append-only: verification_acts'); END;
