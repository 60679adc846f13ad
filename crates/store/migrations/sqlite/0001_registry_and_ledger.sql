-- xueshi schema v1 (SQLite). Kept in step with ../postgres/0001_registry_and_ledger.sql: same
-- tables, columns and constraint names; only types and trigger syntax differ.
-- Person-owned tables carry person_id so that they can be distributed by it later.

CREATE TABLE regions (
    code        INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
    parent      INTEGER REFERENCES regions (code)
);

CREATE TABLE zones (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CONSTRAINT zones_name_key UNIQUE,
    city        INTEGER NOT NULL REFERENCES regions (code)
);

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('city_bureau', 'county_bureau', 'zone_centre',
                    'industry_authority', 'state_owned_unit', 'online_base', 'training_provider', 'supervisor')),
    name        TEXT NOT NULL CONSTRAINT organisations_name_key UNIQUE,
    region      INTEGER NOT NULL REFERENCES regions (code),
    zone_id     INTEGER REFERENCES zones (id),
    industry    TEXT,
    base_number INTEGER CHECK (base_number BETWEEN 1 AND 4)
);

CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    credit_code TEXT NOT NULL CONSTRAINT units_credit_code_key UNIQUE,
    name        TEXT NOT NULL,
    region      INTEGER NOT NULL REFERENCES regions (code),
    zone_id     INTEGER REFERENCES zones (id),
    industry    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('enterprise', 'institution', 'social_org', 'non_public', 'state_owned')),
    created_ms  INTEGER NOT NULL
);
CREATE INDEX units_region ON units (region, industry);

CREATE TABLE persons (
    id          INTEGER PRIMARY KEY,
    id_blind    BLOB NOT NULL CONSTRAINT persons_id_blind_key UNIQUE,
    id_sealed   BLOB NOT NULL,
    id_masked   TEXT NOT NULL,
    name        TEXT NOT NULL,
    salt        BLOB NOT NULL,
    commitment  BLOB NOT NULL,
    cohort      TEXT NOT NULL DEFAULT 'new' CHECK (cohort IN ('old', 'new')),
    phone_sealed BLOB,
    left_on     TEXT,
    created_ms  INTEGER NOT NULL
);

CREATE TABLE employments (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    from_on     TEXT NOT NULL,
    to_on       TEXT,
    CHECK (to_on IS NULL OR to_on >= from_on)
);
CREATE INDEX employments_person ON employments (person_id, from_on);
CREATE INDEX employments_unit ON employments (unit_id) WHERE to_on IS NULL;

CREATE TABLE titles (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    level       TEXT NOT NULL CHECK (level IN ('junior', 'intermediate', 'senior')),
    series      TEXT NOT NULL,
    obtained_on TEXT NOT NULL
);
CREATE INDEX titles_person ON titles (person_id);

CREATE TABLE tenure_cycles (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    target_level TEXT NOT NULL CHECK (target_level IN ('junior', 'intermediate', 'senior')),
    first_year  INTEGER NOT NULL,
    last_year   INTEGER NOT NULL,
    CHECK (first_year <= last_year)
);
CREATE INDEX tenure_cycles_person ON tenure_cycles (person_id);

CREATE TABLE courseware_providers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CONSTRAINT courseware_providers_name_key UNIQUE
);

-- Each registration period is an act of a bureau (ledger-covered, append-only).
CREATE TABLE provider_registrations (
    id          INTEGER PRIMARY KEY,
    provider_id INTEGER NOT NULL REFERENCES courseware_providers (id),
    region      INTEGER NOT NULL REFERENCES regions (code),
    from_on     TEXT NOT NULL,
    to_on       TEXT NOT NULL,
    actor       TEXT NOT NULL,
    entry_index INTEGER NOT NULL CONSTRAINT provider_registrations_entry_key UNIQUE,
    CHECK (to_on >= from_on)
);

CREATE TABLE filings (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL CONSTRAINT filings_number_key UNIQUE,
    title       TEXT NOT NULL,
    provider_org INTEGER REFERENCES organisations (id),
    region      INTEGER NOT NULL REFERENCES regions (code),
    zone_id     INTEGER REFERENCES zones (id),
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    submitted_ms INTEGER NOT NULL,
    CHECK (ends_on >= starts_on)
);

-- The approval or refusal of a filing: an official act (ledger-covered, append-only).
CREATE TABLE filing_decisions (
    id          INTEGER PRIMARY KEY,
    filing_id   INTEGER NOT NULL CONSTRAINT filing_decisions_filing_key UNIQUE REFERENCES filings (id),
    approved    INTEGER NOT NULL CHECK (approved IN (0, 1)),
    decided_on  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    reason      TEXT,
    entry_index INTEGER NOT NULL CONSTRAINT filing_decisions_entry_key UNIQUE
);

-- Evidence files, content-addressed by SHA-256.
CREATE TABLE evidence (
    hash        BLOB PRIMARY KEY,
    media_type  TEXT NOT NULL,
    size        INTEGER NOT NULL,
    content     BLOB NOT NULL,
    created_ms  INTEGER NOT NULL
);

-- One learning activity (D1). Never updated or deleted (D10): a correction voids it.
CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    label       TEXT NOT NULL,
    content     TEXT NOT NULL,
    subject     TEXT NOT NULL CHECK (subject IN ('professional', 'public')),
    form        TEXT NOT NULL CHECK (form IN ('training_class', 'practice', 'online', 'academic', 'research',
                    'qualification_exam', 'other', 'conversion')),
    provider    TEXT,
    started_on  TEXT,
    completed_on TEXT NOT NULL,
    hours_tenths INTEGER CHECK (hours_tenths >= 0),
    minutes     INTEGER CHECK (minutes >= 0),
    exam        TEXT NOT NULL CHECK (exam IN ('pass', 'fail', 'none')),
    for_year    INTEGER,
    filing_number TEXT,
    conversion_kind TEXT,
    achievement TEXT,
    -- achievement normalised (case and spaces ignored), to find the same achievement anywhere (D21)
    achievement_key TEXT,
    certificate_no TEXT,
    -- the voided record this one corrects (D10), if any
    corrects    INTEGER REFERENCES records (id),
    evidence_hash BLOB REFERENCES evidence (hash),
    registered_on TEXT NOT NULL,
    actor       TEXT NOT NULL,
    entry_index INTEGER NOT NULL CONSTRAINT records_entry_key UNIQUE,
    CONSTRAINT records_person_label_key UNIQUE (person_id, label),
    CHECK (hours_tenths IS NULL OR minutes IS NULL),
    CHECK (started_on IS NULL OR started_on <= completed_on)
);
CREATE INDEX records_person ON records (person_id, completed_on);
CREATE INDEX records_achievement ON records (achievement_key) WHERE achievement_key IS NOT NULL;
-- A certificate is registered once; its corrections (which void the earlier record) may repeat it.
CREATE UNIQUE INDEX records_certificate_key ON records (provider, certificate_no, COALESCE(corrects, 0))
    WHERE certificate_no IS NOT NULL;

-- A void of a record, with reason and author; both stay visible forever (D10).
CREATE TABLE voids (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL CONSTRAINT voids_record_key UNIQUE REFERENCES records (id),
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    reason      TEXT NOT NULL CHECK (length(reason) > 0),
    replaced_by INTEGER REFERENCES records (id),
    voided_on   TEXT NOT NULL,
    actor       TEXT NOT NULL,
    entry_index INTEGER NOT NULL CONSTRAINT voids_entry_key UNIQUE
);

-- The Merkle log: leaf idx is the 0-based position; leaf is the RFC 6962 leaf hash.
CREATE TABLE ledger_entries (
    idx         INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    ref_id      INTEGER NOT NULL,
    person_id   INTEGER,
    leaf        BLOB NOT NULL,
    at_ms       INTEGER NOT NULL
);
CREATE INDEX ledger_entries_person ON ledger_entries (person_id) WHERE person_id IS NOT NULL;

CREATE TABLE checkpoints (
    size        INTEGER PRIMARY KEY,
    root        BLOB NOT NULL,
    frontier    BLOB NOT NULL,
    note        TEXT NOT NULL,
    at_ms       INTEGER NOT NULL
);

CREATE TABLE ledger_meta (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    origin      TEXT NOT NULL,
    vkey        TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    subject     TEXT,
    detail      TEXT,
    entry_index INTEGER
);
CREATE INDEX audit_log_actor ON audit_log (actor, at_ms);

-- The database refuses to change or delete what is registered (D10, D18).
CREATE TRIGGER records_no_update BEFORE UPDATE ON records BEGIN SELECT RAISE(ABORT, 'append-only: records'); END;
CREATE TRIGGER records_no_delete BEFORE DELETE ON records BEGIN SELECT RAISE(ABORT, 'append-only: records'); END;
CREATE TRIGGER voids_no_update BEFORE UPDATE ON voids BEGIN SELECT RAISE(ABORT, 'append-only: voids'); END;
CREATE TRIGGER voids_no_delete BEFORE DELETE ON voids BEGIN SELECT RAISE(ABORT, 'append-only: voids'); END;
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'append-only: ledger_entries'); END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries BEGIN SELECT RAISE(ABORT, 'append-only: ledger_entries'); END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'append-only: checkpoints'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'append-only: checkpoints'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only: audit_log'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only: audit_log'); END;
CREATE TRIGGER filing_decisions_no_update BEFORE UPDATE ON filing_decisions BEGIN SELECT RAISE(ABORT, 'append-only: filing_decisions'); END;
CREATE TRIGGER filing_decisions_no_delete BEFORE DELETE ON filing_decisions BEGIN SELECT RAISE(ABORT, 'append-only: filing_decisions'); END;
CREATE TRIGGER provider_registrations_no_update BEFORE UPDATE ON provider_registrations BEGIN SELECT RAISE(ABORT, 'append-only: provider_registrations'); END;
CREATE TRIGGER provider_registrations_no_delete BEFORE DELETE ON provider_registrations BEGIN SELECT RAISE(ABORT, 'append-only: provider_registrations'); END;
CREATE TRIGGER evidence_no_update BEFORE UPDATE ON evidence BEGIN SELECT RAISE(ABORT, 'append-only: evidence'); END;
CREATE TRIGGER evidence_no_delete BEFORE DELETE ON evidence BEGIN SELECT RAISE(ABORT, 'append-only: evidence'); END;
CREATE TRIGGER ledger_meta_no_update BEFORE UPDATE ON ledger_meta BEGIN SELECT RAISE(ABORT, 'append-only: ledger_meta'); END;
CREATE TRIGGER ledger_meta_no_delete BEFORE DELETE ON ledger_meta BEGIN SELECT RAISE(ABORT, 'append-only: ledger_meta'); END;
CREATE TRIGGER persons_commitment_fixed BEFORE UPDATE OF salt, commitment, id_blind, id_sealed ON persons
    BEGIN SELECT RAISE(ABORT, 'append-only: persons identity'); END;
CREATE TRIGGER persons_no_delete BEFORE DELETE ON persons BEGIN SELECT RAISE(ABORT, 'append-only: persons'); END;
