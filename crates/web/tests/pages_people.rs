//! The pages of professionals and units, and the API they added, on a fresh world of each
//! backend (see `world/mod.rs`): each page renders for its role with real data, sends a signed
//! out visitor to the login page, and refuses (an HTML 403) roles and persons outside its
//! jurisdiction; a unit's staff list pages and filters in SQL; a unit's records import keeps
//! good files, reports every bad row (all or nothing, or the good rows kept) and refuses
//! persons who are not its staff.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod world;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use world::{Who, World};
use xueshi_domain::id_number::IdNumber;
use xueshi_store::Db;
use xueshi_testkit::{done, fresh_dbs};

/// Runs `test` against a fresh world on each backend.
async fn each<F, Fut>(test: F)
where
    F: Fn(World) -> Fut,
    Fut: Future<Output = Db>,
{
    for db in fresh_dbs("people").await {
        let db = test(World::new(db).await).await;
        done(db).await;
    }
}

/// A page as a browser gets it: status, headers and the body as text.
struct Html {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    text: String,
}

impl Html {
    #[track_caller]
    fn ok(&self) -> &str {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        &self.text
    }

    #[track_caller]
    fn refused(&self) {
        assert_eq!(self.status, StatusCode::FORBIDDEN, "{}", self.text);
        assert!(
            self.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "a refusal is an HTML page"
        );
        assert!(self.text.contains("无权访问"), "{}", self.text);
    }
}

async fn page(w: &World, who: &Who, uri: &str) -> Html {
    let mut b = Request::builder().method(Method::GET).uri(uri);
    if let Who::Browser { cookie, .. } = who {
        b = b.header(header::COOKIE, cookie);
    }
    let res = w
        .router
        .clone()
        .oneshot(b.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    Html {
        status,
        headers,
        text: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

fn masked(body: &str) -> String {
    IdNumber::complete(body).unwrap().masked()
}

fn id(body: &str) -> String {
    IdNumber::complete(body).unwrap().expose().to_owned()
}

const ZHANG: &str = "34152219850612301";
const LI: &str = "34152319900101123";
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

fn public_online(label: &str, hours: &str, completed: &str) -> Value {
    json!({
        "label": label, "content": "公需科目网络课程", "subject": "public", "form": "online",
        "provider": "base:1", "completed_on": completed, "hours": hours, "exam": "pass"
    })
}

/// 张晓梅's year so far: a base course with evidence (credited), one without a passed exam
/// (rejected), and a voided record.
async fn zhang_registers(w: &World) {
    let zhang = w.persons["zhang"];
    let me = w.who("zhang").await;
    let up = w
        .raw(
            &me,
            Method::POST,
            "/api/evidence",
            Some(("application/pdf".into(), PDF.to_vec())),
        )
        .await;
    let hash = up.expect(StatusCode::CREATED)["hash"].clone();
    let uri = format!("/api/persons/{zhang}/records");
    let mut first = public_online("科目一课程", "20", "2026-09-20");
    first["evidence"] = hash;
    w.post(&me, &uri, first).await.expect(StatusCode::CREATED);
    let mut failed = public_online("科目二课程", "10", "2026-10-01");
    failed["provider"] = json!("base:2");
    failed["exam"] = json!("fail");
    w.post(&me, &uri, failed).await.expect(StatusCode::CREATED);
    let wrong = w
        .post(&me, &uri, public_online("录错的课程", "5", "2026-10-02"))
        .await;
    let wrong_id = wrong.expect(StatusCode::CREATED)["ids"][0]
        .as_i64()
        .unwrap();
    w.post(
        &me,
        &format!("/api/records/{wrong_id}/void"),
        json!({ "reason": "重复登记" }),
    )
    .await
    .expect(StatusCode::CREATED);
}

#[tokio::test]
async fn a_professional_sees_each_year_registers_and_checks_readiness() {
    each(|w| async move {
        zhang_registers(&w).await;
        let me = w.who("zhang").await;

        let html = page(&w, &me, "/me").await;
        let text = html.ok();
        for expected in [
            "我的学时",
            "2026 年度",
            "2025 年度",
            "2024 年度",
            "未达标",
            "总学时",
            "20 / 90 学时",
            "还差 70 学时",
            "2027-05-31",
            "科目一课程",
            "认定 20 学时",
            "不予认定",
            "线上基地公需课须考试合格",
            "皖人社函〔2026〕235号",
            "已作废",
            "重复登记",
            "尚未提交审核",
            "霍邱县第一人民医院",
            "去登记学习",
            "作废理由",
        ] {
            assert!(text.contains(expected), "/me lacks {expected}:\n{text}");
        }
        assert!(text.contains(&masked(ZHANG)) && !text.contains(&id(ZHANG)));
        // The rule is named in Chinese; its id is for programs (issue 13).
        assert!(!text.contains("public.online_base_exam"), "{text}");
        // A record just registered is marked.
        let list = w
            .get(&me, &format!("/api/persons/{}/records", w.persons["zhang"]))
            .await;
        let first = list.body[0]["id"].as_i64().unwrap();
        let fresh = page(&w, &me, &format!("/me?new={first}")).await;
        assert!(fresh.ok().contains("新登记"));

        let form = page(&w, &me, "/me/records/new").await;
        let text = form.ok();
        for expected in [
            "登记学习",
            "2026 年度",
            "2027-05-31",
            "data-api=\"/api/persons/",
            "data-upload=\"/api/evidence\"",
            "培训班、研修班或进修班",
            "安徽开放大学",
            "每 40 分钟折合 1 学时",
            "name=\"completed_on\"",
        ] {
            assert!(text.contains(expected), "the form lacks {expected}:\n{text}");
        }

        // Readiness: the county bureau verifies junior titles; its slot can be booked.
        let huoqiu = w.who("huoqiu").await;
        w.post(
            &huoqiu,
            "/api/slots",
            json!({ "on": "2026-12-10", "online": false, "address": "霍邱县政务服务中心", "capacity": 20 }),
        )
        .await
        .expect(StatusCode::CREATED);
        let ready = page(
            &w,
            &me,
            "/me/readiness?level=junior&first_year=2025&last_year=2026",
        )
        .await;
        let text = ready.ok();
        for expected in [
            "职称申报准备",
            "学时尚不满足",
            "霍邱县人力资源和社会保障局",
            "还差",
            "2026-12-10",
            "霍邱县政务服务中心",
            "预约该时段",
            "申请学时核验",
            "data-api=\"/api/verifications\"",
            "（已截止）",
        ] {
            assert!(text.contains(expected), "readiness lacks {expected}:\n{text}");
        }
        // With no plan yet, the page asks for one.
        assert!(page(&w, &me, "/me/readiness").await.ok().contains("请选择职称级别"));
        w.db
    })
    .await;
}

/// D13: a county professional whose cycle ended before 2026 checks readiness and applies in
/// 2026 from the page; the table of the day of application routes it (30号 三).
#[tokio::test]
async fn a_county_professional_with_a_2021_2025_cycle_checks_readiness_and_applies_in_2026() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        let me = w.session("zhang").await;
        let ready = page(
            &w,
            &me,
            "/me/readiness?level=intermediate&first_year=2021&last_year=2025",
        )
        .await;
        let text = ready.ok();
        for expected in [
            "职称申报准备",
            "霍邱县人力资源和社会保障局",
            "六人社秘〔2026〕30号 三",
            "申请学时核验",
            "data-api=\"/api/verifications\"",
            "name=\"first_year\" data-type=\"int\" value=\"2021\"",
            "name=\"last_year\" data-type=\"int\" value=\"2025\"",
        ] {
            assert!(
                text.contains(expected),
                "readiness lacks {expected}:\n{text}"
            );
        }
        assert!(!text.contains("没有学时验证路由表"), "{text}");
        // What the page's form sends.
        let applied = w
            .post(
                &me,
                "/api/verifications",
                json!({ "persons": [zhang], "level": "intermediate",
                        "first_year": 2021, "last_year": 2025 }),
            )
            .await;
        let body = applied.expect(StatusCode::CREATED);
        assert_eq!(body[0]["verifier"]["region"], json!("341522"), "{body}");
        w.db
    })
    .await;
}

#[tokio::test]
async fn signed_out_visitors_go_to_the_login_page() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        for uri in [
            "/me".to_owned(),
            "/me/records/new".to_owned(),
            "/me/readiness".to_owned(),
            format!("/persons/{zhang}"),
            "/unit/staff".to_owned(),
            "/unit/import".to_owned(),
            "/unit/import/template.csv".to_owned(),
            "/unit/submit".to_owned(),
            "/unit/bookings".to_owned(),
        ] {
            let html = page(&w, &Who::Nobody, &uri).await;
            assert_eq!(html.status, StatusCode::SEE_OTHER, "{uri}");
            let to = html.headers[header::LOCATION].to_str().unwrap();
            assert!(to.starts_with("/login?next=/"), "{uri} → {to}");
        }
        w.db
    })
    .await;
}

#[tokio::test]
async fn pages_are_refused_to_roles_and_persons_outside_their_jurisdiction() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        let person = format!("/persons/{zhang}");
        // The professional's own pages are for professionals only.
        for login in ["hospital", "city", "health"] {
            let who = w.who(login).await;
            for uri in ["/me", "/me/records/new", "/me/readiness"] {
                page(&w, &who, uri).await.refused();
            }
        }
        // A person's page: another professional, another county's unit, authority or bureau.
        for login in [
            "li",
            "clinic",
            "health_sc",
            "shucheng",
            "hefei",
            "soe",
            "supervisor",
        ] {
            page(&w, &w.who(login).await, &person).await.refused();
        }
        // ... and shown to those who may see the records, read-only for all but the person.
        for login in ["hospital", "health", "huoqiu", "city"] {
            let html = page(&w, &w.who(login).await, &person).await;
            let text = html.ok();
            assert!(text.contains("张晓梅 的学时"), "{login}: {text}");
            assert!(!text.contains("作废理由"), "{login} sees no forms");
        }
        assert!(
            page(&w, &w.who("zhang").await, &person)
                .await
                .ok()
                .contains("去登记学习")
        );
        // Unit pages: units only; the state-owned unit has its staff list only.
        for login in [
            "zhang",
            "health",
            "city",
            "huoqiu",
            "supervisor",
            "provider",
        ] {
            let who = w.who(login).await;
            for uri in [
                "/unit/staff",
                "/unit/import",
                "/unit/submit",
                "/unit/bookings",
            ] {
                page(&w, &who, uri).await.refused();
            }
        }
        let soe = w.who("soe").await;
        assert!(page(&w, &soe, "/unit/staff").await.ok().contains("赵刚"));
        for uri in ["/unit/import", "/unit/submit", "/unit/bookings"] {
            page(&w, &soe, uri).await.refused();
        }
        w.db
    })
    .await;
}

#[tokio::test]
async fn a_unit_lists_its_staff_submits_their_years_and_books_verification() {
    each(|w| async move {
        zhang_registers(&w).await;
        let (zhang, hospital_id) = (w.persons["zhang"], w.units["hospital"]);
        let hospital = w.who("hospital").await;

        let staff = page(&w, &hospital, "/unit/staff?year=2026").await;
        let text = staff.ok();
        for expected in [
            "职工学时",
            "霍邱县第一人民医院",
            "张晓梅",
            &masked(ZHANG),
            "差 70 学时（专业差 60）",
            &format!("href=\"/persons/{zhang}\""),
            "未提交",
            "第 1 / 1 页，共 1 人",
        ] {
            assert!(text.contains(expected), "staff lacks {expected}:\n{text}");
        }
        assert!(!text.contains(&id(ZHANG)), "ID numbers are masked");
        assert!(!text.contains("李强"), "another unit's staff");
        let filtered = page(&w, &hospital, "/unit/staff?year=2026&status=compliant").await;
        assert!(filtered.ok().contains("没有符合条件的职工"));
        let by_name = page(&w, &hospital, "/unit/staff?year=2026&name=%E6%99%93").await;
        assert!(by_name.ok().contains("张晓梅"));

        // Submit: the page offers it; the authority rejects with a reason; the page shows it.
        let submit = page(&w, &hospital, "/unit/submit?year=2026").await;
        let text = submit.ok();
        assert!(text.contains(&format!("/api/persons/{zhang}/years/2026/submit")), "{text}");
        w.call(&hospital, Method::POST, &format!("/api/persons/{zhang}/years/2026/submit"), None)
            .await
            .expect(StatusCode::CREATED);
        assert!(page(&w, &hospital, "/unit/submit?year=2026").await.ok().contains("审核中"));
        let health = w.who("health").await;
        w.post(
            &health,
            &format!("/api/persons/{zhang}/years/2026/review"),
            json!({ "approved": false, "reasons": [{ "record": "科目二课程", "reason": "考试未合格，请补考" }] }),
        )
        .await
        .expect(StatusCode::CREATED);
        let text = page(&w, &hospital, "/unit/submit?year=2026").await.ok().to_owned();
        assert!(text.contains("被退回") && text.contains("考试未合格，请补考"), "{text}");
        let mine = page(&w, &w.who("zhang").await, "/me").await.ok().to_owned();
        assert!(mine.contains("审核退回") && mine.contains("考试未合格，请补考"), "{mine}");

        // Bookings: the verifiers by level, their slots; book for staff, see it, cancel it.
        let huoqiu = w.who("huoqiu").await;
        let slot = w
            .post(
                &huoqiu,
                "/api/slots",
                json!({ "on": "2026-12-10", "online": true, "capacity": 5 }),
            )
            .await;
        let slot_id = slot.expect(StatusCode::CREATED)["slot_id"].as_i64().unwrap();
        let text = page(&w, &hospital, "/unit/bookings").await.ok().to_owned();
        for expected in [
            "霍邱县人力资源和社会保障局",
            "六安市人力资源和社会保障局",
            "初级职称、中级职称",
            "高级职称",
            "2026-12-10 · 线上",
            "data-pick value=\"",
            "暂无预约",
        ] {
            assert!(text.contains(expected), "bookings lack {expected}:\n{text}");
        }
        w.post(&hospital, &format!("/api/slots/{slot_id}/bookings"), json!({ "persons": [zhang] }))
            .await
            .expect(StatusCode::CREATED);
        let booked = w.get(&hospital, &format!("/api/units/{hospital_id}/bookings")).await;
        let booked = booked.expect(StatusCode::OK).clone();
        assert_eq!(booked[0]["persons"][0]["name"], "张晓梅");
        assert_eq!(booked[0]["slot"]["on"], "2026-12-10");
        let text = page(&w, &hospital, "/unit/bookings").await.ok().to_owned();
        assert!(text.contains("已预约") && text.contains("取消"), "{text}");
        // The professional sees the booking too, and her unit's application.
        w.post(
            &hospital,
            "/api/verifications",
            json!({ "persons": [zhang], "level": "junior", "first_year": 2026, "last_year": 2026 }),
        )
        .await
        .expect(StatusCode::CREATED);
        let mine = page(&w, &w.who("zhang").await, "/me").await.ok().to_owned();
        assert!(mine.contains("待核验") && mine.contains("初级职称") && mine.contains("2026-12-10"), "{mine}");
        // Others may not read the unit's bookings or staff.
        let clinic = w.who("clinic").await;
        for uri in [
            format!("/api/units/{hospital_id}/bookings"),
            format!("/api/units/{hospital_id}/staff"),
            format!("/api/units/{hospital_id}/verifiers"),
        ] {
            assert_eq!(w.get(&clinic, &uri).await.code(), "auth.own_only", "{uri}");
            assert_eq!(w.get(&w.who("zhang").await, &uri).await.code(), "auth.role", "{uri}");
        }
        w.db
    })
    .await;
}

#[tokio::test]
async fn the_staff_list_pages_and_filters_in_sql_and_is_authorized_by_jurisdiction() {
    each(|w| async move {
        let keys = xueshi_store::Keys::from_master([7; 32]);
        let hospital_id = w.units["hospital"];
        // Eleven more staff at the hospital, and one who moved to the clinic during 2026.
        for i in 0..11 {
            let body = format!("341522199001{:02}{:03}", 10 + i, 100 + i);
            let p = xueshi_store::people::insert_person(
                &w.db,
                &keys,
                &xueshi_store::people::NewPerson {
                    id_number: IdNumber::complete(&body).unwrap(),
                    name: format!("职工{i:02}"),
                    cohort: xueshi_policy::input::Cohort::New,
                    phone: None,
                },
                world::now_ms(),
            )
            .await
            .unwrap();
            xueshi_store::people::employ(&w.db, p, hospital_id, world::d("2021-01-01"))
                .await
                .unwrap();
        }
        let hospital = w.who("hospital").await;
        let uri = format!("/api/units/{hospital_id}/staff?year=2026&per_page=5");
        let first = w.get(&hospital, &uri).await;
        let first = first.expect(StatusCode::OK).clone();
        assert_eq!(first["total"], 12);
        assert_eq!(first["counts"]["all"], 12);
        assert_eq!(first["rows"].as_array().unwrap().len(), 5);
        assert_eq!(first["rows"][0]["status"], "short", "{first}");
        assert_eq!(first["rows"][0]["source"], "evaluated");
        let third = w.get(&hospital, &format!("{uri}&page=3")).await;
        let third = third.expect(StatusCode::OK).clone();
        assert_eq!(third["rows"].as_array().unwrap().len(), 2);
        let names: Vec<&str> = third["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"张晓梅") || names.iter().all(|n| n.starts_with("职工")),
            "{third}"
        );
        let by_name = w.get(&hospital, &format!("{uri}&name=%E5%BC%A0")).await;
        assert_eq!(by_name.body["total"], 1, "{}", by_name.body);
        assert_eq!(by_name.body["rows"][0]["name"], "张晓梅");
        // A name with LIKE's wildcards is matched literally.
        let none = w.get(&hospital, &format!("{uri}&name=%25")).await;
        assert_eq!(none.body["total"], 0, "{}", none.body);
        // The kept summaries, once refreshed, answer the list and its counts.
        xueshi_store::summaries::open_year(&w.db, 2026)
            .await
            .unwrap();
        xueshi_store::summaries::catch_up(&w.db, xueshi_testkit::policy(), world::now_ms())
            .await
            .unwrap();
        let kept = w.get(&hospital, &format!("{uri}&status=short")).await;
        let kept = kept.expect(StatusCode::OK).clone();
        assert_eq!(
            (kept["total"].as_i64(), kept["counts"]["unknown"].as_i64()),
            (Some(12), Some(0)),
            "{kept}"
        );
        assert_eq!(kept["rows"][0]["source"], "summary");
        assert_eq!(
            w.get(&hospital, &format!("{uri}&status=compliant"))
                .await
                .body["total"],
            0
        );
        assert_eq!(
            w.get(&hospital, &format!("{uri}&status=bogus"))
                .await
                .code(),
            "staff.status"
        );
        assert_eq!(
            w.get(
                &hospital,
                &format!("/api/units/{hospital_id}/staff?year=1999")
            )
            .await
            .code(),
            "staff.year"
        );
        assert_eq!(
            w.get(&hospital, "/api/units/999999/staff").await.code(),
            "unit.not_found"
        );
        // The county's health authority may read it; the neighbour county's may not.
        w.get(&w.who("health").await, &uri)
            .await
            .expect(StatusCode::OK);
        w.get(&w.who("huoqiu").await, &uri)
            .await
            .expect(StatusCode::OK);
        assert_eq!(
            w.get(&w.who("health_sc").await, &uri).await.code(),
            "auth.jurisdiction"
        );
        // The page pages too.
        let html = page(&w, &hospital, "/unit/staff?year=2026").await;
        assert!(html.ok().contains("共 12 人"));
        w.db
    })
    .await;
}

fn csv(rows: &[String]) -> Vec<u8> {
    let mut s = "身份证号,姓名,记录编号,内容,科目,形式,提供单位,完成日期,学时,考试\n".to_owned();
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

async fn import(w: &World, who: &Who, unit: i64, keep_good: bool, file: Vec<u8>) -> world::Reply {
    w.raw(
        who,
        Method::POST,
        &format!("/api/units/{unit}/import?keep_good={keep_good}"),
        Some(("text/csv".to_owned(), file)),
    )
    .await
}

#[tokio::test]
async fn a_unit_imports_its_staff_records_reporting_every_bad_row() {
    each(|w| async move {
        let (zhang, hospital_id) = (w.persons["zhang"], w.units["hospital"]);
        let hospital = w.who("hospital").await;
        let good = |label: &str, hours: &str| {
            format!(
                "{},张晓梅,{label},公需课程,公需科目,网络学习,人社部门,2026-06-01,{hours},无",
                id(ZHANG)
            )
        };
        // A good file: written; again: already present.
        let file = csv(&[good("I-1", "12"), good("I-2", "8")]);
        let r = import(&w, &hospital, hospital_id, false, file.clone()).await;
        let body = r.expect(StatusCode::OK).clone();
        assert_eq!(
            (body["written"].as_u64(), body["rejected_rows"].as_u64()),
            (Some(2), Some(0)),
            "{body}"
        );
        assert_eq!(body["written_list"], "2–3");
        let again = import(&w, &hospital, hospital_id, false, file).await;
        assert_eq!(
            (
                again.body["written"].as_u64(),
                again.body["already_present"].as_u64()
            ),
            (Some(0), Some(2))
        );
        let listed = w
            .get(&hospital, &format!("/api/persons/{zhang}/records"))
            .await;
        assert_eq!(listed.body.as_array().unwrap().len(), 2);

        // Bad rows: a wrong name, another unit's staff member, a closed year, a bad ID.
        let bad_id = {
            let mut s = id(ZHANG);
            let last = if s.ends_with('0') { '1' } else { '0' };
            s.pop();
            s.push(last);
            s
        };
        let rows = [
            good("I-3", "6"),
            format!(
                "{},张三,I-4,课程,公需科目,网络学习,人社部门,2026-06-01,6,无",
                id(ZHANG)
            ),
            format!(
                "{},李强,I-5,课程,公需科目,网络学习,人社部门,2026-06-01,6,无",
                id(LI)
            ),
            format!(
                "{},张晓梅,I-6,课程,公需科目,网络学习,人社部门,2024-06-01,6,无",
                id(ZHANG)
            ),
            format!("{bad_id},张晓梅,I-7,课程,公需科目,网络学习,人社部门,2026-06-01,6,无"),
        ];
        let r = import(&w, &hospital, hospital_id, false, csv(&rows)).await;
        let body = r.expect(StatusCode::OK).clone();
        assert_eq!(body["written"], 0, "all or nothing: {body}");
        assert_eq!(body["rejected_rows"], 4, "{body}");
        let codes: Vec<(u64, &str, &str)> = body["rejected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["row"].as_u64().unwrap(),
                    e["column"].as_str().unwrap(),
                    e["code"].as_str().unwrap(),
                )
            })
            .collect();
        assert!(
            codes.contains(&(3, "姓名", "person.name_mismatch")),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(4, "身份证号", "person.not_staff")),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(5, "完成日期", "registration.closed")),
            "{codes:?}"
        );
        assert!(
            codes
                .iter()
                .any(|(row, col, _)| *row == 6 && *col == "身份证号"),
            "{codes:?}"
        );
        assert!(
            body["summary"].as_str().unwrap().contains("未写入任何数据"),
            "{body}"
        );
        for e in body["rejected"].as_array().unwrap() {
            assert!(!e["message"].as_str().unwrap().is_empty());
        }
        // Keeping the good rows writes row 2 only.
        let r = import(&w, &hospital, hospital_id, true, csv(&rows)).await;
        let body = r.expect(StatusCode::OK).clone();
        assert_eq!(
            (body["written"].as_u64(), body["written_list"].as_str()),
            (Some(1), Some("2")),
            "{body}"
        );
        assert_eq!(body["mode"], "keep_good");
        let li = w
            .get(
                &w.who("clinic").await,
                &format!("/api/persons/{}/records", w.persons["li"]),
            )
            .await;
        assert_eq!(
            li.body,
            json!([]),
            "nothing written for another unit's staff"
        );
        // A registration date other than today is refused on line.
        let dated = "身份证号,姓名,记录编号,内容,科目,形式,提供单位,完成日期,学时,登记日期\n"
            .to_owned()
            + &format!(
                "{},张晓梅,I-9,课程,公需科目,网络学习,人社部门,2026-06-01,6,2026-06-02\n",
                id(ZHANG)
            );
        let r = import(&w, &hospital, hospital_id, false, dated.into_bytes()).await;
        assert_eq!(
            r.body["rejected"][0]["code"], "record.registered_on",
            "{}",
            r.body
        );

        // Who may import where, and what.
        let clinic = w.who("clinic").await;
        let refused = import(&w, &clinic, hospital_id, false, csv(&[good("X", "1")])).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::FORBIDDEN, "auth.own_only")
        );
        for login in ["zhang", "health", "huoqiu", "soe"] {
            let r = import(
                &w,
                &w.who(login).await,
                hospital_id,
                false,
                csv(&[good("X", "1")]),
            )
            .await;
            assert_eq!(
                (r.status, r.code()),
                (StatusCode::FORBIDDEN, "auth.role"),
                "{login}"
            );
        }
        let r = w
            .raw(
                &hospital,
                Method::POST,
                &format!("/api/units/{hospital_id}/import"),
                Some(("application/json".into(), b"{}".to_vec())),
            )
            .await;
        assert_eq!(
            (r.status, r.code()),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.content_type")
        );
        let xls = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1].to_vec();
        let r = w
            .raw(
                &hospital,
                Method::POST,
                &format!("/api/units/{hospital_id}/import"),
                Some(("application/vnd.ms-excel".into(), xls)),
            )
            .await;
        assert!(
            r.body["message"].as_str().unwrap().contains(".xls"),
            "{}",
            r.body
        );
        let r = import(&w, &hospital, 999_999, false, csv(&[good("X", "1")])).await;
        assert_eq!(r.code(), "unit.not_found");

        // The page and its template.
        let html = page(&w, &hospital, "/unit/import").await;
        let text = html.ok();
        assert!(
            text.contains(&format!("/api/units/{hospital_id}/import?keep_good=false")),
            "{text}"
        );
        assert!(text.contains("data-keep-good") && text.contains("/unit/import/template.csv"));
        let t = page(&w, &hospital, "/unit/import/template.csv").await;
        assert!(
            t.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(
            t.ok()
                .starts_with("\u{feff}身份证号,姓名,记录编号,内容,科目,形式")
        );
        // The template's header is one the importer takes.
        let filled = format!(
            "{}{},张晓梅,T-1,课程,公需科目,网络学习,人社部门,,2026-06-01,3,,,,,,,\n",
            t.text.trim_start_matches('\u{feff}'),
            id(ZHANG)
        );
        let r = import(&w, &hospital, hospital_id, false, filled.into_bytes()).await;
        assert_eq!(
            (r.body["written"].as_u64(), r.body["rejected_rows"].as_u64()),
            (Some(1), Some(0)),
            "{}",
            r.body
        );
        w.db
    })
    .await;
}

#[tokio::test]
async fn a_persons_profile_applications_and_bookings_are_read_as_records_are() {
    each(|w| async move {
        let zhang = w.persons["zhang"];
        let me = w.who("zhang").await;
        let profile = w.get(&me, &format!("/api/persons/{zhang}/profile")).await;
        let profile = profile.expect(StatusCode::OK).clone();
        assert_eq!(profile["name"], "张晓梅");
        assert_eq!(profile["unit_name"], "霍邱县第一人民医院");
        assert_eq!(profile["open_years"][0]["year"], 2026, "{profile}");
        assert_eq!(profile["open_years"][0]["register_by"], "2027-05-31");
        for uri in ["profile", "verifications", "bookings"] {
            let uri = format!("/api/persons/{zhang}/{uri}");
            w.get(&me, &uri).await.expect(StatusCode::OK);
            w.get(&w.who("hospital").await, &uri)
                .await
                .expect(StatusCode::OK);
            assert_eq!(
                w.get(&w.who("li").await, &uri).await.code(),
                "person.not_found"
            );
            assert_eq!(
                w.get(&w.who("clinic").await, &uri).await.code(),
                "person.not_found"
            );
            assert_eq!(
                w.get(&w.who("shucheng").await, &uri).await.code(),
                "person.not_found"
            );
            assert_eq!(
                w.get(&w.who("supervisor").await, &uri).await.code(),
                "person.not_found"
            );
        }
        // A batch booking names only the person in their own list.
        let keys = xueshi_store::Keys::from_master([7; 32]);
        let colleague = xueshi_store::people::insert_person(
            &w.db,
            &keys,
            &xueshi_store::people::NewPerson {
                id_number: IdNumber::complete("34152219920202123").unwrap(),
                name: "同事甲".to_owned(),
                cohort: xueshi_policy::input::Cohort::New,
                phone: None,
            },
            world::now_ms(),
        )
        .await
        .unwrap();
        xueshi_store::people::employ(
            &w.db,
            colleague,
            w.units["hospital"],
            world::d("2021-01-01"),
        )
        .await
        .unwrap();
        let huoqiu = w.who("huoqiu").await;
        let slot = w
            .post(
                &huoqiu,
                "/api/slots",
                json!({ "on": "2026-12-11", "online": true, "capacity": 5 }),
            )
            .await;
        let slot_id = slot.expect(StatusCode::CREATED)["slot_id"]
            .as_i64()
            .unwrap();
        let hospital = w.who("hospital").await;
        w.post(
            &hospital,
            &format!("/api/slots/{slot_id}/bookings"),
            json!({ "persons": [zhang, colleague] }),
        )
        .await
        .expect(StatusCode::CREATED);
        let mine = w.get(&me, &format!("/api/persons/{zhang}/bookings")).await;
        assert_eq!(
            mine.body[0]["persons"],
            json!([{ "person_id": zhang, "name": "张晓梅" }]),
            "{}",
            mine.body
        );
        let unit = w
            .get(
                &hospital,
                &format!("/api/units/{}/bookings", w.units["hospital"]),
            )
            .await;
        assert_eq!(unit.body[0]["persons"].as_array().unwrap().len(), 2);
        w.db
    })
    .await;
}

/// Whatever carries personal data is never stored by a browser or a proxy: the pages of a
/// person, a unit's staff, the audit trail, and the API's answers about a person — the ID
/// number disclosed (D19) first — and the hidden answer about a person one may not see.
#[tokio::test]
async fn pages_and_answers_with_personal_data_are_no_store() {
    for db in fresh_dbs("web").await {
        let w = World::new(db).await;
        let zhang_id = w.persons["zhang"];
        let zhang = w.who("zhang").await;
        let hospital = w.who("hospital").await;
        let huoqiu = w.who("huoqiu").await;
        let supervisor = w.who("supervisor").await;
        let shucheng = w.who("shucheng").await;
        let mut checked = 0;
        for (who, uri) in [
            (&zhang, "/me".to_owned()),
            (&zhang, "/me/readiness".to_owned()),
            (&zhang, "/me/certificate".to_owned()),
            (&hospital, format!("/persons/{zhang_id}")),
            (&hospital, "/unit/staff".to_owned()),
            (&supervisor, "/audit".to_owned()),
        ] {
            let page = w.page(Some(who), &uri).await;
            assert_eq!(page.status, StatusCode::OK, "{uri}");
            assert_eq!(page.headers[header::CACHE_CONTROL], "no-store", "{uri}");
            checked += 1;
        }
        for (who, uri, status) in [
            (
                &huoqiu,
                format!("/api/persons/{zhang_id}/id-number"),
                StatusCode::OK,
            ),
            (
                &zhang,
                format!("/api/persons/{zhang_id}/records"),
                StatusCode::OK,
            ),
            (
                &zhang,
                format!("/api/persons/{zhang_id}/profile"),
                StatusCode::OK,
            ),
            (
                &zhang,
                format!("/api/persons/{zhang_id}/years/2026"),
                StatusCode::OK,
            ),
            (
                &shucheng,
                format!("/api/persons/{zhang_id}/id-number"),
                StatusCode::NOT_FOUND,
            ),
        ] {
            let reply = w.get(who, &uri).await;
            assert_eq!(reply.status, status, "{uri}: {}", reply.body);
            assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store", "{uri}");
            checked += 1;
        }
        assert_eq!(checked, 11);
        done(w.db).await;
    }
}
