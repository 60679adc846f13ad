-- xueshi schema v5 (PostgreSQL): per person-year compliance summaries for statistics, kept current on
-- every write. Kept in step with ../sqlite/0005_person_year_summaries.sql: same tables, columns
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
    person_id   BIGINT NOT NULL REFERENCES persons (id),
    year        BIGINT NOT NULL,
    unit_id     BIGINT NOT NULL REFERENCES units (id),
    -- the unit's county or district (the city for a city-direct unit)
    region      BIGINT NOT NULL REFERENCES regions (code),
    zone_id     BIGINT REFERENCES zones (id),
    -- the city the unit (or its zone) belongs to
    city        BIGINT NOT NULL REFERENCES regions (code),
    industry    TEXT NOT NULL,
    -- false when the person had left before the year (D17a): not counted in statistics
    required    BOOLEAN NOT NULL,
    compliant   BOOLEAN NOT NULL,
    total_tenths        BIGINT NOT NULL,
    professional_tenths BIGINT NOT NULL,
    public_tenths       BIGINT NOT NULL,
    -- how far below the yearly minimums (D4), 0 when met
    total_short_tenths        BIGINT NOT NULL,
    professional_short_tenths BIGINT NOT NULL,
    policy_hash TEXT NOT NULL,
    decided_ms  BIGINT NOT NULL,
    CONSTRAINT person_year_summaries_pkey PRIMARY KEY (person_id, year)
);
CREATE INDEX person_year_summaries_region ON person_year_summaries (year, region, zone_id);
CREATE INDEX person_year_summaries_city ON person_year_summaries (year, city);
CREATE INDEX person_year_summaries_industry ON person_year_summaries (year, industry);
CREATE INDEX person_year_summaries_unit ON person_year_summaries (year, unit_id);

-- Person-years to re-evaluate, oldest mark first.
CREATE SEQUENCE summary_dirty_seq;
CREATE TABLE summary_dirty (
    seq         BIGINT NOT NULL DEFAULT nextval('summary_dirty_seq'),
    person_id   BIGINT NOT NULL,
    year        BIGINT NOT NULL,
    CONSTRAINT summary_dirty_key UNIQUE (person_id, year)
);
CREATE INDEX summary_dirty_seq_idx ON summary_dirty (seq);

-- Years that have person-years. `populated`: every person in service that year has been marked
-- once (see `summaries::open_year`), so persons without any record are counted too.
CREATE TABLE summary_years (
    year        BIGINT PRIMARY KEY,
    populated   BOOLEAN NOT NULL DEFAULT FALSE
);

-- Records naming a courseware provider or a filing, found when the register or a filing
-- decision changes (D7, D8).
CREATE INDEX records_provider ON records (provider) WHERE provider IS NOT NULL;
CREATE INDEX records_filing ON records (filing_number) WHERE filing_number IS NOT NULL;

-- Statement-level triggers with transition tables where writes come in bulk (COPY of records and
-- employments on import): one INSERT per statement instead of one per row.

-- A record counts for the year it was completed, or for the year it says (D5).
CREATE FUNCTION xueshi_records_mark_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO summary_years (year)
        SELECT EXTRACT(YEAR FROM n.completed_on)::BIGINT FROM new_rows n
        UNION SELECT n.for_year FROM new_rows n WHERE n.for_year IS NOT NULL
    ON CONFLICT (year) DO NOTHING;
    INSERT INTO summary_dirty (person_id, year)
        SELECT n.person_id, EXTRACT(YEAR FROM n.completed_on)::BIGINT FROM new_rows n
        UNION SELECT n.person_id, n.for_year FROM new_rows n WHERE n.for_year IS NOT NULL
    ON CONFLICT (person_id, year) DO UPDATE SET seq = nextval('summary_dirty_seq');
    RETURN NULL;
END;
$$;
CREATE TRIGGER records_mark_summaries AFTER INSERT ON records REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION xueshi_records_mark_summaries();

-- A void changes its record's person-years, and frees an achievement it converted for the
-- others who registered the same achievement after it (D21).
CREATE FUNCTION xueshi_voids_mark_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO summary_dirty (person_id, year)
        SELECT r.person_id, EXTRACT(YEAR FROM r.completed_on)::BIGINT FROM records r
         WHERE r.id = NEW.record_id
        UNION
        SELECT r.person_id, r.for_year FROM records r WHERE r.id = NEW.record_id AND r.for_year IS NOT NULL
        UNION
        SELECT o.person_id, EXTRACT(YEAR FROM o.completed_on)::BIGINT
          FROM records r JOIN records o ON o.achievement_key = r.achievement_key AND o.entry_index > r.entry_index
         WHERE r.id = NEW.record_id AND r.form = 'conversion'
        UNION
        SELECT o.person_id, o.for_year
          FROM records r JOIN records o ON o.achievement_key = r.achievement_key AND o.entry_index > r.entry_index
         WHERE r.id = NEW.record_id AND r.form = 'conversion' AND o.for_year IS NOT NULL
    ON CONFLICT (person_id, year) DO UPDATE SET seq = nextval('summary_dirty_seq');
    RETURN NULL;
END;
$$;
CREATE TRIGGER voids_mark_summaries AFTER INSERT ON voids
    FOR EACH ROW EXECUTE FUNCTION xueshi_voids_mark_summaries();

-- Employment decides whether a person-year counts and where: every year from its start on.
CREATE FUNCTION xueshi_employments_mark_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO summary_dirty (person_id, year)
        SELECT n.person_id, y.year FROM new_rows n JOIN summary_years y ON y.year >= EXTRACT(YEAR FROM n.from_on)
        UNION
        SELECT o.person_id, y.year FROM old_rows o JOIN summary_years y ON y.year >= EXTRACT(YEAR FROM o.from_on)
    ON CONFLICT (person_id, year) DO UPDATE SET seq = nextval('summary_dirty_seq');
    RETURN NULL;
END;
$$;
-- Inserts have no old rows (a transition table may not be declared for both events).
CREATE FUNCTION xueshi_employments_insert_mark_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO summary_dirty (person_id, year)
        SELECT DISTINCT n.person_id, y.year FROM new_rows n JOIN summary_years y ON y.year >= EXTRACT(YEAR FROM n.from_on)
    ON CONFLICT (person_id, year) DO UPDATE SET seq = nextval('summary_dirty_seq');
    RETURN NULL;
END;
$$;
CREATE TRIGGER employments_mark_summaries_insert AFTER INSERT ON employments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION xueshi_employments_insert_mark_summaries();
CREATE TRIGGER employments_mark_summaries_update AFTER UPDATE ON employments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION xueshi_employments_mark_summaries();

-- Leaving (D17a) and the cohort (D9) change every year's decision.
CREATE FUNCTION xueshi_persons_mark_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO summary_dirty (person_id, year) SELECT NEW.id, y.year FROM summary_years y
    ON CONFLICT (person_id, year) DO UPDATE SET seq = nextval('summary_dirty_seq');
    RETURN NULL;
END;
$$;
CREATE TRIGGER persons_mark_summaries AFTER UPDATE OF left_on, cohort ON persons FOR EACH ROW
    WHEN (OLD.left_on IS DISTINCT FROM NEW.left_on OR OLD.cohort IS DISTINCT FROM NEW.cohort)
    EXECUTE FUNCTION xueshi_persons_mark_summaries();

-- A unit moved or reclassified: its staff's person-years are grouped and judged elsewhere.
CREATE FUNCTION xueshi_units_mark_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO summary_dirty (person_id, year)
        SELECT DISTINCT e.person_id, y.year FROM employments e CROSS JOIN summary_years y
         WHERE e.unit_id = NEW.id
    ON CONFLICT (person_id, year) DO UPDATE SET seq = nextval('summary_dirty_seq');
    RETURN NULL;
END;
$$;
CREATE TRIGGER units_mark_summaries AFTER UPDATE OF region, zone_id, industry ON units
    FOR EACH ROW EXECUTE FUNCTION xueshi_units_mark_summaries();

-- A provider's registration (D7) or a filing's approval (D8) changes the records naming it.
CREATE FUNCTION xueshi_provider_registrations_mark_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO summary_dirty (person_id, year)
        SELECT r.person_id, EXTRACT(YEAR FROM r.completed_on)::BIGINT FROM records r
         WHERE r.provider = (SELECT c.name FROM courseware_providers c WHERE c.id = NEW.provider_id)
        UNION
        SELECT r.person_id, r.for_year FROM records r
         WHERE r.provider = (SELECT c.name FROM courseware_providers c WHERE c.id = NEW.provider_id)
           AND r.for_year IS NOT NULL
    ON CONFLICT (person_id, year) DO UPDATE SET seq = nextval('summary_dirty_seq');
    RETURN NULL;
END;
$$;
CREATE TRIGGER provider_registrations_mark_summaries AFTER INSERT ON provider_registrations
    FOR EACH ROW EXECUTE FUNCTION xueshi_provider_registrations_mark_summaries();

CREATE FUNCTION xueshi_filing_decisions_mark_summaries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO summary_dirty (person_id, year)
        SELECT r.person_id, EXTRACT(YEAR FROM r.completed_on)::BIGINT FROM records r
         WHERE r.filing_number = (SELECT f.number FROM filings f WHERE f.id = NEW.filing_id)
        UNION
        SELECT r.person_id, r.for_year FROM records r
         WHERE r.filing_number = (SELECT f.number FROM filings f WHERE f.id = NEW.filing_id)
           AND r.for_year IS NOT NULL
    ON CONFLICT (person_id, year) DO UPDATE SET seq = nextval('summary_dirty_seq');
    RETURN NULL;
END;
$$;
CREATE TRIGGER filing_decisions_mark_summaries AFTER INSERT ON filing_decisions
    FOR EACH ROW EXECUTE FUNCTION xueshi_filing_decisions_mark_summaries();
