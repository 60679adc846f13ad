//! [`authorize`]: the one decision the service asks before every endpoint. In order: may the
//! role ever do the action (`auth.role`), does the action apply to this kind of target
//! (`auth.target`), and is the target the principal's own (`auth.own_only`) or inside its
//! jurisdiction (`auth.jurisdiction`). Pure and deterministic: same inputs, same answer.
//!
//! It does not load anything, write the audit entry the allowed action may need
//! ([`Action::is_audited`]), or check workflow state (is the page submitted, is the slot full,
//! is this bureau the one the route names for this title level: those are the use cases').

mod own;
mod territorial;

use crate::action::Action;
use crate::denied::{Denied, DenyCode};
use crate::jurisdiction::Context;
use crate::principal::{Principal, Scope};
use crate::role::Role;
use crate::target::Target;

/// Whether `principal` may do `action` to `target`.
pub fn authorize(
    principal: &Principal,
    action: Action,
    target: &Target,
    ctx: &Context<'_>,
) -> Result<(), Denied> {
    let check = Check {
        role: principal.role(),
        action,
        ctx,
    };
    if !action.allowed_roles().contains(&check.role) {
        return Err(check.deny(DenyCode::Role, role_reason(action)));
    }
    if !action.accepts(target.kind()) {
        return Err(check.wrong_target());
    }
    match principal.scope() {
        Scope::Professional { person } => own::professional(&check, *person, target),
        Scope::UnitAdmin { unit, place } => own::unit_admin(&check, *unit, place, target),
        Scope::StateOwnedUnit { unit, .. } => own::state_owned_unit(&check, *unit, target),
        Scope::Base { number } => own::base(&check, *number, target),
        Scope::Provider { provider } => own::provider(&check, *provider, target),
        Scope::IndustryAuthority { industry, region } => {
            territorial::industry_authority(&check, industry, *region, target)
        }
        Scope::CityBureau { .. } | Scope::CountyBureau { .. } | Scope::ZoneCentre { .. } => {
            territorial::bureau(&check, principal.scope(), target)
        }
        Scope::Supervisor { region } => territorial::supervisor(&check, *region, target),
    }
}

/// One decision in progress: who asks what, and the context.
struct Check<'c, 'p> {
    role: Role,
    action: Action,
    ctx: &'c Context<'p>,
}

impl Check<'_, '_> {
    fn deny(&self, code: DenyCode, reason: &'static str) -> Denied {
        Denied::new(code, self.role, self.action, reason)
    }

    /// `Ok` when `ok`, else a refusal.
    fn require(&self, ok: bool, code: DenyCode, reason: &'static str) -> Result<(), Denied> {
        if ok {
            Ok(())
        } else {
            Err(self.deny(code, reason))
        }
    }

    fn wrong_target(&self) -> Denied {
        self.deny(DenyCode::Target, "该操作不适用于此类对象")
    }
}

/// Who may do the action at all, said to the one who may not.
fn role_reason(action: Action) -> &'static str {
    match action {
        Action::ViewRecords | Action::ViewExplanation => {
            "只有本人、所在单位和有管辖权的行业主管部门、人社部门可以查看"
        }
        Action::RegisterRecord
        | Action::VoidRecord
        | Action::SubmitYearPage
        | Action::ApplyVerification => "只有本人或所在单位可以办理",
        Action::ReviewYearPage => "审核盖章只能由行业主管部门进行",
        Action::KeepSubjectCatalogue => "专业科目目录由行业主管部门维护",
        Action::Verify => {
            "学时验证只能由人社部门、开发区人才与就业服务中心或国有企事业单位（限本单位人员）进行"
        }
        Action::RecordOfflineVerification | Action::ApproveFiling | Action::OpenSlots => {
            "只能由人社部门或开发区人才与就业服务中心办理"
        }
        Action::FileTraining => "培训备案由培训机构申报",
        Action::KeepProviderRegister => "课件提供方名录由市人社局维护（在地市备案）",
        Action::ReportBaseCertificates => "只有国家级继续教育基地可以报送合格证书",
        Action::BookSlot => "只有本人或所在单位可以预约",
        Action::CancelBooking => "只有预约人或开放预约的人社部门可以取消预约",
        Action::ViewStatistics => "统计只向用人单位、行业主管部门和人社部门开放",
        Action::ReadAudit => "审计记录只向上级主管部门和监察机关开放",
        Action::RevealPersonalData => "只有本人、所在单位和有管辖权的部门可以查看完整个人信息",
        Action::ManageAccounts => "账号由人社部门和用人单位在各自范围内管理",
        Action::IssueCertificate => "继续教育证书由本人或有管辖权的人社部门签发",
        Action::RevokeCertificate => "继续教育证书只能由有管辖权的人社部门撤销",
    }
}
