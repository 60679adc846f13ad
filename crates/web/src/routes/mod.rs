//! The API's handlers, one module per area: `health`, `session` (sign in and out, the current
//! account, password change) and `persons` (a person-year's decision).

pub mod health;
pub mod persons;
pub mod records;
// utoipa's expansion of `params(SomeQuery)` qualifies paths that are already in scope.
#[allow(unused_qualifications)]
pub mod reviews;
pub mod session;
#[allow(unused_qualifications)]
pub mod verifications;
