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
//! `Set` is the same for keys alone (a `Map` whose values are `()`).
//!
//! Build these maps with `insert`: `collect()` and `extend` sort what they are given, one
//! more copy of the standard library's sort per map type (see `order`).

use std::borrow::Borrow;

/// An ordered map kept as a sorted `Vec<(K, V)>`.
pub type Map<K, V> = litemap::LiteMap<K, V>;

/// An ordered set kept as a sorted vector: a [`Map`] with no values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set<K>(Map<K, ()>);

impl<K: Ord> Set<K> {
    pub fn new() -> Set<K> {
        Set(Map::new())
    }

    /// Adds `key`; whether it was new.
    pub fn insert(&mut self, key: K) -> bool {
        self.0.insert(key, ()).is_none()
    }

    pub fn contains<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.contains_key(key)
    }

    /// Removes `key`; whether it was there.
    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.0.remove(key).is_some()
    }

    /// The keys in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &K> + '_ {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        self.0.retain(|k, _| keep(k));
    }
}

impl<K: Ord> Extend<K> for Set<K> {
    fn extend<I: IntoIterator<Item = K>>(&mut self, keys: I) {
        for k in keys {
            self.insert(k);
        }
    }
}

impl<K: Ord> FromIterator<K> for Set<K> {
    fn from_iter<I: IntoIterator<Item = K>>(keys: I) -> Set<K> {
        let mut set = Set::new();
        set.extend(keys);
        set
    }
}

impl<'a, K: Ord> IntoIterator for &'a Set<K> {
    type Item = &'a K;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = &'a K> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_keeps_its_keys_once_and_in_order() {
        let mut s: Set<String> = ["pg_wal", "base", "global"]
            .into_iter()
            .map(String::from)
            .collect();
        assert!(!s.insert("base".to_string()), "already there");
        assert!(s.insert("pg_tblspc".to_string()));
        assert_eq!(
            s.iter().map(String::as_str).collect::<Vec<_>>(),
            ["base", "global", "pg_tblspc", "pg_wal"]
        );
        assert!(s.contains("global") && !s.contains("log"));
        assert!(s.remove("global") && !s.remove("global"));
        s.retain(|k| k.starts_with("pg_"));
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn a_map_iterates_in_key_order_and_the_last_insert_wins() {
        let mut m: Map<&str, u32> = Map::new();
        for (k, v) in [
            ("standby2", 2),
            ("primary", 0),
            ("standby1", 1),
            ("primary", 9),
        ] {
            m.insert(k, v);
        }
        assert_eq!(
            m.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(),
            [("primary", 9), ("standby1", 1), ("standby2", 2)]
        );
    }
}
