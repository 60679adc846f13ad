-- xueshi schema v8 (PostgreSQL): the kept hashes of the ledger's complete subtrees, so that an
-- inclusion or consistency proof reads O(log n) rows instead of every leaf. Kept in step with
-- ../sqlite/0008_ledger_nodes.sql: same tables, columns and constraint names.

-- The hash of the complete subtree of 2^level leaves from idx * 2^level on, for every level
-- that is a positive multiple of 8 (xueshi_ledger::tiles). Written with the batch whose
-- entries complete it; derived from the leaves, recomputed by `ledger verify`.
CREATE TABLE ledger_nodes (
    level       INTEGER NOT NULL CONSTRAINT ledger_nodes_level_check CHECK (level > 0 AND level % 8 = 0),
    idx         BIGINT NOT NULL CHECK (idx >= 0),
    hash        BYTEA NOT NULL CONSTRAINT ledger_nodes_hash_check CHECK (length(hash) = 32),
    CONSTRAINT ledger_nodes_pkey PRIMARY KEY (level, idx)
);

CREATE TRIGGER ledger_nodes_append_only BEFORE UPDATE OR DELETE ON ledger_nodes FOR EACH ROW EXECUTE FUNCTION xueshi_append_only();
CREATE TRIGGER ledger_nodes_no_truncate BEFORE TRUNCATE ON ledger_nodes FOR EACH STATEMENT EXECUTE FUNCTION xueshi_append_only();

-- A log written before this migration owes its nodes: the store computes them from the leaves
-- once, right after migrating (in Rust, as on SQLite), and deletes this row.
CREATE TABLE ledger_nodes_backfill (
    id          INTEGER PRIMARY KEY CHECK (id = 1)
);
INSERT INTO ledger_nodes_backfill (id) SELECT 1 WHERE EXISTS (SELECT 1 FROM ledger_entries);
