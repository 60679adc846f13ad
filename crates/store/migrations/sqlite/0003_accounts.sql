-- xueshi schema v3 (SQLite): accounts, sessions and API tokens. Kept in step with
-- ../postgres/0003_accounts.sql: same tables, columns and constraint names.
-- No secret is stored in clear: passwords as argon2id PHC strings, session tokens and API token
-- secrets as SHA-256 digests only.

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    login           TEXT NOT NULL,
    login_key       TEXT NOT NULL CONSTRAINT accounts_login_key UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('professional', 'unit_admin', 'industry_authority',
                        'city_bureau', 'county_bureau', 'zone_centre', 'state_owned_unit', 'base',
                        'provider', 'supervisor')),
    organisation_id INTEGER REFERENCES organisations (id),
    unit_id         INTEGER REFERENCES units (id),
    person_id       INTEGER REFERENCES persons (id),
    password_hash   TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until_ms INTEGER,
    password_changed_ms INTEGER NOT NULL,
    created_ms      INTEGER NOT NULL,
    disabled        BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT accounts_shape CHECK (
        (role = 'professional' AND person_id IS NOT NULL AND organisation_id IS NULL AND unit_id IS NULL)
        OR (role = 'unit_admin' AND unit_id IS NOT NULL AND organisation_id IS NULL AND person_id IS NULL)
        OR (role NOT IN ('professional', 'unit_admin') AND organisation_id IS NOT NULL
            AND unit_id IS NULL AND person_id IS NULL))
);
CREATE UNIQUE INDEX accounts_person ON accounts (person_id) WHERE person_id IS NOT NULL;

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    token_hash      BLOB NOT NULL CONSTRAINT sessions_token_hash_key UNIQUE,
    account_id      INTEGER NOT NULL REFERENCES accounts (id),
    csrf_token      TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    last_seen_ms    INTEGER NOT NULL,
    idle_ms         INTEGER NOT NULL,
    expires_ms      INTEGER NOT NULL,
    absolute_expires_ms INTEGER NOT NULL,
    revoked         BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    token_id        TEXT NOT NULL CONSTRAINT api_tokens_token_id_key UNIQUE,
    secret_hash     BLOB NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    scope           TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    last_used_ms    INTEGER,
    revoked         BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_ms      INTEGER
);
CREATE INDEX api_tokens_organisation ON api_tokens (organisation_id);
