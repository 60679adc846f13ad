//! Every workflow of the service driven through its router on a fresh database of each
//! backend (see `world/mod.rs`): registration with evidence, voids and the registration
//! deadline; year-page review; filings, verification applications routed by policy, the
//! bureau's queue, the refusal to stamp non-compliant hours, offline verifications and the
//! readiness check; appointments without overbooking under parallel bookings; the bases'
//! certificate reports; the courseware-provider register; the audit trail and disclosures.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod world;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use world::{Who, World, d, now_ms};
use xueshi_domain::id_number::IdNumber;
use xueshi_policy::input::Cohort;
use xueshi_store::people::{self, NewPerson};
use xueshi_store::{Db, Keys};
use xueshi_testkit::{done, fresh_dbs};

/// Runs `test` against a fresh world on each backend.
async fn each<F, Fut>(test: F)
where
    F: Fn(World) -> Fut,
    Fut: Future<Output = Db>,
{
    for db in fresh_dbs("flows").await {
        let db = test(World::new(db).await).await;
        done(db).await;
    }
}

const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0];

fn public_online(label: &str, hours: &str, completed: &str) -> Value {
    json!({
        "label": label, "content": "公需科目网络课程", "subject": "public", "form": "online",
        "provider": "base:1", "completed_on": completed, "hours": hours, "exam": "pass"
    })
}

fn training(label: &str, hours: &str, filing: &str) -> Value {
    json!({
        "label": label, "content": "急诊急救专题培训班", "subject": "professional",
        "form": "training_class", "filing": filing, "started_on": "2026-03-02",
        "completed_on": "2026-03-11", "hours": hours, "exam": "pass"
    })
}

/// How many evidence files officials and units have opened, as the supervisor's trail says.
async fn evidence_views(w: &World, supervisor: &Who) -> usize {
    let lines = w.get(supervisor, "/api/audit?action=evidence.view").await;
    lines.expect(StatusCode::OK).as_array().unwrap().len()
}

#[tokio::test]
async fn records_are_registered_with_evidence_listed_voided_and_closed_after_the_deadline() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        let me = w.who("zhang").await;
        let upload = w
            .raw(&me, Method::POST, "/api/evidence", Some(("image/png".into(), PNG.to_vec())))
            .await;
        let hash = upload.expect(StatusCode::CREATED)["hash"].as_str().unwrap().to_owned();
        assert_eq!(hash.len(), 64);
        let bad = w
            .raw(&me, Method::POST, "/api/evidence", Some(("image/png".into(), b"%PDF-1.7".to_vec())))
            .await;
        assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "evidence.type"));

        let mut rec = public_online("科目一", "30", "2026-09-20");
        rec["evidence"] = json!(hash);
        let uri = format!("/api/persons/{zhang}/records");
        let reply = w.post(&me, &uri, rec).await;
        let body = reply.expect(StatusCode::CREATED);
        let receipt = &body["receipts"][0];
        assert!(receipt["entry_index"].as_u64().is_some());
        assert_eq!(receipt["leaf"].as_str().unwrap().len(), 64);
        assert!(receipt["tree_size"].as_u64().unwrap() > receipt["entry_index"].as_u64().unwrap());
        assert!(body["checkpoint"].as_str().unwrap().starts_with("test.xueshi/ledger\n"));
        let first_id = body["ids"][0].as_i64().unwrap();

        // The evidence opens for those who read the person's records: as stored, never cached;
        // the unit's view is in the audit trail, the person's own is not.
        let hospital = w.who("hospital").await;
        let file = format!("/api/persons/{zhang}/evidence/{hash}");
        let supervisor = w.who("supervisor").await;
        let own = w.bytes(&me, Method::GET, &file, None).await;
        assert_eq!((own.status, own.bytes.as_slice()), (StatusCode::OK, PNG));
        assert_eq!(own.headers["content-type"], "image/png");
        assert!(own.headers["cache-control"].to_str().unwrap().contains("no-store"));
        assert_eq!(own.headers["x-content-type-options"], "nosniff");
        assert_eq!(evidence_views(&w, &supervisor).await, 0);
        let unit = w.bytes(&hospital, Method::GET, &file, None).await;
        assert_eq!((unit.status, unit.bytes.as_slice()), (StatusCode::OK, PNG));
        assert_eq!(evidence_views(&w, &supervisor).await, 1);
        let clinic = w.who("clinic").await;
        let outside = w.get(&clinic, &file).await;
        assert_eq!((outside.status, outside.code()), (StatusCode::NOT_FOUND, "person.not_found"));
        let li_id = w.persons["li"];
        let not_his = w.get(&w.who("li").await, &format!("/api/persons/{li_id}/evidence/{hash}")).await;
        assert_eq!((not_his.status, not_his.code()), (StatusCode::NOT_FOUND, "evidence.not_found"));
        let malformed = w.get(&me, &format!("/api/persons/{zhang}/evidence/xyz")).await;
        assert_eq!((malformed.status, malformed.code()), (StatusCode::BAD_REQUEST, "evidence.hash"));
        assert_eq!(evidence_views(&w, &supervisor).await, 1, "refusals disclose nothing and log no view");
        let link = format!("href=\"{file}\"");
        assert!(w.page(Some(&me), "/me").await.text.contains(&link), "the person's page links the evidence");

        // The unit registers for its staff member; another county's unit and another person may not.
        w.post(&hospital, &uri, public_online("科目二", "10", "2026-10-01"))
            .await
            .expect(StatusCode::CREATED);
        let refused = w.post(&clinic, &uri, public_online("x", "1", "2026-10-01")).await;
        assert_eq!((refused.status, refused.code()), (StatusCode::NOT_FOUND, "person.not_found"));
        let li = w.who("li").await;
        let refused = w.post(&li, &uri, public_online("x", "1", "2026-10-01")).await;
        assert_eq!((refused.status, refused.code()), (StatusCode::NOT_FOUND, "person.not_found"));

        // Bad fields name themselves; a closed year is refused with the rule.
        let mut bad = public_online("x", "1", "2026-10-01");
        bad["subject"] = json!("math");
        assert_eq!(w.post(&me, &uri, bad).await.code(), "record.subject");
        let mut both = public_online("x", "1", "2026-10-01");
        both["minutes"] = json!(40);
        assert_eq!(w.post(&me, &uri, both).await.code(), "record.amount");
        let future = w.post(&me, &uri, public_online("x", "1", "2026-12-01")).await;
        assert_eq!(future.code(), "record.not_completed");
        let closed = w.post(&me, &uri, public_online("旧", "10", "2024-06-01")).await;
        assert_eq!((closed.status, closed.code()), (StatusCode::CONFLICT, "registration.closed"));
        assert!(closed.body["message"].as_str().unwrap().contains("2024"), "{}", closed.body);

        // Voids need a reason; a correction is registered in the same act.
        let void_uri = format!("/api/records/{first_id}/void");
        let no_reason = w.post(&hospital, &void_uri, json!({ "reason": " " })).await;
        assert_eq!(no_reason.code(), "void.reason");
        let corrected = w
            .post(
                &hospital,
                &void_uri,
                json!({ "reason": "学时填写有误", "correction": public_online("科目一更正", "20", "2026-09-20") }),
            )
            .await;
        let ids = corrected.expect(StatusCode::CREATED)["ids"].as_array().unwrap().len();
        assert_eq!(ids, 2);
        let again = w.post(&hospital, &void_uri, json!({ "reason": "再次作废" })).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

        let list = w.get(&me, &uri).await;
        let list = list.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0]["evidence"], json!(hash));
        assert_eq!(list[0]["voided"]["reason"], "学时填写有误");
        assert_eq!(list[2]["label"], "科目一更正");
        assert_eq!(list[2]["hours"], "20");
        assert!(list[1]["voided"].is_null());
        // Each record registered by hand has its own audit line: who, the record, its leaf.
        let lines = w.get(&supervisor, "/api/audit?action=record.register").await;
        let lines = lines.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0]["actor"].as_str().unwrap().starts_with("zhang"), "{lines:?}");
        assert!(lines[1]["actor"].as_str().unwrap().starts_with("hospital"), "{lines:?}");
        assert_eq!(lines[0]["subject"], format!("person:{zhang}/record:{first_id}"));
        assert_eq!(lines[0]["entry_index"], receipt["entry_index"]);
        // The decision counts the live records only: 10 + 20 public hours.
        let year = w.get(&me, &format!("/api/persons/{zhang}/years/2026")).await;
        assert_eq!(year.expect(StatusCode::OK)["hours"]["public"], "30", "{}", year.body);

        // A base's token is no account: it cannot register.
        let token = Who::Token(w.tokens["base1"].clone());
        let t = w.post(&token, &uri, public_online("x", "1", "2026-10-01")).await;
        assert_eq!(t.code(), "auth.session_required");
        w.db
    })
    .await;
}

#[tokio::test]
async fn year_pages_are_submitted_then_rejected_with_reasons_or_stamped_by_their_authority() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        let me = w.who("zhang").await;
        w.post(&me, &format!("/api/persons/{zhang}/records"), public_online("科目一", "30", "2026-09-20"))
            .await
            .expect(StatusCode::CREATED);
        let submit = format!("/api/persons/{zhang}/years/2026/submit");
        let review = format!("/api/persons/{zhang}/years/2026/review");
        let health = w.who("health").await;
        let not_yet = w.post(&health, &review, json!({ "approved": true })).await;
        assert_eq!((not_yet.status, not_yet.code()), (StatusCode::CONFLICT, "review.not_submitted"));

        w.call(&me, Method::POST, &submit, None).await.expect(StatusCode::CREATED);
        let twice = w.call(&me, Method::POST, &submit, None).await;
        assert_eq!(twice.code(), "review.pending");

        let queue = w.get(&health, "/api/reviews/pending").await;
        let queue = queue.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0]["subject"]["person_id"], json!(zhang));
        assert_eq!(queue[0]["subject"]["name"], "张晓梅");
        assert!(queue[0]["subject"]["id_masked"].as_str().unwrap().contains('*'));
        // Narrowed to a name (a fragment, matched literally) or to a unit.
        let unit_id = queue[0]["subject"]["unit_id"].as_i64().unwrap();
        for (ask, found) in [
            ("name=%E6%99%93", 1),              // 晓
            ("name=%E6%9D%8E", 0),              // 李
            ("name=%25", 0),                    // % is no wildcard
            (&*format!("unit_id={unit_id}"), 1),
            (&*format!("unit_id={}&name=%E5%BC%A0", unit_id + 1000), 0),
        ] {
            let narrowed = w.get(&health, &format!("/api/reviews/pending?{ask}")).await;
            assert_eq!(narrowed.expect(StatusCode::OK).as_array().unwrap().len(), found, "{ask}");
        }
        let long = w.get(&health, &format!("/api/reviews/pending?name={}", "%E5%BC%A0".repeat(21))).await;
        assert_eq!((long.status, long.code()), (StatusCode::BAD_REQUEST, "queue.name"));
        let desk = w.page(Some(&health), "/reviews?name=%E6%9D%8E").await;
        assert!(desk.text.contains("没有符合筛选条件的待审核年度登记") && desk.text.contains("共 1 份"), "{}", desk.text);
        let desk = w.page(Some(&health), &format!("/reviews?unit={}", unit_id + 1000)).await;
        assert!(desk.text.contains("所选单位（已无待办）") && desk.text.contains("没有符合筛选条件"), "a unit with nothing left stays chosen: {}", desk.text);
        let desk = w.page(Some(&health), &format!("/reviews?unit={unit_id}")).await;
        assert!(desk.text.contains("张晓梅 · 2026 年度") && desk.text.contains(&format!("value=\"{zhang}/years/2026\"")), "{}", desk.text);
        let other = w.who("health_sc").await;
        let none = w.get(&other, "/api/reviews/pending").await;
        assert_eq!(none.expect(StatusCode::OK).as_array().unwrap().len(), 0);
        let outside = w.post(&other, &review, json!({ "approved": true })).await;
        assert_eq!((outside.status, outside.code()), (StatusCode::NOT_FOUND, "person.not_found"));
        let city = w.who("city").await;
        assert_eq!(w.get(&city, "/api/reviews/pending").await.code(), "auth.role");

        let no_reason = w.post(&health, &review, json!({ "approved": false })).await;
        assert_eq!(no_reason.code(), "review.reasons");
        let rejected = w
            .post(
                &health,
                &review,
                json!({ "approved": false, "reasons": [{ "record": "科目一", "reason": "证书编号缺失" }] }),
            )
            .await;
        rejected.expect(StatusCode::CREATED);
        assert_eq!(w.get(&health, "/api/reviews/pending").await.body, json!([]));

        // Corrected and submitted again, then stamped.
        w.call(&me, Method::POST, &submit, None).await.expect(StatusCode::CREATED);
        let stamped = w.post(&health, &review, json!({ "approved": true })).await;
        assert!(stamped.expect(StatusCode::CREATED)["receipt"]["entry_index"].is_u64());
        let history = w.get(&me, &format!("/api/persons/{zhang}/years/2026/reviews")).await;
        let history = history.expect(StatusCode::OK).clone();
        assert_eq!(history["pending"], false);
        assert_eq!(history["acts"].as_array().unwrap().len(), 2);
        assert_eq!(history["acts"][0]["reasons"][0]["reason"], "证书编号缺失");
        assert_eq!(history["acts"][1]["approved"], true);
        assert!(history["acts"][1]["actor"].as_str().unwrap().starts_with("health"));
        w.db
    })
    .await;
}

#[tokio::test]
async fn a_filing_is_numbered_by_the_bureau_that_approves_it_and_carries_its_plan() {
    each(|w| async move {
        w.set_today("2026-02-09");
        let provider = Who::Token(w.tokens["provider"].clone());
        let city = w.who("city").await;
        // An older filing that came with its number (a paper filing entered before).
        let paper = json!({ "number": "六人社培备〔2026〕7号", "title": "旧备案", "region": "341500",
                            "starts_on": "2026-03-01", "ends_on": "2026-03-31" });
        w.post(&provider, "/api/filings", paper).await.expect(StatusCode::CREATED);
        // The provider attaches its plan and files hours, content, venue and trainees: no number.
        let pdf = b"%PDF-1.7 training plan".to_vec();
        let plan = w.raw(&provider, Method::POST, "/api/evidence", Some(("application/pdf".into(), pdf.clone()))).await;
        let plan = plan.expect(StatusCode::CREATED)["hash"].as_str().unwrap().to_owned();
        let body = |k: &str, v: Value| {
            let mut b = json!({ "title": "急诊急救专题培训班", "region": "341500", "starts_on": "2026-03-01",
                                "ends_on": "2026-03-31", "hours": "24", "content": "心肺复苏与创伤急救",
                                "venue": "六安市人民医院培训中心", "trainees": 80, "attachment": plan });
            b[k] = v;
            b
        };
        for (field, value, code) in [
            ("hours", json!("0"), "filing.hours"),
            ("hours", json!("1000.1"), "filing.hours"),
            ("trainees", json!(0), "filing.trainees"),
            ("venue", json!("地".repeat(201)), "filing.venue"),
            ("attachment", json!("ab".repeat(32)), "filing.attachment"),
            ("attachment", json!("xyz"), "filing.attachment"),
        ] {
            let bad = w.post(&provider, "/api/filings", body(field, value)).await;
            assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, code), "{field}");
        }
        let filed = w.post(&provider, "/api/filings", body("hours", json!("24"))).await;
        let filed = filed.expect(StatusCode::CREATED).clone();
        assert_eq!((&filed["number"], &filed["hours"], &filed["trainees"]), (&Value::Null, &json!("24"), &json!(80)), "{filed}");
        let id = filed["filing_id"].as_i64().unwrap();
        // The plan opens for the provider and the deciding bureau, not for a county's.
        let attachment = format!("/api/filings/{id}/attachment");
        for who in [&provider, &city] {
            let got = w.bytes(who, Method::GET, &attachment, None).await;
            assert_eq!((got.status, got.bytes.as_slice()), (StatusCode::OK, pdf.as_slice()));
            assert_eq!(got.headers["content-type"], "application/pdf");
        }
        assert!(w.get(&w.who("huoqiu").await, &attachment).await.status.is_client_error());
        let desk = w.page(Some(&city), "/filings").await;
        assert!(desk.text.contains("待人社部门同意时分配") && desk.text.contains("六安市人民医院培训中心") && desk.text.contains("分配备案编号"), "{}", desk.text);
        // The bureau assigns the number when it approves: required, and not another filing's.
        let decide = format!("/api/filings/{id}/decision");
        let none = w.post(&city, &decide, json!({ "approved": true })).await;
        assert_eq!((none.status, none.code()), (StatusCode::BAD_REQUEST, "filing.number"));
        let taken = w.post(&city, &decide, json!({ "approved": true, "number": "六人社培备〔2026〕7号" })).await;
        assert_eq!((taken.status, taken.code()), (StatusCode::CONFLICT, "filing.number_taken"));
        w.post(&city, &decide, json!({ "approved": true, "number": "六人社培备〔2026〕12号" })).await.expect(StatusCode::CREATED);
        let mine = w.get(&provider, "/api/filings").await;
        let mine = mine.expect(StatusCode::OK).clone();
        assert!(mine.as_array().unwrap().iter().any(|f| f["filing_id"] == json!(id) && f["number"] == "六人社培备〔2026〕12号" && f["status"] == "approved"), "{mine}");
        // A record naming the assigned number counts (D8).
        w.set_today("2026-11-26");
        let zhang = w.persons["zhang"];
        let me = w.who("zhang").await;
        let check = w.post(&me, &format!("/api/persons/{zhang}/records/check"), training("培训班", "24", "六人社培备〔2026〕12号")).await;
        assert_eq!(check.expect(StatusCode::OK)["counts"], json!(true), "{}", check.body);
        w.db
    })
    .await;
}

#[tokio::test]
async fn filed_training_counts_and_verification_is_routed_explained_and_refused_when_short() {
    each(|w| async move {
        let (zhang, li) = (w.persons["zhang"], w.persons["li"]);
        // A provider files its training plan by API token in February; the city bureau
        // approves it before the training starts.
        w.set_today("2026-02-09");
        let provider = Who::Token(w.tokens["provider"].clone());
        let filing = w
            .post(
                &provider,
                "/api/filings",
                json!({ "number": "六人社培备〔2026〕7号", "title": "急诊急救专题培训班", "region": "341500",
                        "starts_on": "2026-03-01", "ends_on": "2026-03-31" }),
            )
            .await;
        let filing_id = filing.expect(StatusCode::CREATED)["filing_id"].as_i64().unwrap();
        assert_eq!(filing.body["status"], "pending");
        let city = w.who("city").await;
        let queue = w.get(&city, "/api/filings").await;
        assert_eq!(queue.expect(StatusCode::OK).as_array().unwrap().len(), 1);
        let huoqiu = w.who("huoqiu").await;
        assert_eq!(w.get(&huoqiu, "/api/filings").await.body, json!([]));
        let decide = format!("/api/filings/{filing_id}/decision");
        assert_eq!(w.post(&huoqiu, &decide, json!({ "approved": true })).await.code(), "auth.jurisdiction");
        assert_eq!(w.post(&city, &decide, json!({ "approved": false })).await.code(), "filing.reason");
        w.post(&city, &decide, json!({ "approved": true })).await.expect(StatusCode::CREATED);
        assert_eq!(w.post(&city, &decide, json!({ "approved": true })).await.code(), "filing.decided");
        // Months later (sessions have expired: sign in again).
        w.set_today("2026-11-26");
        let (city, huoqiu) = (w.who("city").await, w.who("huoqiu").await);
        let mine = w.get(&provider, "/api/filings").await;
        assert_eq!(mine.expect(StatusCode::OK)[0]["status"], "approved");

        // 张晓梅: 60 professional hours of filed training and 30 public hours: compliant.
        let me = w.who("zhang").await;
        let uri = format!("/api/persons/{zhang}/records");
        // Asked before saving: an invented 备案号 would not count, and the answer says why
        // in Chinese (D8); the approved one would; asking writes nothing. The form offers
        // the approved filing to pick.
        let check = format!("{uri}/check");
        let before = w.get(&me, &uri).await.expect(StatusCode::OK).as_array().unwrap().len();
        let bad = w.post(&me, &check, training("培训班", "60", "六人社培备〔2026〕99号")).await;
        let bad = bad.expect(StatusCode::OK).clone();
        assert_eq!((bad["counts"].clone(), bad["warn"].clone()), (json!(false), json!(true)), "{bad}");
        assert_eq!(bad["credited"], "0");
        assert_eq!(bad["rule"], "training.filing_required", "{bad}");
        let said = bad["message"].as_str().unwrap();
        assert!(said.contains("不予认定：专业科目培训须事先备案同意") && !said.contains("training."), "{said}");
        let good = w.post(&me, &check, training("培训班", "60", "六人社培备〔2026〕7号")).await;
        let good = good.expect(StatusCode::OK).clone();
        assert_eq!((good["counts"].clone(), good["warn"].clone(), good["credited"].clone()), (json!(true), json!(false), json!("60")), "{good}");
        assert_eq!(w.get(&me, &uri).await.body.as_array().unwrap().len(), before, "asking writes nothing");
        let li_asks = w.who("li").await;
        assert_eq!(w.post(&li_asks, &check, training("x", "1", "x")).await.code(), "person.not_found");
        let form = w.page(Some(&me), "/me/records/new").await;
        assert!(form.text.contains("<option value=\"六人社培备〔2026〕7号\">急诊急救专题培训班"), "{}", form.text);
        assert!(form.text.contains("data-precheck="));
        w.post(&me, &uri, training("培训班", "60", "六人社培备〔2026〕7号")).await.expect(StatusCode::CREATED);
        w.post(&me, &uri, public_online("科目一", "30", "2026-09-20")).await.expect(StatusCode::CREATED);

        // Readiness before applying: compliant, the county bureau verifies junior titles.
        let ready = w
            .get(&me, &format!("/api/persons/{zhang}/readiness?level=junior&first_year=2026&last_year=2026"))
            .await;
        let ready = ready.expect(StatusCode::OK).clone();
        assert_eq!(ready["compliant"], true, "{ready}");
        assert_eq!(ready["verifier"]["name"], "霍邱县人力资源和社会保障局");
        assert!(ready["next_slot"].is_null());

        // Applications: 张晓梅 herself; 李强 through his unit (he has no hours).
        let applied = w
            .post(&me, "/api/verifications", json!({ "persons": [zhang], "level": "junior", "first_year": 2026, "last_year": 2026 }))
            .await;
        let applied = applied.expect(StatusCode::CREATED).clone();
        assert_eq!(applied[0]["verifier"]["region"], "341522");
        let zhang_app = applied[0]["application_id"].as_i64().unwrap();
        let clinic = w.who("clinic").await;
        let refused = w
            .post(&clinic, "/api/verifications", json!({ "persons": [li, zhang], "level": "junior", "first_year": 2026, "last_year": 2026 }))
            .await;
        assert_eq!(refused.code(), "auth.own_only");
        let li_app = w
            .post(&clinic, "/api/verifications", json!({ "persons": [li], "level": "junior", "first_year": 2026, "last_year": 2026 }))
            .await;
        let li_app = li_app.expect(StatusCode::CREATED)[0]["application_id"].as_i64().unwrap();
        // The unit follows what it filed: pending, with the bureau it is routed to.
        let followed = w.page(Some(&clinic), "/unit/bookings").await;
        let row = followed.text.split(&format!("data-application=\"{li_app}\"")).nth(1).expect("the application is listed").split("</tr>").next().unwrap().to_owned();
        assert!(row.contains("data-status=\"pending\"") && row.contains("李强") && row.contains("待核验") && row.contains("舒城县人力资源和社会保障局"), "{row}");
        // A senior title goes to the city bureau (30号 三).
        let senior = w
            .post(&me, "/api/verifications", json!({ "persons": [zhang], "level": "senior", "first_year": 2026, "last_year": 2026 }))
            .await;
        assert_eq!(senior.expect(StatusCode::CREATED)[0]["verifier"]["region"], "341500");
        let city_queue = w.get(&city, "/api/verifications/pending").await;
        let city_queue = city_queue.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(city_queue.len(), 1);
        assert_eq!(city_queue[0]["level"], "senior");

        let queue = w.get(&huoqiu, "/api/verifications/pending").await;
        let queue = queue.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0]["application_id"], json!(zhang_app));
        let shucheng = w.who("shucheng").await;
        let sc_queue = w.get(&shucheng, "/api/verifications/pending").await;
        assert_eq!(sc_queue.expect(StatusCode::OK)[0]["application_id"], json!(li_app));
        // The queue narrowed to a name or to the applicant's unit.
        let li_unit = sc_queue.body[0]["subject"]["unit_id"].as_i64().unwrap();
        for (ask, found) in [("name=%E6%9D%8E", 1), ("name=%E5%BC%A0", 0), (&*format!("unit_id={li_unit}&name=%E5%BC%BA"), 1), (&*format!("unit_id={}", li_unit + 1000), 0)] {
            let narrowed = w.get(&shucheng, &format!("/api/verifications/pending?{ask}")).await;
            assert_eq!(narrowed.expect(StatusCode::OK).as_array().unwrap().len(), found, "{ask}");
        }
        let desk = w.page(Some(&shucheng), &format!("/verifications?unit={li_unit}")).await;
        assert!(desk.text.contains("李强") && desk.text.contains("<option value=\"") && desk.text.contains(" selected>"), "{}", desk.text);

        // The verifier sees the engine's explanation, with citations.
        let detail = w.get(&huoqiu, &format!("/api/verifications/{zhang_app}")).await;
        let detail = detail.expect(StatusCode::OK).clone();
        assert_eq!(detail["compliant"], true);
        assert_eq!(detail["decision_hash"].as_str().unwrap().len(), 64);
        assert!(detail["decision"].to_string().contains("人社部令第25号") || detail["decision"].to_string().contains("皖人社"), "{}", detail["decision"]);

        // Only the routed bureau stamps; a stale view is refused; then the stamp.
        let decide = format!("/api/verifications/{zhang_app}/decision");
        assert_eq!(w.post(&shucheng, &decide, json!({ "approved": true })).await.code(), "auth.jurisdiction");
        assert_eq!(w.post(&city, &decide, json!({ "approved": true })).await.code(), "verification.not_routed_here");
        let stale = w.post(&huoqiu, &decide, json!({ "approved": true, "decision_hash": "0".repeat(64) })).await;
        assert_eq!(stale.code(), "verification.stale");
        let stamp = w
            .post(&huoqiu, &decide, json!({ "approved": true, "decision_hash": detail["decision_hash"] }))
            .await;
        stamp.expect(StatusCode::CREATED);
        assert_eq!(w.post(&huoqiu, &decide, json!({ "approved": true })).await.code(), "verification.answered");
        assert_eq!(w.get(&huoqiu, "/api/verifications/pending").await.body, json!([]));

        // 李强 has no hours: no stamp, however asked; a refusal is recorded.
        let decide_li = format!("/api/verifications/{li_app}/decision");
        let no = w.post(&shucheng, &decide_li, json!({ "approved": true })).await;
        assert_eq!((no.status, no.code()), (StatusCode::CONFLICT, "verification.not_compliant"));
        w.post(&shucheng, &decide_li, json!({ "approved": false, "reason": "任职周期内学时不足" })).await.expect(StatusCode::CREATED);
        // The bureau's queue no longer holds it; its list of what it handled does, with the reason.
        let desk = w.page(Some(&shucheng), "/verifications").await;
        let handled = desk.text.split("最近处理").nth(1).expect("a list of what was handled");
        let row = handled.split(&format!("data-application=\"{li_app}\"")).nth(1).expect("the refusal is listed").split("</tr>").next().unwrap();
        assert!(row.contains("未通过") && row.contains("任职周期内学时不足") && row.contains("李强"), "{row}");
        // … and the unit sees it refused: by whom, when and why.
        let followed = w.page(Some(&clinic), "/unit/bookings").await;
        let row = followed.text.split(&format!("data-application=\"{li_app}\"")).nth(1).unwrap().split("</tr>").next().unwrap().to_owned();
        assert!(row.contains("未通过") && row.contains("任职周期内学时不足") && row.contains("舒城县人力资源和社会保障局"), "{row}");

        // His readiness: what is missing and by when; the next slot once one is open.
        let li_me = w.who("li").await;
        let ready_uri = format!("/api/persons/{li}/readiness?level=junior&first_year=2026&last_year=2026");
        // A slot says when that day; times are both or neither, each a time of day, in order.
        for (starts, ends) in [("9:00", ""), ("09:00", "08:30"), ("25:00", "26:00"), ("09:00", "11:3")] {
            let bad = w.post(&shucheng, "/api/slots", json!({ "on": "2026-12-10", "online": true, "capacity": 1, "starts_at": starts, "ends_at": ends })).await;
            assert_eq!((bad.status, bad.code()), (StatusCode::BAD_REQUEST, "slot.time"), "{starts}–{ends}");
        }
        let opened = w.post(&shucheng, "/api/slots", json!({ "on": "2026-12-10", "online": false, "address": "舒城县政务服务中心三楼", "capacity": 20, "starts_at": "9:00", "ends_at": "11:30:00" }))
            .await;
        let opened = opened.expect(StatusCode::CREATED);
        assert_eq!((&opened["starts_at"], &opened["ends_at"], &opened["when"]), (&json!("09:00"), &json!("11:30"), &json!("2026-12-10 09:00—11:30")));
        let ready = w.get(&li_me, &ready_uri).await;
        let ready = ready.expect(StatusCode::OK).clone();
        assert_eq!(ready["compliant"], false);
        let missing = &ready["years"][0]["missing"];
        assert!(missing.as_array().unwrap().iter().any(|m| m["rule"] == "annual.total_min" && m["short_by"] == "90"), "{ready}");
        assert_eq!(ready["years"][0]["register_by"], "2027-05-31");
        assert_eq!(ready["next_slot"]["on"], "2026-12-10");
        assert_eq!(ready["next_slot"]["when"], "2026-12-10 09:00—11:30");
        assert!(w.page(Some(&li_me), "/me/readiness?level=junior&first_year=2026&last_year=2026").await.text.contains("2026-12-10 09:00—11:30"));
        assert_eq!(ready["next_slot"]["seats_left"], 20);
        assert_eq!(w.get(&li_me, &format!("/api/persons/{zhang}/readiness?level=junior&first_year=2026&last_year=2026")).await.code(), "person.not_found");

        // Offline (paper) verifications are recorded with their page reference.
        let offline = format!("/api/persons/{zhang}/offline-verifications");
        let no_ref = w
            .post(&huoqiu, &offline, json!({ "level": "junior", "first_year": 2018, "last_year": 2020, "paper_ref": "", "approved": true }))
            .await;
        assert_eq!(no_ref.code(), "verification.paper_ref");
        w.post(&huoqiu, &offline, json!({ "level": "junior", "first_year": 2018, "last_year": 2020, "paper_ref": "登记证书第3页", "approved": true }))
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(
            w.post(&shucheng, &offline, json!({ "level": "junior", "first_year": 2018, "last_year": 2020, "paper_ref": "p3", "approved": true })).await.code(),
            "person.not_found"
        );
        w.db
    })
    .await;
}

async fn staff(w: &World, keys: &Keys, n: usize) -> Vec<i64> {
    let mut out = Vec::new();
    for i in 0..n {
        let body = format!("3415221990010{:04}", 1000 + i);
        let p = people::insert_person(
            &w.db,
            keys,
            &NewPerson {
                id_number: IdNumber::complete(&body).unwrap(),
                name: format!("职工{i}"),
                cohort: Cohort::New,
                phone: None,
            },
            now_ms(),
        )
        .await
        .unwrap();
        people::employ(&w.db, p, w.units["hospital"], d("2021-01-01"))
            .await
            .unwrap();
        out.push(p);
    }
    out
}

#[tokio::test]
async fn parallel_bookings_never_overbook_a_slot_and_bookings_can_be_cancelled() {
    each(|w| async move {
        let keys = Keys::from_master([7; 32]);
        let staff = staff(&w, &keys, 12).await;
        let huoqiu = w.who("huoqiu").await;
        let slot = w
            .post(
                &huoqiu,
                "/api/slots",
                json!({ "on": "2026-12-03", "online": true, "capacity": 5 }),
            )
            .await;
        let slot_id = slot.expect(StatusCode::CREATED)["slot_id"]
            .as_i64()
            .unwrap();
        assert_eq!(
            w.post(
                &huoqiu,
                "/api/slots",
                json!({ "on": "2026-11-01", "online": true, "capacity": 5 })
            )
            .await
            .code(),
            "slot.on"
        );
        let hospital = w.who("hospital").await;
        let listed = w.get(&hospital, "/api/slots").await;
        assert_eq!(listed.expect(StatusCode::OK)[0]["slot_id"], json!(slot_id));

        let book = format!("/api/slots/{slot_id}/bookings");
        let clinic = w.who("clinic").await;
        assert_eq!(
            w.post(&clinic, &book, json!({ "persons": [staff[0]] }))
                .await
                .code(),
            "auth.own_only"
        );

        // Twelve single-person bookings at once for five seats.
        let replies = futures_join(&w, &hospital, &book, &staff).await;
        let ok = replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count();
        let full = replies
            .iter()
            .filter(|r| r.code() == "booking.full")
            .count();
        assert_eq!(
            (ok, full),
            (5, 7),
            "{:?}",
            replies.iter().map(|r| &r.body).collect::<Vec<_>>()
        );
        let bookings = w
            .get(&huoqiu, &format!("/api/slots/{slot_id}/bookings"))
            .await;
        let bookings = bookings.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(bookings.len(), 5);
        assert_eq!(
            w.get(&hospital, &format!("/api/slots/{slot_id}/bookings"))
                .await
                .code(),
            "auth.own_only"
        );

        let first = bookings[0]["booking_id"].as_i64().unwrap();
        let cancel = format!("/api/bookings/{first}");
        assert_eq!(
            w.call(&clinic, Method::DELETE, &cancel, None).await.code(),
            "auth.own_only"
        );
        w.call(&hospital, Method::DELETE, &cancel, None)
            .await
            .expect(StatusCode::NO_CONTENT);
        assert_eq!(
            w.call(&hospital, Method::DELETE, &cancel, None)
                .await
                .code(),
            "booking.cancelled"
        );
        let after = w.get(&hospital, "/api/slots").await;
        assert_eq!(after.expect(StatusCode::OK)[0]["booked"], 4);
        // A professional books for themself only.
        let zhang = w.who("zhang").await;
        let mine = w
            .post(&zhang, &book, json!({ "persons": [w.persons["zhang"]] }))
            .await;
        mine.expect(StatusCode::CREATED);
        assert_eq!(
            w.post(&zhang, &book, json!({ "persons": [staff[11]] }))
                .await
                .code(),
            "auth.own_only"
        );
        w.db
    })
    .await;
}

/// Sends one booking per person concurrently.
async fn futures_join(w: &World, who: &Who, uri: &str, persons: &[i64]) -> Vec<world::Reply> {
    let mut set = tokio::task::JoinSet::new();
    for &p in persons {
        let router = w.router.clone();
        let who = who.clone();
        let uri = uri.to_owned();
        set.spawn(async move {
            World::send_with(router, &who, Method::POST, &uri, json!({ "persons": [p] })).await
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        out.push(r.unwrap());
    }
    out
}

#[tokio::test]
async fn a_base_reports_certificates_row_by_row_idempotently_and_only_its_own() {
    each(|w| async move {
        let zhang_id = IdNumber::complete("34152219850612301").unwrap();
        let li_id = IdNumber::complete("34152319900101123").unwrap();
        let csv = format!(
            "身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果\n\
             {z},张晓梅,1,JX2026-0001,专业技术人员职业道德,30,2026-09-20,合格\n\
             {l},王五,1,JX2026-0002,专业技术人员职业道德,30,2026-09-20,合格\n\
             {l},李强,2,JX2026-0003,专业技术人员职业道德,30,2026-09-20,合格\n",
            z = zhang_id.expose(),
            l = li_id.expose()
        );
        let base = Who::Token(w.tokens["base1"].clone());
        let send = |csv: String| {
            w.raw(
                &base,
                Method::POST,
                "/api/base/certificates",
                Some(("text/csv".into(), csv.into_bytes())),
            )
        };
        let first = send(csv.clone()).await;
        let body = first.expect(StatusCode::OK).clone();
        assert_eq!(body["total_rows"], 3);
        assert_eq!(body["written"], 1);
        let codes: Vec<&str> = body["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&"person.name_mismatch"), "{body}");
        assert!(codes.contains(&"import.base_mismatch"), "{body}");
        assert!(
            body["rejected"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["row"].as_u64().unwrap() >= 3)
        );
        // Idempotent: the same report again writes nothing new.
        let again = send(csv).await;
        assert_eq!(again.expect(StatusCode::OK)["already_present"], 1);
        assert_eq!(again.body["written"], 0);
        let zhang = w.who("zhang").await;
        let records = w
            .get(
                &zhang,
                &format!("/api/persons/{}/records", w.persons["zhang"]),
            )
            .await;
        assert_eq!(records.expect(StatusCode::OK).as_array().unwrap().len(), 1);
        assert_eq!(records.body[0]["certificate_no"], "JX2026-0001");
        // Not a base, or not a spreadsheet.
        let provider = Who::Token(w.tokens["provider"].clone());
        let p = w
            .raw(
                &provider,
                Method::POST,
                "/api/base/certificates",
                Some(("text/csv".into(), b"x".to_vec())),
            )
            .await;
        assert_eq!(p.code(), "auth.role");
        let j = w
            .raw(
                &base,
                Method::POST,
                "/api/base/certificates",
                Some(("application/json".into(), b"{}".to_vec())),
            )
            .await;
        assert_eq!(
            (j.status, j.code()),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.content_type")
        );
        w.db
    })
    .await;
}

#[tokio::test]
async fn the_city_keeps_its_courseware_provider_register() {
    each(|w| async move {
        let city = w.who("city").await;
        let body = json!({ "provider": "皖江在线学院", "from": "2026-01-01", "to": "2026-12-31" });
        let r = w.post(&city, "/api/providers", body.clone()).await;
        assert!(r.expect(StatusCode::CREATED)["entry_index"].is_u64());
        let huoqiu = w.who("huoqiu").await;
        assert_eq!(w.post(&huoqiu, "/api/providers", body).await.code(), "auth.role");
        let bad = w.post(&city, "/api/providers", json!({ "provider": "x", "from": "2026-12-31", "to": "2026-01-01" })).await;
        assert_eq!(bad.code(), "provider.period");
        let zhang = w.who("zhang").await;
        let list = w.get(&zhang, "/api/providers").await;
        let list = list.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["provider"], "皖江在线学院");
        assert_eq!(list[0]["in_force"], true);
        // Courseware from the registered provider counts for a Lu'an professional.
        let uri = format!("/api/persons/{}/records", w.persons["zhang"]);
        let rec = json!({ "label": "课件", "content": "医学影像新进展", "subject": "professional", "form": "online",
                          "provider": "皖江在线学院", "completed_on": "2026-10-08", "hours": "10" });
        w.post(&zhang, &uri, rec).await.expect(StatusCode::CREATED);
        let year = w.get(&zhang, &format!("/api/persons/{}/years/2026", w.persons["zhang"])).await;
        assert_eq!(year.expect(StatusCode::OK)["hours"]["professional"], "10", "{}", year.body);
        w.db
    })
    .await;
}

#[tokio::test]
async fn disclosures_and_official_acts_are_in_the_audit_trail_for_supervisors() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        let huoqiu = w.who("huoqiu").await;
        let shown = w
            .get(&huoqiu, &format!("/api/persons/{zhang}/id-number"))
            .await;
        let id = shown.expect(StatusCode::OK)["id_number"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            id,
            IdNumber::complete("34152219850612301").unwrap().expose()
        );
        let li = w.who("li").await;
        assert_eq!(
            w.get(&li, &format!("/api/persons/{zhang}/id-number"))
                .await
                .code(),
            "person.not_found"
        );

        let supervisor = w.who("supervisor").await;
        let lines = w.get(&supervisor, "/api/audit?action=person.reveal").await;
        let lines = lines.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(lines.len(), 1);
        assert!(lines[0]["actor"].as_str().unwrap().starts_with("huoqiu"));
        assert_eq!(lines[0]["subject"], format!("person:{zhang}"));
        assert!(
            !lines[0].to_string().contains(&id),
            "the trail never holds the ID number"
        );
        // The line is placed where its official acts (霍邱's bureau), and so is the sign-in.
        let huoqiu_code = xueshi_domain::RegionCode::parse("341522").unwrap();
        for action in ["person.reveal", "account.login"] {
            let placed = xueshi_store::audit::audit_trail(
                &w.db,
                huoqiu_code,
                &xueshi_store::audit::AuditFilter {
                    action: Some(action),
                    ..Default::default()
                },
                100,
            )
            .await
            .unwrap();
            assert!(!placed.is_empty(), "{action}");
            assert!(placed.iter().all(|l| l.region == Some(341_522)));
        }
        w.post(
            &huoqiu,
            "/api/slots",
            json!({ "on": "2026-12-03", "online": true, "capacity": 5 }),
        )
        .await
        .expect(StatusCode::CREATED);
        let opened = w.get(&supervisor, "/api/audit?action=slot.open").await;
        let opened = opened.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(opened.len(), 1);
        assert!(opened[0]["actor"].as_str().unwrap().starts_with("huoqiu"));
        let logins = w.get(&supervisor, "/api/audit?limit=1000").await;
        assert!(logins.expect(StatusCode::OK).as_array().unwrap().len() > 1);
        let hospital = w.who("hospital").await;
        assert_eq!(w.get(&hospital, "/api/audit").await.code(), "auth.role");
        let bad = w.get(&supervisor, "/api/audit?since_ms=yesterday").await;
        assert_eq!(
            (bad.status, bad.code()),
            (StatusCode::BAD_REQUEST, "request.query")
        );
        w.db
    })
    .await;
}

#[tokio::test]
async fn a_state_owned_unit_verifies_its_own_staff_online() {
    each(|w| async move {
        let zhao = w.persons["zhao"];
        let soe = w.who("soe").await;
        // Its staff member's records are in its scope; another unit's are not.
        w.get(&soe, &format!("/api/persons/{zhao}/records"))
            .await
            .expect(StatusCode::OK);
        let other = w
            .get(
                &soe,
                &format!("/api/persons/{}/records", w.persons["zhang"]),
            )
            .await;
        assert_eq!(other.code(), "person.not_found");
        // An application by the city's routing table goes to a bureau, but the state-owned
        // unit answers its own staff's applications.
        let city = w.who("city").await;
        let queue = w.get(&soe, "/api/verifications/pending").await;
        assert_eq!(queue.expect(StatusCode::OK), &json!([]));
        let app = state_owned_application(&w, zhao).await;
        // The bureau the routing table names neither lists it nor may answer it (235号
        // 五(二): the unit's own office verifies): no staff member is verified twice.
        assert_eq!(
            w.get(&city, "/api/verifications/pending").await.body,
            json!([])
        );
        let by_city = w
            .post(
                &city,
                &format!("/api/verifications/{app}/decision"),
                json!({ "approved": false, "reason": "测试" }),
            )
            .await;
        assert_eq!(by_city.code(), "verification.not_routed_here");
        let queue = w.get(&soe, "/api/verifications/pending").await;
        assert_eq!(
            queue.expect(StatusCode::OK)[0]["application_id"],
            json!(app)
        );
        let decide = format!("/api/verifications/{app}/decision");
        let short = w.post(&soe, &decide, json!({ "approved": true })).await;
        assert_eq!(short.code(), "verification.not_compliant");
        w.post(&soe, &decide, json!({ "approved": false }))
            .await
            .expect(StatusCode::CREATED);
        assert_eq!(
            w.get(&city, "/api/verifications/pending").await.body,
            json!([])
        );
        w.db
    })
    .await;
}

/// Neither 赵刚 nor his unit's administrator has an account in this world: his application
/// is filed through the store, as it stands once a unit's administrator has filed it.
async fn state_owned_application(w: &World, zhao: i64) -> i64 {
    use xueshi_store::requests::{self, NewApplication};
    let ids = requests::apply(
        &w.db,
        &[NewApplication {
            person_id: zhao,
            level: xueshi_policy::input::TitleLevel::Intermediate,
            first_year: 2026,
            last_year: 2026,
            unit_id: w.units["power"],
            verifier_region: xueshi_domain::RegionCode::parse("341500").unwrap(),
            verifier_zone_id: None,
        }],
        &xueshi_store::audit::Line::new(
            now_ms(),
            "国网六安供电公司（人事部）",
            None,
            "verification.apply",
            "",
        ),
    )
    .await
    .unwrap();
    ids[0]
}

#[tokio::test]
async fn concurrent_registrations_are_committed_together_and_a_bad_one_sinks_no_other() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        let me = w.who("zhang").await;
        let uri = format!("/api/persons/{zhang}/records");
        w.post(&me, &uri, public_online("已有", "1", "2026-09-01"))
            .await
            .expect(StatusCode::CREATED);
        let mut set = tokio::task::JoinSet::new();
        for i in 0..24 {
            // Every sixth repeats an existing label: a conflict for that request only.
            let label = if i % 6 == 0 {
                "已有".to_owned()
            } else {
                format!("并发{i}")
            };
            let (router, who, uri) = (w.router.clone(), me.clone(), uri.clone());
            set.spawn(async move {
                World::send_with(
                    router,
                    &who,
                    Method::POST,
                    &uri,
                    public_online(&label, "1", "2026-09-02"),
                )
                .await
            });
        }
        let mut created = 0;
        let mut conflicts = 0;
        let mut indexes = std::collections::BTreeSet::new();
        while let Some(r) = set.join_next().await {
            let r = r.unwrap();
            match r.status {
                StatusCode::CREATED => {
                    created += 1;
                    assert!(indexes.insert(r.body["receipts"][0]["entry_index"].as_u64().unwrap()));
                }
                StatusCode::CONFLICT => conflicts += 1,
                other => panic!("{other}: {}", r.body),
            }
        }
        assert_eq!((created, conflicts), (20, 4));
        let list = w.get(&me, &uri).await;
        assert_eq!(list.expect(StatusCode::OK).as_array().unwrap().len(), 21);
        w.db
    })
    .await;
}

#[tokio::test]
async fn the_compliance_read_comes_from_the_kept_summary_or_from_the_engine_when_stale() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        let me = w.who("zhang").await;
        let uri = format!("/api/persons/{zhang}/years/2026/summary");
        w.post(
            &me,
            &format!("/api/persons/{zhang}/records"),
            public_online("科目一", "30", "2026-09-20"),
        )
        .await
        .expect(StatusCode::CREATED);
        // Just written: the summary is stale, the engine answers.
        let now = w.get(&me, &uri).await;
        let now = now.expect(StatusCode::OK).clone();
        assert_eq!(now["source"], "evaluated");
        assert_eq!(
            (now["compliant"].clone(), now["public"].clone()),
            (json!(false), json!("30"))
        );
        assert_eq!(now["total_short"], "60");
        xueshi_store::summaries::catch_up(&w.db, xueshi_testkit::policy(), now_ms())
            .await
            .unwrap();
        let kept = w.get(&me, &uri).await;
        let kept = kept.expect(StatusCode::OK).clone();
        assert_eq!(kept["source"], "summary");
        for field in [
            "required",
            "compliant",
            "total",
            "professional",
            "public",
            "total_short",
            "professional_short",
        ] {
            assert_eq!(kept[field], now[field], "{field}");
        }
        // The same jurisdiction as the full decision.
        let li = w.who("li").await;
        assert_eq!(w.get(&li, &uri).await.code(), "person.not_found");
        let shucheng = w.who("shucheng").await;
        assert_eq!(w.get(&shucheng, &uri).await.code(), "person.not_found");
        let huoqiu = w.who("huoqiu").await;
        w.get(&huoqiu, &uri).await.expect(StatusCode::OK);
        w.db
    })
    .await;
}
