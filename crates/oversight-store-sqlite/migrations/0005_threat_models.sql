-- Threat models: each imported version of an engagement's model (the
-- file's text and the normalised model), and the hand-overs to the
-- supplier and the supplier's acknowledgements. The same file name exists
-- for every backend. Rows are only ever inserted.

CREATE TABLE threat_models (
    engagement_id TEXT NOT NULL REFERENCES engagements (id),
    version       BIGINT NOT NULL,
    format        TEXT NOT NULL,
    source_name   TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    source        TEXT NOT NULL,
    document      TEXT NOT NULL,
    threat_count  BIGINT NOT NULL,
    imported_by   TEXT NOT NULL,
    imported_at   TEXT NOT NULL,
    PRIMARY KEY (engagement_id, version)
);

CREATE TABLE threat_model_events (
    id                 TEXT PRIMARY KEY NOT NULL,
    engagement_id      TEXT NOT NULL,
    version            BIGINT NOT NULL,
    kind               TEXT NOT NULL,
    actor              TEXT NOT NULL,
    recorded_at        TEXT NOT NULL,
    attestation_name   TEXT,
    attestation_sha256 TEXT,
    FOREIGN KEY (engagement_id, version) REFERENCES threat_models (engagement_id, version)
);
CREATE INDEX threat_model_events_engagement ON threat_model_events (engagement_id, recorded_at);
