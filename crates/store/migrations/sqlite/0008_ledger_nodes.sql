-- xueshi schema v8 (SQLite): the kept hashes of the ledger's complete subtrees, so that an
-- inclusion or consistency proof reads O(log n) rows instead of every leaf. Kept in step with
-- ../postgres/0008_ledger_nodes.sql: same tables, columns and constraint names.

-- The hash of the complete subtree of 2^level leaves from idx * 2^level on, for every level
-- that is a positive multiple of 8 (xueshi_ledger::tiles). Written with the batch whose
-- entries complete it; derived from the leaves, recomputed by `ledger verify`.
CREATE TABLE ledger_nodes (
    level       INTEGER NOT NULL CONSTRAINT ledger_nodes_level_check CHECK (level > 0 AND level % 8 = 0),
    idx         INTEGER NOT NULL CHECK (idx >= 0),
    hash        BLOB NOT NULL CONSTRAINT ledger_nodes_hash_check CHECK (length(hash) = 32),
    CONSTRAINT ledger_nodes_pkey PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TRIGGER ledger_nodes_no_update BEFORE UPDATE ON ledger_nodes BEGIN SELECT RAISE(ABORT, 'append-only: ledger_nodes'); END;
CREATE TRIGGER ledger_nodes_no_delete BEFORE DELETE ON ledger_nodes BEGIN SELECT RAISE(ABORT, 'append-only: ledger_nodes'); END;

-- A log written before this migration owes its nodes: the store computes them from the leaves
-- once, right after migrating (SQL has no SHA-256 here), and deletes this row.
CREATE TABLE ledger_nodes_backfill (
    id          INTEGER PRIMARY KEY CHECK (id = 1)
);
INSERT INTO ledger_nodes_backfill (id) SELECT 1 WHERE EXISTS (SELECT 1 FROM ledger_entries);
