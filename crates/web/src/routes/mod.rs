//! The API's handlers, one module per area: `health`, `session` (sign in and out, the current
//! account, password change), `persons` (a person-year's decision), `records` (registration),
//! `reviews` (year pages), `verifications` (applications, stamps, readiness), `registers`
//! (filings, the courseware-provider register), `messages` (消息 and the e-mail address), `slots` (appointments), `audit` (the trail,
//! disclosures), `base` (the bases' certificate reports) and `certificates` (继续教育证书:
//! issue, credential, PDF, revocation, status lists, public checks).

// utoipa's expansion of `params(SomeQuery)` qualifies paths that are already in scope.
#[allow(unused_qualifications)]
pub mod audit;
pub mod base;
pub mod certificates;
pub mod health;
#[allow(unused_qualifications)]
pub mod messages;
pub mod persons;
pub mod profile;
pub mod record_check;
pub mod records;
#[allow(unused_qualifications)]
pub mod registers;
#[allow(unused_qualifications)]
pub mod resets;
#[allow(unused_qualifications)]
pub mod reviews;
pub mod session;
#[allow(unused_qualifications)]
pub mod slots;
#[allow(unused_qualifications)]
pub mod statistics;
#[allow(unused_qualifications)]
pub mod units;
#[allow(unused_qualifications)]
pub mod verifications;
