//! The fixed world of a demo run: units, the city's courseware register and the bureaus' training
//! filings with their decisions, per year.

use super::*;

pub(super) fn invalid(what: impl std::fmt::Display) -> StoreError {
    StoreError::invalid("demo.data", what.to_string())
}

pub(super) fn ymd(year: i32, month: u64, day: u64) -> Result<Date, StoreError> {
    let month = u8::try_from(month).map_err(invalid)?;
    let day = u8::try_from(day).map_err(invalid)?;
    Date::new(year, month, day).map_err(invalid)
}

pub(super) fn plus(date: Date, days: u64) -> Result<Date, StoreError> {
    let days = i32::try_from(days).map_err(invalid)?;
    Date::from_day_number(date.day_number() + days).map_err(invalid)
}

pub(super) fn minus(date: Date, days: u64) -> Result<Date, StoreError> {
    let days = i32::try_from(days).map_err(invalid)?;
    Date::from_day_number(date.day_number() - days).map_err(invalid)
}

/// A deterministic clock: 08:00 of `date` plus `seq` milliseconds.
pub(super) fn ms(date: Date, seq: u64) -> i64 {
    i64::from(date.day_number()) * 86_400_000 + 28_800_000 + i64::try_from(seq).unwrap_or(0)
}

pub(super) fn fill(template: &str, seat: Seat, rng: &mut Rng) -> String {
    template
        .replace("{P}", seat.full())
        .replace("{p}", seat.short())
        .replace("{T}", rng.pick(seat.towns()))
        .replace("{B}", rng.pick(BRANDS))
        .replace("{N}", rng.pick(ORDINALS))
}

// ------------------------------------------------------------------------------- the world

#[derive(Clone, Debug)]
pub(super) struct UnitInfo {
    pub(super) id: i64,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) seat: Seat,
    pub(super) industry: usize,
    /// Weight of the unit when staff is assigned.
    pub(super) staff: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FilingStatus {
    /// Approved before the training started.
    OnTime,
    /// Approved only after the training had started.
    Late,
    Refused,
    /// Submitted, not decided.
    Pending,
}

#[derive(Clone, Debug)]
pub(super) struct FilingInfo {
    pub(super) year: i32,
    pub(super) number: String,
    pub(super) title: String,
    pub(super) seat: Seat,
    pub(super) industry: usize,
    pub(super) starts: Date,
    pub(super) ends: Date,
    pub(super) status: FilingStatus,
}

#[derive(Clone, Debug)]
pub(super) struct ProviderInfo {
    pub(super) name: &'static str,
    pub(super) industry: Option<usize>,
    pub(super) periods: Vec<(Date, Date)>,
}

impl ProviderInfo {
    pub(super) fn covers(&self, from: Date, to: Date) -> bool {
        self.periods.iter().any(|(a, b)| *a <= from && to <= *b)
    }
}

/// The rules of one credit year that shape its records.
#[derive(Clone, Debug)]
pub(super) struct YearCtx {
    pub(super) year: i32,
    pub(super) minutes_per_hour: u64,
    pub(super) registration_deadline: Date,
    pub(super) public_deadline: Date,
    /// Base hours cap, in tenths.
    pub(super) cap: u64,
    /// Base number, name, subject.
    pub(super) bases: Vec<(u8, String, String)>,
    /// Conversion kind key, name, hours (new cohort) in tenths; empty without a public table.
    pub(super) conversions: Vec<(String, String, u64)>,
}

impl YearCtx {
    /// Whether public records completed early next year may count for this year (D5).
    pub(super) fn next_year_window(&self) -> bool {
        self.public_deadline.year() > self.year
    }
}

pub(super) fn year_contexts(
    policy: &Policy,
    years: &RangeInclusive<i32>,
) -> Result<Vec<YearCtx>, StoreError> {
    if years.is_empty() {
        return Err(StoreError::invalid("demo.years", "演示数据的年度范围为空"));
    }
    years
        .clone()
        .map(|year| {
            let p = policy.year(year).ok_or_else(|| {
                StoreError::invalid("demo.years", format!("政策中没有 {year} 年度的规则"))
            })?;
            let conversions = p
                .conversion
                .as_ref()
                .filter(|t| t.subjects.contains(&Subject::Public))
                .map(|t| {
                    t.kinds
                        .iter()
                        .map(|k| (k.key.clone(), k.name.clone(), k.new.tenths()))
                        .collect()
                })
                .unwrap_or_default();
            Ok(YearCtx {
                year,
                minutes_per_hour: p.minutes_per_hour.value.max(1),
                registration_deadline: p.registration_deadline.value,
                public_deadline: p.public_deadline.value,
                cap: p.base_cap.value.tenths(),
                bases: p
                    .bases
                    .iter()
                    .map(|b| (b.number, b.name.clone(), b.subject.clone()))
                    .collect(),
                conversions,
            })
        })
        .collect()
}

/// The development zone of Lu'an named by the policy's routing table, if any.
pub(super) fn zone_name(policy: &Policy) -> Option<String> {
    policy.years.iter().rev().find_map(|y| {
        y.routes.as_ref().and_then(|r| {
            r.value
                .iter()
                .filter(|c| c.city == xueshi_domain::region::LUAN)
                .find_map(|c| c.zones.first().cloned())
        })
    })
}

pub(super) struct World {
    pub(super) seed: u64,
    pub(super) units: Vec<UnitInfo>,
    /// Running sums of the units' staff weights ([`staff_cumulative`]).
    pub(super) staff_cumulative: Vec<u64>,
    /// The units of each industry (by index into `units`, ascending).
    pub(super) by_industry: std::collections::HashMap<usize, Vec<usize>>,
    pub(super) filings: Vec<FilingInfo>,
    pub(super) providers: Vec<ProviderInfo>,
    pub(super) years: Vec<YearCtx>,
    pub(super) persons: u64,
    /// Nothing is completed or registered after this day.
    pub(super) today: Option<Date>,
}

// ------------------------------------------------------------------------------- units

/// Running sums of the units' staff weights: a person's unit is drawn by binary search instead
/// of a scan of every unit (a province's seed has tens of thousands).
pub(super) fn staff_cumulative(units: &[UnitInfo]) -> Vec<u64> {
    units
        .iter()
        .scan(0u64, |sum, u| {
            *sum = sum.saturating_add(u.staff);
            Some(*sum)
        })
        .collect()
}

/// The units of each industry, ascending.
pub(super) fn units_by_industry(
    units: &[UnitInfo],
) -> std::collections::HashMap<usize, Vec<usize>> {
    let mut by = std::collections::HashMap::<usize, Vec<usize>>::new();
    for (i, u) in units.iter().enumerate() {
        by.entry(u.industry).or_default().push(i);
    }
    by
}

pub(super) fn credit_code(
    rng: &mut Rng,
    kind: UnitKind,
    region: u32,
    used: &mut HashSet<String>,
) -> Result<CreditCode, StoreError> {
    pub(super) const CHARSET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    // GB 32100: 12 事业单位 (机构编制), 52 民办非企业单位 (民政), 91 企业 (市场监管).
    let (head, org) = match kind {
        UnitKind::Institution => ("12", "MB"),
        UnitKind::SocialOrg => ("52", "MJ"),
        _ => ("91", "MA"),
    };
    for _ in 0..1000 {
        let tail: String = (0..7)
            .map(|_| char::from(rng.pick(CHARSET)))
            .collect::<String>();
        let body = format!("{head}{region:06}{org}{tail}");
        if used.insert(body.clone()) {
            return CreditCode::complete(&body).map_err(invalid);
        }
    }
    Err(invalid("无法生成不重复的统一社会信用代码"))
}

pub(super) async fn create_units(
    db: &Db,
    opts: &DemoOptions,
    zone: Option<i64>,
    created: Date,
) -> Result<Vec<UnitInfo>, StoreError> {
    let mut rng = Rng::new(opts.seed, "units", 0);
    let count = (opts.persons / 25).max(20);
    let county_weights: Vec<u64> = COUNTIES.iter().map(|c| c.weight).collect();
    let industry_weights: Vec<u64> = INDUSTRIES.iter().map(|i| i.share).collect();
    let mut names = HashSet::new();
    let mut codes = HashSet::new();
    let mut units = Vec::new();
    for n in 0..count {
        // The first units: one city-direct, one in each district and county, one in the zone,
        // and one of each industry; then 18% city-direct, 7% in the zone, the rest in the
        // districts and counties by size.
        let first = usize::try_from(n).ok();
        let draw = rng.below(100);
        let seat = match first {
            Some(0) => Seat::City,
            Some(i) if i <= COUNTIES.len() => Seat::County(i - 1),
            Some(i) if i == COUNTIES.len() + 1 && zone.is_some() => Seat::Zone,
            _ => match draw {
                0..18 => Seat::City,
                18..25 if zone.is_some() => Seat::Zone,
                _ => Seat::County(rng.weighted(&county_weights)),
            },
        };
        let ind = match first {
            // A permutation, so that industry and place are not tied.
            Some(i) if i < INDUSTRIES.len() => i * 5 % INDUSTRIES.len(),
            _ => rng.weighted(&industry_weights),
        };
        let spec = industry(ind);
        let mut fitting: Vec<(&str, UnitKind)> = spec
            .units
            .iter()
            .filter(|(_, _, at)| at & seat.mask() != 0)
            .map(|(t, k, _)| (*t, *k))
            .collect();
        if fitting.is_empty() {
            fitting = spec.units.iter().map(|(t, k, _)| (*t, *k)).collect();
        }
        let mut chosen = None;
        for _ in 0..200 {
            let (template, kind) = fitting
                .get(rng.index(fitting.len()))
                .copied()
                .unwrap_or(("{p}{B}有限公司", UnitKind::Enterprise));
            let name = fill(template, seat, &mut rng);
            if names.insert(name.clone()) {
                chosen = Some((name, kind));
                break;
            }
        }
        let (name, kind) = match chosen {
            Some(c) => c,
            None => {
                let name = format!("{}{}{}有限公司", seat.short(), rng.pick(BRANDS), n);
                names.insert(name.clone());
                (name, UnitKind::Enterprise)
            }
        };
        let region = seat.region();
        let code = credit_code(&mut rng, kind, region, &mut codes)?;
        let id = people::insert_unit(
            db,
            &NewUnit {
                credit_code: code.clone(),
                name: name.clone(),
                region: RegionCode::from_u32(region).map_err(invalid)?,
                zone_id: if seat == Seat::Zone { zone } else { None },
                industry: spec.name.to_owned(),
                kind,
            },
            ms(created, n),
        )
        .await?;
        units.push(UnitInfo {
            id,
            code: code.as_str().to_owned(),
            name,
            seat,
            industry: ind,
            staff: spec.staff * rng.range(1, 3),
        });
    }
    Ok(units)
}

// ------------------------------------------------------------------------------- registry

pub(super) async fn register_providers(
    db: &Db,
    signer: &LedgerSigner,
    years: &[YearCtx],
    summary: &mut DemoSummary,
) -> Result<Vec<ProviderInfo>, StoreError> {
    let (Some(first), Some(last)) = (years.first(), years.last()) else {
        return Ok(Vec::new());
    };
    let (first, last) = (first.year, last.year);
    let several = last > first;
    let mut out = Vec::new();
    let mut seq = 0;
    for &(name, ind, period) in PROVIDERS {
        let periods = match period {
            Period::Yearly => (first..=last)
                .map(|y| Ok((ymd(y, 1, 1)?, ymd(y, 12, 31)?)))
                .collect::<Result<Vec<_>, StoreError>>()?,
            Period::Lapsed if several => vec![(ymd(first, 1, 1)?, ymd(first + 1, 6, 30)?)],
            Period::Lapsed => vec![(ymd(first, 1, 1)?, ymd(first, 6, 30)?)],
            Period::Late if several => vec![(ymd(first + 1, 3, 1)?, ymd(last, 12, 31)?)],
            Period::Late => vec![(ymd(first, 7, 1)?, ymd(first, 12, 31)?)],
        };
        for (from, to) in &periods {
            let on = minus(*from, 10)?;
            registry::register_provider(
                db,
                signer,
                name,
                xueshi_domain::region::LUAN,
                *from,
                *to,
                Act {
                    actor: "bureau:341500",
                    region: None,
                    on,
                    now_ms: ms(on, seq),
                },
            )
            .await?;
            seq += 1;
            summary.provider_registrations += 1;
        }
        out.push(ProviderInfo {
            name,
            industry: ind,
            periods,
        });
    }
    for name in UNREGISTERED {
        out.push(ProviderInfo {
            name,
            industry: None,
            periods: Vec::new(),
        });
    }
    Ok(out)
}

pub(super) fn bureau_actor(seat: Seat, zone: &str) -> String {
    match seat {
        Seat::Zone => format!("zone:{zone}"),
        _ => format!("bureau:{}", seat.region()),
    }
}

pub(super) async fn create_filings(
    db: &Db,
    signer: &LedgerSigner,
    world: &World,
    zone: Option<(i64, &str)>,
    summary: &mut DemoSummary,
) -> Result<Vec<FilingInfo>, StoreError> {
    let mut out = Vec::new();
    for y in &world.years {
        let year = y.year;
        let mut rng = Rng::new(world.seed, "filings", u64::try_from(year).unwrap_or(0));
        // Which bureaus file for which industries: the city for every industry, each county
        // and the zone for the industries of its units.
        let mut plan: Vec<(Seat, usize, u64)> =
            (0..INDUSTRIES.len()).map(|i| (Seat::City, i, 3)).collect();
        let mut seats: Vec<Seat> = (0..COUNTIES.len()).map(Seat::County).collect();
        if zone.is_some() {
            seats.push(Seat::Zone);
        }
        for seat in seats {
            for i in 0..INDUSTRIES.len() {
                let n = world
                    .units
                    .iter()
                    .filter(|u| u.seat == seat && u.industry == i)
                    .count();
                if n > 0 {
                    plan.push((seat, i, 1 + u64::try_from(n / 4).unwrap_or(0)));
                }
            }
        }
        let mut numbers: Vec<(Seat, u64)> = Vec::new();
        let mut index = 0u64;
        for (seat, ind, n) in plan {
            for _ in 0..n {
                let status = match index % 20 {
                    7 => FilingStatus::Refused,
                    13 => FilingStatus::Late,
                    _ if index % 40 == 19 => FilingStatus::Pending,
                    _ => FilingStatus::OnTime,
                };
                index += 1;
                let seq = match numbers.iter_mut().find(|(s, _)| *s == seat) {
                    Some((_, k)) => {
                        *k += 1;
                        *k
                    }
                    None => {
                        numbers.push((seat, 1));
                        1
                    }
                };
                let prefix = match seat {
                    Seat::City => "六人社培备",
                    Seat::Zone => "六开人才培备",
                    Seat::County(_) => seat.county().map_or("六人社培备", |c| c.filing),
                };
                let spec = industry(ind);
                let topic = rng.pick(spec.topics);
                let place = match seat {
                    Seat::City => "全市",
                    Seat::Zone => "经开区",
                    Seat::County(_) => seat.full(),
                };
                let starts = ymd(year, rng.range(3, 11), rng.range(3, 20))?;
                let ends = plus(starts, rng.range(1, 3))?;
                let filing = FilingInfo {
                    year,
                    number: format!("{prefix}〔{year}〕{seq}号"),
                    title: format!("{year}年{place}{}专业技术人员{topic}培训班", spec.name),
                    seat,
                    industry: ind,
                    starts,
                    ends,
                    status,
                };
                let decided = match status {
                    FilingStatus::OnTime | FilingStatus::Pending => {
                        minus(starts, rng.range(5, 30))?
                    }
                    FilingStatus::Refused => minus(starts, rng.range(5, 20))?,
                    FilingStatus::Late => plus(starts, rng.range(1, 3))?,
                };
                let submitted = minus(decided.min(minus(starts, 1)?), rng.range(3, 15))?;
                let id = registry::submit_filing(
                    db,
                    &NewFiling {
                        number: Some(filing.number.clone()),
                        title: filing.title.clone(),
                        region: RegionCode::from_u32(seat.region()).map_err(invalid)?,
                        zone_id: match (seat, zone) {
                            (Seat::Zone, Some((id, _))) => Some(id),
                            _ => None,
                        },
                        starts_on: starts,
                        ends_on: ends,
                        provider_org: None,
                        details: registry::FilingDetails::default(),
                    },
                    ms(submitted, index),
                )
                .await?;
                summary.filings += 1;
                let actor = bureau_actor(seat, zone.map_or("", |(_, z)| z));
                let act = Act {
                    actor: &actor,
                    region: None,
                    on: decided,
                    now_ms: ms(decided, index),
                };
                match status {
                    FilingStatus::Pending => {}
                    FilingStatus::Refused => {
                        let reason = rng.pick(REFUSALS);
                        registry::decide_filing(db, signer, id, false, Some(reason), None, act)
                            .await?;
                    }
                    FilingStatus::OnTime | FilingStatus::Late => {
                        registry::decide_filing(db, signer, id, true, None, None, act).await?;
                    }
                }
                out.push(filing);
            }
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------------------- persons
