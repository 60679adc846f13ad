//! 消息 over the API and on the page, on a fresh world of each backend (`world/mod.rs`): a
//! stamped year page reaches 张晓梅 and her hospital (each in its own mailbox, in plain
//! Chinese), nobody else; marking read, the unread badge of the navigation, paging bounds, the
//! e-mail address (validated, its owner's only). Reminders and the outbox are the store's
//! (`crates/store/tests/messages.rs`) and the browser test's (`e2e/messages.test.mjs`).

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod world;

use axum::http::{Method, StatusCode};
use serde_json::json;
use world::World;
use xueshi_testkit::{done, fresh_dbs};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stamp_is_a_message_for_the_person_and_her_unit_only() {
    for db in fresh_dbs("messages_web").await {
        let w = World::new(db).await;
        let z = w.persons["zhang"];
        let zhang = w.who("zhang").await;
        let hospital = w.who("hospital").await;
        let health = w.who("health").await;
        let city = w.who("city").await;
        // Nothing yet: an empty mailbox, and the page says what will arrive.
        let empty = w.get(&zhang, "/api/messages").await;
        assert_eq!(empty.expect(StatusCode::OK)["unread"], 0);
        w.page(Some(&zhang), "/messages")
            .await
            .shows(StatusCode::OK, &["暂无消息", "邮件通知"]);

        w.post(
            &zhang,
            &format!("/api/persons/{z}/years/2026/submit"),
            json!({}),
        )
        .await
        .expect(StatusCode::CREATED);
        w.post(
            &health,
            &format!("/api/persons/{z}/years/2026/review"),
            json!({ "approved": true }),
        )
        .await
        .expect(StatusCode::CREATED);

        let mine = w.get(&zhang, "/api/messages").await;
        let body = mine.expect(StatusCode::OK);
        assert_eq!(body["unread"], 1, "{body}");
        let m = &body["messages"][0];
        assert_eq!(m["kind"], "review.stamped");
        let text = m["text"].as_str().unwrap();
        assert!(
            text.contains("霍邱县卫生健康委员会") && text.contains("2026 年度"),
            "{text}"
        );
        let unit = w.get(&hospital, "/api/messages").await;
        let ub = unit.expect(StatusCode::OK);
        assert_eq!(ub["messages"].as_array().unwrap().len(), 1, "{ub}");
        assert!(
            ub["messages"][0]["text"]
                .as_str()
                .unwrap()
                .contains("职工张晓梅")
        );
        // Nobody else hears of it: not the authority, not the bureau, not 李.
        for who in [&health, &city, &w.who("li").await] {
            let other = w.get(who, "/api/messages").await;
            assert_eq!(
                other.expect(StatusCode::OK)["messages"]
                    .as_array()
                    .unwrap()
                    .len(),
                0
            );
        }
        // API tokens have no mailbox; a signed-out caller none either.
        let base = w.who("base1").await;
        assert_eq!(
            w.get(&base, "/api/messages").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            w.get(&world::Who::Nobody, "/api/messages").await.status,
            StatusCode::UNAUTHORIZED
        );

        // The page shows it, with the navigation's unread count on every page.
        let page = w.page(Some(&zhang), "/messages").await;
        page.shows(
            StatusCode::OK,
            &["霍邱县卫生健康委员会", "未读", "标为已读", "条未读"],
        );
        assert!(
            !page.text.contains("review.stamped"),
            "no codes on the page"
        );
        w.page(Some(&zhang), "/me")
            .await
            .shows(StatusCode::OK, &["消息 <span class=\"badge count\">1"]);

        // Marking: bounded, one's own only.
        let unit_message = ub["messages"][0]["id"].as_i64().unwrap();
        let none = w
            .post(&zhang, "/api/messages/read", json!({ "ids": [] }))
            .await;
        assert_eq!(none.expect(StatusCode::BAD_REQUEST)["code"], "messages.ids");
        let many: Vec<i64> = (1..=101).collect();
        assert_eq!(
            w.post(&zhang, "/api/messages/read", json!({ "ids": many }))
                .await
                .code(),
            "messages.ids"
        );
        let theirs = w
            .post(
                &zhang,
                "/api/messages/read",
                json!({ "ids": [unit_message] }),
            )
            .await;
        assert_eq!(theirs.expect(StatusCode::OK)["marked"], 0);
        let all = w
            .post(&zhang, "/api/messages/read", json!({ "all": true }))
            .await;
        let all = all.expect(StatusCode::OK);
        assert_eq!(
            (all["marked"].as_u64(), all["unread"].as_i64()),
            (Some(1), Some(0))
        );
        assert_eq!(
            w.get(&hospital, "/api/messages").await.body["unread"],
            1,
            "the unit's mailbox is its own"
        );
        // Paging is bounded.
        let page = w.get(&zhang, "/api/messages?limit=100000").await;
        assert_eq!(
            page.expect(StatusCode::OK)["next_before"],
            serde_json::Value::Null
        );
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_address_is_validated_and_shown_to_its_owner() {
    for db in fresh_dbs("messages_web").await {
        let w = World::new(db).await;
        let zhang = w.who("zhang").await;
        for bad in ["zhang", "zhang@localhost", "a b@example.cn", "<x@y.cn>"] {
            let r = w
                .call(
                    &zhang,
                    Method::PUT,
                    "/api/me/email",
                    Some(json!({ "email": bad })),
                )
                .await;
            assert_eq!(
                r.expect(StatusCode::BAD_REQUEST)["code"],
                "email.invalid",
                "{bad}"
            );
            assert!(r.body["message"].as_str().unwrap().contains("电子邮箱"));
        }
        let ok = w
            .call(
                &zhang,
                Method::PUT,
                "/api/me/email",
                Some(json!({ "email": " zhang@example.cn " })),
            )
            .await;
        assert_eq!(ok.expect(StatusCode::OK)["email"], "zhang@example.cn");
        assert_eq!(
            w.get(&zhang, "/api/messages").await.body["email"],
            "zhang@example.cn"
        );
        w.page(Some(&zhang), "/messages")
            .await
            .shows(StatusCode::OK, &["value=\"zhang@example.cn\""]);
        // Another account does not see it.
        assert_eq!(
            w.get(&w.who("hospital").await, "/api/messages").await.body["email"],
            serde_json::Value::Null
        );
        // Removing it.
        let gone = w
            .call(&zhang, Method::PUT, "/api/me/email", Some(json!({})))
            .await;
        assert_eq!(
            gone.expect(StatusCode::OK)["email"],
            serde_json::Value::Null
        );
        done(w.db).await;
    }
}
