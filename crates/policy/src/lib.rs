//! The policy engine of xueshi: Anhui's continuing-education rules as dated, cited data
//! (`load`, `model`), and pure, deterministic evaluation of a credit year (`annual`), a tenure
//! cycle (`cycle`) and verification routing (`route`). Policy cases (`case`, `runner`) test it.
//! No I/O here except reading policy and case files when asked; no clock; no floats.

pub mod annual;
pub mod case;
pub mod case_yaml;
pub mod cycle;
pub mod decision;
pub mod input;
pub mod load;
pub mod model;
pub mod render;
pub mod route;
pub mod rule;
pub mod runner;
mod why;
pub mod yaml;

pub use annual::{Facts, Options, evaluate_annual};
pub use cycle::evaluate_cycle;
pub use decision::*;
pub use load::{load_dir, load_embedded, load_files};
pub use model::Policy;
pub use route::route;
pub use rule::RuleId;
