-- Paicha ledger schema, version 1.
--
-- Portable SQL: the same file runs on SQLite and PostgreSQL. Hence TEXT timestamps (RFC 3339,
-- UTC, fixed width so they sort as text), BIGINT for every integer (decoded as i64 on both) and
-- 0/1 BIGINT flags instead of BOOLEAN.

-- Device keys enrolled by an operator. A bundle is accepted only from an enrolled, unrevoked key.
CREATE TABLE devices (
    key_id          TEXT PRIMARY KEY,          -- lower-case hex SHA-256 of the raw public key
    public_key      TEXT NOT NULL UNIQUE,      -- raw 32-byte Ed25519 key, standard base64
    inspector_name  TEXT NOT NULL,
    cert_no         TEXT NOT NULL,             -- 执法证号
    organisation    TEXT NOT NULL DEFAULT '',
    enrolled_at     TEXT NOT NULL,
    revoked_at      TEXT,
    revoke_reason   TEXT
);

-- Every accepted bundle, content-addressed by the SHA-256 of its payload bytes.
CREATE TABLE bundles (
    payload_sha256           TEXT PRIMARY KEY,
    bundle_id                TEXT NOT NULL UNIQUE,
    key_id                   TEXT NOT NULL REFERENCES devices (key_id),
    sequence                 BIGINT NOT NULL,
    previous_payload_sha256  TEXT NOT NULL,
    created_at               TEXT NOT NULL,     -- as the device claims
    received_at              TEXT NOT NULL,     -- ledger clock
    app_version              TEXT NOT NULL,
    inspector_name           TEXT NOT NULL,
    inspector_cert_no        TEXT NOT NULL,
    -- 1 when another bundle from the same key already held this sequence number on arrival.
    is_fork                  BIGINT NOT NULL DEFAULT 0,
    envelope                 TEXT NOT NULL      -- the uploaded envelope, verbatim, for audit
);
-- Not unique: two different bundles with one sequence number are a fork, stored and flagged.
CREATE INDEX bundles_by_device_sequence ON bundles (key_id, sequence);

CREATE TABLE bundle_co_inspectors (
    payload_sha256  TEXT NOT NULL REFERENCES bundles (payload_sha256),
    position        BIGINT NOT NULL,
    name            TEXT NOT NULL,
    cert_no         TEXT NOT NULL,
    PRIMARY KEY (payload_sha256, position)
);

-- Inspected enterprises by 统一社会信用代码; the name first seen (each inspection keeps its own).
CREATE TABLE sites (
    credit_code    TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL
);

-- A sealed inspection is immutable, so it is stored once however many bundles carry it.
CREATE TABLE inspections (
    id                      TEXT PRIMARY KEY,
    bundle_payload_sha256   TEXT NOT NULL REFERENCES bundles (payload_sha256),  -- first carrier
    content_sha256          TEXT NOT NULL,    -- SHA-256 of the inspection's JSON as signed
    site_credit_code        TEXT NOT NULL REFERENCES sites (credit_code),
    site_name               TEXT NOT NULL,
    checklist_id            TEXT NOT NULL,
    checklist_version       TEXT NOT NULL,
    checklist_content_hash  TEXT NOT NULL,
    inspector_name          TEXT NOT NULL,
    inspector_cert_no       TEXT NOT NULL,
    started_at              TEXT NOT NULL,
    sealed_at               TEXT NOT NULL
);
CREATE INDEX inspections_by_site ON inspections (site_credit_code);

-- Which bundles carried which inspection (a re-export carries the same one again).
CREATE TABLE bundle_inspections (
    payload_sha256  TEXT NOT NULL REFERENCES bundles (payload_sha256),
    inspection_id   TEXT NOT NULL REFERENCES inspections (id),
    PRIMARY KEY (payload_sha256, inspection_id)
);

-- One row per answered checklist item.
CREATE TABLE findings (
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    item_id        TEXT NOT NULL,
    verdict        TEXT NOT NULL,             -- compliant | general_hazard | major_hazard | not_applicable
    level          TEXT,                      -- general | major for hazards (隐患等级), else NULL
    description    TEXT NOT NULL,
    answered_at    TEXT NOT NULL,
    PRIMARY KEY (inspection_id, item_id)
);
CREATE INDEX findings_by_level ON findings (level);
