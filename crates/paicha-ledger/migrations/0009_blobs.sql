-- Paicha ledger schema, version 9: photos are files in the blob store (src/blobs.rs: a
-- directory or an S3-compatible bucket), not base64 in rows. A province collects millions of
-- photos a year; the database keeps what names them.
--
-- `stored_at`: when the blob store took the file's verified bytes. NULL: a version 2 bundle
-- names the file and its bytes have not arrived yet (`PUT /api/blobs/{sha256}`); the
-- inspections naming it are incomplete until they do (`gaps`).
-- `data_base64` is '' once the bytes are in the blob store: version 1 rows are moved there when
-- the ledger opens (src/store/blob_rows.rs), the blob written before its row is changed.
ALTER TABLE attachments ADD COLUMN stored_at TEXT;

-- The files still awaited, found without reading every photo's row.
CREATE INDEX attachments_awaited ON attachments (sha256) WHERE stored_at IS NULL;

-- Thumbnails are derived files: they live in the blob store beside the photos now.
DROP TABLE thumbnails;
