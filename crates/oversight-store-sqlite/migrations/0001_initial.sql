-- The register and its ledger. The same file name exists for every backend.

-- Instance facts: the public key recorded by `oversight init`.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE suppliers (
    id       TEXT PRIMARY KEY NOT NULL,
    name     TEXT NOT NULL,
    document TEXT NOT NULL,
    revision INTEGER NOT NULL
);

CREATE TABLE engagements (
    id          TEXT PRIMARY KEY NOT NULL,
    supplier_id TEXT NOT NULL REFERENCES suppliers (id),
    system      TEXT NOT NULL,
    owner       TEXT NOT NULL,
    status      TEXT NOT NULL,
    start_date  TEXT,
    end_date    TEXT,
    document    TEXT NOT NULL,
    revision    INTEGER NOT NULL
);
CREATE INDEX engagements_supplier ON engagements (supplier_id);

-- Append-only. Verification recomputes `hash` and checks `signature`.
CREATE TABLE ledger_events (
    seq         INTEGER PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    actor       TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    payload     TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    signature   TEXT NOT NULL
);

-- One row: the last sealed event. Every append locks it first, which
-- serialises writers (SQLite also takes the write lock with BEGIN IMMEDIATE).
CREATE TABLE ledger_head (
    id   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO ledger_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
