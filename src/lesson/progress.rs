//! A student's progress in one lesson, as the browser keeps it in localStorage: the
//! steps done, the answers given to questions and the steps whose goals were met by
//! walking into a trap. Stored as a short text (`v1 done=0,1,3 answers=0:2,3:1
//! traps=3:0`) that a damaged or old entry cannot break: what does not read is ignored.

use crate::sim::map::{Map, Set};

use super::MAX_STEPS;

/// Steps done and answers given in one lesson.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Indexes of the steps whose goals were met (or that were read, for steps without one).
    pub done: Set<usize>,
    /// Step index -> the index of the choice the student predicted.
    pub answers: Map<usize, usize>,
    /// Step index -> the trap the student walked into on the way to its goals (a step
    /// done and absent here was met cleanly).
    pub trapped: Map<usize, usize>,
}

impl Progress {
    /// The stored form.
    pub fn to_text(&self) -> String {
        let done: Vec<String> = self.done.iter().map(usize::to_string).collect();
        let answers: Vec<String> = self
            .answers
            .iter()
            .map(|(s, a)| format!("{s}:{a}"))
            .collect();
        let mut text = format!("v1 done={} answers={}", done.join(","), answers.join(","));
        if !self.trapped.is_empty() {
            let traps: Vec<String> = self
                .trapped
                .iter()
                .map(|(s, t)| format!("{s}:{t}"))
                .collect();
            text.push_str(&format!(" traps={}", traps.join(",")));
        }
        text
    }

    /// Reads a stored progress; anything unreadable (another version, a damaged entry,
    /// a step number past any lesson) gives empty progress rather than an error.
    pub fn from_text(text: &str) -> Progress {
        Progress::read(text).unwrap_or_default()
    }

    fn read(text: &str) -> Option<Progress> {
        let mut words = text.split(' ');
        if words.next()? != "v1" {
            return None;
        }
        let mut p = Progress::default();
        for w in words {
            let (key, list) = w.split_once('=')?;
            for item in list.split(',').filter(|i| !i.is_empty()) {
                match key {
                    "done" => {
                        p.done.insert(step(item)?);
                    }
                    "answers" => {
                        let (s, a) = item.split_once(':')?;
                        p.answers.insert(step(s)?, step(a)?);
                    }
                    "traps" => {
                        let (s, t) = item.split_once(':')?;
                        p.trapped.insert(step(s)?, step(t)?);
                    }
                    _ => return None,
                }
            }
        }
        Some(p)
    }

    /// How many of `steps` steps are done.
    pub fn done_count(&self, steps: usize) -> usize {
        self.done.iter().filter(|&&s| s < steps).count()
    }
}

fn step(s: &str) -> Option<usize> {
    s.parse().ok().filter(|&n| n < MAX_STEPS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut p = Progress::default();
        p.done.extend([0, 1, 3]);
        p.answers.insert(0, 2);
        p.answers.insert(3, 1);
        assert_eq!(p.to_text(), "v1 done=0,1,3 answers=0:2,3:1");
        assert_eq!(Progress::from_text(&p.to_text()), p);
        p.trapped.insert(3, 0);
        assert_eq!(p.to_text(), "v1 done=0,1,3 answers=0:2,3:1 traps=3:0");
        assert_eq!(Progress::from_text(&p.to_text()), p);
    }

    #[test]
    fn damaged_or_old_entries_are_ignored() {
        for bad in [
            "",
            "v0 done=1",
            "v1 done=x",
            "v1 done=1 answers=2",
            "v1 done=99999999999999999999",
            "{\"done\":[1]}",
            "v1 what=1",
            "v1 done=1 traps=1",
        ] {
            assert_eq!(Progress::from_text(bad), Progress::default(), "{bad}");
        }
    }
}
