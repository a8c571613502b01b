-- Paicha ledger schema, version 3: inspection kind and team, site details, hazard orders and
-- re-inspection reviews (复查), so that every hazard's follow-up status can be derived.
--
-- Portable like 0001: TEXT, BIGINT, `ADD COLUMN ... NOT NULL DEFAULT` (both databases fill
-- existing rows with the default). Dates typed by inspectors (deadlines) are kept as typed,
-- `YYYY-MM-DD` or empty, and read with paicha_core's rules when a status is derived.

-- 检查类型: routine | special | reinspection (serde's snake_case of InspectionKind).
ALTER TABLE inspections ADD COLUMN kind TEXT NOT NULL DEFAULT 'routine';
-- The inspector's unit as the inspection records it (所属单位, 所属区域).
ALTER TABLE inspections ADD COLUMN inspector_organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN inspector_region TEXT NOT NULL DEFAULT '';
-- The site as it was when the inspection started (a snapshot, like site_name).
ALTER TABLE inspections ADD COLUMN site_address TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN site_township TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN site_grid TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN site_sectors TEXT NOT NULL DEFAULT '';  -- sector ids, comma-separated
ALTER TABLE inspections ADD COLUMN site_contact_name TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN site_contact_phone TEXT NOT NULL DEFAULT '';
-- 3 once the columns and tables of this version hold the inspection's data. Rows stored
-- before (0) are completed from the bundle's stored envelope when the ledger opens.
ALTER TABLE inspections ADD COLUMN details_version BIGINT NOT NULL DEFAULT 0;

-- The hazard's order (交办): 隐患部位 and 整改期限 as typed (empty when none was given).
ALTER TABLE findings ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN deadline TEXT NOT NULL DEFAULT '';

-- The other officers of one inspection (执法检查须两人以上), in the order recorded.
CREATE TABLE inspection_co_inspectors (
    inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    position       BIGINT NOT NULL,
    name           TEXT NOT NULL,
    cert_no        TEXT NOT NULL,
    organisation   TEXT NOT NULL DEFAULT '',
    region         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (inspection_id, position)
);

-- The reviews a re-inspection records, one per reviewed hazard (in the order recorded). The
-- original hazard is named, not referenced: devices sync out of order, so a review may be
-- stored before the bundle with the hazard arrives (`gaps` lists reviews still waiting).
CREATE TABLE hazard_reviews (
    reviewing_inspection_id  TEXT NOT NULL REFERENCES inspections (id),
    position                 BIGINT NOT NULL,
    bundle_payload_sha256    TEXT NOT NULL REFERENCES bundles (payload_sha256),  -- first carrier
    original_inspection_id   TEXT NOT NULL,
    item_id                  TEXT NOT NULL,
    original_verdict         TEXT NOT NULL,
    original_description     TEXT NOT NULL,
    original_deadline        TEXT NOT NULL DEFAULT '',
    outcome                  TEXT NOT NULL,       -- pending | rectified | not_rectified
    escalation               TEXT,                -- penalty_case | suspension | listed_supervision | extension
    new_deadline             TEXT NOT NULL DEFAULT '',  -- for an extension, as typed
    note                     TEXT NOT NULL DEFAULT '',  -- 复查意见
    reviewed_at              TEXT,
    sealed_at                TEXT NOT NULL,       -- the re-inspection's seal: the latest decides
    PRIMARY KEY (reviewing_inspection_id, position)
);
CREATE INDEX hazard_reviews_by_hazard ON hazard_reviews (original_inspection_id, item_id);

-- Photos of the result of a review (整改后照片), in the order attached.
CREATE TABLE review_photos (
    reviewing_inspection_id  TEXT NOT NULL,
    position                 BIGINT NOT NULL,
    photo_position           BIGINT NOT NULL,
    sha256                   TEXT NOT NULL REFERENCES attachments (sha256),
    PRIMARY KEY (reviewing_inspection_id, position, photo_position),
    FOREIGN KEY (reviewing_inspection_id, position)
        REFERENCES hazard_reviews (reviewing_inspection_id, position)
);
