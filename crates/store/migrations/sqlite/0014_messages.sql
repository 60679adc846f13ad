-- xueshi schema v14 (SQLite): in-app messages (消息), the e-mail outbox and an optional e-mail
-- address per account. Kept in step with ../postgres/0014_messages.sql: same tables, columns,
-- indexes and constraint names; the triggers write the same rows.
--
-- A message lives in exactly one mailbox: a person's (their professional account), a unit's
-- (its administrators) or an organisation's (its officials). It keeps facts, not text: the
-- kind, the year, the agency's name as it was, the figures of a reminder; the Chinese text is
-- rendered from them (`xueshi_store::messages::Message::text`), so no code or id is ever shown.
-- `dedup_key` makes every producer idempotent: a review act, a verification act, a reminder of
-- one person-year, deadline and threshold, each gives its message at most once.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    person_id       INTEGER REFERENCES persons (id),
    unit_id         INTEGER REFERENCES units (id),
    organisation_id INTEGER REFERENCES organisations (id),
    kind            TEXT NOT NULL CHECK (kind IN ('review.stamped', 'review.returned',
                        'verification.approved', 'verification.refused',
                        'reminder.person', 'reminder.unit')),
    year            INTEGER,
    first_year      INTEGER,
    level           TEXT,
    agency          TEXT,
    -- whom a unit's message is about (one of its staff)
    about_person_id INTEGER REFERENCES persons (id),
    about_name      TEXT,
    deadline_on     TEXT,
    deadline_kind   TEXT CHECK (deadline_kind IN ('registration', 'public', 'both')),
    days_left       INTEGER,
    short_total_tenths INTEGER,
    short_professional_tenths INTEGER,
    staff_short     INTEGER,
    dedup_key       TEXT NOT NULL CONSTRAINT messages_dedup_key UNIQUE,
    created_ms      INTEGER NOT NULL,
    read_ms         INTEGER,
    CONSTRAINT messages_mailbox CHECK ((person_id IS NOT NULL) + (unit_id IS NOT NULL)
        + (organisation_id IS NOT NULL) = 1)
);
CREATE INDEX messages_person ON messages (person_id, id) WHERE person_id IS NOT NULL;
CREATE INDEX messages_unit ON messages (unit_id, id) WHERE unit_id IS NOT NULL;
CREATE INDEX messages_organisation ON messages (organisation_id, id) WHERE organisation_id IS NOT NULL;
CREATE INDEX messages_created ON messages (created_ms);

-- Where a person or an official wants messages e-mailed (optional; validated by the store).
ALTER TABLE accounts ADD COLUMN email TEXT;

-- One e-mail per message and account with an address, sent by the background mailer
-- (`xueshi_store::outbox`). States: pending → sending (claimed, attempt counted) → committing
-- (the message body is about to be ended with the final dot: from here on the server may have
-- it) → sent; a refusal before the final dot goes back to pending with a backoff, a permanent
-- one to failed; a claim left in committing by a crash becomes uncertain and is never resent
-- (at most once); pending rows older than the mailer's horizon become expired.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY,
    message_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    address         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending',
                        'committing', 'sent', 'failed', 'uncertain', 'expired')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    claimed_ms      INTEGER,
    done_ms         INTEGER,
    last_error      TEXT,
    created_ms      INTEGER NOT NULL,
    CONSTRAINT mail_outbox_message_account UNIQUE (message_id, account_id)
);
CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_ms);

-- Every message is e-mailed to the accounts of its mailbox that have an address, in the
-- transaction that writes it.
CREATE TRIGGER messages_to_outbox AFTER INSERT ON messages BEGIN
    INSERT OR IGNORE INTO mail_outbox (message_id, account_id, address, next_attempt_ms, created_ms)
        SELECT NEW.id, a.id, a.email, NEW.created_ms, NEW.created_ms FROM accounts a
         WHERE a.email IS NOT NULL AND a.disabled = 0
           AND (a.person_id = NEW.person_id OR a.unit_id = NEW.unit_id
                OR a.organisation_id = NEW.organisation_id);
END;

-- A year page stamped or returned (D12): the professional and the unit that submitted it hear
-- of it, in the act's transaction.
CREATE TRIGGER review_acts_message AFTER INSERT ON review_acts BEGIN
    INSERT OR IGNORE INTO messages (person_id, kind, year, agency, dedup_key, created_ms)
        SELECT NEW.person_id, CASE WHEN NEW.approved THEN 'review.stamped' ELSE 'review.returned' END,
               NEW.year, o.name, 'review:' || NEW.id || ':person',
               CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
          FROM organisations o WHERE o.id = NEW.authority_id;
    INSERT OR IGNORE INTO messages (unit_id, kind, year, agency, about_person_id, about_name,
                                    dedup_key, created_ms)
        SELECT s.unit_id, CASE WHEN NEW.approved THEN 'review.stamped' ELSE 'review.returned' END,
               NEW.year, o.name, NEW.person_id, p.name, 'review:' || NEW.id || ':unit',
               CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
          FROM year_page_submissions s
          JOIN organisations o ON o.id = NEW.authority_id
          JOIN persons p ON p.id = NEW.person_id
         WHERE s.id = (SELECT max(id) FROM year_page_submissions
                        WHERE person_id = NEW.person_id AND year = NEW.year);
END;

-- A verification decided online (D13, D14): the applicant and the unit that filed the
-- application hear of it. Offline verifications recorded afterwards (D17) are history, not news.
CREATE TRIGGER verification_acts_message AFTER INSERT ON verification_acts WHEN NEW.online BEGIN
    INSERT OR IGNORE INTO messages (person_id, kind, year, first_year, level, agency, dedup_key, created_ms)
        SELECT NEW.person_id,
               CASE WHEN NEW.approved THEN 'verification.approved' ELSE 'verification.refused' END,
               NEW.last_year, NEW.first_year, NEW.level,
               COALESCE((SELECT o.name FROM organisations o WHERE o.id = NEW.verifier_id), NEW.verifier_place),
               'verification:' || NEW.id || ':person',
               CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
    INSERT OR IGNORE INTO messages (unit_id, kind, year, first_year, level, agency, about_person_id,
                                    about_name, dedup_key, created_ms)
        SELECT a.unit_id,
               CASE WHEN NEW.approved THEN 'verification.approved' ELSE 'verification.refused' END,
               NEW.last_year, NEW.first_year, NEW.level,
               COALESCE((SELECT o.name FROM organisations o WHERE o.id = NEW.verifier_id), NEW.verifier_place),
               NEW.person_id, p.name, 'verification:' || NEW.id || ':unit',
               CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
          FROM verification_applications a JOIN persons p ON p.id = NEW.person_id
         WHERE a.id = (SELECT max(id) FROM verification_applications
                        WHERE person_id = NEW.person_id AND level = NEW.level
                          AND first_year = NEW.first_year AND last_year = NEW.last_year);
END;
