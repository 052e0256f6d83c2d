//! Logical replication and the independent clusters it runs between (initdb.c,
//! publicationcmds.c, subscriptioncmds.c, the apply worker): behaviour as `impl Cluster`
//! blocks; the data is in `pubsub.rs`.

mod apply;
mod apply_rows;
mod decode;
mod initdb;
mod slot;
mod subscription;
mod tablesync;
mod views;
mod walsender;
mod walsize;

pub use decode::DecodingOptions;
pub use views::{ConflictInserts, StoppedSubscription, SubscriptionCard};

#[cfg(test)]
mod tests;
