//! Messages, reminders and the e-mail outbox (migration 0014), on SQLite and PostgreSQL alike:
//! a review act and an online verification tell the person and the unit, in plain Chinese; a
//! message is queued for e-mail to every account of its mailbox with an address; reminders are
//! written once per person (or unit), year, deadline and threshold however often they run; an
//! outbox row is claimed by one claimer only (two concurrent claimers on PostgreSQL included),
//! and a claim left at the final dot is never sent again.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;

use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, RegionCode, Role};
use xueshi_policy::input::{Cohort, TitleLevel};
use xueshi_store::accounts::{self, NewAccount};
use xueshi_store::acts::{self, Mode, Review, Verification, Verifier};
use xueshi_store::audit::Line;
use xueshi_store::entries::ReviewReason;
use xueshi_store::ledger::Act;
use xueshi_store::messages::{self, Kind, Mailbox};
use xueshi_store::organisations::{self, NewOrganisation, OrgKind};
use xueshi_store::people::NewPerson;
use xueshi_store::{Db, LedgerSigner, outbox, people, reminders, requests};
use xueshi_testkit::{account_policy, done, fresh_dbs, policy};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

struct World {
    db: Db,
    signer: LedgerSigner,
    unit: i64,
    person: i64,
    other: i64,
    authority: i64,
    bureau: i64,
    /// The person's account and the unit administrator's, both with an e-mail address.
    person_account: i64,
    unit_account: i64,
}

fn org(kind: OrgKind, name: &str, industry: Option<&str>) -> NewOrganisation {
    NewOrganisation {
        kind,
        name: name.to_owned(),
        region: RegionCode::parse("341500").unwrap(),
        zone_id: None,
        industry: industry.map(str::to_owned),
        base_number: None,
        unit_id: None,
    }
}

async fn world(db: Db) -> World {
    let xueshi_testkit::Start { keys, signer, unit } = xueshi_testkit::start(&db, 7).await;
    let mut persons = Vec::new();
    for (id, name) in [
        ("34152219850612301", "张晓梅"),
        ("34150019900101123", "李强"),
    ] {
        let person = people::insert_person(
            &db,
            &keys,
            &NewPerson {
                id_number: IdNumber::complete(id).unwrap(),
                name: name.to_owned(),
                cohort: Cohort::New,
                phone: None,
            },
            1,
        )
        .await
        .unwrap();
        people::employ(&db, person, unit, d("2020-01-01"))
            .await
            .unwrap();
        persons.push(person);
    }
    let authority = organisations::insert_organisation(
        &db,
        &org(
            OrgKind::IndustryAuthority,
            "六安市卫生健康委员会",
            Some("卫生健康"),
        ),
    )
    .await
    .unwrap();
    let bureau = organisations::insert_organisation(
        &db,
        &org(OrgKind::CityBureau, "六安市人力资源和社会保障局", None),
    )
    .await
    .unwrap();
    let policy = account_policy();
    let mut ids = Vec::new();
    for (login, role, person_id, unit_id, email) in [
        (
            "zhang",
            Role::Professional,
            Some(persons[0]),
            None,
            "zhang@example.cn",
        ),
        (
            "hospital",
            Role::UnitAdmin,
            None,
            Some(unit),
            "hr@example.cn",
        ),
    ] {
        let id = accounts::create_account(
            &db,
            &keys,
            &policy,
            &NewAccount {
                login: login.to_owned(),
                display_name: login.to_owned(),
                role,
                organisation_id: None,
                unit_id,
                person_id,
            },
            "Initial2026pw",
            "test",
            1,
        )
        .await
        .unwrap();
        let account = accounts::account(&db, id).await.unwrap();
        messages::set_email(&db, &account, Some(email), None, 1)
            .await
            .unwrap();
        ids.push(id);
    }
    World {
        db,
        signer,
        unit,
        person: persons[0],
        other: persons[1],
        authority,
        bureau,
        person_account: ids[0],
        unit_account: ids[1],
    }
}

fn act(now_ms: i64) -> Act<'static> {
    Act {
        actor: "official:测试",
        region: None,
        on: d("2027-01-10"),
        now_ms,
    }
}

async fn review(w: &World, approved: bool) {
    requests::submit_year_page(
        &w.db,
        w.person,
        2026,
        w.unit,
        &Line::new(5, "unit:admin", None, "year_page.submit", ""),
    )
    .await
    .unwrap();
    let reasons = [ReviewReason {
        record: "网课".to_owned(),
        reason: "课件提供方未备案".to_owned(),
    }];
    acts::review(
        &w.db,
        &w.signer,
        &Review {
            person_id: w.person,
            year: 2026,
            authority_id: w.authority,
            approved,
            reasons: if approved { &[] } else { &reasons },
        },
        act(6),
    )
    .await
    .unwrap();
}

/// Every string a reader sees must be plain Chinese: no codes, no ids.
fn plain(text: &str) {
    for code in [
        "review.",
        "verification.",
        "reminder.",
        "person:",
        "unit:",
        "_id",
    ] {
        assert!(!text.contains(code), "{code} in {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_and_a_verification_tell_the_person_and_the_unit_and_queue_their_emails() {
    for db in fresh_dbs("messages").await {
        let w = world(db).await;
        review(&w, false).await;
        review(&w, true).await;
        acts::record_verification(
            &w.db,
            &w.signer,
            &Verification {
                person_id: w.person,
                level: TitleLevel::Intermediate,
                cycle: 2022..=2026,
                verifier: Verifier::Organisation(w.bureau),
                mode: Mode::Online {
                    decision_hash: acts::decision_hash(b"{}"),
                },
                approved: true,
            },
            act(8),
        )
        .await
        .unwrap();
        let mine = messages::list(&w.db, Mailbox::Person(w.person), None, 30)
            .await
            .unwrap();
        let kinds: Vec<Kind> = mine.iter().map(|m| m.kind).collect();
        // Newest first. No application was filed, so the unit hears only of the reviews.
        assert_eq!(
            kinds,
            [
                Kind::VerificationApproved,
                Kind::ReviewStamped,
                Kind::ReviewReturned
            ]
        );
        let returned = mine[2].text();
        assert!(
            returned.contains("六安市卫生健康委员会") && returned.contains("2026 年度"),
            "{returned}"
        );
        let verified = mine[0].text();
        assert!(
            verified.contains("六安市人力资源和社会保障局")
                && verified.contains("2022—2026")
                && verified.contains("中级"),
            "{verified}"
        );
        for m in &mine {
            plain(&m.text());
            plain(&m.title());
        }
        let units = messages::list(&w.db, Mailbox::Unit(w.unit), None, 30)
            .await
            .unwrap();
        assert_eq!(units.len(), 2);
        assert!(
            units[0].text().contains("职工张晓梅"),
            "{}",
            units[0].text()
        );
        assert_eq!(
            messages::unread(&w.db, Mailbox::Person(w.person))
                .await
                .unwrap(),
            3
        );
        // Marking another mailbox's message read does nothing; one's own works.
        assert_eq!(
            messages::mark_read(
                &w.db,
                Mailbox::Person(w.person),
                Some(&[units[0].id][..]),
                9
            )
            .await
            .unwrap(),
            0
        );
        assert_eq!(
            messages::mark_read(&w.db, Mailbox::Person(w.person), Some(&[mine[0].id][..]), 9)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            messages::unread(&w.db, Mailbox::Person(w.person))
                .await
                .unwrap(),
            2
        );
        // Paging: the page after the newest.
        let next = messages::list(&w.db, Mailbox::Person(w.person), Some(mine[0].id), 30)
            .await
            .unwrap();
        assert_eq!(next.len(), 2);
        // One e-mail per message and account with an address: 3 for her, 2 for the unit.
        let counts = outbox::counts(&w.db).await.unwrap();
        assert_eq!(counts, [("pending".to_owned(), 5)]);
        // Retention: nothing is older than 400 days yet; everything is after.
        assert_eq!(
            messages::purge(&w.db, 10, messages::RETENTION_MS)
                .await
                .unwrap(),
            0
        );
        let far = i64::MAX / 2;
        assert_eq!(
            messages::purge(&w.db, far, messages::RETENTION_MS)
                .await
                .unwrap(),
            5
        );
        assert!(outbox::counts(&w.db).await.unwrap().is_empty());
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reminders_are_written_once_per_person_or_unit_year_deadline_and_threshold() {
    for db in fresh_dbs("messages").await {
        let w = world(db).await;
        // 2026's public and registration deadlines are both 2027-05-31.
        let late = d("2027-05-25");
        let due = reminders::due(policy(), late, &reminders::DEFAULT_DAYS);
        assert_eq!(due.len(), 1, "{due:?}");
        assert_eq!(
            (due[0].year, due[0].threshold, due[0].days_left),
            (2026, 7, 6)
        );
        let first = reminders::run(&w.db, policy(), late, &reminders::DEFAULT_DAYS, 100)
            .await
            .unwrap();
        // Both have no hours in 2026: two persons, and one unit message for both.
        assert_eq!((first.persons, first.units), (2, 1));
        let again = reminders::run(&w.db, policy(), late, &reminders::DEFAULT_DAYS, 200)
            .await
            .unwrap();
        assert_eq!((again.persons, again.units), (0, 0), "no second reminder");
        // The next day is still the 7-day threshold: nothing new either.
        let next_day = reminders::run(
            &w.db,
            policy(),
            d("2027-05-26"),
            &reminders::DEFAULT_DAYS,
            300,
        )
        .await
        .unwrap();
        assert_eq!((next_day.persons, next_day.units), (0, 0));
        let hers = messages::list(&w.db, Mailbox::Person(w.person), None, 10)
            .await
            .unwrap();
        assert_eq!(hers.len(), 1);
        let text = hers[0].text();
        assert!(
            text.contains("2027 年 5 月 31 日")
                && text.contains("还有 6 天")
                && text.contains("还差 90 学时"),
            "{text}"
        );
        plain(&text);
        let unit = messages::list(&w.db, Mailbox::Unit(w.unit), None, 10)
            .await
            .unwrap();
        assert_eq!(unit.len(), 1);
        assert!(unit[0].text().contains("2 名职工"), "{}", unit[0].text());
        assert!(
            messages::list(&w.db, Mailbox::Person(w.other), None, 10)
                .await
                .unwrap()[0]
                .text()
                .contains("还差 90 学时")
        );
        // Far from the deadline nothing is due; 120 days before is a new threshold.
        assert!(reminders::due(policy(), d("2026-12-03"), &reminders::DEFAULT_DAYS).is_empty());
        let early = reminders::run(
            &w.db,
            policy(),
            d("2027-02-01"),
            &reminders::DEFAULT_DAYS,
            400,
        )
        .await
        .unwrap();
        assert_eq!((early.persons, early.units), (2, 1));
        // The e-mails: her two reminders and the unit's two, one each.
        assert_eq!(
            outbox::counts(&w.db).await.unwrap(),
            [("pending".to_owned(), 4)]
        );
        assert!(reminders::parse_days("120, 30,7").unwrap() == [7, 30, 120]);
        assert!(reminders::parse_days("400").is_err());
        assert!(reminders::parse_days("x").is_err());
        let _ = (w.person_account, w.unit_account);
        done(w.db).await;
    }
}

/// `n` messages to her mailbox (reminders of distinct thresholds), each queued for e-mail.
async fn queue(w: &World, n: u32) {
    let days: Vec<u32> = (0..n).collect();
    // One run per day from the deadline backwards gives one new reminder per threshold.
    for day in 0..n {
        let today =
            Date::from_day_number(d("2027-05-31").day_number() - i32::try_from(day).unwrap())
                .unwrap();
        reminders::run(&w.db, policy(), today, &days, 100)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbox_row_is_claimed_once_even_by_concurrent_claimers() {
    for db in fresh_dbs("messages").await {
        let w = world(db).await;
        queue(&w, 20).await;
        // 20 reminders to her, 20 to the unit: 40 e-mails.
        assert_eq!(
            outbox::counts(&w.db).await.unwrap(),
            [("pending".to_owned(), 40)]
        );
        // The operators' backlog: what waits, and how long the most overdue has been due.
        let far = 10_000_000_000_000;
        let (waiting, overdue) = outbox::backlog(&w.db, far).await.unwrap();
        assert_eq!(waiting, [("pending".to_owned(), 40)]);
        let (_, later) = outbox::backlog(&w.db, far + 5_000).await.unwrap();
        assert!(
            overdue > 0 && later - overdue == 5_000,
            "{overdue} then {later}"
        );
        assert_eq!(
            outbox::backlog(&w.db, 0).await.unwrap().1,
            0,
            "nothing due yet"
        );
        let (a, b) = (w.db.clone(), w.db.clone());
        let mut claimers = Vec::new();
        for db in [a, b] {
            claimers.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = outbox::claim(&db, 1_000, 3).await.unwrap();
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|c| c.id));
                }
            }));
        }
        let mut all = Vec::new();
        for c in claimers {
            all.extend(c.await.unwrap());
        }
        let distinct: BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), 40, "every row claimed");
        assert_eq!(distinct.len(), 40, "no row claimed twice: {all:?}");
        assert!(outbox::claim(&w.db, 2_000, 100).await.unwrap().is_empty());
        assert_eq!(
            outbox::backlog(&w.db, far).await.unwrap(),
            (vec![("sending".to_owned(), 40)], 0),
            "claimed rows are sending, none pending"
        );
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_left_at_the_final_dot_is_never_sent_again() {
    for db in fresh_dbs("messages").await {
        let w = world(db).await;
        queue(&w, 2).await;
        let claimed = outbox::claim(&w.db, 1_000, 10).await.unwrap();
        assert_eq!(claimed.len(), 4);
        assert!(claimed.iter().all(|c| c.attempt == 1));
        let (sent, dot, crashed, refused) = (&claimed[0], &claimed[1], &claimed[2], &claimed[3]);
        assert!(claimed.iter().any(|c| c.address == "zhang@example.cn"));
        // Sent normally.
        assert!(outbox::committing(&w.db, sent, 1_001).await.unwrap());
        assert!(outbox::sent(&w.db, sent, 1_002).await.unwrap());
        // At the final dot when the process died; and a claim that died before it.
        assert!(outbox::committing(&w.db, dot, 1_001).await.unwrap());
        // A temporary refusal before the dot: pending again after the backoff.
        assert!(
            outbox::retry(&w.db, refused, 1_003, "451 try later")
                .await
                .unwrap()
        );
        assert!(outbox::claim(&w.db, 1_004, 10).await.unwrap().is_empty());
        // After the lease: the crashed claim is retried, the one at the dot is uncertain.
        let r = outbox::recover(&w.db, 1_000_000, 600_000, 86_400_000)
            .await
            .unwrap();
        assert_eq!((r.retried, r.uncertain, r.expired), (1, 1, 0));
        assert_eq!(
            outbox::state(&w.db, dot.id).await.unwrap(),
            Some(("uncertain".to_owned(), 1))
        );
        // The stale claimer can no longer move its row (its attempt is not the row's).
        let again = outbox::claim(&w.db, 1_000_000, 10).await.unwrap();
        let ids: BTreeSet<i64> = again.iter().map(|c| c.id).collect();
        assert_eq!(ids, BTreeSet::from([crashed.id, refused.id]));
        assert!(again.iter().all(|c| c.attempt == 2));
        assert!(!outbox::committing(&w.db, crashed, 1_000_001).await.unwrap());
        assert!(!outbox::sent(&w.db, sent, 1_000_001).await.unwrap());
        // Neither the sent row nor the uncertain one is ever claimed again.
        let r = outbox::recover(&w.db, 10_000_000, 600_000, 86_400_000)
            .await
            .unwrap();
        assert_eq!(r.uncertain, 0);
        let later = outbox::claim(&w.db, 10_000_000, 10).await.unwrap();
        assert!(later.iter().all(|c| c.id != sent.id && c.id != dot.id));
        // Message-IDs are fixed per row.
        assert_eq!(
            outbox::message_id(dot.id, dot.created_ms, "x.cn"),
            outbox::message_id(dot.id, dot.created_ms, "x.cn")
        );
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_address_is_validated_and_can_be_removed() {
    for db in fresh_dbs("messages").await {
        let w = world(db).await;
        let account = accounts::account(&w.db, w.person_account).await.unwrap();
        for bad in [
            "no-at",
            "a@b",
            "a b@example.cn",
            "a@exa mple.cn",
            "<a@x.cn>",
            "a@x.cn\r\nBcc: b@y.cn",
        ] {
            let e = messages::set_email(&w.db, &account, Some(bad), None, 2)
                .await
                .unwrap_err();
            assert_eq!(e.code(), "email.invalid", "{bad}");
        }
        let long = format!("{}@example.cn", "a".repeat(250));
        assert!(
            messages::set_email(&w.db, &account, Some(&long), None, 2)
                .await
                .is_err()
        );
        assert_eq!(
            messages::email(&w.db, w.person_account).await.unwrap(),
            Some("zhang@example.cn".to_owned())
        );
        messages::set_email(&w.db, &account, None, None, 3)
            .await
            .unwrap();
        assert_eq!(
            messages::email(&w.db, w.person_account).await.unwrap(),
            None
        );
        // Without an address her messages are not e-mailed; the unit's still are.
        review(&w, true).await;
        assert_eq!(
            outbox::counts(&w.db).await.unwrap(),
            [("pending".to_owned(), 1)]
        );
        done(w.db).await;
    }
}
