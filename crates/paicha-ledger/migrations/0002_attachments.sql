-- Paicha ledger schema, version 2: attachments (photos) that bundles embed.
--
-- Portable like 0001: the bytes are kept as standard base64 TEXT (as the payload carries
-- them), so one file serves SQLite and PostgreSQL without BLOB/BYTEA differences.

-- Content-addressed: a photo carried by several bundles (a re-export) is stored once.
CREATE TABLE attachments (
    sha256                       TEXT PRIMARY KEY,   -- lower-case hex SHA-256 of the bytes
    media_type                   TEXT NOT NULL,      -- image/jpeg | image/png | image/webp
    size                         BIGINT NOT NULL,    -- bytes
    data_base64                  TEXT NOT NULL,      -- the bytes, standard base64 with padding
    first_bundle_payload_sha256  TEXT NOT NULL REFERENCES bundles (payload_sha256)
);

-- Which photos an answer refers to, in the order the inspector attached them.
CREATE TABLE finding_photos (
    inspection_id  TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    position       BIGINT NOT NULL,
    sha256         TEXT NOT NULL REFERENCES attachments (sha256),
    PRIMARY KEY (inspection_id, item_id, position),
    FOREIGN KEY (inspection_id, item_id) REFERENCES findings (inspection_id, item_id)
);
