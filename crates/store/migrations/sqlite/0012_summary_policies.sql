-- xueshi schema v12 (SQLite): the rules each year's summaries were decided under. Kept in step
-- with ../postgres/0012_summary_policies.sql: same table, columns and constraint names.
--
-- `policy_hash` is the hash of the rules that can change a decision of that credit year
-- (`xueshi_store::summaries::year_hash`), not of the whole policy file set: a policy change
-- then marks the summaries of the years whose rules changed, and no others. Each summary row
-- keeps the hash it was decided under (`person_year_summaries.policy_hash`); this table lets a
-- refresher compare one row per year instead of every summary.
CREATE TABLE summary_policies (
    year        INTEGER NOT NULL,
    policy_hash TEXT NOT NULL,
    CONSTRAINT summary_policies_pkey PRIMARY KEY (year)
);
