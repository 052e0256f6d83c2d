//! The lab's keyed collections: a map kept as one sorted vector (ICU4X's `litemap`).
//!
//! A host's roles, slots, settings, files and extensions, a cluster's links, a psql
//! session's variables: every such map is small, read far more often than written, and
//! iterated in key order (which is what keeps a transcript deterministic). A sorted
//! vector finds a key by binary search as a B-tree does and iterates in the same order,
//! but compiles to far less code: each `BTreeMap<K, V>` brought its own copy of the
//! B-tree's insertion, removal, rebalancing and iterators into the browser bundle, and
//! walscope had some thirty of them. Maps that grow with the user's data (a table's rows,
//! a unique index's keys) stay B-trees, where inserting in the middle stays cheap.
//!
//! Build these maps with `insert`: `collect()` and `extend` sort what they are given, one
//! more copy of the standard library's sort per map type (see `order`).

/// An ordered map kept as a sorted `Vec<(K, V)>`.
pub type Map<K, V> = litemap::LiteMap<K, V>;
