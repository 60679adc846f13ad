//! Integration tests of the authorization model: the full role × action × (inside, outside)
//! matrix against an expected table written out below, focused cases of jurisdiction (Lu'an's
//! counties and its development zone, from the embedded Anhui policy), and properties (a
//! county bureau never acts in another county, a supervisor never writes, determinism).

// Test code: a panic is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::sync::LazyLock;

use proptest::prelude::*;
use xueshi_app::{
    AccountId, Action, Context, DenyCode, OrgId, PersonId, Principal, Role, Scope, Target, UnitId,
    authorize,
};
use xueshi_domain::RegionCode;
use xueshi_policy::Policy;
use xueshi_policy::input::Place;

static POLICY: LazyLock<Policy> = LazyLock::new(|| xueshi_policy::load_embedded("anhui").unwrap());
/// Loaded a second time, independently, for the determinism property.
static POLICY_AGAIN: LazyLock<Policy> =
    LazyLock::new(|| xueshi_policy::load_embedded("anhui").unwrap());

const ZONE: &str = "六安经济技术开发区";
const LUAN_COUNTIES: [u32; 7] = [
    341_502, 341_503, 341_504, 341_522, 341_523, 341_524, 341_525,
];

fn r(code: u32) -> RegionCode {
    RegionCode::from_u32(code).unwrap()
}

fn region(code: u32) -> Place {
    Place::Region(r(code))
}

fn zone() -> Place {
    Place::Zone(ZONE.to_owned())
}

fn ctx() -> Context<'static> {
    Context::new(&POLICY)
}

fn principal(scope: Scope) -> Principal {
    Principal::new(AccountId(1), scope).unwrap()
}

fn person(person: i64, unit: i64, place: Place, industry: &str) -> Target {
    Target::Person {
        person: PersonId(person),
        unit: UnitId(unit),
        place,
        industry: industry.to_owned(),
    }
}

/// `allow`, or the refusal's code.
fn verdict(p: &Principal, action: Action, target: &Target) -> &'static str {
    match authorize(p, action, target, &ctx()) {
        Ok(()) => "allow",
        Err(d) => d.code().as_str(),
    }
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

/// The principal of each role in the matrix.
fn matrix_principal(role: Role) -> Principal {
    principal(match role {
        Role::Professional => Scope::Professional {
            person: PersonId(1),
        },
        Role::UnitAdmin => Scope::UnitAdmin {
            unit: UnitId(10),
            place: region(341_522),
        },
        Role::IndustryAuthority => Scope::IndustryAuthority {
            industry: "卫生健康".to_owned(),
            region: r(341_500),
        },
        Role::CityBureau => Scope::CityBureau { city: r(341_500) },
        Role::CountyBureau => Scope::CountyBureau { county: r(341_522) },
        Role::ZoneCentre => Scope::ZoneCentre {
            zone: ZONE.to_owned(),
        },
        Role::StateOwnedUnit => Scope::StateOwnedUnit {
            unit: UnitId(20),
            place: region(341_500),
        },
        Role::Base => Scope::Base { number: 2 },
        Role::Provider => Scope::Provider {
            provider: OrgId(30),
        },
        Role::Supervisor => Scope::Supervisor { region: r(341_500) },
    })
}

/// The facts a matrix target is built from.
#[derive(Clone)]
struct Facts {
    person: i64,
    unit: i64,
    place: Place,
    industry: &'static str,
    city: u32,
    base: u8,
    provider: i64,
}

/// Facts inside the role's jurisdiction (or its own), and facts just outside it: another
/// person, another unit, another county, another city, another industry, another base or
/// provider: one step out, so each cell tests one boundary.
fn matrix_facts(role: Role) -> (Facts, Facts) {
    let base = Facts {
        person: 1,
        unit: 10,
        place: region(341_522),
        industry: "卫生健康",
        city: 341_500,
        base: 2,
        provider: 30,
    };
    let inside = match role {
        Role::Professional => base.clone(),
        Role::UnitAdmin => Facts {
            person: 2,
            ..base.clone()
        },
        Role::IndustryAuthority => Facts {
            person: 3,
            unit: 11,
            place: region(341_503),
            ..base.clone()
        },
        Role::CityBureau => Facts {
            person: 4,
            unit: 12,
            place: zone(),
            industry: "教育",
            ..base.clone()
        },
        Role::CountyBureau => Facts {
            person: 5,
            unit: 13,
            industry: "教育",
            ..base.clone()
        },
        Role::ZoneCentre => Facts {
            person: 6,
            unit: 14,
            place: zone(),
            industry: "教育",
            ..base.clone()
        },
        Role::StateOwnedUnit => Facts {
            person: 7,
            unit: 20,
            place: region(341_500),
            industry: "工业",
            ..base.clone()
        },
        Role::Base | Role::Provider => Facts {
            place: region(341_500),
            ..base.clone()
        },
        Role::Supervisor => Facts {
            person: 8,
            unit: 15,
            place: region(341_502),
            ..base.clone()
        },
    };
    let outside = match role {
        Role::Professional => Facts {
            person: 99,
            ..inside.clone()
        },
        Role::UnitAdmin => Facts {
            person: 98,
            unit: 11,
            ..inside.clone()
        },
        Role::IndustryAuthority => Facts {
            industry: "教育",
            ..inside.clone()
        },
        Role::CityBureau | Role::Supervisor => Facts {
            place: region(340_100),
            city: 340_100,
            ..inside.clone()
        },
        Role::CountyBureau => Facts {
            place: region(341_523),
            ..inside.clone()
        },
        Role::ZoneCentre => Facts {
            place: region(341_502),
            ..inside.clone()
        },
        Role::StateOwnedUnit => Facts {
            person: 97,
            unit: 21,
            ..inside.clone()
        },
        Role::Base => Facts {
            base: 3,
            ..inside.clone()
        },
        Role::Provider => Facts {
            provider: 31,
            ..inside.clone()
        },
    };
    (inside, outside)
}

/// The target an action is tried on, built from facts.
fn matrix_target(action: Action, f: &Facts) -> Target {
    let industry = f.industry.to_owned();
    match action {
        Action::ViewRecords
        | Action::RegisterRecord
        | Action::VoidRecord
        | Action::SubmitYearPage
        | Action::ReviewYearPage
        | Action::ApplyVerification
        | Action::Verify
        | Action::RecordOfflineVerification
        | Action::ViewExplanation
        | Action::RevealPersonalData
        | Action::IssueCertificate
        | Action::RevokeCertificate => person(f.person, f.unit, f.place.clone(), f.industry),
        Action::FileTraining | Action::ApproveFiling => Target::Filing {
            provider: OrgId(f.provider),
            place: f.place.clone(),
        },
        Action::KeepProviderRegister => Target::ProviderRegister {
            provider: OrgId(f.provider),
            city: r(f.city),
        },
        Action::KeepSubjectCatalogue => Target::Catalogue {
            industry,
            place: f.place.clone(),
        },
        Action::ReportBaseCertificates => Target::BaseReport { base: f.base },
        Action::OpenSlots | Action::BookSlot | Action::CancelBooking => Target::Slot {
            bureau: f.place.clone(),
            unit: UnitId(f.unit),
            unit_place: f.place.clone(),
            person: Some(PersonId(f.person)),
        },
        Action::ViewStatistics => Target::Unit {
            unit: UnitId(f.unit),
            place: f.place.clone(),
            industry,
        },
        Action::ReadAudit => Target::Area(f.place.clone()),
        Action::ManageAccounts => Target::Account {
            role: Role::Professional,
            place: f.place.clone(),
            unit: Some(UnitId(f.unit)),
        },
    }
}

/// role, action, verdict inside, verdict outside. Change a rule, and this table shows the diff.
const EXPECTED: &str = "
professional       view_records                allow             auth.own_only
professional       register_record             allow             auth.own_only
professional       void_record                 allow             auth.own_only
professional       submit_year_page            allow             auth.own_only
professional       review_year_page            auth.role         auth.role
professional       apply_verification          allow             auth.own_only
professional       verify                      auth.role         auth.role
professional       record_offline_verification auth.role         auth.role
professional       view_explanation            allow             auth.own_only
professional       file_training               auth.role         auth.role
professional       approve_filing              auth.role         auth.role
professional       keep_provider_register      auth.role         auth.role
professional       keep_subject_catalogue      auth.role         auth.role
professional       report_base_certificates    auth.role         auth.role
professional       open_slots                  auth.role         auth.role
professional       book_slot                   allow             auth.own_only
professional       cancel_booking              allow             auth.own_only
professional       view_statistics             auth.role         auth.role
professional       read_audit                  auth.role         auth.role
professional       reveal_personal_data        allow             auth.own_only
professional       manage_accounts             auth.role         auth.role
professional       issue_certificate           allow             auth.own_only
professional       revoke_certificate          auth.role         auth.role
unit_admin         view_records                allow             auth.own_only
unit_admin         register_record             allow             auth.own_only
unit_admin         void_record                 allow             auth.own_only
unit_admin         submit_year_page            allow             auth.own_only
unit_admin         review_year_page            auth.role         auth.role
unit_admin         apply_verification          allow             auth.own_only
unit_admin         verify                      auth.role         auth.role
unit_admin         record_offline_verification auth.role         auth.role
unit_admin         view_explanation            allow             auth.own_only
unit_admin         file_training               auth.role         auth.role
unit_admin         approve_filing              auth.role         auth.role
unit_admin         keep_provider_register      auth.role         auth.role
unit_admin         keep_subject_catalogue      auth.role         auth.role
unit_admin         report_base_certificates    auth.role         auth.role
unit_admin         open_slots                  auth.role         auth.role
unit_admin         book_slot                   allow             auth.own_only
unit_admin         cancel_booking              allow             auth.own_only
unit_admin         view_statistics             allow             auth.own_only
unit_admin         read_audit                  auth.role         auth.role
unit_admin         reveal_personal_data        allow             auth.own_only
unit_admin         manage_accounts             allow             auth.own_only
unit_admin         issue_certificate           auth.role         auth.role
unit_admin         revoke_certificate          auth.role         auth.role
industry_authority view_records                allow             auth.jurisdiction
industry_authority register_record             auth.role         auth.role
industry_authority void_record                 auth.role         auth.role
industry_authority submit_year_page            auth.role         auth.role
industry_authority review_year_page            allow             auth.jurisdiction
industry_authority apply_verification          auth.role         auth.role
industry_authority verify                      auth.role         auth.role
industry_authority record_offline_verification auth.role         auth.role
industry_authority view_explanation            allow             auth.jurisdiction
industry_authority file_training               auth.role         auth.role
industry_authority approve_filing              auth.role         auth.role
industry_authority keep_provider_register      auth.role         auth.role
industry_authority keep_subject_catalogue      allow             auth.jurisdiction
industry_authority report_base_certificates    auth.role         auth.role
industry_authority open_slots                  auth.role         auth.role
industry_authority book_slot                   auth.role         auth.role
industry_authority cancel_booking              auth.role         auth.role
industry_authority view_statistics             allow             auth.jurisdiction
industry_authority read_audit                  auth.role         auth.role
industry_authority reveal_personal_data        allow             auth.jurisdiction
industry_authority manage_accounts             auth.role         auth.role
industry_authority issue_certificate           auth.role         auth.role
industry_authority revoke_certificate          auth.role         auth.role
city_bureau        view_records                allow             auth.jurisdiction
city_bureau        register_record             auth.role         auth.role
city_bureau        void_record                 auth.role         auth.role
city_bureau        submit_year_page            auth.role         auth.role
city_bureau        review_year_page            auth.role         auth.role
city_bureau        apply_verification          auth.role         auth.role
city_bureau        verify                      allow             auth.jurisdiction
city_bureau        record_offline_verification allow             auth.jurisdiction
city_bureau        view_explanation            allow             auth.jurisdiction
city_bureau        file_training               auth.role         auth.role
city_bureau        approve_filing              allow             auth.jurisdiction
city_bureau        keep_provider_register      allow             auth.jurisdiction
city_bureau        keep_subject_catalogue      auth.role         auth.role
city_bureau        report_base_certificates    auth.role         auth.role
city_bureau        open_slots                  allow             auth.jurisdiction
city_bureau        book_slot                   auth.role         auth.role
city_bureau        cancel_booking              allow             auth.jurisdiction
city_bureau        view_statistics             allow             auth.jurisdiction
city_bureau        read_audit                  auth.role         auth.role
city_bureau        reveal_personal_data        allow             auth.jurisdiction
city_bureau        manage_accounts             allow             auth.jurisdiction
city_bureau        issue_certificate           allow             auth.jurisdiction
city_bureau        revoke_certificate          allow             auth.jurisdiction
county_bureau      view_records                allow             auth.jurisdiction
county_bureau      register_record             auth.role         auth.role
county_bureau      void_record                 auth.role         auth.role
county_bureau      submit_year_page            auth.role         auth.role
county_bureau      review_year_page            auth.role         auth.role
county_bureau      apply_verification          auth.role         auth.role
county_bureau      verify                      allow             auth.jurisdiction
county_bureau      record_offline_verification allow             auth.jurisdiction
county_bureau      view_explanation            allow             auth.jurisdiction
county_bureau      file_training               auth.role         auth.role
county_bureau      approve_filing              allow             auth.jurisdiction
county_bureau      keep_provider_register      auth.role         auth.role
county_bureau      keep_subject_catalogue      auth.role         auth.role
county_bureau      report_base_certificates    auth.role         auth.role
county_bureau      open_slots                  allow             auth.jurisdiction
county_bureau      book_slot                   auth.role         auth.role
county_bureau      cancel_booking              allow             auth.jurisdiction
county_bureau      view_statistics             allow             auth.jurisdiction
county_bureau      read_audit                  auth.role         auth.role
county_bureau      reveal_personal_data        allow             auth.jurisdiction
county_bureau      manage_accounts             allow             auth.jurisdiction
county_bureau      issue_certificate           allow             auth.jurisdiction
county_bureau      revoke_certificate          allow             auth.jurisdiction
zone_centre        view_records                allow             auth.jurisdiction
zone_centre        register_record             auth.role         auth.role
zone_centre        void_record                 auth.role         auth.role
zone_centre        submit_year_page            auth.role         auth.role
zone_centre        review_year_page            auth.role         auth.role
zone_centre        apply_verification          auth.role         auth.role
zone_centre        verify                      allow             auth.jurisdiction
zone_centre        record_offline_verification allow             auth.jurisdiction
zone_centre        view_explanation            allow             auth.jurisdiction
zone_centre        file_training               auth.role         auth.role
zone_centre        approve_filing              allow             auth.jurisdiction
zone_centre        keep_provider_register      auth.role         auth.role
zone_centre        keep_subject_catalogue      auth.role         auth.role
zone_centre        report_base_certificates    auth.role         auth.role
zone_centre        open_slots                  allow             auth.jurisdiction
zone_centre        book_slot                   auth.role         auth.role
zone_centre        cancel_booking              allow             auth.jurisdiction
zone_centre        view_statistics             allow             auth.jurisdiction
zone_centre        read_audit                  auth.role         auth.role
zone_centre        reveal_personal_data        allow             auth.jurisdiction
zone_centre        manage_accounts             allow             auth.jurisdiction
zone_centre        issue_certificate           allow             auth.jurisdiction
zone_centre        revoke_certificate          allow             auth.jurisdiction
state_owned_unit   view_records                allow             auth.own_only
state_owned_unit   register_record             auth.role         auth.role
state_owned_unit   void_record                 auth.role         auth.role
state_owned_unit   submit_year_page            auth.role         auth.role
state_owned_unit   review_year_page            auth.role         auth.role
state_owned_unit   apply_verification          auth.role         auth.role
state_owned_unit   verify                      allow             auth.own_only
state_owned_unit   record_offline_verification auth.role         auth.role
state_owned_unit   view_explanation            allow             auth.own_only
state_owned_unit   file_training               auth.role         auth.role
state_owned_unit   approve_filing              auth.role         auth.role
state_owned_unit   keep_provider_register      auth.role         auth.role
state_owned_unit   keep_subject_catalogue      auth.role         auth.role
state_owned_unit   report_base_certificates    auth.role         auth.role
state_owned_unit   open_slots                  auth.role         auth.role
state_owned_unit   book_slot                   auth.role         auth.role
state_owned_unit   cancel_booking              auth.role         auth.role
state_owned_unit   view_statistics             allow             auth.own_only
state_owned_unit   read_audit                  auth.role         auth.role
state_owned_unit   reveal_personal_data        allow             auth.own_only
state_owned_unit   manage_accounts             auth.role         auth.role
state_owned_unit   issue_certificate           auth.role         auth.role
state_owned_unit   revoke_certificate          auth.role         auth.role
base               view_records                auth.role         auth.role
base               register_record             auth.role         auth.role
base               void_record                 auth.role         auth.role
base               submit_year_page            auth.role         auth.role
base               review_year_page            auth.role         auth.role
base               apply_verification          auth.role         auth.role
base               verify                      auth.role         auth.role
base               record_offline_verification auth.role         auth.role
base               view_explanation            auth.role         auth.role
base               file_training               auth.role         auth.role
base               approve_filing              auth.role         auth.role
base               keep_provider_register      auth.role         auth.role
base               keep_subject_catalogue      auth.role         auth.role
base               report_base_certificates    allow             auth.own_only
base               open_slots                  auth.role         auth.role
base               book_slot                   auth.role         auth.role
base               cancel_booking              auth.role         auth.role
base               view_statistics             auth.role         auth.role
base               read_audit                  auth.role         auth.role
base               reveal_personal_data        auth.role         auth.role
base               manage_accounts             auth.role         auth.role
base               issue_certificate           auth.role         auth.role
base               revoke_certificate          auth.role         auth.role
provider           view_records                auth.role         auth.role
provider           register_record             auth.role         auth.role
provider           void_record                 auth.role         auth.role
provider           submit_year_page            auth.role         auth.role
provider           review_year_page            auth.role         auth.role
provider           apply_verification          auth.role         auth.role
provider           verify                      auth.role         auth.role
provider           record_offline_verification auth.role         auth.role
provider           view_explanation            auth.role         auth.role
provider           file_training               allow             auth.own_only
provider           approve_filing              auth.role         auth.role
provider           keep_provider_register      auth.role         auth.role
provider           keep_subject_catalogue      auth.role         auth.role
provider           report_base_certificates    auth.role         auth.role
provider           open_slots                  auth.role         auth.role
provider           book_slot                   auth.role         auth.role
provider           cancel_booking              auth.role         auth.role
provider           view_statistics             auth.role         auth.role
provider           read_audit                  auth.role         auth.role
provider           reveal_personal_data        auth.role         auth.role
provider           manage_accounts             auth.role         auth.role
provider           issue_certificate           auth.role         auth.role
provider           revoke_certificate          auth.role         auth.role
supervisor         view_records                auth.role         auth.role
supervisor         register_record             auth.role         auth.role
supervisor         void_record                 auth.role         auth.role
supervisor         submit_year_page            auth.role         auth.role
supervisor         review_year_page            auth.role         auth.role
supervisor         apply_verification          auth.role         auth.role
supervisor         verify                      auth.role         auth.role
supervisor         record_offline_verification auth.role         auth.role
supervisor         view_explanation            auth.role         auth.role
supervisor         file_training               auth.role         auth.role
supervisor         approve_filing              auth.role         auth.role
supervisor         keep_provider_register      auth.role         auth.role
supervisor         keep_subject_catalogue      auth.role         auth.role
supervisor         report_base_certificates    auth.role         auth.role
supervisor         open_slots                  auth.role         auth.role
supervisor         book_slot                   auth.role         auth.role
supervisor         cancel_booking              auth.role         auth.role
supervisor         view_statistics             auth.role         auth.role
supervisor         read_audit                  allow             auth.jurisdiction
supervisor         reveal_personal_data        auth.role         auth.role
supervisor         manage_accounts             auth.role         auth.role
supervisor         issue_certificate           auth.role         auth.role
supervisor         revoke_certificate          auth.role         auth.role
";

fn actual_matrix() -> String {
    let mut out = String::from("\n");
    for role in Role::ALL {
        let p = matrix_principal(role);
        let (inside, outside) = matrix_facts(role);
        for action in Action::ALL {
            let yes = verdict(&p, action, &matrix_target(action, &inside));
            let no = verdict(&p, action, &matrix_target(action, &outside));
            writeln!(
                out,
                "{:<18} {:<27} {:<17} {}",
                role.as_str(),
                action.as_str(),
                yes,
                no
            )
            .unwrap();
        }
    }
    out
}

#[test]
fn every_role_and_action_inside_and_outside_matches_the_expected_table() {
    let actual = actual_matrix();
    if actual != EXPECTED {
        println!("{actual}");
    }
    assert_eq!(actual, EXPECTED);
}

#[test]
fn the_matrix_covers_every_role_and_every_action() {
    assert_eq!(
        EXPECTED.lines().filter(|l| !l.is_empty()).count(),
        Role::ALL.len() * Action::ALL.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Jurisdiction, case by case
// ---------------------------------------------------------------------------------------------

#[test]
fn a_city_bureau_acts_in_its_counties_and_its_zone_but_not_in_another_city() {
    let city = principal(Scope::CityBureau { city: r(341_500) });
    for county in LUAN_COUNTIES {
        let t = person(1, 1, region(county), "教育");
        assert_eq!(verdict(&city, Action::Verify, &t), "allow", "{county}");
    }
    assert_eq!(
        verdict(
            &city,
            Action::Verify,
            &person(1, 1, region(341_500), "教育")
        ),
        "allow"
    );
    assert_eq!(
        verdict(&city, Action::Verify, &person(1, 1, zone(), "教育")),
        "allow"
    );
    for elsewhere in [
        region(340_100),
        region(340_102),
        Place::Zone("不存在的开发区".to_owned()),
    ] {
        let t = person(1, 1, elsewhere, "教育");
        assert_eq!(verdict(&city, Action::Verify, &t), "auth.jurisdiction");
    }
}

#[test]
fn a_county_bureau_acts_in_its_county_only_not_in_the_city_nor_the_zone() {
    let county = principal(Scope::CountyBureau { county: r(341_522) });
    assert_eq!(
        verdict(
            &county,
            Action::Verify,
            &person(1, 1, region(341_522), "教育")
        ),
        "allow"
    );
    for elsewhere in [region(341_500), region(341_523), zone()] {
        let t = person(1, 1, elsewhere, "教育");
        assert_eq!(verdict(&county, Action::Verify, &t), "auth.jurisdiction");
    }
}

#[test]
fn a_zone_centre_acts_in_its_zone_only() {
    let centre = principal(Scope::ZoneCentre {
        zone: ZONE.to_owned(),
    });
    assert_eq!(
        verdict(&centre, Action::Verify, &person(1, 1, zone(), "教育")),
        "allow"
    );
    for elsewhere in [
        region(341_500),
        region(341_502),
        Place::Zone("另一个开发区".to_owned()),
    ] {
        let t = person(1, 1, elsewhere, "教育");
        assert_eq!(verdict(&centre, Action::Verify, &t), "auth.jurisdiction");
    }
}

#[test]
fn an_industry_authority_reviews_its_industry_within_its_region_only() {
    let health = principal(Scope::IndustryAuthority {
        industry: "卫生健康".to_owned(),
        region: r(341_500),
    });
    let review = Action::ReviewYearPage;
    assert_eq!(
        verdict(&health, review, &person(1, 1, zone(), "卫生健康")),
        "allow"
    );
    assert_eq!(
        verdict(&health, review, &person(1, 1, region(340_100), "卫生健康")),
        "auth.jurisdiction"
    );
    assert_eq!(
        verdict(&health, review, &person(1, 1, region(341_502), "教育")),
        "auth.jurisdiction"
    );
    let county_health = principal(Scope::IndustryAuthority {
        industry: "卫生健康".to_owned(),
        region: r(341_502),
    });
    assert_eq!(
        verdict(
            &county_health,
            review,
            &person(1, 1, region(341_503), "卫生健康")
        ),
        "auth.jurisdiction"
    );
    assert_eq!(
        verdict(&county_health, review, &person(1, 1, zone(), "卫生健康")),
        "auth.jurisdiction"
    );
    let area = Target::Area(region(341_502));
    assert_eq!(
        verdict(&health, Action::ViewStatistics, &area),
        "auth.jurisdiction"
    );
    let industry = Target::Industry {
        industry: "卫生健康".to_owned(),
        place: region(341_502),
    };
    assert_eq!(verdict(&health, Action::ViewStatistics, &industry), "allow");
}

#[test]
fn a_provincial_supervisor_reads_the_audit_of_every_place_in_anhui_including_the_zone() {
    let sup = principal(Scope::Supervisor { region: r(340_000) });
    for place in [region(341_500), region(341_525), region(340_102), zone()] {
        assert_eq!(
            verdict(&sup, Action::ReadAudit, &Target::Area(place)),
            "allow"
        );
    }
}

#[test]
fn a_unit_books_only_slots_of_a_bureau_over_it() {
    let unit = principal(Scope::UnitAdmin {
        unit: UnitId(10),
        place: region(341_522),
    });
    let slot = |bureau: Place| Target::Slot {
        bureau,
        unit: UnitId(10),
        unit_place: region(341_522),
        person: None,
    };
    assert_eq!(
        verdict(&unit, Action::BookSlot, &slot(region(341_522))),
        "allow"
    );
    assert_eq!(
        verdict(&unit, Action::BookSlot, &slot(region(341_500))),
        "allow"
    );
    assert_eq!(
        verdict(&unit, Action::BookSlot, &slot(region(341_523))),
        "auth.jurisdiction"
    );
    assert_eq!(
        verdict(&unit, Action::BookSlot, &slot(zone())),
        "auth.jurisdiction"
    );
    let me = principal(Scope::Professional {
        person: PersonId(1),
    });
    assert_eq!(
        verdict(&me, Action::BookSlot, &slot(region(341_522))),
        "auth.own_only"
    );
}

#[test]
fn accounts_are_managed_only_downwards() {
    let city = principal(Scope::CityBureau { city: r(341_500) });
    let county = principal(Scope::CountyBureau { county: r(341_522) });
    let account = |role, place| Target::Account {
        role,
        place,
        unit: None,
    };
    let manage = Action::ManageAccounts;
    assert_eq!(
        verdict(&city, manage, &account(Role::CountyBureau, region(341_522))),
        "allow"
    );
    assert_eq!(
        verdict(&city, manage, &account(Role::ZoneCentre, zone())),
        "allow"
    );
    assert_eq!(
        verdict(
            &county,
            manage,
            &account(Role::CountyBureau, region(341_522))
        ),
        "auth.role"
    );
    for role in [Role::Supervisor, Role::CityBureau, Role::Base] {
        assert_eq!(
            verdict(&city, manage, &account(role, region(341_500))),
            "auth.role"
        );
    }
    let unit = principal(Scope::UnitAdmin {
        unit: UnitId(10),
        place: region(341_522),
    });
    let admin = Target::Account {
        role: Role::UnitAdmin,
        place: region(341_522),
        unit: Some(UnitId(10)),
    };
    assert_eq!(verdict(&unit, manage, &admin), "auth.role");
}

#[test]
fn an_action_on_the_wrong_kind_of_target_is_refused_as_such() {
    let city = principal(Scope::CityBureau { city: r(341_500) });
    let t = Target::BaseReport { base: 1 };
    assert_eq!(verdict(&city, Action::Verify, &t), "auth.target");
}

#[test]
fn scopes_are_checked_when_a_principal_is_built() {
    let bad = [
        Scope::CityBureau { city: r(341_522) },
        Scope::CountyBureau { county: r(341_500) },
        Scope::Base { number: 0 },
        Scope::Base { number: 5 },
        Scope::ZoneCentre {
            zone: " ".to_owned(),
        },
        Scope::IndustryAuthority {
            industry: String::new(),
            region: r(341_500),
        },
    ];
    for scope in bad {
        assert!(Principal::new(AccountId(1), scope).is_err());
    }
    let ok = principal(Scope::CountyBureau { county: r(341_522) });
    assert_eq!(ok.role(), Role::CountyBureau);
}

#[test]
fn a_refusal_names_the_action_and_the_reason_in_chinese_without_personal_data() {
    let county = principal(Scope::CountyBureau { county: r(341_522) });
    let t = person(987_654, 876_543, region(341_523), "教育");
    let denied = authorize(&county, Action::RevealPersonalData, &t, &ctx()).unwrap_err();
    assert_eq!(denied.code(), DenyCode::Jurisdiction);
    assert_eq!(denied.code().as_str(), "auth.jurisdiction");
    let message = denied.to_string();
    assert_eq!(
        message,
        "县区人社局不能查看完整个人信息（D19）：对象不在本县区范围内"
    );
    assert!(!message.contains("987654") && !message.contains("876543"));
    let sup = principal(Scope::Supervisor { region: r(341_500) });
    let denied = authorize(&sup, Action::Verify, &t, &ctx()).unwrap_err();
    assert_eq!(denied.code().as_str(), "auth.role");
    assert!(denied.to_string().contains("学时验证"));
}

#[test]
fn revealing_personal_data_and_official_acts_are_audited_and_reads_are_not_writes() {
    for a in [
        Action::RevealPersonalData,
        Action::ReviewYearPage,
        Action::Verify,
        Action::ApproveFiling,
    ] {
        assert!(a.is_audited(), "{a:?}");
    }
    for a in [
        Action::ReadAudit,
        Action::ViewRecords,
        Action::RevealPersonalData,
    ] {
        assert!(!a.is_write(), "{a:?}");
    }
    for a in Action::ALL {
        assert_eq!(Action::parse(a.as_str()), Some(a));
    }
    for role in Role::ALL {
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

fn places() -> Vec<Place> {
    let mut v: Vec<Place> = [340_000, 341_500, 340_100, 340_102]
        .into_iter()
        .chain(LUAN_COUNTIES)
        .map(region)
        .collect();
    v.push(zone());
    v.push(Place::Zone("另一个开发区".to_owned()));
    v
}

fn any_place() -> impl Strategy<Value = Place> {
    proptest::sample::select(places())
}

fn any_industry() -> impl Strategy<Value = String> {
    proptest::sample::select(vec!["卫生健康", "教育", "工业"]).prop_map(str::to_owned)
}

fn any_action() -> impl Strategy<Value = Action> {
    proptest::sample::select(Action::ALL.to_vec())
}

fn any_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL.to_vec())
}

/// Any target whose places are drawn from `places`.
fn any_target(places: Vec<Place>) -> impl Strategy<Value = Target> {
    let place = proptest::sample::select(places);
    let id = 0_i64..4;
    prop_oneof![
        (id.clone(), id.clone(), place.clone(), any_industry()).prop_map(
            |(p, u, place, industry)| Target::Person {
                person: PersonId(p),
                unit: UnitId(u),
                place,
                industry
            }
        ),
        (id.clone(), place.clone(), any_industry()).prop_map(|(u, place, industry)| Target::Unit {
            unit: UnitId(u),
            place,
            industry
        }),
        place.clone().prop_map(Target::Area),
        (place.clone(), any_industry())
            .prop_map(|(place, industry)| Target::Industry { industry, place }),
        (id.clone(), place.clone()).prop_map(|(p, place)| Target::Filing {
            provider: OrgId(p),
            place
        }),
        (
            id.clone(),
            proptest::sample::select(vec![341_500_u32, 340_100])
        )
            .prop_map(|(p, c)| Target::ProviderRegister {
                provider: OrgId(p),
                city: r(c)
            }),
        (place.clone(), any_industry())
            .prop_map(|(place, industry)| Target::Catalogue { industry, place }),
        (0_u8..6).prop_map(|base| Target::BaseReport { base }),
        (
            place.clone(),
            id.clone(),
            place.clone(),
            proptest::option::of(id.clone())
        )
            .prop_map(|(bureau, u, unit_place, p)| Target::Slot {
                bureau,
                unit: UnitId(u),
                unit_place,
                person: p.map(PersonId)
            }),
        (any_role(), place, proptest::option::of(id)).prop_map(|(role, place, u)| {
            Target::Account {
                role,
                place,
                unit: u.map(UnitId),
            }
        }),
    ]
}

fn any_scope() -> impl Strategy<Value = Scope> {
    let id = 0_i64..4;
    let county = proptest::sample::select(LUAN_COUNTIES.to_vec());
    prop_oneof![
        id.clone().prop_map(|p| Scope::Professional {
            person: PersonId(p)
        }),
        (id.clone(), any_place()).prop_map(|(u, place)| Scope::UnitAdmin {
            unit: UnitId(u),
            place
        }),
        (
            any_industry(),
            proptest::sample::select(vec![341_500_u32, 341_502, 340_000])
        )
            .prop_map(|(industry, c)| Scope::IndustryAuthority {
                industry,
                region: r(c)
            }),
        proptest::sample::select(vec![341_500_u32, 340_100])
            .prop_map(|c| Scope::CityBureau { city: r(c) }),
        county.prop_map(|c| Scope::CountyBureau { county: r(c) }),
        Just(Scope::ZoneCentre {
            zone: ZONE.to_owned()
        }),
        (id.clone(), any_place()).prop_map(|(u, place)| Scope::StateOwnedUnit {
            unit: UnitId(u),
            place
        }),
        (1_u8..=4).prop_map(|number| Scope::Base { number }),
        id.prop_map(|p| Scope::Provider { provider: OrgId(p) }),
        proptest::sample::select(vec![340_000_u32, 341_500, 341_502])
            .prop_map(|c| Scope::Supervisor { region: r(c) }),
    ]
}

proptest! {
    #[test]
    fn a_county_bureau_never_authorizes_anything_in_another_county(
        (county, target) in proptest::sample::select(LUAN_COUNTIES.to_vec()).prop_flat_map(|c| {
            let elsewhere: Vec<Place> = places().into_iter().filter(|p| *p != region(c)).collect();
            (Just(c), any_target(elsewhere))
        }),
        action in any_action(),
    ) {
        let p = principal(Scope::CountyBureau { county: r(county) });
        prop_assert!(authorize(&p, action, &target, &ctx()).is_err());
    }

    #[test]
    fn nothing_a_supervisor_does_is_a_write(
        region_code in proptest::sample::select(vec![340_000_u32, 341_500, 341_502, 340_100]),
        action in any_action(),
        target in any_target(places()),
    ) {
        let p = principal(Scope::Supervisor { region: r(region_code) });
        let result = authorize(&p, action, &target, &ctx());
        if action.is_write() {
            prop_assert_eq!(result.map_err(|d| d.code()), Err(DenyCode::Role));
        }
        if authorize(&p, action, &target, &ctx()).is_ok() {
            prop_assert!(!action.is_write());
            prop_assert_eq!(action, Action::ReadAudit);
        }
    }

    #[test]
    fn authorize_is_deterministic(
        scope in any_scope(),
        action in any_action(),
        target in any_target(places()),
    ) {
        let p = principal(scope);
        let first = authorize(&p, action, &target, &ctx());
        let again = authorize(&p.clone(), action, &target.clone(), &ctx());
        let other_policy = authorize(&p, action, &target, &Context::new(&POLICY_AGAIN));
        prop_assert_eq!(&first, &again);
        prop_assert_eq!(&first, &other_policy);
        if let Err(d) = &first {
            prop_assert_eq!(d.to_string(), again.unwrap_err().to_string());
        }
    }
}
