//! [`Denied`]: why an action was refused, with a stable code for clients and tests and a
//! Chinese message naming the action and the reason. Messages are built from fixed text only
//! (role, action, reason): never a person's id, name, ID number or phone.

use std::fmt;

use crate::action::Action;
use crate::role::Role;

/// The stable reason class of a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DenyCode {
    /// The role may never do this (or never to this kind of account).
    Role,
    /// The target is outside the principal's region, zone or industry.
    Jurisdiction,
    /// The role acts only for itself (its person, unit, base, filings) and this is another's.
    OwnOnly,
    /// The action does not apply to this kind of target (a caller's mistake).
    Target,
}

impl DenyCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Role => "auth.role",
            Self::Jurisdiction => "auth.jurisdiction",
            Self::OwnOnly => "auth.own_only",
            Self::Target => "auth.target",
        }
    }
}

/// A refusal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Denied {
    code: DenyCode,
    role: Role,
    action: Action,
    reason: &'static str,
}

impl Denied {
    pub(crate) fn new(code: DenyCode, role: Role, action: Action, reason: &'static str) -> Self {
        Self {
            code,
            role,
            action,
            reason,
        }
    }

    pub fn code(&self) -> DenyCode {
        self.code
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn action(&self) -> Action {
        self.action
    }

    /// The reason, in Chinese, without the refused action.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}不能{}（{}）：{}",
            self.role.zh(),
            self.action.zh(),
            self.action.cite(),
            self.reason
        )
    }
}

impl std::error::Error for Denied {}
