-- Each upload binned once and kept (the engine's `BinnedPart`: per-source cubes by month, the in-scope points, the
-- linkage points, the file summary and the ids read), so a publication bins only the uploads it has no part for
-- and merges the rest. `fingerprint` binds a part to the engine and stored-form versions, area, definitions, key
-- and the upload itself: a part with another fingerprint is binned again, never trusted. Withdrawal deletes it.
CREATE TABLE upload_parts (
    upload_id bigint PRIMARY KEY REFERENCES uploads (id),
    fingerprint text NOT NULL,
    part bytea NOT NULL,
    binned_at timestamptz NOT NULL DEFAULT now()
);
