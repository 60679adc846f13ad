//! A person's years of records, drafted from their plan, labelled in date order and registered
//! in batches (with the voids and corrections the plan asks for).

use super::*;

pub(super) fn record(subject: Subject, form: Form, completed: Date) -> Record {
    Record {
        id: String::new(),
        subject,
        form,
        provider: None,
        started: None,
        completed,
        amount: None,
        exam: Exam::None,
        for_year: None,
        filing: None,
        conversion: None,
        achievement: None,
        registered: None,
    }
}

/// An achievement identifier and title of a conversion kind (D9, D21).
pub(super) fn achievement(rng: &mut Rng, kind: &str, day: Date, topic: &str) -> (String, String) {
    let (year, month) = (day.year(), day.month());
    let n = rng.below(10_000_000);
    match kind {
        "patent_invention" | "patent_utility" => {
            let class = if kind == "patent_invention" { 1 } else { 2 };
            (
                format!("ZL {} {class} {n:07}.{}", year - 1, rng.below(10)),
                format!("专利《一种用于{topic}的辅助装置》"),
            )
        }
        "paper_core" | "paper_general" => (
            format!(
                "DOI 10.{}/j.issn.{:04}-{:04}.{year}.{:02}.{:03}",
                rng.range(3969, 16_000),
                rng.range(1000, 2999),
                rng.below(10_000),
                month,
                rng.range(1, 200)
            ),
            format!("论文《{topic}的实践与思考》"),
        ),
        "book" => (
            format!(
                "ISBN 978-7-{:04}-{:04}-{}",
                rng.below(10_000),
                rng.below(10_000),
                rng.below(10)
            ),
            format!("专著《{topic}实务》"),
        ),
        k if k.starts_with("award") => (
            format!(
                "奖励证书 {year}-{}-{:03}",
                rng.range(1, 3),
                rng.range(1, 300)
            ),
            format!("“{topic}”获奖"),
        ),
        k if k.starts_with("project") => (
            format!("项目编号 {year}{:06}", rng.below(1_000_000)),
            format!("科研项目“{topic}研究”结题"),
        ),
        _ => (
            format!("证书编号 {year}{n:07}"),
            format!("{topic}相关资格（学历）证书"),
        ),
    }
}

pub(super) fn conversion_weight(kind: &str) -> u64 {
    match kind {
        "paper_general" => 30,
        "patent_utility" | "qualification_exam" => 12,
        "paper_core" | "award_municipal" | "project_municipal" => 8,
        "degree_study" => 5,
        "patent_invention" | "award_provincial" | "project_provincial" => 3,
        _ => 1,
    }
}

/// Builds one person's records of one credit year.
pub(super) struct YearBuilder<'a> {
    pub(super) world: &'a World,
    pub(super) y: &'a YearCtx,
    pub(super) plan: &'a PersonPlan,
    pub(super) person: usize,
    pub(super) industry: &'static Industry,
    pub(super) seat: Seat,
    pub(super) unit: usize,
    /// Months not yet used by a time-based activity: activities of one year do not overlap.
    pub(super) months: Vec<u64>,
    pub(super) drafts: Vec<Draft>,
    pub(super) certificates: u32,
    /// A conversion whose achievement a colleague also registers.
    pub(super) shared: Option<usize>,
}

impl<'a> YearBuilder<'a> {
    pub(super) fn new(
        world: &'a World,
        y: &'a YearCtx,
        plan: &'a PersonPlan,
        person: usize,
        rng: &mut Rng,
    ) -> Result<Self, StoreError> {
        let unit = plan
            .unit_on(ymd(y.year, 12, 31)?)
            .ok_or_else(|| invalid("人员没有任职单位"))?;
        let info = world.units.get(unit).ok_or_else(|| invalid("单位不存在"))?;
        let mut months: Vec<u64> = (1..=12).collect();
        rng.shuffle(&mut months);
        Ok(Self {
            world,
            y,
            plan,
            person,
            industry: industry(info.industry),
            seat: info.seat,
            unit,
            months,
            drafts: Vec::new(),
            certificates: 0,
            shared: None,
        })
    }

    pub(super) fn topic(&self, rng: &mut Rng) -> &'static str {
        rng.pick(self.industry.topics)
    }

    pub(super) fn month(&mut self, rng: &mut Rng) -> u64 {
        self.months.pop().unwrap_or_else(|| rng.range(1, 12))
    }

    pub(super) fn claim(&mut self, month: u64) {
        self.months.retain(|m| *m != month);
    }

    /// A study of `min..=max` days inside one free month of the year.
    pub(super) fn span(
        &mut self,
        rng: &mut Rng,
        min: u64,
        max: u64,
    ) -> Result<(Date, Date), StoreError> {
        let month = self.month(rng);
        let len = rng.range(min, max).clamp(1, 27);
        let start = ymd(self.y.year, month, rng.range(1, 29 - len))?;
        Ok((start, plus(start, len - 1)?))
    }

    pub(super) fn any_day(&self, rng: &mut Rng) -> Result<Date, StoreError> {
        ymd(self.y.year, rng.range(1, 12), rng.range(1, 28))
    }

    /// Hours, or (for whole hours, sometimes) the minutes they were measured in (D2).
    pub(super) fn amount(&self, rng: &mut Rng, tenths: u64, minutes_share: u64) -> Amount {
        if tenths.is_multiple_of(10) && rng.per_mille(minutes_share) {
            let mph = self.y.minutes_per_hour;
            Amount::Minutes(tenths / 10 * mph + rng.below(mph))
        } else {
            Amount::Hours(Hours::from_tenths(tenths))
        }
    }

    pub(super) fn push(
        &mut self,
        rng: &mut Rng,
        record: Record,
        content: String,
        certificate: Option<String>,
    ) -> usize {
        let deadline = self.y.registration_deadline;
        let after = plus(record.completed, rng.range(1, 12)).unwrap_or(record.completed);
        let registered_on = if record.completed > deadline {
            record.completed
        } else {
            after.min(deadline)
        };
        let unit = self.plan.unit_on(record.completed).unwrap_or(self.unit);
        let code = self.world.units.get(unit).map_or("", |u| u.code.as_str());
        self.drafts.push(Draft {
            person: self.person,
            year: self.y.year,
            record,
            content,
            certificate_no: certificate,
            registered_on,
            actor: format!("unit:{code}"),
            void: None,
        });
        self.drafts.len() - 1
    }

    // --- professional

    pub(super) fn training(&mut self, rng: &mut Rng, filing: &FilingInfo, cite: bool) -> u64 {
        let days =
            u64::try_from(filing.ends.day_number() - filing.starts.day_number() + 1).unwrap_or(1);
        let tenths = days * 80;
        self.claim(u64::from(filing.starts.month()));
        let mut r = record(Subject::Professional, Form::TrainingClass, filing.ends);
        r.started = Some(filing.starts);
        r.amount = Some(Amount::Hours(Hours::from_tenths(tenths)));
        r.exam = Exam::Pass;
        if cite {
            r.filing = Some(filing.number.clone());
        }
        self.push(rng, r, filing.title.clone(), None);
        tenths
    }

    /// A training class the unit ran without filing it (D8).
    pub(super) fn unfiled_training(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let (start, end) = self.span(rng, 2, 3)?;
        let days = u64::try_from(end.day_number() - start.day_number() + 1).unwrap_or(1);
        let tenths = days * 80;
        let mut r = record(Subject::Professional, Form::TrainingClass, end);
        r.started = Some(start);
        r.amount = Some(Amount::Hours(Hours::from_tenths(tenths)));
        r.exam = Exam::Pass;
        let content = format!("单位内部{}专题培训班", self.topic(rng));
        self.push(rng, r, content, None);
        Ok(tenths)
    }

    /// A training citing a filing of the given status that covers the person's unit.
    pub(super) fn training_with(
        &mut self,
        rng: &mut Rng,
        status: FilingStatus,
    ) -> Result<u64, StoreError> {
        let (year, seat, ind) = (self.y.year, self.seat, self.industry.name);
        let world = self.world;
        let candidates: Vec<&FilingInfo> = world
            .filings
            .iter()
            .filter(|f| f.year == year && f.status == status && f.seat.covers(seat))
            .collect();
        let same: Vec<&FilingInfo> = candidates
            .iter()
            .copied()
            .filter(|f| industry(f.industry).name == ind)
            .collect();
        let pool = if same.is_empty() { &candidates } else { &same };
        match pool.get(rng.index(pool.len())) {
            Some(f) => Ok(self.training(rng, f, true)),
            None => self.unfiled_training(rng),
        }
    }

    pub(super) fn practice(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let (start, end) = self.span(rng, 10, 20)?;
        let tenths = rng.range(16, 40) * 10;
        // Another unit of the same industry (industries are named once each).
        let same = self
            .world
            .units
            .get(self.unit)
            .filter(|u| industry(u.industry).name == self.industry.name)
            .and_then(|u| self.world.by_industry.get(&u.industry))
            .map_or(&[][..], Vec::as_slice);
        let host = rng
            .other_than(same, self.unit)
            .and_then(|i| self.world.units.get(i))
            .map_or("上级业务单位", |u| u.name.as_str());
        let mut r = record(Subject::Professional, Form::Practice, end);
        r.started = Some(start);
        r.amount = Some(self.amount(rng, tenths, 200));
        let content = format!("赴{host}进修实践：{}", self.topic(rng));
        self.push(rng, r, content, None);
        Ok(tenths)
    }

    pub(super) fn academic_on(&mut self, rng: &mut Rng, day: Date, tenths: u64) -> u64 {
        let mut r = record(Subject::Professional, Form::Academic, day);
        r.amount = Some(self.amount(rng, tenths, 400));
        let topic = self.topic(rng);
        let content = match rng.below(3) {
            0 => format!("参加{}年全省{topic}学术年会", self.y.year),
            1 => format!("{topic}专题讲座"),
            _ => format!(
                "赴{}参加{topic}学术交流",
                rng.pick(&["合肥", "南京", "杭州", "上海", "武汉"])
            ),
        };
        self.push(rng, r, content, None);
        tenths
    }

    pub(super) fn academic(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let month = self.month(rng);
        let day = ymd(self.y.year, month, rng.range(1, 28))?;
        let tenths = rng.range(8, 16) * 5;
        Ok(self.academic_on(rng, day, tenths))
    }

    pub(super) fn research(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let day = self.any_day(rng)?;
        let tenths = rng.range(10, 30) * 10;
        let mut r = record(Subject::Professional, Form::Research, day);
        r.amount = Some(Amount::Hours(Hours::from_tenths(tenths)));
        let content = format!("课题研究：{}的应用研究", self.topic(rng));
        self.push(rng, r, content, None);
        Ok(tenths)
    }

    pub(super) fn qualification_exam(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let day = self.any_day(rng)?;
        let tenths = 200;
        let mut r = record(Subject::Professional, Form::QualificationExam, day);
        r.amount = Some(Amount::Hours(Hours::from_tenths(tenths)));
        r.exam = Exam::Pass;
        let content = format!(
            "参加{}年度{}专业技术资格考试（成绩合格）",
            self.y.year, self.industry.name
        );
        self.push(rng, r, content, None);
        Ok(tenths)
    }

    /// A registered provider whose registration covers the whole study, if any (D7).
    pub(super) fn registered_provider(
        &self,
        rng: &mut Rng,
        industry_only: bool,
        from: Date,
        to: Date,
    ) -> Option<&'static str> {
        let ind = INDUSTRIES.iter().position(|i| i.name == self.industry.name);
        let fitting: Vec<&'static str> = self
            .world
            .providers
            .iter()
            .filter(|p| p.covers(from, to))
            .filter(|p| {
                if industry_only {
                    p.industry.is_some() && p.industry == ind
                } else {
                    p.industry.is_none()
                }
            })
            .map(|p| p.name)
            .collect();
        fitting.get(rng.index(fitting.len())).copied()
    }

    /// A provider the person's city has not registered for the study's dates (D7).
    pub(super) fn unregistered_provider(
        &self,
        rng: &mut Rng,
        from: Date,
        to: Date,
    ) -> &'static str {
        let lapsed: Vec<&'static str> = self
            .world
            .providers
            .iter()
            .filter(|p| !p.periods.is_empty() && !p.covers(from, to))
            .map(|p| p.name)
            .collect();
        if !lapsed.is_empty() && rng.per_mille(400) {
            lapsed
                .get(rng.index(lapsed.len()))
                .copied()
                .unwrap_or("知学云课堂")
        } else {
            rng.pick(UNREGISTERED)
        }
    }

    pub(super) fn online(
        &mut self,
        rng: &mut Rng,
        subject: Subject,
        tenths: u64,
        registered: bool,
    ) -> Result<u64, StoreError> {
        let (start, end) = self.span(rng, 8, 20)?;
        let (provider, name) = if !registered {
            let name = self.unregistered_provider(rng, start, end);
            (Provider::Registered(name.to_owned()), name.to_owned())
        } else if subject == Subject::Public {
            match rng.below(2) {
                0 => (
                    Provider::Kind(ProviderKind::Hrss),
                    "六安市人力资源和社会保障局".to_owned(),
                ),
                _ => match self.registered_provider(rng, false, start, end) {
                    Some(n) => (Provider::Registered(n.to_owned()), n.to_owned()),
                    None => (
                        Provider::Kind(ProviderKind::Hrss),
                        "六安市人力资源和社会保障局".to_owned(),
                    ),
                },
            }
        } else {
            let draw = rng.below(100);
            let own = self.registered_provider(rng, true, start, end);
            match (draw, own) {
                (0..40, Some(n)) => (Provider::Registered(n.to_owned()), n.to_owned()),
                (40..55, _) => (
                    Provider::Kind(ProviderKind::Base),
                    "国家级专业技术人员继续教育基地".to_owned(),
                ),
                _ => (
                    Provider::Kind(ProviderKind::Industry),
                    self.industry.authority.to_owned(),
                ),
            }
        };
        let mut r = record(subject, Form::Online, end);
        r.started = Some(start);
        r.provider = Some(provider);
        r.amount = Some(self.amount(rng, tenths, 600));
        let topic = if subject == Subject::Public {
            rng.pick(PUBLIC_TOPICS)
        } else {
            self.topic(rng)
        };
        self.push(rng, r, format!("{name}网络课程：{topic}"), None);
        Ok(tenths)
    }

    /// Two time-based activities on one day, together above the daily limit (D21).
    pub(super) fn overlap(&mut self, rng: &mut Rng) -> Result<u64, StoreError> {
        let month = self.month(rng);
        let day = ymd(self.y.year, month, rng.range(1, 28))?;
        let academic = self.academic_on(rng, day, 80);
        let mut r = record(Subject::Professional, Form::Online, day);
        r.started = Some(day);
        r.provider = Some(Provider::Kind(ProviderKind::Industry));
        let minutes = rng.range(400, 480);
        r.amount = Some(Amount::Minutes(minutes));
        let content = format!("{}网络课程：{}", self.industry.authority, self.topic(rng));
        self.push(rng, r, content, None);
        Ok(academic + minutes / self.y.minutes_per_hour * 10)
    }

    // --- public

    /// A course at one of the provincial online bases (D6).
    pub(super) fn base(
        &mut self,
        rng: &mut Rng,
        base: usize,
        exam: Exam,
        next_year: bool,
    ) -> Result<u64, StoreError> {
        let Some((number, name, subject)) = self.y.bases.get(base).cloned() else {
            return Ok(0);
        };
        let (start, end) = if next_year {
            let deadline = self.y.public_deadline;
            let last_month = if deadline.year() > self.y.year + 1 {
                5
            } else {
                u64::from(deadline.month()).min(5)
            };
            let end = ymd(self.y.year + 1, rng.range(1, last_month), rng.range(1, 28))?;
            let end = end.min(deadline);
            (minus(end, rng.range(10, 25))?, end)
        } else {
            self.span(rng, 10, 25)?
        };
        let tenths = 100;
        let mut r = record(Subject::Public, Form::Online, end);
        r.started = Some(start);
        r.provider = Some(Provider::Base(number));
        r.amount = Some(self.amount(rng, tenths, 300));
        r.exam = exam;
        if next_year {
            r.for_year = Some(self.y.year);
        }
        let certificate = (exam == Exam::Pass).then(|| {
            self.certificates += 1;
            format!(
                "GX{number}-{}-{:06}-{}",
                self.y.year, self.plan.index, self.certificates
            )
        });
        let content = format!(
            "{}年度公需科目{subject}（{name}）：{}",
            self.y.year,
            rng.pick(PUBLIC_TOPICS)
        );
        self.push(rng, r, content, certificate);
        Ok(tenths)
    }

    /// A public conversion of an achievement (D9); returns the new-cohort value.
    pub(super) fn conversion(&mut self, rng: &mut Rng) -> Result<(u64, usize), StoreError> {
        let weights: Vec<u64> = self
            .y
            .conversions
            .iter()
            .map(|(k, _, _)| conversion_weight(k))
            .collect();
        let Some((kind, kind_name, tenths)) =
            self.y.conversions.get(rng.weighted(&weights)).cloned()
        else {
            return Ok((0, 0));
        };
        let day = self.any_day(rng)?;
        let topic = self.topic(rng);
        let (id, title) = achievement(rng, &kind, day, topic);
        let mut r = record(Subject::Public, Form::Conversion, day);
        r.conversion = Some(kind);
        r.achievement = Some(id);
        let at = self.push(rng, r, format!("{kind_name}：{title}"), None);
        Ok((tenths, at))
    }

    // --- years

    pub(super) fn normal_year(&mut self, rng: &mut Rng, edges: u32) -> Result<(), StoreError> {
        // 50% of the time a rejected activity was part of what the person counted on.
        let counted = |rng: &mut Rng, tenths: u64| if rng.per_mille(500) { tenths } else { 0 };
        let prof_target = if edges & SHORT != 0 {
            rng.range(30, 55)
        } else {
            rng.range(60, 84)
        } * 10;
        let mut prof = 0;
        let (year, seat, ind) = (self.y.year, self.seat, self.industry.name);
        let world = self.world;
        let usable: Vec<&FilingInfo> = world
            .filings
            .iter()
            .filter(|f| {
                f.year == year
                    && f.status == FilingStatus::OnTime
                    && f.seat.covers(seat)
                    && industry(f.industry).name == ind
            })
            .collect();
        if let Some(f) = usable.get(rng.index(usable.len()))
            && rng.per_mille(650)
        {
            prof += self.training(rng, f, true);
        }
        if edges & UNFILED != 0 {
            let t = self.unfiled_training(rng)?;
            prof += counted(rng, t);
        }
        if edges & LATE_FILING != 0 {
            let t = self.training_with(rng, FilingStatus::Late)?;
            prof += counted(rng, t);
        }
        if edges & REFUSED_FILING != 0 {
            let t = self.training_with(rng, FilingStatus::Refused)?;
            prof += counted(rng, t);
        }
        if edges & OVERLAP != 0 {
            prof += self.overlap(rng)?;
        }
        let unregistered_public = rng.per_mille(500);
        if edges & UNREGISTERED_PROVIDER != 0 && !unregistered_public {
            let hours = rng.range(10, 20) * 10;
            let t = self.online(rng, Subject::Professional, hours, false)?;
            prof += counted(rng, t);
        }
        let mut guard = 0;
        while prof < prof_target && guard < 12 {
            guard += 1;
            prof += match rng.weighted(&[15, 30, 15, 35, 3]) {
                0 => self.practice(rng)?,
                1 => self.academic(rng)?,
                2 => self.research(rng)?,
                3 => {
                    let t = rng.range(10, 30) * 10;
                    self.online(rng, Subject::Professional, t, true)?
                }
                _ => self.qualification_exam(rng)?,
            };
        }

        let pub_target = if edges & SHORT != 0 {
            rng.range(15, 40) * 10
        } else {
            900u64.saturating_sub(prof).max(300) + rng.range(0, 10) * 10
        };
        let mut public = 0;
        if edges & (CONVERSION | CONVERSION_DUP) != 0 && !self.y.conversions.is_empty() {
            let (t, at) = self.conversion(rng)?;
            public += t;
            if edges & CONVERSION_DUP != 0 {
                self.shared = Some(at);
            }
        }
        let mut bases: Vec<usize> = (0..self.y.bases.len()).collect();
        rng.shuffle(&mut bases);
        let mut in_bases = 0;
        if edges & OVER_CAP != 0 {
            // Every base, 10 hours each: past the cap the last is not credited.
            for &b in &bases {
                in_bases += self.base(rng, b, Exam::Pass, false)?;
            }
            public += in_bases.min(self.y.cap);
        } else if !bases.is_empty() && (rng.per_mille(900) || edges & FOR_YEAR != 0) {
            let wanted = rng.range(1, 3);
            let next_year_base = edges & FOR_YEAR != 0;
            for (k, &b) in bases.iter().enumerate() {
                let last = u64::try_from(k + 1).unwrap_or(0) >= wanted;
                if u64::try_from(k).unwrap_or(0) >= wanted
                    || (public >= pub_target && !next_year_base)
                    || in_bases + 100 > self.y.cap
                {
                    break;
                }
                let t = self.base(rng, b, Exam::Pass, next_year_base && last)?;
                in_bases += t;
                public += t;
            }
        }
        if edges & EXAM_FAIL != 0
            && let Some(&b) = bases.first()
        {
            let t = self.base(rng, b, Exam::Fail, false)?;
            public += if rng.per_mille(400) { t } else { 0 };
        }
        if edges & UNREGISTERED_PROVIDER != 0 && unregistered_public {
            let hours = rng.range(8, 15) * 10;
            let t = self.online(rng, Subject::Public, hours, false)?;
            public += counted(rng, t);
        }
        let mut guard = 0;
        while public < pub_target && guard < 6 {
            guard += 1;
            let t = (pub_target - public).div_ceil(10).clamp(6, 20) * 10;
            public += self.online(rng, Subject::Public, t, true)?;
        }

        if edges & LATE_REGISTRATION != 0 && !self.drafts.is_empty() {
            let k = rng.index(self.drafts.len());
            let late = plus(self.y.registration_deadline, rng.range(5, 60))?;
            if let Some(d) = self.drafts.get_mut(k) {
                d.registered_on = late;
            }
        }
        if edges & (VOID_HOURS | VOID_DUPLICATE) != 0 {
            self.plan_voids(rng, edges)?;
        }
        Ok(())
    }

    /// Registration mistakes and their corrections (D10): a typo in the hours, corrected by a
    /// replacement; an activity registered twice, the second voided.
    pub(super) fn plan_voids(&mut self, rng: &mut Rng, edges: u32) -> Result<(), StoreError> {
        let deadline = self.y.registration_deadline;
        let eligible: Vec<usize> = self
            .drafts
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                d.certificate_no.is_none()
                    && d.void.is_none()
                    && d.registered_on <= deadline
                    && matches!(d.record.amount, Some(Amount::Hours(_)))
                    && matches!(
                        d.record.form,
                        Form::Academic | Form::Research | Form::Practice | Form::Online
                    )
            })
            .map(|(i, _)| i)
            .collect();
        if edges & VOID_HOURS != 0
            && let Some(&k) = eligible.first()
            && let Some(d) = self.drafts.get_mut(k)
            && let Some(Amount::Hours(right)) = d.record.amount
        {
            let wrong = right.times(10);
            let mut replacement = d.clone();
            d.record.amount = Some(Amount::Hours(wrong));
            let on = plus(d.registered_on, rng.range(3, 20))?
                .min(deadline)
                .max(d.registered_on);
            replacement.registered_on = on;
            d.void = Some(VoidPlan {
                reason: format!("学时填写错误：应为{right}学时，误填为{wrong}学时"),
                on,
                replacement: Some(Box::new(replacement)),
            });
        }
        if edges & VOID_DUPLICATE != 0
            && let Some(&k) = eligible.last()
            && let Some(d) = self.drafts.get(k)
            && d.void.is_none()
        {
            let mut dup = d.clone();
            dup.registered_on = plus(d.registered_on, rng.range(0, 5))?
                .min(deadline)
                .max(d.registered_on);
            let on = plus(dup.registered_on, rng.range(1, 10))?
                .min(deadline)
                .max(dup.registered_on);
            dup.void = Some(VoidPlan {
                reason: "与本人已登记的同一学习活动重复，作废本条".to_owned(),
                on,
                replacement: None,
            });
            self.drafts.push(dup);
        }
        Ok(())
    }

    /// A whole tenure cycle's hours in one year (D15): an online course every month, research
    /// and the public bases.
    pub(super) fn crammed_year(&mut self, rng: &mut Rng) -> Result<(), StoreError> {
        for month in 1..=12 {
            self.months = vec![month];
            self.online(rng, Subject::Professional, 300, true)?;
        }
        self.months = (1..=12).collect();
        rng.shuffle(&mut self.months);
        self.research(rng)?;
        self.research(rng)?;
        for b in 0..self.y.bases.len().min(3) {
            self.base(rng, b, Exam::Pass, false)?;
        }
        Ok(())
    }

    /// A year of the crammed cycle other than the crammed one: almost nothing.
    pub(super) fn sparse_year(&mut self, rng: &mut Rng) -> Result<(), StoreError> {
        if rng.per_mille(500) {
            let month = self.month(rng);
            let day = ymd(self.y.year, month, rng.range(1, 28))?;
            self.academic_on(rng, day, 40);
        }
        Ok(())
    }
}

pub(super) fn edges_of(rng: &mut Rng, y: &YearCtx, plan: &PersonPlan, last: i32) -> u32 {
    let mut edges = 0;
    for (flag, rate) in RATES {
        if rng.per_mille(rate) {
            edges |= flag;
        }
    }
    // A forced edge goes to the latest year it can occur in.
    if plan.forced != 0 && y.year == last {
        edges |= plan.forced;
    }
    if y.conversions.is_empty() {
        edges &= !(CONVERSION | CONVERSION_DUP);
    }
    if !y.next_year_window() {
        edges &= !FOR_YEAR;
    }
    edges
}

/// The latest year of the range in which a forced edge can occur.
pub(super) fn forced_year(world: &World, forced: u32) -> i32 {
    world
        .years
        .iter()
        .rev()
        .find(|y| {
            (forced & (CONVERSION | CONVERSION_DUP) == 0 || !y.conversions.is_empty())
                && (forced & FOR_YEAR == 0 || y.next_year_window())
        })
        .or(world.years.last())
        .map_or(0, |y| y.year)
}

/// Labels each person's records `YEAR-NN` in completion order, corrections after.
pub(super) fn label(drafts: &mut [Draft]) {
    drafts.sort_by(|a, b| {
        (
            a.person,
            a.year,
            a.record.completed,
            a.record.started,
            a.registered_on,
        )
            .cmp(&(
                b.person,
                b.year,
                b.record.completed,
                b.record.started,
                b.registered_on,
            ))
    });
    let mut counters: Vec<((usize, i32), u32)> = Vec::new();
    let mut next = |person: usize, year: i32| {
        let n = match counters.iter_mut().find(|(k, _)| *k == (person, year)) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                counters.push(((person, year), 1));
                1
            }
        };
        format!("{year}-{n:02}")
    };
    for d in drafts.iter_mut() {
        d.record.id = next(d.person, d.year);
    }
    for d in drafts.iter_mut() {
        if let Some(r) = d.void.as_mut().and_then(|v| v.replacement.as_mut()) {
            r.record.id = next(r.person, r.year);
        }
    }
}

pub(super) async fn seed_batch(
    db: &Db,
    keys: &Keys,
    signer: &LedgerSigner,
    world: &World,
    range: std::ops::Range<u64>,
    used_ids: &mut HashSet<String>,
    summary: &mut DemoSummary,
) -> Result<(), StoreError> {
    let first = world.years.first().map_or(2024, |y| y.year);
    let last = world.years.last().map_or(first, |y| y.year);
    // The batch's persons and their employments in one transaction.
    let mut plans = Vec::new();
    let mut news = Vec::new();
    let created = ymd(first, 1, 1)?;
    let created_ms = ms(created, range.start);
    for index in range {
        let (person, plan) = plan_person(world, index, used_ids)?;
        let mut jobs = Vec::with_capacity(plan.jobs.len());
        for (from, unit) in &plan.jobs {
            let unit_id = world
                .units
                .get(*unit)
                .map(|u| u.id)
                .ok_or_else(|| invalid("单位不存在"))?;
            jobs.push((unit_id, *from));
        }
        news.push((person, jobs));
        plans.push(plan);
    }
    let ids = people::insert_persons(db, keys, &news, created_ms).await?;
    for (plan, id) in plans.iter_mut().zip(ids) {
        plan.id = id;
    }
    summary.persons += u64::try_from(plans.len()).unwrap_or(0);

    let mut drafts: Vec<Draft> = Vec::new();
    for (person, plan) in plans.iter().enumerate() {
        let forced_in = forced_year(world, plan.forced);
        for y in &world.years {
            let mut rng = Rng::new(
                world.seed,
                "year",
                plan.index * 4096 + u64::try_from(y.year - first).unwrap_or(0),
            );
            let mut b = YearBuilder::new(world, y, plan, person, &mut rng)?;
            let edges = edges_of(&mut rng, y, plan, forced_in.min(last));
            match plan.crammed {
                Some(c) if c == y.year => b.crammed_year(&mut rng)?,
                Some(_) => b.sparse_year(&mut rng)?,
                None => b.normal_year(&mut rng, edges)?,
            }
            // A co-author registers the same achievement a few days later (D21).
            if let Some(k) = b.shared
                && plans.len() > 1
                && let Some(src) = b.drafts.get(k)
            {
                let unit = b.unit;
                let colleagues: Vec<usize> = plans
                    .iter()
                    .enumerate()
                    .filter(|(i, p)| *i != person && p.unit_on(src.record.completed) == Some(unit))
                    .map(|(i, _)| i)
                    .collect();
                let colleague = colleagues
                    .get(rng.index(colleagues.len()))
                    .copied()
                    .unwrap_or((person + 1) % plans.len());
                let mut copy = src.clone();
                copy.person = colleague;
                copy.record.achievement = src.record.achievement.as_ref().map(|a| {
                    a.chars()
                        .filter(|c| !c.is_whitespace())
                        .flat_map(char::to_lowercase)
                        .collect()
                });
                copy.content = format!("{}（合作者）", src.content);
                copy.registered_on = plus(src.registered_on, rng.range(2, 15))?
                    .min(y.registration_deadline)
                    .max(src.registered_on);
                let cu = plans
                    .get(colleague)
                    .and_then(|p| p.unit_on(copy.record.completed))
                    .and_then(|u| world.units.get(u));
                if let Some(u) = cu {
                    copy.actor = format!("unit:{}", u.code);
                }
                b.drafts.push(copy);
            }
            drafts.append(&mut b.drafts);
        }
    }
    if let Some(today) = world.today {
        drafts.retain(|d| d.registered_on <= today && d.record.completed <= today);
        for d in &mut drafts {
            let later = d.void.as_ref().is_some_and(|v| {
                v.on > today
                    || v.replacement
                        .as_ref()
                        .is_some_and(|r| r.registered_on > today || r.record.completed > today)
            });
            if later {
                d.void = None;
            }
        }
    }
    label(&mut drafts);
    drafts.sort_by(|a, b| {
        (a.registered_on, a.person, &a.record.id).cmp(&(b.registered_on, b.person, &b.record.id))
    });
    let person_id = |d: &Draft| plans.get(d.person).map_or(0, |p| p.id);
    // Registrations and voids in time order: the records registered up to a void's date, then
    // the void (with its correction), so that each person's entries stay in time order (D11).
    let mut voids: Vec<(Date, usize)> = drafts
        .iter()
        .enumerate()
        .filter_map(|(k, d)| d.void.as_ref().map(|v| (v.on, k)))
        .collect();
    voids.sort();
    let mut ids: Vec<i64> = Vec::with_capacity(drafts.len());
    for event in voids.into_iter().map(Some).chain([None]) {
        let end = match event {
            Some((on, _)) => drafts.partition_point(|d| d.registered_on <= on),
            None => drafts.len(),
        };
        if let Some(chunk) = drafts.get(ids.len()..end)
            && let Some(newest) = chunk.last()
        {
            let batch: Vec<NewRecord> = chunk.iter().map(|d| d.new_record(person_id(d))).collect();
            let registered = records::register(
                db,
                signer,
                &batch,
                ms(newest.registered_on, summary.records),
            )
            .await?;
            summary.records += u64::try_from(registered.len()).unwrap_or(0);
            ids.extend(registered.into_iter().map(|(id, _)| id));
        }
        let Some((v_on, k)) = event else {
            continue;
        };
        let (Some(d), Some(&id)) = (drafts.get(k), ids.get(k)) else {
            return Err(invalid("作废的记录尚未登记"));
        };
        let Some(v) = &d.void else { continue };
        let replacement = v.replacement.as_ref().map(|r| r.new_record(person_id(r)));
        records::void(
            db,
            signer,
            id,
            &v.reason,
            replacement.as_ref(),
            Act {
                actor: &d.actor,
                region: None,
                on: v_on,
                now_ms: ms(v_on, summary.voids),
            },
        )
        .await?;
        summary.voids += 1;
        if replacement.is_some() {
            summary.records += 1;
        }
    }
    Ok(())
}
