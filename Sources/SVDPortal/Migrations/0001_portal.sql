-- The portal's store: accounts and sessions, partner uploads with their reject ledgers, the located incidents
-- (PostGIS points on the British National Grid), published packs and the append-only audit log.
-- Applied once by `svd serve migrate` (and at `svd serve` start), recorded in schema_migrations.

-- Present already when the database comes from scripts/portal-db.sh's svd_template (creating it needs a superuser).
CREATE EXTENSION IF NOT EXISTS postgis;

-- The area's districts (Kent & Medway: 12 districts and Medway), loaded from the engine's embedded area.
CREATE TABLE districts (
    code text PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE users (
    id bigserial PRIMARY KEY,
    username text NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    password_hash text NOT NULL,
    role text NOT NULL CHECK (role IN ('analyst', 'partner', 'csp')),
    -- The specified authority a partner account uploads for; uploads are visible to accounts of the same partner.
    partner text CHECK (partner IS NULL OR length(partner) BETWEEN 1 AND 120),
    -- A CSP account's district: it sees that district's pack only.
    district text REFERENCES districts (code),
    -- The tier a CSP is granted: public unless the analyst grants partner.
    csp_tier text NOT NULL DEFAULT 'public' CHECK (csp_tier IN ('public', 'partner')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'partner') = (partner IS NOT NULL)),
    CHECK ((role = 'csp') = (district IS NOT NULL))
);

-- The cookie holds a random token; only its SHA-256 is stored, so reading this table does not give a session.
CREATE TABLE sessions (
    token_sha256 text PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    -- Set by logout: the row stays (audit), the token never works again.
    ended_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

-- One extract as uploaded: the file itself (the engine re-reads it for every pack) and what ingest made of it.
CREATE TABLE uploads (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id),
    partner text NOT NULL,
    -- 'native' (native schema or data.police.uk, detected), 'ae-istv' or 'ambulance'.
    mapping text NOT NULL CHECK (mapping IN ('native', 'ae-istv', 'ambulance')),
    -- The source the rows belong to as the engine named it (police, A&E, ambulance…), when ingest got that far.
    source text,
    filename text NOT NULL,
    bytes bigint NOT NULL,
    sha256 text NOT NULL,
    content bytea NOT NULL,
    rows_read integer NOT NULL DEFAULT 0,
    rows_accepted integer NOT NULL DEFAULT 0,
    rows_rejected integer NOT NULL DEFAULT 0,
    -- accepted: ingest read the file (its bad rows are in the ledger); refused: the file as a whole was unusable.
    status text NOT NULL CHECK (status IN ('accepted', 'refused')),
    error text,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    withdrawn_by bigint REFERENCES users (id)
);
CREATE INDEX uploads_partner ON uploads (partner);

-- Every rejected row with its line and reason, as the engine's rejects file has it (OFFICIAL-SENSITIVE: the
-- record preview is the partner's own data).
CREATE TABLE upload_rejects (
    upload_id bigint NOT NULL REFERENCES uploads (id),
    seq integer NOT NULL,
    line integer NOT NULL,
    reason text NOT NULL,
    detail text NOT NULL,
    record text NOT NULL,
    PRIMARY KEY (upload_id, seq)
);

-- Each upload's serious-violence incidents as the engine located them (the points hotspots are found in).
CREATE TABLE incidents (
    id bigserial PRIMARY KEY,
    upload_id bigint NOT NULL REFERENCES uploads (id),
    source text NOT NULL,
    month date NOT NULL,
    day date,
    hour smallint,
    -- NULL: outside the area's districts.
    district text REFERENCES districts (code),
    victim_age smallint,
    strand_mask smallint NOT NULL,
    geom geometry(Point, 27700) NOT NULL
);
CREATE INDEX incidents_geom ON incidents USING gist (geom);
CREATE INDEX incidents_upload ON incidents (upload_id);
CREATE INDEX incidents_district_month ON incidents (district, month);

-- The latest published pack of each district and tier: the engine's report, built by the analyst's publish.
CREATE TABLE packs (
    district text NOT NULL REFERENCES districts (code),
    tier text NOT NULL CHECK (tier IN ('public', 'partner')),
    html text NOT NULL,
    period_from text NOT NULL,
    period_to text NOT NULL,
    upload_ids bigint[] NOT NULL,
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by bigint NOT NULL REFERENCES users (id),
    PRIMARY KEY (district, tier)
);

-- Who did or saw what, when, from where. Append-only: no UPDATE, DELETE or TRUNCATE, for anyone (the trigger)
-- and not granted to the owner either (the revoke).
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    user_id bigint REFERENCES users (id),
    username text,
    action text NOT NULL,
    target text,
    remote text,
    detail text
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM CURRENT_USER;
