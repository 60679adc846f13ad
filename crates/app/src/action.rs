//! The [`Action`]s of every workflow in DOMAIN (D1–D19), each with its stable code, Chinese
//! name, the requirement it comes from, whether it writes, whether it must be audited, which
//! roles may ever do it, and which kinds of target it applies to. Whether a given principal
//! may do it to a given target is decided in [`crate::authorize`], not here.

use crate::role::Role;
use crate::target::TargetKind;

/// Something a principal asks to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// See a person's records and progress (D1, D22).
    ViewRecords,
    /// Register a learning record (D1, D10).
    RegisterRecord,
    /// Void a record by a correcting entry (D10).
    VoidRecord,
    /// Submit a year's registration page for review (D12).
    SubmitYearPage,
    /// Review a year page and stamp or reject it (审核盖章, D12).
    ReviewYearPage,
    /// Apply for verification of hours for a title application (D13).
    ApplyVerification,
    /// Verify hours and stamp (核验章, D13, D14).
    Verify,
    /// Record a verification done offline on paper (D17).
    RecordOfflineVerification,
    /// See the engine's explanation of a decision (D20).
    ViewExplanation,
    /// File a professional training plan for approval (D8).
    FileTraining,
    /// Approve a training filing (备案同意, D8).
    ApproveFiling,
    /// Keep the city's courseware-provider register (在地市备案, D7).
    KeepProviderRegister,
    /// Keep an industry's catalogue of professional subjects (D12).
    KeepSubjectCatalogue,
    /// Report a base's exam certificates (合格证书, D6).
    ReportBaseCertificates,
    /// Open verification appointment slots (D16).
    OpenSlots,
    /// Book a slot (D16).
    BookSlot,
    /// Cancel a booking (D16).
    CancelBooking,
    /// See statistics by county, industry or unit.
    ViewStatistics,
    /// Read the audit trail of official acts (D18).
    ReadAudit,
    /// See unmasked personal data (ID number, phone), always audited (D19).
    RevealPersonalData,
    /// Create, change or disable accounts.
    ManageAccounts,
    /// Issue a continuing-education certificate (继续教育证书) of a person's hours.
    IssueCertificate,
    /// Revoke an issued certificate, with a reason.
    RevokeCertificate,
}

use Role::{
    Base, CityBureau, CountyBureau, IndustryAuthority, Professional, Provider, StateOwnedUnit,
    Supervisor, UnitAdmin, ZoneCentre,
};

impl Action {
    pub const ALL: [Action; 23] = [
        Self::ViewRecords,
        Self::RegisterRecord,
        Self::VoidRecord,
        Self::SubmitYearPage,
        Self::ReviewYearPage,
        Self::ApplyVerification,
        Self::Verify,
        Self::RecordOfflineVerification,
        Self::ViewExplanation,
        Self::FileTraining,
        Self::ApproveFiling,
        Self::KeepProviderRegister,
        Self::KeepSubjectCatalogue,
        Self::ReportBaseCertificates,
        Self::OpenSlots,
        Self::BookSlot,
        Self::CancelBooking,
        Self::ViewStatistics,
        Self::ReadAudit,
        Self::RevealPersonalData,
        Self::ManageAccounts,
        Self::IssueCertificate,
        Self::RevokeCertificate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ViewRecords => "view_records",
            Self::RegisterRecord => "register_record",
            Self::VoidRecord => "void_record",
            Self::SubmitYearPage => "submit_year_page",
            Self::ReviewYearPage => "review_year_page",
            Self::ApplyVerification => "apply_verification",
            Self::Verify => "verify",
            Self::RecordOfflineVerification => "record_offline_verification",
            Self::ViewExplanation => "view_explanation",
            Self::FileTraining => "file_training",
            Self::ApproveFiling => "approve_filing",
            Self::KeepProviderRegister => "keep_provider_register",
            Self::KeepSubjectCatalogue => "keep_subject_catalogue",
            Self::ReportBaseCertificates => "report_base_certificates",
            Self::OpenSlots => "open_slots",
            Self::BookSlot => "book_slot",
            Self::CancelBooking => "cancel_booking",
            Self::ViewStatistics => "view_statistics",
            Self::ReadAudit => "read_audit",
            Self::RevealPersonalData => "reveal_personal_data",
            Self::ManageAccounts => "manage_accounts",
            Self::IssueCertificate => "issue_certificate",
            Self::RevokeCertificate => "revoke_certificate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::ViewRecords => "查看学时记录",
            Self::RegisterRecord => "登记学时记录",
            Self::VoidRecord => "作废学时记录",
            Self::SubmitYearPage => "提交年度登记审核",
            Self::ReviewYearPage => "审核盖章",
            Self::ApplyVerification => "申请学时验证",
            Self::Verify => "学时验证盖章",
            Self::RecordOfflineVerification => "补录线下验证",
            Self::ViewExplanation => "查看判定依据",
            Self::FileTraining => "申报培训备案",
            Self::ApproveFiling => "审批培训备案",
            Self::KeepProviderRegister => "维护课件提供方备案名录",
            Self::KeepSubjectCatalogue => "维护专业科目目录",
            Self::ReportBaseCertificates => "报送基地合格证书",
            Self::OpenSlots => "开放验证预约",
            Self::BookSlot => "预约验证",
            Self::CancelBooking => "取消预约",
            Self::ViewStatistics => "查看统计",
            Self::ReadAudit => "查阅审计记录",
            Self::RevealPersonalData => "查看完整个人信息",
            Self::ManageAccounts => "管理账号",
            Self::IssueCertificate => "签发继续教育证书",
            Self::RevokeCertificate => "撤销继续教育证书",
        }
    }

    /// The requirement(s) of DOMAIN the action comes from.
    pub fn cite(self) -> &'static str {
        match self {
            Self::ViewRecords => "D1",
            Self::RegisterRecord => "D1, D10",
            Self::VoidRecord => "D10",
            Self::SubmitYearPage | Self::ReviewYearPage | Self::KeepSubjectCatalogue => "D12",
            Self::ApplyVerification => "D13",
            Self::Verify => "D13, D14",
            Self::RecordOfflineVerification => "D17",
            Self::ViewExplanation => "D20",
            Self::FileTraining | Self::ApproveFiling => "D8",
            Self::KeepProviderRegister => "D7",
            Self::ReportBaseCertificates => "D6",
            Self::OpenSlots | Self::BookSlot | Self::CancelBooking => "D16",
            Self::ViewStatistics => "统计",
            Self::ReadAudit => "D18",
            Self::RevealPersonalData => "D19",
            Self::ManageAccounts => "账号",
            Self::IssueCertificate | Self::RevokeCertificate => "证书, D18",
        }
    }

    /// Whether the action changes anything (everything but looking).
    pub fn is_write(self) -> bool {
        !matches!(
            self,
            Self::ViewRecords
                | Self::ViewExplanation
                | Self::ViewStatistics
                | Self::ReadAudit
                | Self::RevealPersonalData
        )
    }

    /// Whether the caller must write an audit entry when the action is allowed: the official
    /// acts of D18 and every disclosure of personal data (D19).
    pub fn is_audited(self) -> bool {
        matches!(
            self,
            Self::VoidRecord
                | Self::ReviewYearPage
                | Self::Verify
                | Self::RecordOfflineVerification
                | Self::ApproveFiling
                | Self::KeepProviderRegister
                | Self::KeepSubjectCatalogue
                | Self::RevealPersonalData
                | Self::ManageAccounts
                | Self::IssueCertificate
                | Self::RevokeCertificate
        )
    }

    /// The roles that may ever do the action (within their scope). Stamps only by the roles
    /// DOMAIN names: review by industry authorities (D12); verification by bureaus and zone
    /// centres (D13), and by state-owned units for their own staff (235号 五(二)).
    pub fn allowed_roles(self) -> &'static [Role] {
        match self {
            Self::ViewRecords | Self::ViewExplanation => &[
                Professional,
                UnitAdmin,
                IndustryAuthority,
                CityBureau,
                CountyBureau,
                ZoneCentre,
                StateOwnedUnit,
            ],
            Self::RegisterRecord
            | Self::VoidRecord
            | Self::SubmitYearPage
            | Self::ApplyVerification => &[Professional, UnitAdmin],
            Self::ReviewYearPage | Self::KeepSubjectCatalogue => &[IndustryAuthority],
            Self::Verify => &[CityBureau, CountyBureau, ZoneCentre, StateOwnedUnit],
            Self::RecordOfflineVerification | Self::ApproveFiling | Self::OpenSlots => {
                &[CityBureau, CountyBureau, ZoneCentre]
            }
            Self::FileTraining => &[Provider],
            Self::KeepProviderRegister => &[CityBureau],
            Self::ReportBaseCertificates => &[Base],
            Self::BookSlot => &[Professional, UnitAdmin],
            Self::CancelBooking => &[
                Professional,
                UnitAdmin,
                CityBureau,
                CountyBureau,
                ZoneCentre,
            ],
            Self::ViewStatistics => &[
                UnitAdmin,
                IndustryAuthority,
                CityBureau,
                CountyBureau,
                ZoneCentre,
                StateOwnedUnit,
            ],
            Self::ReadAudit => &[Supervisor],
            Self::RevealPersonalData => &[
                Professional,
                UnitAdmin,
                IndustryAuthority,
                CityBureau,
                CountyBureau,
                ZoneCentre,
                StateOwnedUnit,
            ],
            Self::ManageAccounts => &[UnitAdmin, CityBureau, CountyBureau, ZoneCentre],
            // The professional for themself; a bureau over its jurisdiction.
            Self::IssueCertificate => &[Professional, CityBureau, CountyBureau, ZoneCentre],
            Self::RevokeCertificate => &[CityBureau, CountyBureau, ZoneCentre],
        }
    }

    /// The kinds of target the action applies to.
    pub fn accepts(self, kind: TargetKind) -> bool {
        use TargetKind as K;
        match self {
            Self::ViewRecords
            | Self::RegisterRecord
            | Self::VoidRecord
            | Self::SubmitYearPage
            | Self::ReviewYearPage
            | Self::ApplyVerification
            | Self::Verify
            | Self::RecordOfflineVerification
            | Self::ViewExplanation
            | Self::RevealPersonalData
            | Self::IssueCertificate
            | Self::RevokeCertificate => kind == K::Person,
            Self::FileTraining | Self::ApproveFiling => kind == K::Filing,
            Self::KeepProviderRegister => kind == K::ProviderRegister,
            Self::KeepSubjectCatalogue => kind == K::Catalogue,
            Self::ReportBaseCertificates => kind == K::BaseReport,
            Self::OpenSlots | Self::BookSlot | Self::CancelBooking => kind == K::Slot,
            Self::ViewStatistics => matches!(kind, K::Area | K::Industry | K::Unit),
            Self::ReadAudit => matches!(kind, K::Area | K::Unit | K::Person),
            Self::ManageAccounts => kind == K::Account,
        }
    }
}
