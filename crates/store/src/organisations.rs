//! Organisations that act in the system: HR bureaus (city, county, zone centre), industry
//! authorities, state-owned units, online bases, training providers and supervisors. Inserting
//! and finding them only; what each kind may do is checked where it acts (e.g. only an industry
//! authority reviews, only a bureau verifies or opens appointment slots). Organisations are
//! registry data, not ledger-covered.

use xueshi_domain::RegionCode;

use crate::db::Db;
use crate::error::StoreError;
use crate::on_db;

/// The kinds of organisation (the `organisations.kind` CHECK of the schema).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrgKind {
    CityBureau,
    CountyBureau,
    ZoneCentre,
    IndustryAuthority,
    StateOwnedUnit,
    OnlineBase,
    TrainingProvider,
    Supervisor,
}

impl OrgKind {
    pub const ALL: [OrgKind; 8] = [
        Self::CityBureau,
        Self::CountyBureau,
        Self::ZoneCentre,
        Self::IndustryAuthority,
        Self::StateOwnedUnit,
        Self::OnlineBase,
        Self::TrainingProvider,
        Self::Supervisor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CityBureau => "city_bureau",
            Self::CountyBureau => "county_bureau",
            Self::ZoneCentre => "zone_centre",
            Self::IndustryAuthority => "industry_authority",
            Self::StateOwnedUnit => "state_owned_unit",
            Self::OnlineBase => "online_base",
            Self::TrainingProvider => "training_provider",
            Self::Supervisor => "supervisor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// An HR bureau that verifies hours and opens appointment slots (D13, D16).
    pub fn is_bureau(self) -> bool {
        matches!(
            self,
            Self::CityBureau | Self::CountyBureau | Self::ZoneCentre
        )
    }
}

/// An organisation to insert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOrganisation {
    pub kind: OrgKind,
    pub name: String,
    pub region: RegionCode,
    /// The development zone of a zone centre, by zone id.
    pub zone_id: Option<i64>,
    /// The industry of an industry authority (e.g. 卫生健康).
    pub industry: Option<String>,
    /// The number (1–4) of a provincial online base (D5).
    pub base_number: Option<u8>,
    /// The unit a state-owned unit's organisation acts for.
    pub unit_id: Option<i64>,
}

/// An organisation as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub kind: OrgKind,
    pub name: String,
    pub region: RegionCode,
    pub zone_id: Option<i64>,
    pub industry: Option<String>,
    pub base_number: Option<u8>,
    pub unit_id: Option<i64>,
}

/// Inserts an organisation, returning its id; an existing name is a conflict.
pub async fn insert_organisation(db: &Db, org: &NewOrganisation) -> Result<i64, StoreError> {
    if org.name.trim().is_empty() {
        return Err(StoreError::invalid("organisation.name", "机构名称不能为空"));
    }
    if org.base_number.is_some_and(|n| !(1..=4).contains(&n)) {
        return Err(StoreError::invalid(
            "organisation.base_number",
            "网络学习基地编号应为 1–4",
        ));
    }
    if org.base_number.is_some() != (org.kind == OrgKind::OnlineBase) {
        return Err(StoreError::invalid(
            "organisation.base_number",
            "只有网络学习基地有基地编号，且必须有",
        ));
    }
    if org.unit_id.is_some() != (org.kind == OrgKind::StateOwnedUnit) {
        return Err(StoreError::invalid(
            "organisation.unit",
            "只有国有企事业单位关联其单位，且必须关联",
        ));
    }
    let sql =
        "INSERT INTO organisations (kind, name, region, zone_id, industry, base_number, unit_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    Ok(on_db!(db, p => sqlx::query_scalar(sql)
        .bind(org.kind.as_str())
        .bind(&org.name)
        .bind(i64::from(org.region.as_u32()))
        .bind(org.zone_id)
        .bind(org.industry.as_deref())
        .bind(org.base_number.map(i64::from))
        .bind(org.unit_id)
        .fetch_one(p)
        .await?))
}

type RawOrg = (
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

const ORG_SQL: &str =
    "SELECT id, kind, name, region, zone_id, industry, base_number, unit_id FROM organisations";

fn decode(raw: RawOrg) -> Result<Organisation, StoreError> {
    let (id, kind, name, region, zone_id, industry, base_number, unit_id) = raw;
    let corrupt = |what: &str| StoreError::corrupt(format!("机构{what}无效"));
    Ok(Organisation {
        id,
        kind: OrgKind::parse(&kind).ok_or_else(|| corrupt("类别"))?,
        name,
        region: u32::try_from(region)
            .ok()
            .and_then(|r| RegionCode::from_u32(r).ok())
            .ok_or_else(|| corrupt("行政区划代码"))?,
        zone_id,
        industry,
        base_number: base_number
            .map(u8::try_from)
            .transpose()
            .map_err(|_| corrupt("基地编号"))?,
        unit_id,
    })
}

/// An organisation by id.
pub async fn organisation(db: &Db, id: i64) -> Result<Option<Organisation>, StoreError> {
    let sql = format!("{ORG_SQL} WHERE id = $1");
    let raw: Option<RawOrg> =
        on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?);
    raw.map(decode).transpose()
}

/// An organisation by its (unique) name.
pub async fn organisation_by_name(db: &Db, name: &str) -> Result<Option<Organisation>, StoreError> {
    let sql = format!("{ORG_SQL} WHERE name = $1");
    let raw: Option<RawOrg> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(p).await?);
    raw.map(decode).transpose()
}

/// The kind of an organisation, or `NotFound`.
pub(crate) async fn kind_of(db: &Db, id: i64) -> Result<OrgKind, StoreError> {
    organisation(db, id)
        .await?
        .map(|o| o.kind)
        .ok_or(StoreError::NotFound("机构"))
}

/// The bureau that verifies at a place (D13): the zone centre of zone `zone_id`, else the city
/// or county bureau of `region` (the first registered, if several).
pub async fn bureau_at(
    db: &Db,
    region: RegionCode,
    zone_id: Option<i64>,
) -> Result<Option<Organisation>, StoreError> {
    let raw: Option<RawOrg> = match zone_id {
        Some(z) => {
            let sql = format!(
                "{ORG_SQL} WHERE kind = 'zone_centre' AND zone_id = $1 ORDER BY id LIMIT 1"
            );
            on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(z).fetch_optional(p).await?)
        }
        None => {
            let sql = format!(
                "{ORG_SQL} WHERE kind IN ('city_bureau', 'county_bureau') AND region = $1 ORDER BY id LIMIT 1"
            );
            on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(i64::from(region.as_u32())).fetch_optional(p).await?)
        }
    };
    raw.map(decode).transpose()
}
