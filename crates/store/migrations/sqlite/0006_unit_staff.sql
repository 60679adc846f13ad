-- xueshi schema v6 (SQLite): a unit's staff of a year, paged (the unit staff list). Kept in step
-- with ../postgres/0006_unit_staff.sql. The index of 0001 covers only current employments; a year's
-- staff include those who left during it.
CREATE INDEX employments_unit_from ON employments (unit_id, from_on);
