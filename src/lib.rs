//! walscope: a deterministic model of a PostgreSQL cluster that streams WAL from a
//! primary to its standbys, the script language that drives it, and the browser app
//! that draws it.
//!
//! The layers, from the bottom up: [`sim`] is the cluster model (virtual time, one
//! seeded RNG, no browser code); [`sql`] is the server side of SQL (scanner, grammar,
//! the errors the server sends); [`script`] parses and runs scenario lines against it;
//! [`share`] turns a scenario into a link and back; [`timeline`] is the lab as the
//! browser holds it (recorded lines, snapshots, scrubbing), native and tested natively;
//! `ui` (wasm32 only) draws the model's views with Leptos.

pub mod examples;
pub mod lesson;
pub mod script;
pub mod share;
/// The cluster model, in a crate of its own (`src/sim`, `walscope-sim`) so that it can be
/// optimized for speed while the browser app is optimized for size.
pub use walscope_sim as sim;
pub mod sql;
pub mod timeline;

#[cfg(target_arch = "wasm32")]
pub mod ui;
