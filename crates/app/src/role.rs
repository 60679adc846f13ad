//! The roles of DOMAIN's "Who uses it" table: the domain's list, re-exported (the store keeps
//! accounts with the same roles). What each role may do is [`crate::Action::allowed_roles`] and
//! [`crate::authorize`].

pub use xueshi_domain::role::Role;
