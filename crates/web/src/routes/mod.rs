//! The API's handlers, one module per area: `health`, `session` (sign in and out, the current
//! account, password change) and `persons` (a person-year's decision).

pub mod health;
pub mod persons;
pub mod records;
pub mod session;
