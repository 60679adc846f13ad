//! Typed ids of the things authorization compares: accounts, persons, units and organisations
//! (bureaus, bases, providers), as the store numbers them. Only identity and comparison here:
//! no lookup, no parsing of ID numbers or credit codes (that is `xueshi_domain`).

use std::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id!(
    /// A login account.
    AccountId
);
id!(
    /// A professional (专业技术人员), by the store's person id (never the ID number).
    PersonId
);
id!(
    /// An employing unit (用人单位), by the store's unit id.
    UnitId
);
id!(
    /// An organisation acting in the system (bureau, authority, provider…), by the store's id.
    OrgId
);
