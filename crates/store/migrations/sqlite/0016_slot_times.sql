-- xueshi schema v16 (SQLite): the times of day of an appointment slot (D16), so that whoever
-- books it knows when to come or to be online. Kept in step with ../postgres/0016_slot_times.sql.
-- "HH:MM" (Beijing time), both or neither: a slot opened before v16 has none and stands for the
-- whole working day. The use case (`xueshi_app::slots::open`) checks the format and the order.
ALTER TABLE appointment_slots ADD COLUMN starts_at TEXT;
ALTER TABLE appointment_slots ADD COLUMN ends_at TEXT;
