-- xueshi schema v17 (sqlite): what a training provider files besides its dates (235号: 专业科目培训
-- 须经学员所在地人社部门备案同意): the hours, the content, the venue, the expected number of
-- trainees and an attachment (the plan, as an evidence file by its SHA-256). Kept in step with
-- the other backend's 0017_filing_details.sql. The 备案编号 is assigned by the approving bureau:
-- until then `filings.number` holds a provisional "待分配-<id>", which no record can count on
-- (only approved filings do, D8). Columns added here are covered by the trail's row digest when
-- set (`covered::Watched::Filing`), so rows written before v17 keep their digests.
ALTER TABLE filings ADD COLUMN hours_tenths INTEGER;
ALTER TABLE filings ADD COLUMN content TEXT;
ALTER TABLE filings ADD COLUMN venue TEXT;
ALTER TABLE filings ADD COLUMN trainees INTEGER;
ALTER TABLE filings ADD COLUMN attachment_hash BLOB;
