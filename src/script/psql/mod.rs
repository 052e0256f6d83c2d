//! psql, the client side of a console line: splitting the input into statements,
//! meta-commands, printing results and errors as psql does.

pub mod error;
pub mod print;
pub mod split;

pub use print::{render_aligned, render_expanded, Align, Column, ResultSet};

#[cfg(test)]
mod tests;
