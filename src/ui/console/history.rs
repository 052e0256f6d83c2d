//! The console's command history: Up walks back through what was run, Down forward and
//! past the newest entry to an empty input, as psql's readline does. Plain Rust, apart
//! from the components, so it is tested on its own.

use crate::script::Target;

/// What the input shows after Up or Down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recalled {
    /// An earlier command, with the target it ran on.
    Entry(Target, String),
    /// Past the newest entry: an empty input.
    Blank,
}

/// The commands run in the console, oldest first, and where Up/Down stand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    entries: Vec<(Target, String)>,
    /// The entry on screen while walking the history; `None` at a fresh input.
    cursor: Option<usize>,
}

impl History {
    /// A history with nothing in it.
    pub fn new() -> History {
        History::default()
    }

    /// Records a command that ran; the next Up starts from it.
    pub fn push(&mut self, target: Target, text: String) {
        self.entries.push((target, text));
        self.cursor = None;
    }

    /// Up: the entry before the one on screen (the newest from a fresh input; the
    /// oldest stays). `None` when nothing was run yet, so the input stays as it is.
    pub fn up(&mut self) -> Option<Recalled> {
        let last = self.entries.len().checked_sub(1)?;
        let i = self.cursor.map_or(last, |i| i.saturating_sub(1));
        Some(self.show(Some(i)))
    }

    /// Down: the entry after the one on screen, or an empty input past the newest.
    /// `None` when nothing was run yet.
    pub fn down(&mut self) -> Option<Recalled> {
        if self.entries.is_empty() {
            return None;
        }
        let next = self
            .cursor
            .map(|i| i + 1)
            .filter(|i| *i < self.entries.len());
        Some(self.show(next))
    }

    /// Whether Up (`up`) or Down in the input showing `value`, with the caret at
    /// character `caret`, walks the history rather than moving the caret: on the first
    /// (Up) or last (Down) line of the input, as readline, and anywhere in a recalled
    /// entry still as it was recalled, so Up on a multi-line statement goes on to the
    /// command before it.
    pub fn takes_arrow(&self, up: bool, value: &str, caret: usize) -> bool {
        let recalled = self
            .cursor
            .and_then(|i| self.entries.get(i))
            .is_some_and(|(_, text)| text == value);
        recalled
            || if up {
                !value.chars().take(caret).any(|c| c == '\n')
            } else {
                !value.chars().skip(caret).any(|c| c == '\n')
            }
    }

    fn show(&mut self, at: Option<usize>) -> Recalled {
        self.cursor = at;
        match at.and_then(|i| self.entries.get(i)) {
            Some((t, text)) => Recalled::Entry(t.clone(), text.clone()),
            None => Recalled::Blank,
        }
    }
}
