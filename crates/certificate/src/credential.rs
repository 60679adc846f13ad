//! The certificate as a W3C Verifiable Credential 2.0 in the Open Badges 3.0 shape
//! (`OpenBadgeCredential`, an `AchievementSubject` whose achievement is the certificate),
//! issued by a `did:key`, with a `BitstringStatusListEntry` for revocation and an
//! `eddsa-jcs-2022` proof. The certificate's own content is `credentialSubject.certificate`;
//! the holder appears only masked (`identifier` objects, plain, as OB 3.0 allows).
//!
//! [`check`] is the offline part of verification: the shape, the signature, and that the
//! issuer is the key that signed. The ledger and revocation are the store's to add.

use serde_json::{Value, json};

use crate::content::Certificate;
use crate::proof::{self, IssuerKey, ProofError, Verified};
use crate::status::StatusRef;

pub const VC_V2: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The title printed on the certificate.
pub const TITLE: &str = "继续教育证书";
const ACHIEVEMENT_ID: &str = "urn:xueshi:achievement:continuing-education";

/// The issuer as the credential names it.
#[derive(Clone, Copy, Debug)]
pub struct Issuer<'a> {
    pub key: &'a IssuerKey,
    pub name: &'a str,
}

/// The credential's `id` for a certificate number.
pub fn credential_id(number: &str) -> String {
    format!("urn:xueshi:certificate:{number}")
}

/// Builds and signs the credential of `certificate`. `valid_from` is an XML Schema dateTime
/// in UTC (also the proof's `created`).
pub fn issue(
    certificate: &Certificate,
    issuer: &Issuer<'_>,
    status: &StatusRef,
    valid_from: &str,
) -> Result<Value, ProofError> {
    let content = serde_json::to_value(certificate).map_err(|_| ProofError::Canonical)?;
    let mut vc = json!({
        "@context": [VC_V2, OB_V3],
        "id": credential_id(&certificate.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": format!("专业技术人员{TITLE}"),
        "issuer": {
            "id": issuer.key.did(),
            "type": ["Profile"],
            "name": issuer.name,
        },
        "validFrom": valid_from,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": false,
                 "identityHash": certificate.holder.masked_name},
                {"type": "IdentityObject", "identityType": "nationalIdentityNumber", "hashed": false,
                 "identityHash": certificate.holder.masked_id},
            ],
            "achievement": {
                "id": ACHIEVEMENT_ID,
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": format!("专业技术人员{TITLE}"),
                "description": "逐年、逐项登记的专业技术人员继续教育学时，经行业主管部门审核盖章、人力资源社会保障部门学时验证。",
                "criteria": {
                    "narrative": "《专业技术人员继续教育规定》（人社部令第25号）；《安徽省专业技术人员继续教育学时管理办法》（皖人社秘〔2025〕109号）"
                },
            },
            "certificate": content,
        },
        "credentialStatus": status.entry(),
    });
    issuer.key.sign(&mut vc, valid_from)?;
    Ok(vc)
}

/// The certificate content of a credential, if it has the shape [`issue`] gives.
pub fn certificate_of(credential: &Value) -> Option<Certificate> {
    let content = credential.get("credentialSubject")?.get("certificate")?;
    serde_json::from_value(content.clone()).ok()
}

/// The offline checklist of a credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offline {
    /// VC 2.0 + OB 3.0 contexts and types, and a certificate content that reads.
    pub format: bool,
    /// The proof, verified, or why not.
    pub signature: Result<Verified, ProofError>,
    /// `issuer.id` and `issuer.name`, as the credential says.
    pub issuer_id: Option<String>,
    pub issuer_name: Option<String>,
    /// The issuer is the `did:key` that signed.
    pub issuer_signed: bool,
    pub certificate: Option<Certificate>,
    pub status: Option<StatusRef>,
}

impl Offline {
    /// Format, signature and issuer all pass.
    pub fn ok(&self) -> bool {
        self.format && self.signature.is_ok() && self.issuer_signed
    }
}

/// Checks a credential on its own: shape, signature, issuer.
pub fn check(credential: &Value) -> Offline {
    let strs = |k: &str| -> Vec<&str> {
        credential
            .get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let certificate = certificate_of(credential);
    let format = strs("@context").starts_with(&[VC_V2, OB_V3])
        && ["VerifiableCredential", "OpenBadgeCredential"]
            .iter()
            .all(|t| strs("type").contains(t))
        && certificate.is_some();
    let signature = proof::verify(credential);
    let issuer = credential.get("issuer");
    let issuer_id = issuer
        .and_then(|i| i.get("id").or(Some(i)))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let issuer_name = issuer
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let issuer_signed = match (&signature, &issuer_id) {
        (Ok(v), Some(id)) => v.did == *id,
        _ => false,
    };
    Offline {
        format,
        signature,
        issuer_id,
        issuer_name,
        issuer_signed,
        certificate,
        status: StatusRef::of(credential),
    }
}

/// An XML Schema dateTime (UTC, seconds) of Unix milliseconds.
pub fn datetime(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let date = i32::try_from(days)
        .ok()
        .and_then(|d| xueshi_domain::Date::from_day_number(d).ok())
        .map_or_else(|| "1970-01-01".to_owned(), |d| d.to_string());
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a panic is a failed test
    use super::*;
    use crate::content::{Holder, RecordLine, Stamp, Totals, YearSection};
    use xueshi_domain::{Date, Hours};

    pub(crate) fn sample() -> Certificate {
        let d = |s| Date::parse(s).unwrap();
        Certificate {
            number: "XS2027-000001".into(),
            holder: Holder {
                masked_name: "张*梅".into(),
                masked_id: "341522**********3019".into(),
            },
            issued_on: d("2027-03-02"),
            years: vec![YearSection {
                year: 2026,
                records: vec![
                    RecordLine {
                        title: "基层医疗专业能力提升班".into(),
                        subject: "professional".into(),
                        form: "training_class".into(),
                        hours: Hours::whole(60),
                        date: d("2026-03-11"),
                        provider: None,
                    },
                    RecordLine {
                        title: "公需科目一".into(),
                        subject: "public".into(),
                        form: "online".into(),
                        hours: Hours::from_tenths(305),
                        date: d("2026-06-20"),
                        provider: Some("base:1".into()),
                    },
                ],
                credited: Totals {
                    total: Hours::from_tenths(905),
                    professional: Hours::whole(60),
                    public: Hours::from_tenths(305),
                },
                required: Totals {
                    total: Hours::whole(90),
                    professional: Hours::whole(60),
                    public: Hours::ZERO,
                },
                compliant: true,
                review: Some(Stamp {
                    by: "六安市卫生健康委员会 王某".into(),
                    on: d("2027-01-10"),
                    decision_hash: None,
                    entry_index: 10,
                }),
                verification: Some(Stamp {
                    by: "六安市人力资源和社会保障局 李某".into(),
                    on: d("2027-03-01"),
                    decision_hash: Some("cd".repeat(32)),
                    entry_index: 11,
                }),
            }],
        }
    }

    fn issued(key: &IssuerKey) -> Value {
        let status = StatusRef {
            list_url: "http://127.0.0.1:8080/credentials/status/1".into(),
            index: 0,
        };
        issue(
            &sample(),
            &Issuer {
                key,
                name: "六安市人力资源和社会保障局",
            },
            &status,
            "2027-03-02T01:00:00Z",
        )
        .unwrap()
    }

    #[test]
    fn a_signed_certificate_verifies_and_reads_back() {
        let key = IssuerKey::from_seed(&[3; 32]);
        let vc = issued(&key);
        let c = check(&vc);
        assert!(c.ok(), "{c:?}");
        assert_eq!(c.certificate.as_ref(), Some(&sample()));
        assert_eq!(c.issuer_id.as_deref(), Some(key.did()));
        assert_eq!(c.status.unwrap().index, 0);
        assert_eq!(
            vc["credentialSubject"]["certificate"]["years"][0]["credited"]["total"],
            "90.5"
        );
        // Reformatting changes no byte that is signed (JCS).
        let pretty = serde_json::to_string_pretty(&vc).unwrap();
        assert!(check(&serde_json::from_str(&pretty).unwrap()).ok());
    }

    /// Every leaf of the credential, changed, breaks the signature.
    #[test]
    fn any_change_to_any_field_fails_verification() {
        fn leaves(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        path.push(k.clone());
                        leaves(x, path, out);
                        path.pop();
                    }
                }
                Value::Array(a) => {
                    for (i, x) in a.iter().enumerate() {
                        path.push(i.to_string());
                        leaves(x, path, out);
                        path.pop();
                    }
                }
                _ => out.push(path.clone()),
            }
        }
        let key = IssuerKey::from_seed(&[3; 32]);
        let vc = issued(&key);
        let mut paths = Vec::new();
        leaves(&vc, &mut Vec::new(), &mut paths);
        assert!(paths.len() > 40);
        for path in paths {
            let mut forged = vc.clone();
            let mut at = &mut forged;
            for p in &path {
                at = match at {
                    Value::Object(m) => m.get_mut(p).unwrap(),
                    Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
                    _ => unreachable!(),
                };
            }
            *at = match at.take() {
                Value::String(s) => Value::String(format!("{s}x")),
                Value::Bool(b) => Value::Bool(!b),
                Value::Number(n) => json!(n.as_i64().unwrap() + 1),
                Value::Null => json!("x"),
                other => other,
            };
            assert!(!check(&forged).ok(), "changing {path:?} went unnoticed");
        }
        // Adding or removing a field also breaks it.
        let mut added = vc.clone();
        added["credentialSubject"]["certificate"]["years"][0]["records"][0]["note"] = json!("x");
        assert!(check(&added).signature.is_err());
        let mut removed = vc.clone();
        removed["credentialSubject"]["certificate"]["years"][0]["records"]
            .as_array_mut()
            .unwrap()
            .pop();
        assert_eq!(check(&removed).signature, Err(ProofError::Signature));
    }

    #[test]
    fn a_credential_signed_by_another_key_is_refused() {
        let key = IssuerKey::from_seed(&[3; 32]);
        let other = IssuerKey::from_seed(&[4; 32]);
        let mut vc = issued(&key);
        // The proof claims the other key: the signature does not match it.
        vc["proof"]["verificationMethod"] = json!(other.verification_method());
        assert_eq!(check(&vc).signature, Err(ProofError::Signature));
        // Re-signed by another key: valid signature, but not by the named issuer.
        let mut resigned = issued(&key);
        resigned.as_object_mut().unwrap().remove("proof");
        other.sign(&mut resigned, "2027-03-02T01:00:00Z").unwrap();
        let c = check(&resigned);
        assert!(c.signature.is_ok());
        assert!(!c.issuer_signed && !c.ok());
    }

    #[test]
    fn datetimes_are_utc_seconds() {
        assert_eq!(datetime(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            datetime(1_798_761_600_000 + 3_723_000),
            "2027-01-01T01:02:03Z"
        );
    }
}
