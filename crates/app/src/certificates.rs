//! The continuing-education certificate (继续教育证书), each use case in one place: issuing it
//! ([`issue`]: the professional for themself, a bureau within its jurisdiction; a ledger act),
//! listing a person's ([`of_person`]), reading one for whoever may view the person's records
//! ([`viewable`]), revoking it ([`revoke`]: a bureau, with a reason; a ledger act with its
//! audit line), and — without login — the public checklist of a certificate by number
//! ([`check_number`]) or of a presented credential ([`check_value`], [`check_text`]):
//! signature, issuer, the ledger entry with its inclusion proof against the latest signed
//! checkpoint, revocation. The checklist shows no personal data but the masked name. Rendering
//! (PDF, the signed status list) is the adapters'.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use xueshi_certificate::credential::{self, Offline};
use xueshi_certificate::{Certificate, proof};
use xueshi_ledger::merkle::{leaf_hash, verify_inclusion};
use xueshi_ledger::note::verify_checkpoint;
pub use xueshi_store::certificates::Issuing;
use xueshi_store::certificates::{self, Issued};
use xueshi_store::{StoreError, ledger};

use crate::Action;
use crate::access::{allow, hex, person_target};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::views::Receipt;

/// What issuing answers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IssuedView {
    /// 证书编号.
    pub number: String,
    /// The signed credential (W3C VC 2.0 / Open Badges 3.0, eddsa-jcs-2022).
    #[schema(value_type = Object)]
    pub credential: Value,
    /// Where the issue act sits in the ledger.
    pub receipt: Receipt,
    /// The signed checkpoint (C2SP note) of the batch.
    pub checkpoint: Option<String>,
    /// The credential (JSON), the PDF and the public verification page.
    pub json_url: String,
    pub pdf_url: String,
    pub verify_url: String,
}

/// Issues a certificate of `person_id`'s hours as they stand today.
pub async fn issue(
    ctx: &Ctx,
    issuing: Issuing<'_>,
    actor: &Actor,
    person_id: i64,
) -> Result<IssuedView> {
    let (target, _) = person_target(ctx, person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::IssueCertificate, &target)?;
    let name = actor.name();
    let public_url = issuing.public_url;
    let (issued, inclusion) = certificates::issue(
        &ctx.db,
        &ctx.policy,
        &ctx.signer,
        issuing,
        person_id,
        actor.act(ctx, &name)?,
    )
    .await?;
    let number = issued.row.number.clone();
    Ok(IssuedView {
        credential: issued.credential()?,
        receipt: Receipt::from(&inclusion),
        checkpoint: ledger::latest_note(&ctx.db).await?,
        json_url: format!("/api/certificates/{number}"),
        pdf_url: format!("/api/certificates/{number}/pdf"),
        verify_url: certificates::verify_url(public_url, &number),
        number,
    })
}

/// A certificate as listed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CertificateView {
    pub number: String,
    pub issued_on: String,
    /// When revoked, the day and the reason.
    pub revoked_on: Option<String>,
    pub revoked_reason: Option<String>,
    /// The number of the newer certificate that covers every year of this one, when one does
    /// (this one then no longer reads as current).
    pub superseded_by: Option<String>,
    pub entry_index: i64,
    pub page_url: String,
    pub pdf_url: String,
    pub verify_url: String,
}

/// `person_id`'s certificates, oldest first, for whoever may view the person's records.
pub async fn of_person(
    ctx: &Ctx,
    public_url: &str,
    actor: &Actor,
    person_id: i64,
) -> Result<Vec<CertificateView>> {
    let (target, _) = person_target(ctx, person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    let list = certificates::of_person(&ctx.db, person_id).await?;
    let superseding = certificates::superseding(&list);
    let numbers: Vec<String> = list.iter().map(|c| c.row.number.clone()).collect();
    Ok(list
        .into_iter()
        .zip(superseding)
        .map(|(c, by)| {
            let number = c.row.number;
            CertificateView {
                superseded_by: by.and_then(|j| numbers.get(j).cloned()),
                issued_on: c.row.issued_on.to_string(),
                revoked_on: c.revocation.as_ref().map(|r| r.revoked_on.to_string()),
                revoked_reason: c.revocation.map(|r| r.reason),
                entry_index: c.row.entry_index,
                page_url: format!("/certificates/{number}"),
                pdf_url: format!("/api/certificates/{number}/pdf"),
                verify_url: certificates::verify_url(public_url, &number),
                number,
            }
        })
        .collect())
}

/// Certificate `number`, for one who may view the person's records.
pub async fn viewable(ctx: &Ctx, actor: &Actor, number: &str) -> Result<Issued> {
    let issued = certificates::by_number(&ctx.db, number).await?;
    let (target, _) = person_target(ctx, issued.row.person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    Ok(issued)
}

/// A certificate as its signed credential states it, with the issuer's name it carries
/// (`default_issuer` when it carries none).
#[derive(Clone, Debug)]
pub struct Printed {
    pub certificate: Certificate,
    pub issuer_name: String,
}

/// What `issued`'s stored credential says, for printing. The issuer printed is the agency
/// people know for it: the HR bureau whose verification stamp covers its latest verified year,
/// else the issuer its credential names (the configured `--issuer-name`, e.g. the provincial
/// department; `default_issuer` when it names none).
pub fn printed(issued: &Issued, default_issuer: &str) -> Result<Printed> {
    let vc = issued.credential()?;
    let certificate = credential::certificate_of(&vc)
        .ok_or_else(|| Error::internal("certificate.corrupt", "stored credential unreadable"))?;
    let issuer_name = certificate
        .years
        .iter()
        .rev()
        .find_map(|y| y.verification.as_ref())
        .map(|s| certificates::stamp_agency(&s.by).to_owned())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| {
            vc.pointer("/issuer/name")
                .and_then(Value::as_str)
                .unwrap_or(default_issuer)
                .to_owned()
        });
    Ok(Printed {
        certificate,
        issuer_name,
    })
}

/// The holder's full name when the holder is the one viewing (their own copy), else `None`
/// (others read the masked name the credential carries).
pub async fn own_full_name(ctx: &Ctx, actor: &Actor, issued: &Issued) -> Result<Option<String>> {
    if actor.account.person_id != Some(issued.row.person_id) {
        return Ok(None);
    }
    Ok(xueshi_store::names::person_name(&ctx.db, issued.row.person_id).await?)
}

/// The certificate that replaces `issued` (a newer one of the same years), by number.
pub async fn superseded_by(ctx: &Ctx, issued: &Issued) -> Result<Option<String>> {
    Ok(certificates::superseded_by(&ctx.db, issued)
        .await?
        .map(|i| i.row.number))
}

/// A revocation.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    /// Why (required).
    pub reason: String,
}

/// What a revocation answers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RevokedView {
    pub number: String,
    pub revoked_on: String,
    pub receipt: Receipt,
    pub checkpoint: Option<String>,
}

/// Revokes certificate `number` (a bureau within its jurisdiction; a reason is required): a
/// ledger act with its audit line.
pub async fn revoke(
    ctx: &Ctx,
    actor: &Actor,
    number: &str,
    body: &RevokeBody,
) -> Result<RevokedView> {
    let issued = certificates::by_number(&ctx.db, number).await?;
    let (target, _) = person_target(ctx, issued.row.person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::RevokeCertificate, &target)?;
    if issued.revocation.is_some() {
        return Err(Error::conflict("certificate.revoked", "该证书已撤销"));
    }
    let name = actor.name();
    let (row, inclusion) = certificates::revoke(
        &ctx.db,
        &ctx.signer,
        number,
        &body.reason,
        actor.act(ctx, &name)?,
    )
    .await?;
    Ok(RevokedView {
        number: row.number,
        revoked_on: row.revoked_on.to_string(),
        receipt: Receipt::from(&inclusion),
        checkpoint: ledger::latest_note(&ctx.db).await?,
    })
}

/// One line of the checklist.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Item {
    pub ok: bool,
    /// Chinese, for people.
    pub message: String,
}

/// The issuer: who the credential names, and whether it is this system's key that signed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IssuerItem {
    pub ok: bool,
    pub message: String,
    pub id: Option<String>,
    pub name: Option<String>,
    /// This system's issuer key (`did:key`).
    pub expected: String,
}

/// The ledger entry of the certificate and its proof against the latest signed checkpoint.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LedgerItem {
    pub ok: bool,
    pub message: String,
    pub entry_index: Option<u64>,
    /// The leaf the ledger holds (hex).
    pub leaf: Option<String>,
    /// The presented credential's hash matches the one the leaf covers.
    pub leaf_matches: bool,
    pub tree_size: Option<u64>,
    pub root: Option<String>,
    /// RFC 9162 audit path (hex), leaf's sibling first.
    pub proof: Vec<String>,
    /// The proof leads from the leaf to the checkpoint's root.
    pub proof_verified: bool,
    /// The checkpoint's signature is the ledger's key.
    pub checkpoint_signed: bool,
    /// The signed checkpoint note (C2SP).
    pub checkpoint: Option<String>,
}

/// Revocation, by the ledger's revocation acts (also in the status list).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RevocationItem {
    pub ok: bool,
    pub message: String,
    pub revoked: bool,
    pub revoked_on: Option<String>,
    pub status_list: Option<String>,
    pub status_index: Option<u64>,
}

/// The public checklist of a certificate.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Checklist {
    /// Every item passed.
    pub valid: bool,
    pub number: Option<String>,
    /// The holder's masked name (the only personal data shown).
    pub masked_name: Option<String>,
    pub issued_on: Option<String>,
    /// VC 2.0 / Open Badges 3.0 shape.
    pub format: Item,
    pub signature: Item,
    pub issuer: IssuerItem,
    pub ledger: LedgerItem,
    pub revocation: RevocationItem,
    /// Whether this is the holder's current certificate: not replaced by a newer one covering
    /// the same years.
    pub current: Item,
    /// The number of the newer certificate that replaces this one.
    pub superseded_by: Option<String>,
    /// What the certificate of this number says, year by year, as the system issued it (never
    /// as presented): whoever holds a paper compares its hours and stamps with these, so a
    /// genuine number printed on a forged paper shows up.
    pub years: Vec<PublicYear>,
}

/// One year of a certificate as the public page shows it. Hours are exact tenths written as
/// text (`"90"`, `"12.5"`), as in the credential.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicYear {
    pub year: i32,
    /// The year met its requirement.
    pub compliant: bool,
    pub credited_total: String,
    pub credited_professional: String,
    pub credited_public: String,
    pub required_total: String,
    pub required_professional: String,
    /// The industry authority's review stamp (审核章): agency and day.
    pub review: Option<PublicStamp>,
    /// The HR bureau's verification stamp (核验章): agency and day.
    pub verification: Option<PublicStamp>,
}

/// A stamp on the public page: who gave it as the certificate names them, and the day.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicStamp {
    pub by: String,
    pub on: String,
}

impl PublicYear {
    fn of(y: &xueshi_certificate::YearSection) -> Self {
        let stamp = |s: &Option<xueshi_certificate::Stamp>| {
            s.as_ref().map(|s| PublicStamp {
                by: s.by.clone(),
                on: s.on.to_string(),
            })
        };
        Self {
            year: y.year,
            compliant: y.compliant,
            credited_total: y.credited.total.to_string(),
            credited_professional: y.credited.professional.to_string(),
            credited_public: y.credited.public.to_string(),
            required_total: y.required.total.to_string(),
            required_professional: y.required.professional.to_string(),
            review: stamp(&y.review),
            verification: stamp(&y.verification),
        }
    }
}

/// The checklist of `presented` (a credential), against the certificate of its number if
/// the store has one.
pub async fn checklist(
    ctx: &Ctx,
    issuing: &Issuing<'_>,
    presented: &Value,
    issued: Option<&Issued>,
) -> Result<Checklist> {
    let offline: Offline = credential::check(presented);
    let expected = issuing.key.did().to_owned();
    let issuer_ok = offline.issuer_signed && offline.issuer_id.as_deref() == Some(&expected);
    let issuer = IssuerItem {
        ok: issuer_ok,
        message: if issuer_ok {
            format!(
                "由本系统签发（{}）",
                offline.issuer_name.as_deref().unwrap_or("—")
            )
        } else if offline.issuer_signed {
            "签发方不是本系统的签发密钥".to_owned()
        } else {
            "签发方与签名密钥不一致".to_owned()
        },
        id: offline.issuer_id.clone(),
        name: offline.issuer_name.clone(),
        expected,
    };
    let signature = match &offline.signature {
        Ok(_) => Item {
            ok: true,
            message: "签名有效（eddsa-jcs-2022）".to_owned(),
        },
        Err(e) => Item {
            ok: false,
            message: e.to_string(),
        },
    };
    let format = Item {
        ok: offline.format,
        message: if offline.format {
            "W3C 可验证凭证 2.0 / Open Badges 3.0 格式".to_owned()
        } else {
            "不是本系统的继续教育证书凭证格式".to_owned()
        },
    };
    let ledger = ledger_item(ctx, presented, issued).await?;
    let revocation = match issued {
        None => RevocationItem {
            ok: false,
            message: "本系统没有该证书，无法确认撤销状态".to_owned(),
            revoked: false,
            revoked_on: None,
            status_list: offline.status.as_ref().map(|s| s.list_url.clone()),
            status_index: offline.status.as_ref().map(|s| s.index),
        },
        Some(i) => RevocationItem {
            ok: i.revocation.is_none(),
            message: match &i.revocation {
                None => "未撤销".to_owned(),
                Some(r) => format!("已于 {} 撤销", r.revoked_on),
            },
            revoked: i.revocation.is_some(),
            revoked_on: i.revocation.as_ref().map(|r| r.revoked_on.to_string()),
            status_list: Some(certificates::status_list_url(
                issuing.public_url,
                i.row.status_list,
            )),
            status_index: u64::try_from(i.row.status_index).ok(),
        },
    };
    // The masked name, date and years as issued, not as presented (a forgery could say
    // anything).
    let stored = issued
        .and_then(|i| i.credential().ok())
        .and_then(|v| credential::certificate_of(&v));
    let years = stored
        .as_ref()
        .map(|c| c.years.iter().map(PublicYear::of).collect())
        .unwrap_or_default();
    let shown = stored.or(offline.certificate.clone());
    let superseded_by = match issued {
        Some(i) => certificates::superseded_by(&ctx.db, i).await?,
        None => None,
    };
    let current = match (&superseded_by, issued) {
        (Some(newer), _) => Item {
            ok: false,
            message: format!(
                "已被 {} 年 {} 月 {} 日签发的证书 {} 取代，请以新证书为准",
                newer.row.issued_on.year(),
                newer.row.issued_on.month(),
                newer.row.issued_on.day(),
                newer.row.number
            ),
        },
        (None, Some(_)) => Item {
            ok: true,
            message: "是持证人目前有效的最新证书".to_owned(),
        },
        (None, None) => Item {
            ok: false,
            message: "本系统没有该证书，无法确认是否为最新证书".to_owned(),
        },
    };
    Ok(Checklist {
        valid: format.ok && signature.ok && issuer.ok && ledger.ok && revocation.ok && current.ok,
        number: issued
            .map(|i| i.row.number.clone())
            .or_else(|| offline.certificate.as_ref().map(|c| c.number.clone())),
        masked_name: shown.as_ref().map(|c| c.holder.masked_name.clone()),
        issued_on: shown.as_ref().map(|c| c.issued_on.to_string()),
        format,
        signature,
        issuer,
        ledger,
        revocation,
        current,
        superseded_by: superseded_by.map(|i| i.row.number),
        years,
    })
}

async fn ledger_item(ctx: &Ctx, presented: &Value, issued: Option<&Issued>) -> Result<LedgerItem> {
    let mut item = LedgerItem {
        ok: false,
        message: String::new(),
        entry_index: None,
        leaf: None,
        leaf_matches: false,
        tree_size: None,
        root: None,
        proof: Vec::new(),
        proof_verified: false,
        checkpoint_signed: false,
        checkpoint: None,
    };
    let Some(issued) = issued else {
        item.message = "账本中没有该编号的证书".to_owned();
        return Ok(item);
    };
    let proof = match certificates::ledger_proof(&ctx.db, issued.row.entry_index).await {
        Ok(p) => p,
        Err(StoreError::NotFound(_)) => {
            item.message = "账本中没有该证书的条目".to_owned();
            return Ok(item);
        }
        Err(e) => return Err(e.into()),
    };
    // The leaf the presented credential would have: the issued row with its hash.
    let presented_hash = proof::jcs_sha256(presented).ok();
    let leaf_matches = presented_hash.is_some_and(|h| {
        let mut row = issued.row.clone();
        row.credential_hash = h;
        leaf_hash(&row.canonical()) == proof.leaf
    });
    let proof_verified = verify_inclusion(
        &proof.leaf,
        proof.entry_index,
        proof.tree_size,
        &proof.path,
        &proof.root,
    )
    .is_ok();
    let checkpoint_signed = verify_checkpoint(&proof.checkpoint, &ctx.signer.verifier())
        .is_ok_and(|c| c.size == proof.tree_size && c.root == proof.root);
    item.ok = leaf_matches && proof_verified && checkpoint_signed;
    item.message = if !leaf_matches {
        "凭证内容与账本记录的哈希不符：凭证被修改".to_owned()
    } else if !(proof_verified && checkpoint_signed) {
        "账本包含证明未能通过最新签名检查点的验证".to_owned()
    } else {
        format!(
            "已记入账本第 {} 条，包含证明通过最新签名检查点（{} 条）验证",
            proof.entry_index, proof.tree_size
        )
    };
    item.entry_index = Some(proof.entry_index);
    item.leaf = Some(hex(&proof.leaf));
    item.leaf_matches = leaf_matches;
    item.tree_size = Some(proof.tree_size);
    item.root = Some(hex(&proof.root));
    item.proof = proof.path.iter().map(|h| hex(h)).collect();
    item.proof_verified = proof_verified;
    item.checkpoint_signed = checkpoint_signed;
    item.checkpoint = Some(proof.checkpoint);
    Ok(item)
}

/// The public checklist of certificate `number`: its stored credential, checked.
pub async fn check_number(ctx: &Ctx, issuing: &Issuing<'_>, number: &str) -> Result<Checklist> {
    let issued = certificates::by_number(&ctx.db, number).await?;
    let vc = issued.credential()?;
    checklist(ctx, issuing, &vc, Some(&issued)).await
}

/// The checklist of a presented credential, against the certificate of the number it names.
pub async fn check_value(ctx: &Ctx, issuing: &Issuing<'_>, presented: &Value) -> Result<Checklist> {
    let number = credential::certificate_of(presented)
        .map(|c| c.number)
        .or_else(|| {
            presented
                .pointer("/credentialSubject/certificate/number")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let issued = match number {
        Some(n) => match certificates::by_number(&ctx.db, &n).await {
            Ok(i) => Some(i),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    checklist(ctx, issuing, presented, issued.as_ref()).await
}

/// The checklist of a credential pasted or uploaded as text: `None` when the text is not JSON
/// at all (nothing to check).
pub async fn check_text(ctx: &Ctx, issuing: &Issuing<'_>, text: &str) -> Result<Option<Checklist>> {
    let Ok(presented) = serde_json::from_str::<Value>(text) else {
        return Ok(None);
    };
    check_value(ctx, issuing, &presented).await.map(Some)
}

/// Revocation status list `list` as a signed W3C Bitstring Status List credential, as the
/// ledger stands now (public: anyone checking a certificate fetches it).
pub async fn status_list(ctx: &Ctx, issuing: &Issuing<'_>, list: i64) -> Result<Value> {
    if !certificates::status_list_exists(&ctx.db, list).await? {
        return Err(Error::not_found("status_list.not_found", "没有该状态列表"));
    }
    let bits = certificates::status_bits(&ctx.db, list).await?;
    let url = certificates::status_list_url(issuing.public_url, list);
    let now = credential::datetime(ctx.now_ms());
    let mut vc = xueshi_certificate::status::list_credential(&url, issuing.key.did(), &now, &bits);
    issuing
        .key
        .sign(&mut vc, &now)
        .map_err(|e| Error::internal("status_list.sign", e))?;
    Ok(vc)
}
