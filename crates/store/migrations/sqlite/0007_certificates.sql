-- xueshi schema v7 (SQLite): continuing-education certificates (继续教育证书) and their
-- revocations. Kept in step with ../postgres/0007_certificates.sql: same tables, columns and
-- constraint names. Both are ledger-covered and append-only: issuing and revoking are official
-- acts, and `ledger verify` recomputes their leaves.

-- An issued certificate: the signed credential exactly as issued (W3C VC 2.0 / Open Badges 3.0,
-- eddsa-jcs-2022), the SHA-256 of its JCS form (what the ledger leaf covers and what a public
-- check of a pasted credential compares), and its bit in a revocation status list.
CREATE TABLE certificates (
    id          INTEGER PRIMARY KEY,
    number      TEXT NOT NULL CONSTRAINT certificates_number_key UNIQUE,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    issued_on   TEXT NOT NULL,
    issued_ms   INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    credential  TEXT NOT NULL,
    credential_hash BLOB NOT NULL CONSTRAINT certificates_hash_check CHECK (length(credential_hash) = 32),
    status_list INTEGER NOT NULL CHECK (status_list >= 1),
    status_index INTEGER NOT NULL CHECK (status_index >= 0),
    entry_index INTEGER NOT NULL CONSTRAINT certificates_entry_key UNIQUE,
    CONSTRAINT certificates_status_key UNIQUE (status_list, status_index)
);
CREATE INDEX certificates_person ON certificates (person_id, entry_index);

-- A revocation of a certificate, with its reason and author: at most one per certificate.
CREATE TABLE certificate_revocations (
    id          INTEGER PRIMARY KEY,
    certificate_id INTEGER NOT NULL CONSTRAINT certificate_revocations_certificate_key UNIQUE
                    REFERENCES certificates (id),
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    reason      TEXT NOT NULL CHECK (length(reason) > 0),
    revoked_on  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    entry_index INTEGER NOT NULL CONSTRAINT certificate_revocations_entry_key UNIQUE
);
CREATE INDEX certificate_revocations_person ON certificate_revocations (person_id);

CREATE TRIGGER certificates_no_update BEFORE UPDATE ON certificates BEGIN SELECT RAISE(ABORT, 'append-only: certificates'); END;
CREATE TRIGGER certificates_no_delete BEFORE DELETE ON certificates BEGIN SELECT RAISE(ABORT, 'append-only: certificates'); END;
CREATE TRIGGER certificate_revocations_no_update BEFORE UPDATE ON certificate_revocations BEGIN SELECT RAISE(ABORT, 'append-only: certificate_revocations'); END;
CREATE TRIGGER certificate_revocations_no_delete BEFORE DELETE ON certificate_revocations BEGIN SELECT RAISE(ABORT, 'append-only: certificate_revocations'); END;
