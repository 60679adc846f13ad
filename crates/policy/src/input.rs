//! What the engine judges: a person, the registry facts their records refer to, and the
//! records. Every value here is already valid by its type (parsed at the edge: `case`, the store).

use xueshi_domain::{Date, Hours, RegionCode};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    /// 专业科目
    Professional,
    /// 公需科目
    Public,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Professional => "professional",
            Self::Public => "public",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Professional => "专业科目",
            Self::Public => "公需科目",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "professional" => Some(Self::Professional),
            "public" => Some(Self::Public),
            _ => None,
        }
    }
}

/// The forms of study (235号 四) plus conversion (D3, D9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Form {
    TrainingClass,
    Practice,
    Online,
    Academic,
    Research,
    QualificationExam,
    Other,
    Conversion,
}

impl Form {
    pub const ALL: [Form; 8] = [
        Self::TrainingClass,
        Self::Practice,
        Self::Online,
        Self::Academic,
        Self::Research,
        Self::QualificationExam,
        Self::Other,
        Self::Conversion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TrainingClass => "training_class",
            Self::Practice => "practice",
            Self::Online => "online",
            Self::Academic => "academic",
            Self::Research => "research",
            Self::QualificationExam => "qualification_exam",
            Self::Other => "other",
            Self::Conversion => "conversion",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::TrainingClass => "培训班、研修班或进修班",
            Self::Practice => "继续教育实践活动",
            Self::Online => "网络远程教育、移动端学习",
            Self::Academic => "学术会议、讲座或访问",
            Self::Research => "论文论著或科研项目研究",
            Self::QualificationExam => "行业专业技术资格考试",
            Self::Other => "其他方式",
            Self::Conversion => "学时折算认定",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Forms measured by time spent, which D21's daily limit looks at.
    pub fn is_time_based(self) -> bool {
        matches!(
            self,
            Self::TrainingClass | Self::Practice | Self::Online | Self::Academic
        )
    }
}

/// Recognised kinds of courseware provider (D7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProviderKind {
    /// 组织部门
    Organization,
    /// 人社部门
    Hrss,
    /// 行业主管部门
    Industry,
    /// 国家级、省级、市级继续教育基地
    Base,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 4] = [Self::Organization, Self::Hrss, Self::Industry, Self::Base];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Hrss => "hrss",
            Self::Industry => "industry",
            Self::Base => "base",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Organization => "组织部门",
            Self::Hrss => "人社部门",
            Self::Industry => "行业主管部门",
            Self::Base => "继续教育基地",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who provided an online course.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    /// One of the four provincial bases, numbered 1–4 (D6).
    Base(u8),
    /// A recognised kind of provider (D7).
    Kind(ProviderKind),
    /// A provider that must be on a city's courseware register (D7).
    Registered(String),
}

impl Provider {
    /// Reads the text [`Display`](std::fmt::Display) writes: `base:N` (1–4), `kind:<kind>`, or
    /// the name of a registered provider. `None` for an empty name, an unknown kind or base.
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(n) = text.strip_prefix("base:") {
            return n
                .parse()
                .ok()
                .filter(|n| (1..=4).contains(n))
                .map(Self::Base);
        }
        if let Some(k) = text.strip_prefix("kind:") {
            return ProviderKind::parse(k).map(Self::Kind);
        }
        let name = text.trim();
        (!name.is_empty()).then(|| Self::Registered(name.to_owned()))
    }
}

impl Provider {
    /// Whether naming this provider means anything on a record of `form`: a base on any form
    /// but conversion (a record that names a base is a base course, D6), any other provider
    /// only on online study (D7). Elsewhere it is refused at the edge, never ignored.
    pub fn fits(&self, form: Form) -> bool {
        match self {
            Self::Base(_) => form != Form::Conversion,
            Self::Kind(_) | Self::Registered(_) => form == Form::Online,
        }
    }

    /// Why [`fits`](Self::fits) refuses, in Chinese.
    pub fn misfit(&self, form: Form) -> String {
        match self {
            Self::Base(_) => format!("学习形式“{}”不能注明继续教育基地", form.zh()),
            _ => format!(
                "课件提供单位只适用于网络学习（online）或国家级继续教育基地课程，学习形式“{}”不能注明“{self}”",
                form.zh()
            ),
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Base(n) => write!(f, "base:{n}"),
            Self::Kind(k) => write!(f, "kind:{}", k.as_str()),
            Self::Registered(id) => f.write_str(id),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Exam {
    Pass,
    Fail,
    #[default]
    None,
}

impl Exam {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pass" => Some(Self::Pass),
            "fail" => Some(Self::Fail),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::None => "none",
        }
    }
}

/// Most minutes one record may claim (100,000 hours): more is a typing error, not study,
/// and every edge (cases, the API, imports, the store) refuses it.
pub const MAX_MINUTES: u64 = 6_000_000;

/// What a record claims: hours, or minutes converted by the credit year's rate (D2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Amount {
    Hours(Hours),
    Minutes(u64),
}

/// One learning activity (D1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub subject: Subject,
    pub form: Form,
    pub provider: Option<Provider>,
    pub started: Option<Date>,
    pub completed: Date,
    /// `None` only for a conversion whose hours come from the table.
    pub amount: Option<Amount>,
    pub exam: Exam,
    /// Public records only (D5).
    pub for_year: Option<i32>,
    pub filing: Option<String>,
    /// Conversion kind key (D9).
    pub conversion: Option<String>,
    /// Identifier of the converted achievement (D21).
    pub achievement: Option<String>,
    /// When the record was registered (D11).
    pub registered: Option<Date>,
}

impl Record {
    /// First day of study (`started`, else `completed`).
    pub fn first_day(&self) -> Date {
        self.started.unwrap_or(self.completed)
    }
}

/// Title cohort for the conversion transition (D9).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Cohort {
    Old,
    #[default]
    New,
}

impl Cohort {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "old" => Some(Self::Old),
            "new" => Some(Self::New),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Old => "old",
            Self::New => "new",
        }
    }
}

/// A place a unit or an authority belongs to: a division, or a development zone by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    Region(RegionCode),
    Zone(String),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Region(r) => write!(f, "{r}"),
            Self::Zone(z) => f.write_str(z),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub cohort: Cohort,
    /// Where the person's unit is.
    pub place: Place,
    /// Retired or left (D17a): no requirement for the years after.
    pub left: Option<Date>,
}

impl Default for Person {
    fn default() -> Self {
        Self {
            cohort: Cohort::New,
            place: Place::Region(xueshi_domain::region::LUAN),
            left: None,
        }
    }
}

/// An approved training filing (D8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    pub id: String,
    pub approved: Date,
    /// The bureau's place that approved it.
    pub place: Place,
}

/// One period on a city's courseware register (D7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub place: Place,
    pub from: Date,
    pub to: Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredProvider {
    pub id: String,
    pub registrations: Vec<Registration>,
}

/// Facts that records refer to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registry {
    pub filings: Vec<Filing>,
    pub providers: Vec<RegisteredProvider>,
    /// Achievements already converted for someone (D21), normalised with
    /// [`normalise_achievement`] (the engine compares them as they are).
    pub converted: Vec<String>,
}

/// Title levels (D13).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TitleLevel {
    Junior,
    Intermediate,
    Senior,
}

impl TitleLevel {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "junior" => Some(Self::Junior),
            "intermediate" => Some(Self::Intermediate),
            "senior" => Some(Self::Senior),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Junior => "junior",
            Self::Intermediate => "intermediate",
            Self::Senior => "senior",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Junior => "初级",
            Self::Intermediate => "中级",
            Self::Senior => "高级",
        }
    }
}

/// Normalises an achievement identifier: case and whitespace do not make a new achievement.
pub fn normalise_achievement(id: &str) -> String {
    id.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}
