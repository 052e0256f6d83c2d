//! The cluster's event queue: events in the order of their time, then of their
//! scheduling (a sequence number), as turmoil and stateright order theirs. The heap holds
//! small keys and the events wait in a slab beside it, so that reordering the heap moves
//! 24 bytes and not the events (a message on the wire is over 200 bytes): with three
//! standbys under a workload, the heap is reordered for every message of every standby.
//! A leaf: it knows time and nothing of what an event is.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// When an event is due and where it waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    at: SimTime,
    seq: u64,
    slot: usize,
}

/// Events of type `E` by (time, sequence).
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Key>>,
    /// The events, by slot; `None` where a slot is free.
    slots: Vec<Option<E>>,
    /// Free slots, reused before the slab grows.
    free: Vec<usize>,
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
        }
    }

    /// Adds `event`, due at `at`; `seq` orders events due at the same time (the caller
    /// gives each event a larger one than the last).
    pub fn push(&mut self, at: SimTime, seq: u64, event: E) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = Some(event);
                slot
            }
            None => {
                self.slots.push(Some(event));
                self.slots.len() - 1
            }
        };
        self.heap.push(Reverse(Key { at, seq, slot }));
    }

    /// When the first event is due.
    pub fn next_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse(k)| k.at)
    }

    /// Takes the first event out, with its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let Reverse(key) = self.heap.pop()?;
        let event = self.slots[key.slot].take()?;
        self.free.push(key.slot);
        Some((key.at, event))
    }

    /// Every waiting event with its time and sequence number, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (SimTime, u64, &E)> {
        self.heap
            .iter()
            .filter_map(|Reverse(k)| Some((k.at, k.seq, self.slots[k.slot].as_ref()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_by_time_then_by_sequence_and_slots_are_reused() {
        let mut q = EventQueue::new();
        q.push(SimTime(20), 1, "late");
        q.push(SimTime(10), 2, "first at 10");
        q.push(SimTime(10), 3, "second at 10");
        assert_eq!(q.next_time(), Some(SimTime(10)));
        assert_eq!(q.pop(), Some((SimTime(10), "first at 10")));
        q.push(SimTime(15), 4, "between");
        assert_eq!(q.slots.len(), 3, "the freed slot is used again");
        let mut waiting: Vec<_> = q.iter().map(|(at, seq, e)| (at, seq, *e)).collect();
        waiting.sort();
        assert_eq!(
            waiting,
            vec![
                (SimTime(10), 3, "second at 10"),
                (SimTime(15), 4, "between"),
                (SimTime(20), 1, "late"),
            ]
        );
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, vec!["second at 10", "between", "late"]);
        assert_eq!(q.next_time(), None);
    }
}
