//! The continuing-education certificate (继续教育证书) of xueshi, without a database: its
//! content ([`content`]), the signed W3C VC 2.0 / Open Badges 3.0 credential ([`credential`])
//! with its `eddsa-jcs-2022` proof ([`proof`]), revocation by Bitstring Status List
//! ([`status`]), and the printable PDF with its QR code ([`pdf`]). A credential verifies
//! offline from itself; the ledger entry and the revocation bit are checked by the callers
//! that hold them. Reads no clock and no database; [`pdf`] reads a font file.

pub mod content;
pub mod credential;
pub mod multibase;
pub mod pdf;
pub mod proof;
pub mod status;

pub use content::{Certificate, Holder, RecordLine, Stamp, Totals, YearSection, mask_name};
pub use credential::{Issuer, Offline, check, issue};
pub use proof::{IssuerKey, ProofError};
pub use status::{Bitstring, StatusRef};
