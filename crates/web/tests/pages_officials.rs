//! The officials' pages through the router on the shared test world (`world/`), on each
//! backend: each page renders for its roles with the world's real data (a submitted year page,
//! an application with the engine's citations, a filing, the provider register, a slot and its
//! booking, statistics, the audit trail, the report form), sends the signed-out to `/login`
//! and refuses other roles with an HTML 403. The Excel export of the statistics reads back
//! (calamine) to the JSON API's numbers; the APIs the pages added (an authority's reviews,
//! audit paging, named bookings, a refusal's reason, a base's report by session) answer.

// Test code: a panic is a failed test, with its message; the workbook's rates are floats.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_arithmetic
)]

mod world;

use std::io::Cursor;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};
use tower::ServiceExt;
use world::{READY, Who, World};
use xueshi_testkit::{done, fresh_dbs};

/// An answer read as text (pages, workbooks as bytes).
struct Html {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    bytes: Vec<u8>,
}

impl Html {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Asserts a 200 page containing every one of `needles`.
    #[track_caller]
    fn shows(&self, needles: &[&str]) -> String {
        let text = self.text();
        assert_eq!(self.status, StatusCode::OK, "{text}");
        for n in needles {
            assert!(text.contains(n), "missing {n:?} in:\n{text}");
        }
        text
    }
}

/// A session cookie for `login` (bases too: they sign in like everyone on the pages).
async fn cookie(w: &World, login: &str) -> (String, String) {
    let body = json!({ "login": login, "password": READY }).to_string();
    let req = Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let r = w.send(req).await;
    r.expect(StatusCode::OK);
    let set = r.headers[header::SET_COOKIE].to_str().unwrap();
    (
        set.split(';').next().unwrap().to_owned(),
        r.body["csrf_token"].as_str().unwrap().to_owned(),
    )
}

async fn fetch(w: &World, cookie: Option<&str>, uri: &str) -> Html {
    let mut b = Request::get(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
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
        .unwrap()
        .to_vec();
    Html {
        status,
        headers,
        bytes,
    }
}

async fn page(w: &World, login: &str, uri: &str) -> Html {
    let (c, _) = cookie(w, login).await;
    fetch(w, Some(&c), uri).await
}

fn academic(label: &str, hours: &str) -> Value {
    json!({
        "label": label, "content": "全省急诊医学学术年会", "subject": "professional", "form": "academic",
        "completed_on": "2026-05-10", "hours": hours, "exam": "none"
    })
}

/// 张晓梅 (霍邱县) with 90 professional hours, her 2026 page submitted; 李强 (舒城县) with none.
async fn studied_and_submitted(w: &World) {
    let zhang = w.persons["zhang"];
    let hospital = w.who("hospital").await;
    let uri = format!("/api/persons/{zhang}/records");
    w.post(&hospital, &uri, academic("年会", "90"))
        .await
        .expect(StatusCode::CREATED);
    w.call(
        &hospital,
        Method::POST,
        &format!("/api/persons/{zhang}/years/2026/submit"),
        None,
    )
    .await
    .expect(StatusCode::CREATED);
}

/// 张晓梅 applies for a junior title (routed to 霍邱县); returns the application id.
async fn applied(w: &World) -> i64 {
    let zhang = w.persons["zhang"];
    let me = w.who("zhang").await;
    let r = w
        .post(
            &me,
            "/api/verifications",
            json!({ "persons": [zhang], "level": "junior", "first_year": 2026, "last_year": 2026 }),
        )
        .await;
    r.expect(StatusCode::CREATED)[0]["application_id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn each_officials_page_shows_its_roles_their_real_data() {
    for db in fresh_dbs("pages_officials_data").await {
        let w = World::new(db).await;
        studied_and_submitted(&w).await;
        let app = applied(&w).await;

        // The industry authority: the submitted page with its record and the engine's reading.
        let reviews = page(&w, "health", "/reviews").await;
        let html = reviews.shows(&[
            "审核学时",
            "张晓梅",
            "2026 年度",
            "霍邱县第一人民医院",
            "全省急诊医学学术年会",
            "年会",
            "达到年度要求",
            "审核通过并盖章",
            "data-list=\"reasons\"",
            &format!("/api/persons/{}/years/2026/review", w.persons["zhang"]),
        ]);
        assert!(html.contains("本部门尚未审核过"), "{html}");
        // The other county's authority sees nothing of it.
        let other = page(&w, "health_sc", "/reviews").await;
        assert!(!other.shows(&["目前没有待审核"]).contains("张晓梅"));

        // Stamped through the API, the page leaves the queue and shows among the recent acts.
        let health = w.who("health").await;
        w.post(
            &health,
            &format!("/api/persons/{}/years/2026/review", w.persons["zhang"]),
            json!({ "approved": true }),
        )
        .await
        .expect(StatusCode::CREATED);
        page(&w, "health", "/reviews").await.shows(&[
            "目前没有待审核",
            "最近审核",
            "已盖章",
            "张晓梅",
        ]);

        // The county bureau: its queue, then the decision with rule ids, sources and hash.
        page(&w, "huoqiu", "/verifications").await.shows(&[
            "待核验（1）",
            "张晓梅",
            "初级",
            &format!("/verifications/{app}"),
        ]);
        let detail = page(&w, "huoqiu", &format!("/verifications/{app}")).await;
        let html = detail.shows(&[
            "学时达标",
            "规则检查及法规依据",
            "cycle.average_total",
            "任职周期总学时（年度平均达标）",
            "皖人社函〔2026〕235号",
            "判定摘要",
            "推理过程",
            "盖核验章",
            "拒绝理由",
            "补录线下（纸质）核验",
            &format!("/api/verifications/{app}/decision"),
        ]);
        let api = w
            .get(&w.who("huoqiu").await, &format!("/api/verifications/{app}"))
            .await;
        let hash = api.expect(StatusCode::OK)["decision_hash"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(html.contains(&format!("value=\"{hash}\"")), "{html}");
        // Another county's bureau may not read it (the API's refusal, as a page).
        let refused = page(&w, "shucheng", &format!("/verifications/{app}")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.text().contains("auth.jurisdiction"));
        assert_eq!(
            page(&w, "huoqiu", "/verifications/999999").await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            page(&w, "huoqiu", "/verifications/abc").await.status,
            StatusCode::NOT_FOUND
        );

        // Filings: the provider files with the city; the city sees it pending; the provider
        // sees its own with the form.
        let provider = Who::Token(w.tokens["provider"].clone());
        w.post(
            &provider,
            "/api/filings",
            json!({ "number": "六人社培备〔2026〕31号", "title": "医院感染防控培训班", "region": "341500",
                    "starts_on": "2026-12-01", "ends_on": "2026-12-05" }),
        )
        .await
        .expect(StatusCode::CREATED);
        page(&w, "city", "/filings").await.shows(&[
            "待审批（1）",
            "医院感染防控培训班",
            "六人社培备〔2026〕31号",
            "六安职业培训学校",
            "同意备案",
            "不同意的理由",
        ]);
        page(&w, "provider", "/filings").await.shows(&[
            "申报新的培训备案",
            "本机构的备案（1）",
            "医院感染防控培训班",
            "待审批",
            "六安市",
        ]);
        page(&w, "provider2", "/filings")
            .await
            .shows(&["尚未申报培训备案"]);

        // The register: the city keeps it, a county bureau reads it.
        let city = w.who("city").await;
        w.post(
            &city,
            "/api/providers",
            json!({ "provider": "皖江在线学院", "from": "2026-01-01", "to": "2026-12-31" }),
        )
        .await
        .expect(StatusCode::CREATED);
        w.post(
            &city,
            "/api/providers",
            json!({ "provider": "旧课件平台", "from": "2024-01-01", "to": "2025-12-31" }),
        )
        .await
        .expect(StatusCode::CREATED);
        let html = page(&w, "city", "/providers").await.shows(&[
            "皖江在线学院",
            "2026-01-01 至 2026-12-31",
            "有效",
            "旧课件平台",
            "不在有效期",
            "登记课件提供方",
        ]);
        assert!(html.contains("<span class=\"big\">1</span>"), "{html}");
        assert!(
            !page(&w, "huoqiu", "/providers")
                .await
                .shows(&["皖江在线学院"])
                .contains("登记课件提供方")
        );

        // Slots: the county opens one, the hospital books 张晓梅; the bureau sees her named.
        let huoqiu = w.who("huoqiu").await;
        let slot = w
            .post(
                &huoqiu,
                "/api/slots",
                json!({ "on": "2026-12-10", "online": false, "address": "霍邱县人社局三楼", "capacity": 10, "industry": "卫生健康" }),
            )
            .await;
        let slot_id = slot.expect(StatusCode::CREATED)["slot_id"]
            .as_i64()
            .unwrap();
        let hospital = w.who("hospital").await;
        let booked = w
            .post(
                &hospital,
                &format!("/api/slots/{slot_id}/bookings"),
                json!({ "persons": [w.persons["zhang"]] }),
            )
            .await;
        let booking = booked.expect(StatusCode::CREATED)["booking_id"]
            .as_i64()
            .unwrap();
        page(&w, "huoqiu", "/slots").await.shows(&[
            "2026-12-10 · 霍邱县人社局三楼",
            "仅限卫生健康",
            "已约 1 / 10 人",
            "霍邱县第一人民医院",
            "张晓梅",
            &format!("/api/bookings/{booking}"),
            "开放新的预约时段",
        ]);
        page(&w, "shucheng", "/slots")
            .await
            .shows(&["尚未开放预约时段"]);

        // Statistics: the city's counties charted and tabled, with the export link.
        let html = page(&w, "city", "/statistics?year=2026&by=county")
            .await
            .shows(&[
                "<svg class=\"chart\"",
                "<title id=\"svg-title\">",
                "<desc id=\"svg-desc\">",
                "霍邱县",
                "舒城县",
                "100.0%",
                "/api/statistics.xlsx?year=2026&#38;by=county",
                "/statistics?year=2026&#38;by=unit&#38;place=341522",
            ]);
        // 4 persons, 1 compliant: 25.0% in the total row; the city's own row opens nothing.
        assert!(html.contains("25.0%"), "{html}");
        assert!(!html.contains("place=341500"), "{html}");
        page(&w, "city", "/statistics?year=2026&by=unit&place=341522")
            .await
            .shows(&["霍邱县第一人民医院", "仅统计霍邱县"]);
        page(&w, "huoqiu", "/statistics?by=industry")
            .await
            .shows(&["卫生健康", "按行业"]);

        // The audit trail: the stamp and the filing's register change, filtered and paged.
        let html = page(&w, "supervisor", "/audit").await.shows(&[
            "审计记录",
            "review.act",
            "provider.registration",
            "年度登记审核",
        ]);
        assert!(html.contains("health（health 的账号）"), "{html}");
        let filtered = page(&w, "supervisor", "/audit?action=review.act").await;
        let html = filtered.shows(&["review.act"]);
        assert!(!html.contains("<code class=\"muted\">provider.registration"));
        let none = page(&w, "supervisor", "/audit?action=review.act&to=2026-01-01").await;
        none.shows(&["没有符合条件的记录"]);
        let bad = page(&w, "supervisor", "/audit?from=2026-13-01").await;
        bad.shows(&["起始日期须为 YYYY-MM-DD 日期"]);
        // Every sign-in of this test is a line: more than a page of 50.
        page(&w, "supervisor", "/audit")
            .await
            .shows(&["page=2", "下一页"]);
        let second = page(&w, "supervisor", "/audit?page=2").await;
        second.shows(&["（第 2 页）", "上一页", "account.login"]);
        let far = page(&w, "supervisor", "/audit?page=99").await;
        far.shows(&["没有符合条件的记录", "page=98"]);
        // Its Excel export holds the filtered lines in the page's words (no codes), the filter
        // named in its title; the page links to it with its filter.
        page(&w, "supervisor", "/audit?action=review.act")
            .await
            .shows(&["/audit/export.xlsx?action=review.act"]);
        let x = page(&w, "supervisor", "/audit/export.xlsx?action=review.act").await;
        assert_eq!(x.status, StatusCode::OK, "{}", x.text());
        assert!(
            x.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("filename*=UTF-8''")
        );
        let cells = sheet_text(&x.bytes);
        assert_eq!(
            cells[0][0],
            "审计日志：年度登记审核（盖章/退回）（最新的在前）"
        );
        assert_eq!(cells[1][..3], ["时间（北京）", "操作人", "操作"]);
        assert!(cells.len() > 2, "the stamp is a line: {cells:?}");
        for row in &cells[2..] {
            assert!(row[2].starts_with("年度登记审核"), "{row:?}");
        }
        let all = sheet_text(&page(&w, "supervisor", "/audit/export.xlsx").await.bytes);
        let text = format!("{all:?}");
        for code in ["review.act", "account.login", "person:", "account:"] {
            assert!(!text.contains(code), "{code} in the export: {text}");
        }
        assert!(text.contains("登录"), "{text}");
        assert_eq!(
            page(&w, "city", "/audit/export.xlsx").await.status,
            StatusCode::FORBIDDEN
        );

        // A unit's staff list as a workbook: every page of the filter, ID numbers masked.
        page(&w, "hospital", "/unit/staff")
            .await
            .shows(&["/unit/staff/export.xlsx?year="]);
        let staff = page(&w, "hospital", "/unit/staff/export.xlsx?year=2026").await;
        assert_eq!(staff.status, StatusCode::OK, "{}", staff.text());
        let cells = sheet_text(&staff.bytes);
        assert!(cells[0][0].contains("2026 年度职工学时"), "{cells:?}");
        assert_eq!(cells[1][..2], ["姓名", "身份证号（遮蔽）"]);
        let zhang = cells
            .iter()
            .find(|r| r[0] == "张晓梅")
            .expect("张晓梅 listed");
        assert!(
            zhang[1].contains('*') && !zhang[1].contains("198506"),
            "{zhang:?}"
        );
        assert_eq!(
            page(&w, "huoqiu", "/unit/staff/export.xlsx").await.status,
            StatusCode::FORBIDDEN
        );

        // A base's official: the upload form.
        page(&w, "base1", "/base/reports").await.shows(&[
            "上传报送表",
            "data-body=\"file\"",
            "/api/base/certificates",
            "/static/base-report.js",
        ]);
        let t = page(&w, "base1", "/base/reports/template.csv").await;
        assert!(t.text().contains("身份证号,姓名,基地,证书编号"));
        assert!(
            fetch(&w, None, "/static/base-report.js")
                .await
                .text()
                .contains("xueshi:done")
        );
        done(w.db).await;
    }
}

#[tokio::test]
async fn the_signed_out_go_to_login_and_other_roles_are_refused() {
    for db in fresh_dbs("pages_officials_access").await {
        let w = World::new(db).await;
        let pages = [
            "/reviews",
            "/verifications",
            "/verifications/1",
            "/filings",
            "/providers",
            "/slots",
            "/statistics",
            "/audit",
            "/base/reports",
            "/base/reports/template.csv",
        ];
        for uri in pages {
            let r = fetch(&w, None, uri).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{uri}");
            let to = r.headers[header::LOCATION].to_str().unwrap();
            assert!(to.starts_with("/login?next="), "{uri} → {to}");
        }
        // Whom each page is for, and one role it is not for.
        for (uri, allowed, refused) in [
            ("/reviews", "health", &["zhang", "city", "supervisor"][..]),
            (
                "/verifications",
                "soe",
                &["health", "hospital", "provider"][..],
            ),
            (
                "/filings",
                "provider",
                &["health", "supervisor", "base1"][..],
            ),
            ("/providers", "zone", &["provider", "zhang", "soe"][..]),
            ("/slots", "zone", &["hospital", "soe", "supervisor"][..]),
            (
                "/statistics",
                "zone",
                &["supervisor", "zhang", "provider"][..],
            ),
            ("/audit", "supervisor", &["city", "health"][..]),
            ("/base/reports", "base2", &["city", "provider"][..]),
        ] {
            let ok = page(&w, allowed, uri).await;
            assert_eq!(
                ok.status,
                StatusCode::OK,
                "{uri} for {allowed}: {}",
                ok.text()
            );
            assert!(ok.text().contains("aria-current=\"page\""), "{uri}");
            for login in refused {
                let r = page(&w, login, uri).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} for {login}");
                let text = r.text();
                assert!(
                    r.headers[header::CONTENT_TYPE]
                        .to_str()
                        .unwrap()
                        .starts_with("text/html"),
                    "{uri} for {login}"
                );
                assert!(text.contains("无权访问"), "{uri} for {login}: {text}");
            }
        }
        // The supervisor's navigation no longer offers statistics, which the API refuses it.
        let audit = page(&w, "supervisor", "/audit").await.text();
        assert!(!audit.contains("href=\"/statistics\""));
        let supervisor = w.who("supervisor").await;
        assert_eq!(
            w.get(&supervisor, "/api/statistics?year=2026&by=county")
                .await
                .code(),
            "auth.role"
        );
        done(w.db).await;
    }
}

/// A statistics row: key, name, persons, compliant, rate ‰.
type Row = (String, String, i64, i64, i64);

/// The workbook's data rows and its total row (persons, compliant, rate ‰).
/// The first sheet of a workbook as rows of text (empty cells as "").
fn sheet_text(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect()
}

fn workbook_rows(bytes: &[u8]) -> (Vec<Row>, (i64, i64, i64)) {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    let num = |d: &Data| match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    };
    let text = |d: &Data| match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    };
    assert_eq!(
        rows[1].iter().map(text).collect::<Vec<_>>(),
        ["行政区划代码", "名称", "应学人数", "达标人数", "达标率"]
    );
    let mut out = Vec::new();
    let mut total = None;
    for row in &rows[2..] {
        if row.is_empty() || matches!(row[0], Data::Empty) {
            continue;
        }
        let key = text(&row[0]);
        let counts = (
            num(&row[2]) as i64,
            num(&row[3]) as i64,
            (num(&row[4]) * 1000.0).round() as i64,
        );
        if key == "合计" {
            total = Some(counts);
            break;
        }
        out.push((key, text(&row[1]), counts.0, counts.1, counts.2));
    }
    (out, total.expect("a total row"))
}

#[tokio::test]
async fn the_statistics_workbook_holds_the_same_numbers_as_the_json_api() {
    for db in fresh_dbs("pages_officials_xlsx").await {
        let w = World::new(db).await;
        studied_and_submitted(&w).await;
        let city = w.who("city").await;
        let json = w.get(&city, "/api/statistics?year=2026&by=county").await;
        let json = json.expect(StatusCode::OK).clone();
        let (c, _) = cookie(&w, "city").await;
        let x = fetch(&w, Some(&c), "/api/statistics.xlsx?year=2026&by=county").await;
        assert_eq!(x.status, StatusCode::OK, "{}", x.text());
        assert_eq!(
            x.headers[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let disposition = x.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(
            disposition.starts_with("attachment; filename=\"xueshi-statistics-2026-county.xlsx\""),
            "{disposition}"
        );
        assert!(
            disposition.contains("filename*=UTF-8''2026"),
            "{disposition}"
        );
        let (rows, total) = workbook_rows(&x.bytes);
        let expected: Vec<_> = json["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["key"].as_str().unwrap().to_owned(),
                    r["name"].as_str().unwrap().to_owned(),
                    r["persons"].as_i64().unwrap(),
                    r["compliant"].as_i64().unwrap(),
                    r["rate_permille"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(rows, expected);
        assert!(
            rows.iter().any(|r| r.1 == "霍邱县" && r.4 == 1000),
            "{rows:?}"
        );
        let t = &json["total"];
        assert_eq!(
            total,
            (
                t["persons"].as_i64().unwrap(),
                t["compliant"].as_i64().unwrap(),
                t["rate_permille"].as_i64().unwrap()
            )
        );
        assert_eq!(total, (4, 1, 250));

        // The same query and authorization as the JSON: a county bureau is refused the city.
        let (h, _) = cookie(&w, "huoqiu").await;
        let outside = fetch(
            &w,
            Some(&h),
            "/api/statistics.xlsx?year=2026&by=county&place=341500",
        )
        .await;
        assert_eq!(outside.status, StatusCode::FORBIDDEN);
        let body: Value = serde_json::from_slice(&outside.bytes).unwrap();
        assert_eq!(body["code"], "auth.jurisdiction");
        let bad = fetch(&w, Some(&h), "/api/statistics.xlsx?year=2026&by=street").await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            fetch(&w, None, "/api/statistics.xlsx?year=2026&by=county")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        // Grouped by unit, in the county's own jurisdiction.
        let units = fetch(&w, Some(&h), "/api/statistics.xlsx?year=2026&by=unit").await;
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(units.bytes.clone())).unwrap();
        let range = book.worksheet_range("2026年度").unwrap();
        assert_eq!(
            range.get((1, 0)),
            Some(&Data::String("统一社会信用代码".into()))
        );
        assert_eq!(
            range.get((2, 1)),
            Some(&Data::String("霍邱县第一人民医院".into()))
        );
        done(w.db).await;
    }
}

#[tokio::test]
async fn the_apis_the_pages_added_answer_and_authorize() {
    for db in fresh_dbs("pages_officials_api").await {
        let w = World::new(db).await;
        let zhang = w.persons["zhang"];
        studied_and_submitted(&w).await;
        let health = w.who("health").await;
        let review = format!("/api/persons/{zhang}/years/2026/review");
        // A rejection with a reason per record (as the page's list sends it).
        w.post(
            &health,
            &review,
            json!({ "approved": false, "reasons": [{ "record": "年会", "reason": "缺少参会证明" }] }),
        )
        .await
        .expect(StatusCode::CREATED);
        let done_list = w.get(&health, "/api/reviews/done").await;
        let list = done_list.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["name"], "张晓梅");
        assert_eq!(list[0]["year"], 2026);
        assert_eq!(list[0]["approved"], false);
        assert_eq!(list[0]["reasons"][0]["reason"], "缺少参会证明");
        assert!(list[0]["id_masked"].as_str().unwrap().contains('*'));
        // Another authority has reviewed nothing; other roles are refused.
        let other = w.who("health_sc").await;
        assert_eq!(w.get(&other, "/api/reviews/done").await.body, json!([]));
        let city = w.who("city").await;
        assert_eq!(w.get(&city, "/api/reviews/done").await.code(), "auth.role");

        // A refusal's reason goes to the audit trail with the act.
        let app = applied(&w).await;
        let huoqiu = w.who("huoqiu").await;
        w.post(
            &huoqiu,
            &format!("/api/verifications/{app}/decision"),
            json!({ "approved": false, "reason": "纸质证明与登记不符" }),
        )
        .await
        .expect(StatusCode::CREATED);
        let supervisor = w.who("supervisor").await;
        let trail = w
            .get(&supervisor, "/api/audit?action=verification.refusal_reason")
            .await;
        let trail = trail.expect(StatusCode::OK).as_array().unwrap().clone();
        assert_eq!(trail.len(), 1);
        assert_eq!(trail[0]["detail"], "纸质证明与登记不符");
        assert_eq!(
            trail[0]["subject"],
            format!("person:{zhang}/application:{app}")
        );

        // Paging, newest first: pages of two that together are the whole trail reversed.
        let all = w.get(&supervisor, "/api/audit").await;
        let all: Vec<i64> = all
            .expect(StatusCode::OK)
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect();
        assert!(all.len() > 4, "{all:?}");
        let mut paged = Vec::new();
        for offset in (0..all.len()).step_by(2) {
            let p = w
                .get(
                    &supervisor,
                    &format!("/api/audit?newest_first=true&limit=2&offset={offset}"),
                )
                .await;
            paged.extend(
                p.expect(StatusCode::OK)
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["id"].as_i64().unwrap()),
            );
        }
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(paged, reversed);

        // Bookings name their unit and persons (masked).
        let slot = w
            .post(
                &huoqiu,
                "/api/slots",
                json!({ "on": "2026-12-10", "online": true, "capacity": 5 }),
            )
            .await;
        let slot_id = slot.expect(StatusCode::CREATED)["slot_id"]
            .as_i64()
            .unwrap();
        let hospital = w.who("hospital").await;
        w.post(
            &hospital,
            &format!("/api/slots/{slot_id}/bookings"),
            json!({ "persons": [zhang] }),
        )
        .await
        .expect(StatusCode::CREATED);
        let b = w
            .get(&huoqiu, &format!("/api/slots/{slot_id}/bookings"))
            .await;
        let b = b.expect(StatusCode::OK).clone();
        assert_eq!(b[0]["unit_name"], "霍邱县第一人民医院");
        assert_eq!(b[0]["persons"], json!([zhang]));
        assert_eq!(b[0]["people"][0]["name"], "张晓梅");
        assert!(
            b[0]["people"][0]["id_masked"]
                .as_str()
                .unwrap()
                .contains('*')
        );

        // A base's official reports with the session (and its CSRF token), as the page does;
        // a vague media type with a CSV body is read as CSV.
        let (c, csrf) = cookie(&w, "base1").await;
        let session = Who::Browser {
            cookie: c,
            csrf: csrf.clone(),
        };
        let zhang_id = xueshi_domain::id_number::IdNumber::complete("34152219850612301").unwrap();
        let csv = format!(
            "身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果\n\
             {z},张晓梅,1,JX-P-1,专业技术人员职业道德,30,2026-09-20,合格\n\
             {z},王五,1,JX-P-2,专业技术人员职业道德,30,2026-09-20,合格\n",
            z = zhang_id.expose()
        );
        let r = w
            .raw(
                &session,
                Method::POST,
                "/api/base/certificates",
                Some(("application/vnd.ms-excel".into(), csv.clone().into_bytes())),
            )
            .await;
        let body = r.expect(StatusCode::OK).clone();
        assert_eq!(body["total_rows"], 2);
        assert_eq!(body["written"], 1);
        assert_eq!(body["rejected"][0]["row"], 3);
        assert_eq!(body["rejected"][0]["column"], "姓名");
        assert_eq!(body["rejected"][0]["code"], "person.name_mismatch");
        // Without the CSRF token the session may not send it.
        let (c2, _) = cookie(&w, "base1").await;
        let forged = Who::Browser {
            cookie: c2,
            csrf: "x".into(),
        };
        let r = w
            .raw(
                &forged,
                Method::POST,
                "/api/base/certificates",
                Some(("text/csv".into(), csv.into_bytes())),
            )
            .await;
        assert_eq!(r.code(), "csrf.mismatch");

        // A decompression bomb (a shared strings part inflating to 200 MB) is refused, 413
        // with the limit's code and a Chinese message naming it; nothing is read.
        let r = w
            .raw(
                &session,
                Method::POST,
                "/api/base/certificates",
                Some((
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".into(),
                    bomb(200 << 20),
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.code(), "import.limit.entry");
        assert!(r.body["message"].as_str().unwrap().contains("上限 64 MB"));

        // A report of 1,500 bad rows answers with the first 1,000 problems and the count.
        let mut csv = "身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果\n".to_owned();
        for i in 0..1500 {
            csv.push_str(&format!(
                "{},王五,1,JX-B-{i},专业技术人员职业道德,30,2026-09-20,合格\n",
                zhang_id.expose()
            ));
        }
        let r = w
            .raw(
                &session,
                Method::POST,
                "/api/base/certificates",
                Some(("text/csv".into(), csv.into_bytes())),
            )
            .await;
        let body = r.expect(StatusCode::OK);
        assert_eq!(body["problems"], 1500);
        assert_eq!(body["rejected_rows"], 1500);
        assert_eq!(body["rejected"].as_array().unwrap().len(), 1000);
        assert_eq!(body["rejected"][999]["row"], 1001);

        // The new paths are in the OpenAPI document.
        let doc = w.get(&Who::Nobody, "/api/openapi.json").await;
        let paths = doc.body["paths"].as_object().unwrap();
        assert!(paths.contains_key("/api/statistics.xlsx"));
        assert!(paths.contains_key("/api/reviews/done"));
        done(w.db).await;
    }
}

/// A ZIP whose `xl/sharedStrings.xml` inflates to `size` bytes of repeated strings (deflated as
/// written, with a small buffer).
fn bomb(size: u64) -> Vec<u8> {
    use std::io::Cursor;
    use std::io::Write;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    out.start_file("xl/sharedStrings.xml", options).unwrap();
    out.write_all(b"<sst>").unwrap();
    let chunk = "<si><t>炸炸炸炸</t></si>".repeat(1 << 15);
    let mut written = 0u64;
    while written < size {
        out.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len() as u64;
    }
    out.write_all(b"</sst>").unwrap();
    out.finish().unwrap().into_inner()
}
