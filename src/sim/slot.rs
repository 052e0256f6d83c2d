//! Physical replication slots (slot.c): creating, dropping, and releasing the slots a
//! server's walsenders held when it stops.

use super::cluster::Cluster;
use super::event::HostId;
use super::host::Slot;
use super::lsn::Lsn;

impl Cluster {
    /// `pg_create_physical_replication_slot(name, immediately_reserve, temporary)`.
    /// Returns the reserved LSN; the error is PostgreSQL's message and hint.
    pub fn create_slot(
        &mut self,
        h: HostId,
        name: &str,
        reserve: bool,
        temporary: bool,
    ) -> Result<Option<Lsn>, (String, Option<String>)> {
        self.check_new_slot(h, name)?;
        let Some(d) = self.data_mut(h) else {
            return Err(("no data directory".to_string(), None));
        };
        // A physical slot reserves from the last checkpoint's redo point (where a base
        // backup would start replay), not from the insert position.
        let restart = reserve.then_some(d.redo);
        d.slots.insert(
            name.to_string(),
            Slot {
                restart_lsn: restart,
                active_pid: None,
                lost: false,
                temporary,
                logical: None,
            },
        );
        Ok(restart)
    }

    /// ReplicationSlotCreate's checks: a valid name, not taken, a free slot.
    pub fn check_new_slot(&self, h: HostId, name: &str) -> Result<(), (String, Option<String>)> {
        let valid = !name.is_empty()
            && name.len() < 64
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err((
                format!("replication slot name \"{name}\" contains invalid character"),
                Some("Replication slot names may only contain lower case letters, numbers, and the underscore character.".to_string()),
            ));
        }
        let max = self.settings(h).int("max_replication_slots");
        let Some(d) = self.data(h) else {
            return Err(("no data directory".to_string(), None));
        };
        if d.slots.contains_key(name) {
            return Err((format!("replication slot \"{name}\" already exists"), None));
        }
        if d.slots.len() as i64 >= max {
            return Err((
                "all replication slots are in use".to_string(),
                Some("Free one or increase max_replication_slots.".to_string()),
            ));
        }
        Ok(())
    }

    /// `pg_drop_replication_slot(name)`.
    pub fn drop_slot(&mut self, h: HostId, name: &str) -> Result<(), String> {
        let Some(d) = self.data_mut(h) else {
            return Err("no data directory".to_string());
        };
        match d.slots.get(name) {
            None => Err(format!("replication slot \"{name}\" does not exist")),
            Some(Slot {
                active_pid: Some(pid),
                ..
            }) => Err(format!(
                "replication slot \"{name}\" is active for PID {pid}"
            )),
            Some(_) => {
                // An invalidated slot serves no standby any more: dropping it is cleanup.
                if let Some(s) = d.slots.remove(name).filter(|s| !s.lost) {
                    self.note_slot_dropped(h, name, s.restart_lsn);
                }
                Ok(())
            }
        }
    }

    pub fn release_slots_of(&mut self, h: HostId) {
        if let Some(d) = self.data_mut(h) {
            d.slots.retain(|_, s| !s.temporary);
            for (_, s) in d.slots.iter_mut() {
                s.active_pid = None;
            }
        }
    }
}
