//! Stable sorting with one copy of the standard library's sort in the bundle.
//!
//! Every `sort_by_key` call with its own closure (and every `sort` of its own element
//! type) is a separate instantiation of the whole merge sort, about 3 to 4 kB of wasm
//! each, and walscope sorts in some twenty places. Here the sort runs once, over the
//! elements' indices, through a `dyn` comparison; what stays generic per call is
//! moving the elements into place. The result is `sort_by`'s: stable, deterministic.
//! (The model's per-reply synchronous standby ranking keeps the standard sort: it
//! runs for every standby reply and this one allocates.)

use std::cmp::Ordering;

/// Sorts `v` stably by `cmp`.
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = permutation(v.len(), &|a, b| cmp(&v[a], &v[b]));
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(order.iter().filter_map(|&i| slots[i].take()));
}

/// Sorts `v` stably by the key `key` gives each element.
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `v` stably in its elements' order.
pub fn sort<T: Ord>(v: &mut Vec<T>) {
    sort_by(v, T::cmp);
}

/// The indices `0..n` in the order `cmp` puts them (stable): the one instantiation.
fn permutation(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|a, b| cmp(*a, *b));
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let mut v = vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        let mut w = v.clone();
        sort_by_key(&mut v, |p| p.0);
        w.sort_by_key(|p| p.0);
        assert_eq!(v, w);
        assert_eq!(v, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
        let mut s = vec!["b".to_string(), "a".to_string(), "c".to_string()];
        sort(&mut s);
        assert_eq!(s, ["a", "b", "c"]);
        let mut e: Vec<u8> = Vec::new();
        sort(&mut e);
        assert!(e.is_empty());
    }
}
