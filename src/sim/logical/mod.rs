//! Logical replication and the independent clusters it runs between (initdb.c,
//! publicationcmds.c, subscriptioncmds.c, the apply worker): behaviour as `impl Cluster`
//! blocks; the data is in `pubsub.rs`.

mod initdb;
mod slot;
mod walsize;

#[cfg(test)]
mod tests;
