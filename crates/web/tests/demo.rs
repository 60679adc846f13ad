//! The demo's waiting work (`xueshi_web::demo::stage`), on each backend: after seeding a small
//! Lu'an and its accounts, every official demo account finds work in its queue, placed there
//! through the API's own handlers (routed by the policy, as a person's application would be).

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::Json;
use axum::extract::State;
use xueshi_demo as demo;
use xueshi_store::{Keys, LedgerSigner, summaries};
use xueshi_testkit::{account_policy, done, fresh_dbs, policy};
use xueshi_web::AppState;
use xueshi_web::auth::{Acting, acting_of};
use xueshi_web::extract::ApiQuery;
use xueshi_web::routes::{registers, reviews, verifications};

async fn acting(state: &AppState, login: &str) -> Acting {
    let account = xueshi_store::accounts::account_by_login(&state.db, login)
        .await
        .unwrap()
        .unwrap();
    acting_of(state, account).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_official_finds_work_waiting() {
    for db in fresh_dbs("demo_stage").await {
        let keys = Keys::from_master([9; 32]);
        let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
        let opts = demo::DemoOptions {
            persons: 300,
            ..Default::default()
        };
        demo::seed(&db, &keys, &signer, policy(), &opts, &mut |_, _| {})
            .await
            .unwrap();
        let now = 1_795_000_000_000; // 2026-11-18 (Beijing)
        summaries::catch_up(&db, policy(), now).await.unwrap();
        demo::accounts::create(&db, &keys, &account_policy(), now)
            .await
            .unwrap();
        let mut state = AppState::new(db.clone(), keys, signer, policy().clone());
        state.clock = std::sync::Arc::new(move || now);
        let staged = xueshi_web::demo::stage(&state).await.unwrap();
        assert_eq!(staged.len(), 7, "{staged:?}");

        let authority = acting(&state, "demo-industry-authority").await;
        let Json(pages) = reviews::pending(
            State(state.clone()),
            authority,
            ApiQuery(serde_json::from_str("{}").unwrap()),
        )
        .await
        .unwrap();
        assert!(
            !pages.is_empty(),
            "the industry authority has pages to review"
        );

        for login in [
            "demo-county-bureau",
            "demo-city-bureau",
            "demo-zone-centre",
            "demo-state-owned-unit",
        ] {
            let official = acting(&state, login).await;
            let Json(queue) = verifications::pending(
                State(state.clone()),
                official,
                ApiQuery(serde_json::from_str("{}").unwrap()),
            )
            .await
            .unwrap();
            assert!(!queue.is_empty(), "{login} has applications to verify");
        }

        let city = acting(&state, "demo-city-bureau").await;
        let Json(filings) = registers::list(
            State(state.clone()),
            xueshi_web::auth::Agent {
                actor: "test".into(),
                organisation_id: city.account.organisation_id,
                region: city.region,
                principal: city.principal.clone(),
            },
            ApiQuery(serde_json::from_str("{}").unwrap()),
        )
        .await
        .unwrap();
        // Filed as providers file: with their hours, venue and content, numbered by the bureau
        // when it approves.
        let waiting: Vec<_> = filings
            .iter()
            .filter(|f| f.number.is_none() && f.hours.as_deref() == Some("24"))
            .collect();
        assert_eq!(
            waiting.len(),
            2,
            "the provider's two filings wait for the city bureau"
        );
        assert!(
            waiting
                .iter()
                .all(|f| f.venue.is_some() && f.content.is_some() && f.trainees == Some(120))
        );
        // The sample report the demo writes for its base: two rows written, one refused.
        let sample = xueshi_web::demo::base_sample(&state).await.unwrap();
        assert_eq!(sample.lines().count(), 4, "{sample}");
        let base = acting(&state, "demo-base").await;
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            "text/csv".parse().unwrap(),
        );
        let Json(result) = xueshi_web::routes::base::report(
            State(state.clone()),
            xueshi_web::auth::Agent {
                actor: "test".into(),
                organisation_id: base.account.organisation_id,
                region: base.region,
                principal: base.principal.clone(),
            },
            headers,
            xueshi_web::extract::ApiBytes(sample.into_bytes().into()),
        )
        .await
        .unwrap();
        assert_eq!(
            (result.written, result.rejected.len()),
            (2, 1),
            "{result:?}"
        );
        assert_eq!(result.rejected[0].code, "person.name_mismatch");
        done(db).await;
    }
}
