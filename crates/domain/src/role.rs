//! The roles of DOMAIN's "Who uses it" table, with stable codes and Chinese names — one list for
//! the accounts the store keeps and the authorization the app decides. What each role may do is
//! not here: it is the app's `Action::allowed_roles` and `authorize`.

/// Who an account acts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// 专业技术人员
    Professional,
    /// 用人单位（管理员）
    UnitAdmin,
    /// 行业主管部门
    IndustryAuthority,
    /// 市人社局
    CityBureau,
    /// 县区人社局
    CountyBureau,
    /// 开发区人才与就业服务中心
    ZoneCentre,
    /// 国有企事业单位
    StateOwnedUnit,
    /// 国家级继续教育基地（235号 五(三)）
    Base,
    /// 培训机构 / 课件提供方
    Provider,
    /// 上级主管部门 / 监察机关
    Supervisor,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Self::Professional,
        Self::UnitAdmin,
        Self::IndustryAuthority,
        Self::CityBureau,
        Self::CountyBureau,
        Self::ZoneCentre,
        Self::StateOwnedUnit,
        Self::Base,
        Self::Provider,
        Self::Supervisor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Professional => "professional",
            Self::UnitAdmin => "unit_admin",
            Self::IndustryAuthority => "industry_authority",
            Self::CityBureau => "city_bureau",
            Self::CountyBureau => "county_bureau",
            Self::ZoneCentre => "zone_centre",
            Self::StateOwnedUnit => "state_owned_unit",
            Self::Base => "base",
            Self::Provider => "provider",
            Self::Supervisor => "supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Professional => "专业技术人员",
            Self::UnitAdmin => "用人单位",
            Self::IndustryAuthority => "行业主管部门",
            Self::CityBureau => "市人社局",
            Self::CountyBureau => "县区人社局",
            Self::ZoneCentre => "开发区人才与就业服务中心",
            Self::StateOwnedUnit => "国有企事业单位",
            Self::Base => "继续教育基地",
            Self::Provider => "培训机构",
            Self::Supervisor => "上级主管部门",
        }
    }

    /// An HR bureau acting at city or county level (D13, D16): city, county, zone centre.
    pub fn is_bureau(self) -> bool {
        matches!(
            self,
            Self::CityBureau | Self::CountyBureau | Self::ZoneCentre
        )
    }
}
