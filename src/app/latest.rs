//! "The latest request wins": work started for a change (a chart build, a canvas draw, a
//! search) runs as a task over several browser turns; at each turn it checks that no newer
//! change has asked again, and stops if one has, so only the latest result lands.

use leptos::prelude::*;

/// Hands out [`Ticket`]s; only the one handed out last is current. `Copy`, so effects and
/// tasks capture it freely.
#[derive(Clone, Copy)]
pub struct Latest(StoredValue<u64>);

/// One request: current until [`Latest::next`] or [`Latest::cancel`] is called again.
#[derive(Clone, Copy)]
pub struct Ticket {
    latest: Latest,
    id: u64,
}

impl Latest {
    pub fn new() -> Self {
        Latest(StoredValue::new(0))
    }

    /// A ticket for a new request; every earlier ticket is stale from now on.
    pub fn next(&self) -> Ticket {
        let id = self.0.try_get_value().unwrap_or(0).wrapping_add(1);
        self.0.try_set_value(id);
        Ticket { latest: *self, id }
    }

    /// Makes every ticket handed out stale (nothing is current until the next request).
    pub fn cancel(&self) {
        self.next();
    }
}

impl Ticket {
    /// No newer request has been made (a task whose owner is gone is stale too).
    pub fn is_current(&self) -> bool {
        self.latest.0.try_get_value() == Some(self.id)
    }
}
