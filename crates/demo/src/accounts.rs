//! The demo's officials: the organisations of Lu'an's continuing-education system (the city and
//! 霍邱县 bureaus, the zone centre, the health authority, a state-owned unit, base 1, a training
//! provider, the supervisor) and one account per role, each with a freshly generated initial
//! password that must be changed at first login. Passwords are random, never derived from
//! anything personal; they are returned once, for the operator to hand out.

use xueshi_domain::{RegionCode, Role};

use xueshi_store::accounts::{
    AccountPolicy, NewAccount, create_account, generate_initial_password, issue_api_token,
};
use xueshi_store::db::Db;
use xueshi_store::error::StoreError;
use xueshi_store::keys::Keys;
use xueshi_store::on_db;
use xueshi_store::organisations::{NewOrganisation, OrgKind, insert_organisation};
use xueshi_store::registry::zone_id;

/// One demo account and its initial password (shown once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoAccount {
    pub role: Role,
    pub login: String,
    pub password: String,
    /// Whom or what the account acts for, in Chinese.
    pub acts_for: String,
    /// For a base or provider: an API token of its organisation for its systems (shown once).
    pub api_token: Option<String>,
}

const COUNTY: u32 = 341_522;

fn region(code: u32) -> Result<RegionCode, StoreError> {
    RegionCode::from_u32(code).map_err(|e| StoreError::invalid("demo.region", e.to_string()))
}

/// Creates the organisations and one account per role. Needs the seeded demo (a 霍邱县 person).
pub async fn create(
    db: &Db,
    keys: &Keys,
    policy: &AccountPolicy,
    now_ms: i64,
) -> Result<Vec<DemoAccount>, StoreError> {
    let sql = "SELECT e.person_id, e.unit_id, u.industry, u.name FROM employments e JOIN units u ON u.id = e.unit_id
               WHERE u.region = $1 AND e.to_on IS NULL ORDER BY e.person_id LIMIT 1";
    let (person_id, unit_id, industry, unit_name): (i64, i64, String, String) =
        on_db!(db, p => sqlx::query_as(sql).bind(i64::from(COUNTY)).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound("霍邱县的演示人员（请先生成演示数据）"))?;
    let zone = zone_id(db, "六安经济技术开发区").await?;
    let city = region(341_500)?;
    let org =
        |kind, name: &str, region, zone_id, industry: Option<&str>, base_number| NewOrganisation {
            kind,
            name: name.to_owned(),
            region,
            zone_id,
            industry: industry.map(str::to_owned),
            base_number,
            unit_id: None,
        };
    let orgs = [
        (
            Role::CityBureau,
            org(
                OrgKind::CityBureau,
                "六安市人力资源和社会保障局",
                city,
                None,
                None,
                None,
            ),
        ),
        (
            Role::CountyBureau,
            org(
                OrgKind::CountyBureau,
                "霍邱县人力资源和社会保障局",
                region(COUNTY)?,
                None,
                None,
                None,
            ),
        ),
        (
            Role::ZoneCentre,
            org(
                OrgKind::ZoneCentre,
                "六安经济技术开发区人才与就业服务中心",
                city,
                zone,
                None,
                None,
            ),
        ),
        (
            Role::IndustryAuthority,
            org(
                OrgKind::IndustryAuthority,
                &format!("六安市{industry}主管部门"),
                city,
                None,
                Some(&industry),
                None,
            ),
        ),
        (
            Role::StateOwnedUnit,
            org(
                OrgKind::StateOwnedUnit,
                "六安市城市建设投资有限公司",
                city,
                None,
                None,
                None,
            ),
        ),
        (
            Role::Base,
            org(
                OrgKind::OnlineBase,
                "安徽开放大学",
                region(340_000)?,
                None,
                None,
                Some(1),
            ),
        ),
        (
            Role::Provider,
            org(
                OrgKind::TrainingProvider,
                "皖西专技培训中心",
                city,
                None,
                None,
                None,
            ),
        ),
        (
            Role::Supervisor,
            org(
                OrgKind::Supervisor,
                "六安市纪委监委驻市人社局纪检监察组",
                city,
                None,
                None,
                None,
            ),
        ),
    ];
    let mut out = Vec::new();
    let mut add = async |role: Role, acts_for: String, new: NewAccount| -> Result<(), StoreError> {
        let password = generate_initial_password()?;
        create_account(db, keys, policy, &new, &password, "demo:seed", now_ms).await?;
        let api_token = match (role, new.organisation_id) {
            (Role::Base | Role::Provider, Some(org)) => Some(
                issue_api_token(db, org, "reports", "demo:seed", now_ms)
                    .await?
                    .token,
            ),
            _ => None,
        };
        out.push(DemoAccount {
            role,
            login: new.login,
            password,
            acts_for,
            api_token,
        });
        Ok(())
    };
    let plain = |role: Role, login: &str, name: &str| NewAccount {
        login: login.to_owned(),
        display_name: name.to_owned(),
        role,
        organisation_id: None,
        unit_id: None,
        person_id: None,
    };
    add(
        Role::Professional,
        format!("人员 #{person_id}"),
        NewAccount {
            person_id: Some(person_id),
            ..plain(Role::Professional, "demo-professional", "演示专业技术人员")
        },
    )
    .await?;
    add(
        Role::UnitAdmin,
        unit_name,
        NewAccount {
            unit_id: Some(unit_id),
            ..plain(Role::UnitAdmin, "demo-unit", "演示单位管理员")
        },
    )
    .await?;
    // The state-owned unit's organisation acts for a state-owned unit of the demo.
    let soe_sql = "SELECT id, name FROM units WHERE kind = 'state_owned' ORDER BY id LIMIT 1";
    let soe: Option<(i64, String)> =
        on_db!(db, p => sqlx::query_as(soe_sql).fetch_optional(p).await?);
    let (soe_unit, soe_name) = soe.ok_or(StoreError::NotFound("演示数据中的国有企事业单位"))?;
    for (role, mut o) in orgs {
        if role == Role::StateOwnedUnit {
            o.unit_id = Some(soe_unit);
            o.name.clone_from(&soe_name);
        }
        let id = insert_organisation(db, &o).await?;
        let login = format!("demo-{}", role.as_str().replace('_', "-"));
        add(
            role,
            o.name.clone(),
            NewAccount {
                organisation_id: Some(id),
                ..plain(role, &login, &o.name)
            },
        )
        .await?;
    }
    Ok(out)
}
