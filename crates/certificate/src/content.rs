//! What a certificate says: the holder (masked), and per year the records credited, the
//! credited totals against the year's requirement, the industry authority's review stamp and
//! the HR bureau's verification stamp. Hours are exact tenths ([`Hours`]), written as text
//! (`"12.5"`) so that no JSON number is ever a float.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use xueshi_domain::{Date, Hours};

/// The certificate's content, as signed in `credentialSubject.certificate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Certificate {
    /// 证书编号.
    pub number: String,
    pub holder: Holder,
    #[serde(with = "date")]
    pub issued_on: Date,
    pub years: Vec<YearSection>,
}

/// Whom the certificate is for, masked (D19): never the full name or ID number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Holder {
    pub masked_name: String,
    pub masked_id: String,
}

/// One year of the certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct YearSection {
    pub year: i32,
    pub records: Vec<RecordLine>,
    /// Hours credited by the engine (after caps and exclusions).
    pub credited: Totals,
    /// The year's minimums (D4).
    pub required: Totals,
    /// Whether the year met its requirement.
    pub compliant: bool,
    /// The industry authority's review stamp in force (审核盖章, D12), if any.
    pub review: Option<Stamp>,
    /// The HR bureau's verification stamp covering the year (核验章, D13, D14), if any.
    pub verification: Option<Stamp>,
}

/// Hours by subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Totals {
    #[serde(with = "hours")]
    pub total: Hours,
    #[serde(with = "hours")]
    pub professional: Hours,
    #[serde(with = "hours")]
    pub public: Hours,
}

/// One credited learning record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordLine {
    /// What was studied (培训内容).
    pub title: String,
    /// `professional` | `public`.
    pub subject: String,
    /// The engine's form code (`training_class`, `online`, …).
    pub form: String,
    /// Hours credited for the year.
    #[serde(with = "hours")]
    pub hours: Hours,
    /// Completion date.
    #[serde(with = "date")]
    pub date: Date,
    /// Provider or base, as registered (`base:1`, a provider's name…), if any.
    pub provider: Option<String>,
}

/// A stamp: who gave it, when, and (for a verification) the engine decision it relied on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stamp {
    /// The organisation and official, as the act names them.
    pub by: String,
    #[serde(with = "date")]
    pub on: Date,
    /// SHA-256 (hex) of the engine decision a verification relied on.
    pub decision_hash: Option<String>,
    /// The act's ledger entry.
    pub entry_index: i64,
}

/// A name masked for display: its first character, `*` for the middle, its last character
/// when it has three or more (`张*梅`, `李*`, `欧**华`). Counted in characters, never bytes.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [only] => format!("{only}*"),
        [first, _] => format!("{first}*"),
        [first, middle @ .., last] => {
            let mut out = String::with_capacity(name.len());
            out.push(*first);
            out.extend(std::iter::repeat_n('*', middle.len()));
            out.push(*last);
            out
        }
    }
}

/// The Chinese name of a subject code.
pub fn subject_zh(code: &str) -> &str {
    match code {
        "professional" => "专业科目",
        "public" => "公需科目",
        other => other,
    }
}

/// The short Chinese name of a learning form code (235号 四).
pub fn form_zh(code: &str) -> &str {
    match code {
        "training_class" => "培训班",
        "practice" => "单位实践",
        "online" => "网络学习",
        "academic" => "学术活动",
        "research" => "课题研究",
        "qualification_exam" => "资格考试",
        "other" => "其他形式",
        "conversion" => "学时折算",
        other => other,
    }
}

/// The Chinese name of a provider code: `base:1`…`base:4` are the provincial bases (D6),
/// `kind:…` the recognised kinds (D7, as `xueshi_policy::input::ProviderKind::zh`), anything
/// else a registered provider's own name.
pub fn provider_zh(code: &str) -> String {
    match code {
        "base:1" => "安徽开放大学".to_owned(),
        "base:2" => "安徽大学".to_owned(),
        "base:3" => "安徽农业大学".to_owned(),
        "base:4" => "安徽理工大学".to_owned(),
        "kind:organization" => "组织部门".to_owned(),
        "kind:hrss" => "人社部门".to_owned(),
        "kind:industry" => "行业主管部门".to_owned(),
        "kind:base" => "继续教育基地".to_owned(),
        other => other.strip_prefix("kind:").unwrap_or(other).to_owned(),
    }
}

mod hours {
    use super::*;

    pub fn serialize<S: Serializer>(h: &Hours, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(h)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Hours, D::Error> {
        let text = String::deserialize(d)?;
        Hours::parse(&text).map_err(serde::de::Error::custom)
    }
}

mod date {
    use super::*;

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(date)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_by_characters() {
        assert_eq!(mask_name("张晓梅"), "张*梅");
        assert_eq!(mask_name("李强"), "李*");
        assert_eq!(mask_name("欧阳春华"), "欧**华");
        assert_eq!(mask_name("王"), "王*");
        assert_eq!(mask_name(""), "");
    }
}
