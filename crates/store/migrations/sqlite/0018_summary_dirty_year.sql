-- xueshi schema v18 (sqlite): a refresh of one year takes its marks by `year = $3 AND seq > $1 ORDER
-- BY seq`. Without an index that leads with the year, PostgreSQL's plan for it depends on the
-- queue's statistics: at 1M persons, with autovacuum off and the queue full of dead rows, it
-- scanned the unique key (person_id, year) by its second column and sorted, 225 ms a batch and
-- half of the refresh (crates/store/BENCH.md). With (year, seq) it is a range scan whatever the
-- statistics. Kept in step with the other backend's 0018_summary_dirty_year.sql.
CREATE INDEX summary_dirty_year_seq ON summary_dirty (year, seq);
