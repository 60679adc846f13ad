//! The pages' one rule for what people read (issue 13): an agency and a person, a reason in
//! Chinese — never a login, an `unit:…` id, an error code or a rule id. Three helpers carry it:
//!
//! - [`Names`] says who acted: the agency (organisation or unit) behind an actor text such as
//!   `demo-county-bureau（霍邱县人力资源和社会保障局）` or `unit:9134…`, with the official's name
//!   where the account names one, and 本人 for a professional acting for themself;
//! - [`TechInfo`] gathers what programs and auditors need (rule ids, hashes, the policy's
//!   version, unverified policy values, error codes) into one collapsed 技术信息 part
//!   (`templates/_tech.html`), so the page's own text stays plain;
//! - an error shows its Chinese message only, its code going into `data-code` and 技术信息
//!   (`PageError` here, `problem()` in `static/app.js`).

use std::collections::HashMap;

use xueshi_store::names::ActorName;

use crate::state::AppState;

/// Resolves actor texts to names, each once per page.
pub struct Names {
    state: AppState,
    cache: HashMap<String, ActorName>,
    persons: HashMap<i64, Option<String>>,
}

impl std::fmt::Debug for Names {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Names")
            .field("actors", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl Names {
    pub fn new(state: &AppState) -> Self {
        Self {
            state: state.clone(),
            cache: HashMap::new(),
            persons: HashMap::new(),
        }
    }

    async fn get(&mut self, actor: &str) -> ActorName {
        if let Some(n) = self.cache.get(actor) {
            return n.clone();
        }
        // A name that cannot be read is said plainly rather than failing the page.
        let n = xueshi_store::names::actor_name(&self.state.db, actor)
            .await
            .unwrap_or_default();
        self.cache.insert(actor.to_owned(), n.clone());
        n
    }

    /// A person's name, masked (`张*梅`), for pages whose reader may not see it whole.
    pub async fn person_masked(&mut self, person_id: i64) -> Option<String> {
        let name = match self.persons.get(&person_id) {
            Some(name) => name.clone(),
            None => {
                let name = xueshi_store::names::person_name(&self.state.db, person_id)
                    .await
                    .ok()
                    .flatten();
                self.persons.insert(person_id, name.clone());
                name
            }
        };
        name.as_deref().map(xueshi_certificate::content::mask_name)
    }

    /// The agency that acted (`霍邱县人力资源和社会保障局`), 本人 for a professional.
    pub async fn agency(&mut self, actor: &str) -> String {
        let n = self.get(actor).await;
        match (n.agency, n.official, n.person_id) {
            (_, _, Some(_)) => "本人".to_owned(),
            (Some(a), _, None) => a,
            (None, Some(o), None) => o,
            (None, None, None) => "—".to_owned(),
        }
    }

    /// The agency and the official (`六安市卫生健康主管部门 王主任`); a professional by
    /// their masked name.
    pub async fn full(&mut self, actor: &str) -> String {
        let n = self.get(actor).await;
        if let Some(p) = n.person_id {
            return match self.person_masked(p).await {
                Some(name) => format!("{name}（本人）"),
                None => "本人".to_owned(),
            };
        }
        match (n.agency, n.official) {
            (Some(a), Some(o)) => format!("{a} {o}"),
            (Some(a), None) => a,
            (None, Some(o)) => o,
            (None, None) => "—".to_owned(),
        }
    }
}

/// What a page keeps for programs and auditors, shown collapsed under 技术信息.
#[derive(Clone, Debug, Default)]
pub struct TechInfo {
    pub items: Vec<(String, String)>,
}

impl TechInfo {
    pub fn add(&mut self, label: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        if !value.trim().is_empty() {
            self.items.push((label.into(), value));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A record's label as people read it: the label a unit or person gave (`2026-03`); for a
/// record a base reported (`base:1:AOU-2026-0001`) its certificate number; none for a label
/// the system generated for a web registration (`W` and 16 hex digits, see
/// `routes::records`), which people know by its content instead.
pub fn record_label(label: &str) -> Option<String> {
    let generated = label.len() == 17
        && label
            .strip_prefix('W')
            .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if generated {
        return None;
    }
    Some(label.rsplit(':').next().unwrap_or(label).to_owned())
}

/// `text` percent-encoded as one component of a URL's query (everything but unreserved ASCII),
/// for links that carry what was typed (a name, a filter) across pages.
pub fn url_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
