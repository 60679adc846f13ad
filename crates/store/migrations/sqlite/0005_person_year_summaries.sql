-- xueshi schema v5 (SQLite): per person-year compliance summaries for statistics, kept current on
-- every write. Kept in step with ../postgres/0005_person_year_summaries.sql: same tables, columns
-- and constraint names; the triggers mark the same person-years.
--
-- Triggers put every person-year whose decision a write may change into `summary_dirty`, inside
-- the writing transaction, whatever the write path (API, import, demo, base reports);
-- `xueshi_store::summaries::refresh_dirty` re-evaluates them with the engine. A mark is
-- re-numbered (`seq`, never reused) on every new write, so a refresher deletes only the mark it
-- read and a write that lands while it evaluates leaves its mark behind.

-- One person-year as the engine decided it, where the person was in service (employed at some
-- time in the year) and the policy covers the year. Place and industry are those of the unit the
-- person worked for on December 31 (or last before it), as authorization sees the person-year.
CREATE TABLE person_year_summaries (
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    year        INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units (id),
    -- the unit's county or district (the city for a city-direct unit)
    region      INTEGER NOT NULL REFERENCES regions (code),
    zone_id     INTEGER REFERENCES zones (id),
    -- the city the unit (or its zone) belongs to
    city        INTEGER NOT NULL REFERENCES regions (code),
    industry    TEXT NOT NULL,
    -- false when the person had left before the year (D17a): not counted in statistics
    required    INTEGER NOT NULL CHECK (required IN (0, 1)),
    compliant   INTEGER NOT NULL CHECK (compliant IN (0, 1)),
    total_tenths        INTEGER NOT NULL,
    professional_tenths INTEGER NOT NULL,
    public_tenths       INTEGER NOT NULL,
    -- how far below the yearly minimums (D4), 0 when met
    total_short_tenths        INTEGER NOT NULL,
    professional_short_tenths INTEGER NOT NULL,
    policy_hash TEXT NOT NULL,
    decided_ms  INTEGER NOT NULL,
    CONSTRAINT person_year_summaries_pkey PRIMARY KEY (person_id, year)
);
CREATE INDEX person_year_summaries_region ON person_year_summaries (year, region, zone_id);
CREATE INDEX person_year_summaries_city ON person_year_summaries (year, city);
CREATE INDEX person_year_summaries_industry ON person_year_summaries (year, industry);
CREATE INDEX person_year_summaries_unit ON person_year_summaries (year, unit_id);

-- Person-years to re-evaluate, oldest mark first.
CREATE TABLE summary_dirty (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id   INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    CONSTRAINT summary_dirty_key UNIQUE (person_id, year)
);

-- Years that have person-years. `populated`: every person in service that year has been marked
-- once (see `summaries::open_year`), so persons without any record are counted too.
CREATE TABLE summary_years (
    year        INTEGER PRIMARY KEY,
    populated   INTEGER NOT NULL DEFAULT 0 CHECK (populated IN (0, 1))
);

-- Records naming a courseware provider or a filing, found when the register or a filing
-- decision changes (D7, D8).
CREATE INDEX records_provider ON records (provider) WHERE provider IS NOT NULL;
CREATE INDEX records_filing ON records (filing_number) WHERE filing_number IS NOT NULL;

-- A record counts for the year it was completed, or for the year it says (D5).
CREATE TRIGGER records_mark_summaries AFTER INSERT ON records BEGIN
    INSERT OR IGNORE INTO summary_years (year) VALUES (CAST(substr(NEW.completed_on, 1, 4) AS INTEGER));
    INSERT OR REPLACE INTO summary_dirty (person_id, year)
        VALUES (NEW.person_id, CAST(substr(NEW.completed_on, 1, 4) AS INTEGER));
    INSERT OR IGNORE INTO summary_years (year) SELECT NEW.for_year WHERE NEW.for_year IS NOT NULL;
    INSERT OR REPLACE INTO summary_dirty (person_id, year)
        SELECT NEW.person_id, NEW.for_year WHERE NEW.for_year IS NOT NULL;
END;

-- A void changes its record's person-years, and frees an achievement it converted for the
-- others who registered the same achievement after it (D21).
CREATE TRIGGER voids_mark_summaries AFTER INSERT ON voids BEGIN
    INSERT OR REPLACE INTO summary_dirty (person_id, year)
        SELECT r.person_id, CAST(substr(r.completed_on, 1, 4) AS INTEGER) FROM records r
         WHERE r.id = NEW.record_id
        UNION
        SELECT r.person_id, r.for_year FROM records r WHERE r.id = NEW.record_id AND r.for_year IS NOT NULL
        UNION
        SELECT o.person_id, CAST(substr(o.completed_on, 1, 4) AS INTEGER)
          FROM records r JOIN records o ON o.achievement_key = r.achievement_key AND o.entry_index > r.entry_index
         WHERE r.id = NEW.record_id AND r.form = 'conversion'
        UNION
        SELECT o.person_id, o.for_year
          FROM records r JOIN records o ON o.achievement_key = r.achievement_key AND o.entry_index > r.entry_index
         WHERE r.id = NEW.record_id AND r.form = 'conversion' AND o.for_year IS NOT NULL;
END;

-- Employment decides whether a person-year counts and where: every year from its start on.
CREATE TRIGGER employments_mark_summaries_insert AFTER INSERT ON employments BEGIN
    INSERT OR REPLACE INTO summary_dirty (person_id, year)
        SELECT NEW.person_id, y.year FROM summary_years y
         WHERE y.year >= CAST(substr(NEW.from_on, 1, 4) AS INTEGER);
END;

CREATE TRIGGER employments_mark_summaries_update AFTER UPDATE ON employments BEGIN
    INSERT OR REPLACE INTO summary_dirty (person_id, year)
        SELECT p.id, y.year FROM persons p CROSS JOIN summary_years y
         WHERE p.id IN (OLD.person_id, NEW.person_id)
           AND y.year >= CAST(substr(min(OLD.from_on, NEW.from_on), 1, 4) AS INTEGER);
END;

-- Leaving (D17a) and the cohort (D9) change every year's decision.
CREATE TRIGGER persons_mark_summaries AFTER UPDATE OF left_on, cohort ON persons
    WHEN OLD.left_on IS NOT NEW.left_on OR OLD.cohort IS NOT NEW.cohort BEGIN
    INSERT OR REPLACE INTO summary_dirty (person_id, year) SELECT NEW.id, y.year FROM summary_years y;
END;

-- A unit moved or reclassified: its staff's person-years are grouped and judged elsewhere.
CREATE TRIGGER units_mark_summaries AFTER UPDATE OF region, zone_id, industry ON units BEGIN
    INSERT OR REPLACE INTO summary_dirty (person_id, year)
        SELECT DISTINCT e.person_id, y.year FROM employments e CROSS JOIN summary_years y
         WHERE e.unit_id = NEW.id;
END;

-- A provider's registration (D7) or a filing's approval (D8) changes the records naming it.
CREATE TRIGGER provider_registrations_mark_summaries AFTER INSERT ON provider_registrations BEGIN
    INSERT OR REPLACE INTO summary_dirty (person_id, year)
        SELECT r.person_id, CAST(substr(r.completed_on, 1, 4) AS INTEGER) FROM records r
         WHERE r.provider = (SELECT c.name FROM courseware_providers c WHERE c.id = NEW.provider_id)
        UNION
        SELECT r.person_id, r.for_year FROM records r
         WHERE r.provider = (SELECT c.name FROM courseware_providers c WHERE c.id = NEW.provider_id)
           AND r.for_year IS NOT NULL;
END;

CREATE TRIGGER filing_decisions_mark_summaries AFTER INSERT ON filing_decisions BEGIN
    INSERT OR REPLACE INTO summary_dirty (person_id, year)
        SELECT r.person_id, CAST(substr(r.completed_on, 1, 4) AS INTEGER) FROM records r
         WHERE r.filing_number = (SELECT f.number FROM filings f WHERE f.id = NEW.filing_id)
        UNION
        SELECT r.person_id, r.for_year FROM records r
         WHERE r.filing_number = (SELECT f.number FROM filings f WHERE f.id = NEW.filing_id)
           AND r.for_year IS NOT NULL;
END;
