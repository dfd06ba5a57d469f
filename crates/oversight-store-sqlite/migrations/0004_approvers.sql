-- The people who may approve waivers, each with the SSH public key their
-- approvals are signed with. Rows are only ever inserted.

CREATE TABLE approvers (
    name        TEXT PRIMARY KEY NOT NULL,
    public_key  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    added_by    TEXT NOT NULL,
    added_at    TEXT NOT NULL
);
