-- The source the uploader stated for every row of the file ("ambulance" for a native-layout ambulance extract), as
-- given on the form; NULL when none was stated (the file's own source column or mapping decides). Publication reads
-- the upload as its ingest did, so the packs label its rows as the upload's ledger and incidents do.
ALTER TABLE uploads ADD COLUMN stated_source text;
