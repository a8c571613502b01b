-- Paicha ledger schema, version 5: who may see and do what. Regions (行政区划), accounts with
-- roles scoped to a region, passkeys and sessions for staff, devices bound to accounts, signed
-- device requests (their nonces), phones asking to be enrolled, and the audit trail.
--
-- Portable like 0001: TEXT, BIGINT, times as TEXT in the format of `time::to_db`.

-- The province's divisions: shipped with the ledger (data/regions/), townships added by operators.
CREATE TABLE regions (
    code    TEXT PRIMARY KEY,          -- 2, 4, 6 or 9 digits
    name    TEXT NOT NULL,
    parent  TEXT NOT NULL DEFAULT ''   -- '' for a province
);

-- A person: staff who sign in with passkeys, inspectors whose devices upload, or both.
CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,     -- UUID
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    disabled_at  TEXT                  -- set: the account can do nothing, at once
);

-- What an account may do, and where: one row per role and region (a code prefix).
CREATE TABLE account_roles (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    role        TEXT NOT NULL,         -- admin | supervisor | township | inspector
    region      TEXT NOT NULL,
    PRIMARY KEY (account_id, role, region)
);

-- Passkeys (WebAuthn credentials) as webauthn-rs keeps them; no password is stored anywhere.
CREATE TABLE passkeys (
    credential_id  TEXT PRIMARY KEY,   -- base64url
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    passkey_json   TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    last_used_at   TEXT
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- One-time links that let a person register a passkey. Only the token's hash is kept.
CREATE TABLE enrolment_links (
    token_sha256  TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT
);

-- WebAuthn ceremonies between their start and finish, so that any instance finishes them.
CREATE TABLE ceremonies (
    id_sha256   TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,         -- register | sign_in
    account_id  TEXT,                  -- the account registering a passkey
    link_sha256 TEXT,                  -- the enrolment link it came from
    state_json  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- Signed-in staff. Only the token's hash is kept; the CSRF token is sent with every form.
CREATE TABLE sessions (
    token_sha256  TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL        -- absolute expiry; idle expiry is last_seen_at + a limit
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Nonces of signed device requests: each is accepted once while its signature is valid.
CREATE TABLE request_nonces (
    key_id      TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (key_id, nonce)
);

-- Phones that asked to be enrolled: a supervisor compares the key id and the short code the
-- phone shows, and binds the key to an inspector's account.
CREATE TABLE device_requests (
    key_id          TEXT PRIMARY KEY,
    public_key      TEXT NOT NULL,
    short_code      TEXT NOT NULL,
    inspector_name  TEXT NOT NULL,
    cert_no         TEXT NOT NULL,
    organisation    TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL DEFAULT '',
    requested_at    TEXT NOT NULL,
    decided_at      TEXT,
    decision        TEXT NOT NULL DEFAULT ''   -- '' | enrolled | refused
);

-- The account a device key belongs to (keys enrolled before accounts existed have none).
ALTER TABLE devices ADD COLUMN account_id TEXT;

-- Where an inspection's site is, for scoping reads: the county (or city) of its credit code,
-- or the township its recorded 乡镇 names. '' until computed (done when the ledger opens).
ALTER TABLE inspections ADD COLUMN region_code TEXT NOT NULL DEFAULT '';
CREATE INDEX inspections_region ON inspections (region_code);

-- The audit trail: append-only, each row carrying the hash of the one before it.
CREATE TABLE audit_log (
    seq        BIGINT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    outcome    TEXT NOT NULL,          -- ok | denied | failed
    detail     TEXT NOT NULL DEFAULT '',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
-- The chain's head: one row, updated in the same transaction as each append, which serialises
-- appends across instances and shows a deleted last row.
CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY,
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
