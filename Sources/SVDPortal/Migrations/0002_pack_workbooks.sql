-- Each pack's tables as an Excel workbook (the CSP's download beside the HTML report), built by the same publish
-- from the same report computation.
ALTER TABLE packs ADD COLUMN xlsx bytea NOT NULL DEFAULT ''::bytea;
