-- Paicha ledger schema, version 6: 交办 (assigning a hazard to a township or an inspector) and
-- the campaign's other three lists — 案件查办 (cases), 违法企业处罚 (penalties on enterprises),
-- 追责问责 (accountability of officials) — recorded by supervisors in the console.
--
-- Portable like 0001: TEXT, BIGINT, times as TEXT in the format of `time::to_db`, days as
-- `YYYY-MM-DD`. Hazards are named by (inspection id, item id), as hazard_reviews names them.
-- Every row carries the region it belongs to (region_code, a code prefix like
-- inspections.region_code), fixed when it is recorded, so that reads are scoped without joins.
-- Rows are never deleted: a reassignment supersedes the assignment before it, a case is closed.

CREATE TABLE assignments (
    id             TEXT PRIMARY KEY,      -- UUID
    inspection_id  TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    region_code    TEXT NOT NULL,         -- the hazard's inspection's region
    assignee_kind  TEXT NOT NULL,         -- township | inspector
    assignee       TEXT NOT NULL,         -- a 9-digit township code or an account id
    assignee_name  TEXT NOT NULL,         -- the township's or the person's name when assigned
    deadline       TEXT NOT NULL,         -- 办理期限, YYYY-MM-DD
    note           TEXT NOT NULL DEFAULT '',
    assigned_by    TEXT NOT NULL,         -- account id
    assigned_at    TEXT NOT NULL,
    superseded_at  TEXT                   -- set when the hazard is assigned again
);
CREATE INDEX assignments_by_hazard ON assignments (inspection_id, item_id);
-- One current assignment per hazard, whatever two supervisors do at the same moment.
CREATE UNIQUE INDEX assignments_current ON assignments (inspection_id, item_id)
    WHERE superseded_at IS NULL;
CREATE INDEX assignments_by_assignee ON assignments (assignee);

CREATE TABLE cases (
    id           TEXT PRIMARY KEY,        -- UUID
    case_no      TEXT NOT NULL UNIQUE,    -- 案件编号: an official number, unique in the province
    cause        TEXT NOT NULL,           -- 案由
    org_name     TEXT NOT NULL,
    credit_code  TEXT NOT NULL,
    region_code  TEXT NOT NULL,
    opened_on    TEXT NOT NULL,
    status       TEXT NOT NULL,           -- open | closed
    closed_on    TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX cases_region ON cases (region_code);

-- The hazards a case was opened for.
CREATE TABLE case_hazards (
    case_id        TEXT NOT NULL REFERENCES cases (id),
    inspection_id  TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    PRIMARY KEY (case_id, inspection_id, item_id)
);
CREATE INDEX case_hazards_by_hazard ON case_hazards (inspection_id, item_id);

CREATE TABLE penalties (
    id           TEXT PRIMARY KEY,        -- UUID
    decision_no  TEXT NOT NULL UNIQUE,    -- 行政处罚决定书文号
    org_name     TEXT NOT NULL,
    credit_code  TEXT NOT NULL,
    legal_basis  TEXT NOT NULL,
    kind         TEXT NOT NULL,           -- paicha_core::lists::PenaltyKind slug
    amount_fen   BIGINT,                  -- fines and confiscations, in fen
    decided_on   TEXT NOT NULL,
    case_id      TEXT REFERENCES cases (id),
    region_code  TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX penalties_region ON penalties (region_code);

CREATE TABLE accountabilities (
    id             TEXT PRIMARY KEY,      -- UUID
    person         TEXT NOT NULL,
    post           TEXT NOT NULL,
    unit           TEXT NOT NULL,
    reason         TEXT NOT NULL,
    measure        TEXT NOT NULL,         -- paicha_core::lists::AccountabilityMeasure slug
    decided_on     TEXT NOT NULL,
    inspection_id  TEXT,                  -- the hazard it concerns, if any
    item_id        TEXT,
    case_id        TEXT REFERENCES cases (id),
    region_code    TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX accountabilities_region ON accountabilities (region_code);
