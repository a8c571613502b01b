-- Paicha ledger schema, version 7: one row per hazard holding what decides its status whatever
-- the day, so that the console filters, counts, orders and pages a province's hazards in SQL
-- (docs/performance.md, "Console hazard list at provincial scale").
--
-- Derived, never the record: each row is computed by paicha_core's rules (followup::
-- Disposition) from the finding, its inspection and the latest review in a sealed
-- re-inspection, written in the same transaction as any of them, and rebuilt for hazards
-- without a row when the ledger opens (rows stored before this version). Portable like 0001.
CREATE TABLE hazard_state (
    inspection_id          TEXT NOT NULL,
    item_id                TEXT NOT NULL,
    region_code            TEXT NOT NULL,   -- inspections.region_code, kept equal
    -- Its first 2, 4 and 6 digits ('' when shorter): a reader's region is then an equality,
    -- which both databases walk in started_at order through one index.
    province               TEXT NOT NULL,
    city                   TEXT NOT NULL,
    county                 TEXT NOT NULL,
    level                  TEXT NOT NULL,   -- general | major
    credit_code            TEXT NOT NULL,   -- inspections.site_credit_code
    checklist_id           TEXT NOT NULL,
    started_at             TEXT NOT NULL,   -- inspections.started_at: the ledger's order
    found_on               TEXT NOT NULL,   -- the day of started_at, China Standard Time
    -- '' while the deadline decides; verified | escalated once a sealed review settled it.
    settled                TEXT NOT NULL,
    -- The deadline in force as YYYY-MM-DD (an extension's, else the order's), or 9999-12-31
    -- when there is none: such a hazard is never overdue nor due soon, and sorts last.
    due                    TEXT NOT NULL,
    verified_on            TEXT NOT NULL,   -- the verifying re-inspection's seal day, or ''
    -- When (the ledger's clock) the row last changed in what a device holds of it: its
    -- status inputs or region, or its 交办. Devices pull what changed after a point of this.
    changed_at             TEXT NOT NULL,
    PRIMARY KEY (inspection_id, item_id),
    FOREIGN KEY (inspection_id, item_id) REFERENCES findings (inspection_id, item_id)
);
-- The ledger's pages, newest or oldest first: everything (an operator), or within a province,
-- city, county or township.
CREATE INDEX hazard_state_by_started ON hazard_state (started_at, inspection_id, item_id);
CREATE INDEX hazard_state_by_province ON hazard_state (province, started_at, inspection_id, item_id);
CREATE INDEX hazard_state_by_city ON hazard_state (city, started_at, inspection_id, item_id);
CREATE INDEX hazard_state_by_county ON hazard_state (county, started_at, inspection_id, item_id);
CREATE INDEX hazard_state_by_region ON hazard_state (region_code, started_at, inspection_id, item_id);
-- The deadline order and the status filters (overdue and due soon are ranges of due) within a
-- province or a county: an equality then a range or order on due, which the planner cannot
-- mistake (a city's or a township's rows are few enough to sort).
CREATE INDEX hazard_state_by_province_due ON hazard_state (province, due, started_at, inspection_id, item_id);
CREATE INDEX hazard_state_by_county_due ON hazard_state (county, due, started_at, inspection_id, item_id);

-- Devices' pulls: what changed after a point, in order.
CREATE INDEX hazard_state_by_change ON hazard_state (changed_at, inspection_id, item_id);

-- Present while hazards stored before this version may lack their row: the ledger computes
-- them when it opens (paicha_core's date rules cannot run in SQL), then deletes the marker.
CREATE TABLE hazard_state_pending (reason TEXT NOT NULL);
INSERT INTO hazard_state_pending (reason) VALUES ('schema version 7');
