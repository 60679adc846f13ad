//! [`Error`]: what a use case answers when it does not do what was asked — a typed [`Kind`]
//! (which the web adapter maps to an HTTP status, and nothing else does), a stable code for
//! programs and a Chinese message for people. Store errors, refusals of [`crate::authorize`]
//! and engine errors all map here, each by its type, never by matching code strings.
//! An [`Kind::Internal`] error's message is for the log only: adapters show people a fixed text.

use std::fmt;

use xueshi_policy::EvalError;
use xueshi_store::StoreError;

use crate::{Denied, ScopeError};

/// Why a use case refused or failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// What was named does not exist (or is not the caller's to know of).
    NotFound,
    /// The caller may not do this (role, jurisdiction, routing).
    Denied,
    /// The state does not allow it (a duplicate, an answered application, a stale decision).
    Conflict,
    /// The input is wrong (a field out of range, a missing reason).
    Invalid,
    /// The input is well-formed but cannot be acted on (no verifier can be routed; a forged
    /// or over-compressed file).
    Unprocessable,
    /// The input is over a bound of size or count.
    TooLarge,
    /// The input's media type is not one accepted.
    Unsupported,
    /// The account is locked for a while.
    Locked,
    /// No valid credentials.
    Unauthenticated,
    /// Our fault: the message goes to the log, never to people.
    Internal,
}

/// A use case's refusal or failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub kind: Kind,
    /// Stable, for programs: e.g. `verification.not_compliant`.
    pub code: &'static str,
    /// Chinese, for people (for [`Kind::Internal`], the detail for the log).
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
        }
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, code, message)
    }

    pub fn denied(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Denied, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Conflict, code, message)
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Invalid, code, message)
    }

    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(Kind::Unprocessable, code, message)
    }

    /// Our fault; `detail` is for the log.
    pub fn internal(code: &'static str, detail: impl fmt::Display) -> Self {
        Self::new(Kind::Internal, code, detail.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}）", self.message, self.code)
    }
}

impl std::error::Error for Error {}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        let code = e.code();
        let kind = match &e {
            StoreError::NotFound(_) => Kind::NotFound,
            // A constraint's name is for the log, not for people.
            StoreError::Conflict(_) | StoreError::AppendOnly(_) => {
                return Self::conflict(code, "与已有数据冲突");
            }
            StoreError::BookingFull { .. } | StoreError::Duplicate { .. } => Kind::Conflict,
            StoreError::AccountLocked { .. } => Kind::Locked,
            StoreError::Invalid { .. } => Kind::Invalid,
            StoreError::Unauthenticated { .. } => Kind::Unauthenticated,
            StoreError::Refused { .. } => Kind::Denied,
            StoreError::TooLarge { .. } => Kind::TooLarge,
            StoreError::Malformed { .. } => Kind::Unprocessable,
            StoreError::Corrupt(_)
            | StoreError::UnknownScheme(_)
            | StoreError::Crypto(_)
            | StoreError::Ledger(_)
            | StoreError::Migrate(_)
            | StoreError::Database(_) => Kind::Internal,
        };
        Self::new(kind, code, e.to_string())
    }
}

impl From<Denied> for Error {
    fn from(d: Denied) -> Self {
        Self::denied(d.code().as_str(), d.to_string())
    }
}

impl From<ScopeError> for Error {
    /// A stored account whose scope is not valid: the data is wrong, not the request.
    fn from(e: ScopeError) -> Self {
        Self::internal(e.code(), e)
    }
}

impl From<EvalError> for Error {
    fn from(e: EvalError) -> Self {
        match e {
            EvalError::NoPolicyForYear(_) => Self::not_found(e.code(), e.to_string()),
            _ => Self::internal(e.code(), &e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_errors_keep_their_code_and_take_a_kind_from_their_type() {
        let cases = [
            (
                StoreError::NotFound("人员"),
                Kind::NotFound,
                "store.not_found",
            ),
            (
                StoreError::unauthenticated("session.invalid", "登录已失效"),
                Kind::Unauthenticated,
                "session.invalid",
            ),
            (
                StoreError::refused("account.disabled", "该账号已停用"),
                Kind::Denied,
                "account.disabled",
            ),
            (
                StoreError::TooLarge {
                    code: "import.limit.file",
                    message: "过大".into(),
                },
                Kind::TooLarge,
                "import.limit.file",
            ),
            (StoreError::corrupt("坏"), Kind::Internal, "store.corrupt"),
            (
                StoreError::Conflict("persons_pkey".into()),
                Kind::Conflict,
                "store.conflict",
            ),
        ];
        for (e, kind, code) in cases {
            let a = Error::from(e);
            assert_eq!((a.kind, a.code), (kind, code));
        }
        // A constraint's name never reaches people.
        let a = Error::from(StoreError::Conflict("persons_pkey".into()));
        assert!(!a.message.contains("persons_pkey"), "{}", a.message);
    }
}
