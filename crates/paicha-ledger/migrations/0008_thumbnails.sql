-- Paicha ledger schema, version 8: thumbnails of hazard photos, made on a device's first
-- request (src/thumbnail.rs) and kept so that a photo is decoded once. Derived, never the
-- record: a lost row is made again. Portable like 0002 (base64 TEXT).
CREATE TABLE thumbnails (
    sha256       TEXT PRIMARY KEY REFERENCES attachments (sha256),  -- the photo's
    media_type   TEXT NOT NULL,      -- image/jpeg
    data_base64  TEXT NOT NULL
);
