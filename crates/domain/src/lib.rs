//! Pure value types of xueshi, parsed once at the edge: calendar dates, exact hours (integer
//! tenths), region codes (GB/T 2260), identity numbers (GB 11643) and credit codes (GB 32100).
//! No I/O, no clock, no floats.

pub mod date;
pub mod hours;
pub mod region;
pub mod role;

pub use date::Date;
pub use hours::Hours;
pub use region::RegionCode;
pub use role::Role;
pub mod credit_code;
pub mod id_number;
