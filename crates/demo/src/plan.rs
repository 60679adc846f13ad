//! Which edge cases a person gets, and at what rates, and the drafts of their records.

use super::*;

#[derive(Clone, Debug)]
pub(super) struct PersonPlan {
    /// 0-based index among all generated persons.
    pub(super) index: u64,
    pub(super) id: i64,
    /// Employments: from, unit index; ascending.
    pub(super) jobs: Vec<(Date, usize)>,
    /// The one year in which this person crams a whole cycle (D15).
    pub(super) crammed: Option<i32>,
    /// Edge cases forced on this person (so that every kind occurs at any size), and the year.
    pub(super) forced: u32,
}

impl PersonPlan {
    pub(super) fn unit_on(&self, date: Date) -> Option<usize> {
        self.jobs
            .iter()
            .rev()
            .find(|(from, _)| *from <= date)
            .or(self.jobs.first())
            .map(|(_, u)| *u)
    }
}

// Edge cases of a person-year.
pub(super) const SHORT: u32 = 1;
pub(super) const OVER_CAP: u32 = 1 << 1;
pub(super) const EXAM_FAIL: u32 = 1 << 2;
pub(super) const UNFILED: u32 = 1 << 3;
pub(super) const LATE_FILING: u32 = 1 << 4;
pub(super) const REFUSED_FILING: u32 = 1 << 5;
pub(super) const UNREGISTERED_PROVIDER: u32 = 1 << 6;
pub(super) const CONVERSION: u32 = 1 << 7;
pub(super) const CONVERSION_DUP: u32 = 1 << 8;
pub(super) const FOR_YEAR: u32 = 1 << 9;
pub(super) const OVERLAP: u32 = 1 << 10;
pub(super) const VOID_HOURS: u32 = 1 << 11;
pub(super) const VOID_DUPLICATE: u32 = 1 << 12;
pub(super) const LATE_REGISTRATION: u32 = 1 << 13;
pub(super) const CRAMMED: u32 = 1 << 14;

/// Rates per mille of each edge case, per person-year.
pub(super) const RATES: [(u32, u64); 14] = [
    (SHORT, 50),
    (OVER_CAP, 40),
    (EXAM_FAIL, 30),
    (UNFILED, 20),
    (LATE_FILING, 12),
    (REFUSED_FILING, 6),
    (UNREGISTERED_PROVIDER, 30),
    (CONVERSION, 70),
    (CONVERSION_DUP, 8),
    (FOR_YEAR, 120),
    (OVERLAP, 10),
    (VOID_HOURS, 5),
    (VOID_DUPLICATE, 3),
    (LATE_REGISTRATION, 6),
];

/// Edge cases forced once each, on persons spread over the whole population.
pub(super) const FORCED: [u32; 15] = [
    SHORT,
    OVER_CAP,
    EXAM_FAIL,
    UNFILED,
    LATE_FILING,
    REFUSED_FILING,
    UNREGISTERED_PROVIDER,
    CONVERSION,
    CONVERSION_DUP,
    FOR_YEAR,
    OVERLAP,
    VOID_HOURS,
    VOID_DUPLICATE,
    LATE_REGISTRATION,
    CRAMMED,
];

pub(super) fn forced_edge(index: u64, persons: u64) -> u32 {
    let slots = u64::try_from(FORCED.len()).unwrap_or(1) + 1;
    let stride = (persons / slots).max(1);
    if index % stride != stride / 2 {
        return 0;
    }
    usize::try_from(index / stride)
        .ok()
        .and_then(|k| FORCED.get(k))
        .copied()
        .unwrap_or(0)
}

pub(super) fn person_name(rng: &mut Rng, male: bool) -> String {
    let weights: Vec<u64> = (0..SURNAMES.len())
        .map(|i| if i < 12 { 5 } else { 1 })
        .collect();
    let surname = SURNAMES
        .get(rng.weighted(&weights))
        .copied()
        .unwrap_or("王");
    let chars = if male { MALE } else { FEMALE };
    let mut name = surname.to_owned();
    name.push_str(rng.pick(chars));
    if rng.per_mille(750) {
        name.push_str(rng.pick(chars));
    }
    name
}

pub(super) fn plan_person(
    world: &World,
    index: u64,
    used_ids: &mut HashSet<String>,
) -> Result<(NewPerson, PersonPlan), StoreError> {
    let mut rng = Rng::new(world.seed, "person", index);
    let first_year = world.years.first().map_or(2024, |y| y.year);
    let last_year = world.years.last().map_or(first_year, |y| y.year);
    let unit = rng.weighted_cumulative(&world.staff_cumulative);
    let seat = world.units.get(unit).map_or(Seat::City, |u| u.seat);
    let county_weights: Vec<u64> = COUNTIES.iter().map(|c| c.weight).collect();
    let born_in = match seat {
        Seat::County(i) if rng.per_mille(800) => COUNTIES.get(i),
        _ => COUNTIES.get(rng.weighted(&county_weights)),
    }
    .map_or(341_502, |c| c.code);
    let male = rng.per_mille(480);
    let birth_year = i32::try_from(rng.range(1965, 1998)).map_err(invalid)?;
    let birth = ymd(birth_year, rng.range(1, 12), rng.range(1, 28))?;
    let mut id_number = None;
    for _ in 0..1000 {
        // The 17th digit is odd for men, even for women.
        let seq = rng.below(500) * 2 + u64::from(male);
        let body = format!(
            "{born_in:06}{:04}{:02}{:02}{seq:03}",
            birth.year(),
            birth.month(),
            birth.day()
        );
        if used_ids.insert(body.clone()) {
            id_number = Some(IdNumber::complete(&body).map_err(invalid)?);
            break;
        }
    }
    let id_number = id_number.ok_or_else(|| invalid("无法生成不重复的身份证号码"))?;
    let name = person_name(&mut rng, male);
    // Titled before 2025 (老人): most of the older staff, some of the younger.
    let cohort = if rng.per_mille(if birth_year < 1985 { 750 } else { 300 }) {
        Cohort::Old
    } else {
        Cohort::New
    };
    let phone = rng.per_mille(600).then(|| {
        format!(
            "1{}{:09}",
            rng.pick(&[3u8, 5, 7, 8, 9]),
            rng.below(1_000_000_000)
        )
    });

    // Employment: hired after studies, before the first year; some had an earlier unit, some
    // change unit during the period (mostly within their industry).
    let hire_year =
        (birth_year + 22 + i32::try_from(rng.below(5)).unwrap_or(0)).min(first_year - 1);
    let hired = ymd(hire_year, rng.range(7, 9), 1)?;
    let mut jobs = Vec::new();
    let unit_count = world.units.len();
    if hire_year <= first_year - 4 && rng.per_mille(100) {
        let earlier = rng.index(unit_count);
        if earlier != unit {
            let moved_year = i32::try_from(rng.range(
                u64::try_from(hire_year + 2).unwrap_or(0),
                u64::try_from(first_year - 1).unwrap_or(0),
            ))
            .map_err(invalid)?;
            jobs.push((hired, earlier));
            jobs.push((ymd(moved_year, rng.range(1, 12), 1)?, unit));
        }
    }
    if jobs.is_empty() {
        jobs.push((hired, unit));
    }
    if rng.per_mille(80) {
        let same = world
            .units
            .get(unit)
            .and_then(|u| world.by_industry.get(&u.industry))
            .map_or(&[][..], Vec::as_slice);
        let others = same.len() - usize::from(same.binary_search(&unit).is_ok());
        let next = if others > 0 && rng.per_mille(700) {
            rng.other_than(same, unit)
        } else {
            Some(rng.index(unit_count)).filter(|&u| u != unit)
        };
        if let Some(next) = next {
            let year = i32::try_from(rng.range(
                u64::try_from(first_year).unwrap_or(0),
                u64::try_from(last_year).unwrap_or(0),
            ))
            .map_err(invalid)?;
            jobs.push((ymd(year, rng.range(2, 11), 1)?, next));
        }
    }
    let forced = forced_edge(index, world.persons);
    let draw = rng.per_mille(8);
    let crammed = if world.years.len() >= 2 && (forced == CRAMMED || (forced == 0 && draw)) {
        world
            .years
            .get(rng.index(world.years.len()))
            .map(|y| y.year)
    } else {
        None
    };
    Ok((
        NewPerson {
            id_number,
            name,
            cohort,
            phone,
        },
        PersonPlan {
            index,
            id: 0,
            jobs,
            crammed,
            forced: forced & !CRAMMED,
        },
    ))
}

// ------------------------------------------------------------------------------- records

#[derive(Clone, Debug)]
pub(super) struct VoidPlan {
    pub(super) reason: String,
    pub(super) on: Date,
    pub(super) replacement: Option<Box<Draft>>,
}

/// A record before registration.
#[derive(Clone, Debug)]
pub(super) struct Draft {
    /// Index of the person in the batch.
    pub(super) person: usize,
    /// Credit year (the label's year).
    pub(super) year: i32,
    pub(super) record: Record,
    pub(super) content: String,
    pub(super) certificate_no: Option<String>,
    pub(super) registered_on: Date,
    pub(super) actor: String,
    pub(super) void: Option<VoidPlan>,
}

impl Draft {
    pub(super) fn new_record(&self, person_id: i64) -> NewRecord {
        NewRecord {
            person_id,
            record: self.record.clone(),
            content: self.content.clone(),
            certificate_no: self.certificate_no.clone(),
            evidence: None,
            registered_on: self.registered_on,
            actor: self.actor.clone(),
        }
    }
}
