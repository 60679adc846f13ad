//! Jurisdiction over places: whether an authority's place covers a target's place. Divisions
//! nest (province ⊃ city ⊃ county, a county never covers another); a development zone belongs
//! to the city the policy's routing table names, is covered by that city (and the province),
//! and is covered at county level only by its own centre. All of it is
//! `xueshi_policy::annual::covers`; this module only carries the policy it needs.

use xueshi_domain::RegionCode;
use xueshi_policy::Policy;
use xueshi_policy::input::Place;

/// What authorization needs from outside: the policy, for the zones' cities.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    pub policy: &'a Policy,
}

impl<'a> Context<'a> {
    pub fn new(policy: &'a Policy) -> Self {
        Self { policy }
    }

    /// Whether an authority at `authority` has jurisdiction over `place`.
    pub fn covers(&self, authority: &Place, place: &Place) -> bool {
        xueshi_policy::annual::covers(self.policy, authority, place)
    }

    /// Whether an authority of `region` has jurisdiction over `place`.
    pub fn region_covers(&self, region: RegionCode, place: &Place) -> bool {
        self.covers(&Place::Region(region), place)
    }
}
