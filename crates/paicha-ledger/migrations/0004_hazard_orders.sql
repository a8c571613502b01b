-- Paicha ledger schema, version 4: each hazard's whole order (交办), so that the hazard ledger
-- has the one column set the device's CSV has (paicha_core::hazard_ledger).
--
-- Portable like 0001: TEXT columns as typed on the device, `ADD COLUMN ... NOT NULL DEFAULT`.
-- Rows stored before are completed from their bundles' stored envelopes when the ledger opens
-- (inspections.details_version < 4).

-- The rectification order: 整改措施, 整改责任人, 预计资金（元）.
ALTER TABLE findings ADD COLUMN measures TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN responsible TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN funds_yuan TEXT NOT NULL DEFAULT '';
-- A major hazard's plan (五落实) and 停产停业 decision. suspension is serde's snake_case of
-- paicha_core::finding::Suspension (undecided | none | partial | full), or '' when the
-- answer carries no plan.
ALTER TABLE findings ADD COLUMN suspension TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN plan_target TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN plan_organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN plan_safety_measures TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN plan_funds_materials TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN plan_time_limit TEXT NOT NULL DEFAULT '';
