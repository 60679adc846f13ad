//! Why a record was rejected, as data: formatted into Chinese only when someone reads it (the
//! trace, a person), so that bulk evaluation pays nothing for explanations it does not keep.

use std::fmt;

use xueshi_domain::Date;

use crate::input::{Exam, Form, Place, ProviderKind, Subject};
use crate::model::Base;

#[derive(Clone, Copy, Debug)]
pub(crate) enum Why<'a> {
    RegistrationClosed {
        registered: Date,
        year: i32,
        deadline: Date,
    },
    NoSuchBase {
        year: i32,
        number: u8,
    },
    BaseExam {
        base: &'a Base,
        exam: Exam,
    },
    KindNotRecognised {
        year: i32,
        kind: ProviderKind,
    },
    ProviderUnknown {
        id: &'a str,
    },
    ProviderOutOfPeriod {
        id: &'a str,
        first: Date,
        last: Date,
    },
    /// Every registration of the provider that covers the study is with a county or zone,
    /// not the city (在地市备案, D7).
    ProviderNotCityRegister {
        id: &'a str,
    },
    NoProvider,
    NotCompleted {
        registered: Date,
        completed: Date,
    },
    PublicRoute {
        form: Form,
    },
    NoFiling,
    FilingUnknown {
        id: &'a str,
    },
    FilingNotCovering {
        id: &'a str,
        by: &'a Place,
        unit: &'a Place,
    },
    FilingLate {
        id: &'a str,
        approved: Date,
        start: Date,
    },
    NoConversionTable {
        year: i32,
    },
    ConversionSubject {
        subjects: &'a [Subject],
    },
    ConversionKindUnknown {
        year: i32,
        key: &'a str,
    },
}

impl fmt::Display for Why<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::RegistrationClosed {
                registered,
                year,
                deadline,
            } => {
                write!(
                    f,
                    "{registered} 登记，晚于 {year} 年度登记截止日 {deadline}"
                )
            }
            Why::NoSuchBase { year, number } => {
                write!(f, "{year} 年度没有编号为 {number} 的国家级继续教育基地")
            }
            Why::BaseExam { base, exam } => write!(
                f,
                "{}（{}）线上公需课须考试合格方可认定，本记录考试结果为 {}",
                base.name,
                base.subject,
                exam.as_str()
            ),
            Why::KindNotRecognised { year, kind } => {
                write!(f, "{year} 年度不认可“{}”类提供单位", kind.zh())
            }
            Why::ProviderUnknown { id } => {
                write!(f, "课件提供单位“{id}”不在认可类别内，也未在地市备案")
            }
            Why::ProviderOutOfPeriod { id, first, last } => write!(
                f,
                "学习期间 {first} 至 {last}，课件提供单位“{id}”未在本人单位所在地市的备案有效期内"
            ),
            Why::ProviderNotCityRegister { id } => write!(
                f,
                "课件提供单位“{id}”只在县区或开发区备案，不是在地市备案（皖人社函〔2026〕235号 五(三)）"
            ),
            Why::NoProvider => f.write_str("网络学习记录未注明课件提供单位"),
            Why::NotCompleted {
                registered,
                completed,
            } => write!(
                f,
                "{registered} 登记时学习尚未结束（完成日期 {completed}），须在培训工作结束后登记"
            ),
            Why::PublicRoute { form } => write!(
                f,
                "公需科目学时只通过学时折算认定、线上学习认定，不认定“{}”形式",
                form.zh()
            ),
            Why::NoFiling => f.write_str("专业科目培训班未注明备案文号"),
            Why::FilingUnknown { id } => write!(f, "备案“{id}”不存在或未经同意"),
            Why::FilingNotCovering { id, by, unit } => {
                write!(f, "备案“{id}”由 {by} 同意，不覆盖学员单位所在地 {unit}")
            }
            Why::FilingLate {
                id,
                approved,
                start,
            } => {
                write!(
                    f,
                    "备案“{id}”于 {approved} 同意，晚于开班日期 {start}（须先备案同意后实施）"
                )
            }
            Why::NoConversionTable { year } => write!(f, "{year} 年度没有学时折算认定政策"),
            Why::ConversionSubject { subjects } => {
                let names: Vec<&str> = subjects.iter().map(|s| s.zh()).collect();
                write!(f, "学时折算认定只适用于{}", names.join("、"))
            }
            Why::ConversionKindUnknown { year, key } => {
                write!(f, "{year} 年度折算标准中没有类别“{key}”")
            }
        }
    }
}
