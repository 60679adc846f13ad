//! [`AppState`]: what every handler shares — the database, the keys, the ledger signer, the
//! policy, the account rules, a clock, and whether cookies are marked `Secure`. The clock is a
//! function so tests can fix time; nothing else in the web layer reads the system time.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use xueshi_certificate::IssuerKey;
use xueshi_certificate::pdf::CjkFont;
use xueshi_policy::Policy;
use xueshi_store::accounts::AccountPolicy;
use xueshi_store::{Db, Keys, LedgerSigner};

use crate::registrations::Registrations;
use crate::session_cache::SessionCache;
use crate::throttle::{Throttle, ThrottleConfig};

pub use xueshi_app::ctx::Clock;

/// The system clock, as Unix milliseconds (0 before 1970, saturating far in the future).
pub fn system_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Shared by every request: one allocation, so that the clones axum makes of it for each
/// request and extractor are one counter increment (cloning the fields themselves, three strings
/// and a dozen counters, was ~7 % of the compliance read's CPU). Fields read through `Deref`;
/// setting one (`state.clock = …`, before serving) copies the fields if another clone shares
/// them (`Arc::make_mut`).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The fields of [`AppState`].
#[derive(Clone)]
pub struct Shared {
    pub db: Db,
    pub keys: Arc<Keys>,
    pub signer: Arc<LedgerSigner>,
    pub policy: Arc<Policy>,
    pub accounts: AccountPolicy,
    pub clock: Clock,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Sessions checked in the last seconds.
    pub sessions: Arc<SessionCache>,
    /// Failed sign-ins (in place of a lockout).
    pub throttle: Arc<Throttle>,
    /// The group-commit writer of record registrations (started on first use).
    registrations: Arc<std::sync::OnceLock<Registrations>>,
    /// The public base URL (`XUESHI_PUBLIC_URL`): certificates' QR codes and status lists.
    pub public_url: String,
    /// The name certificates give their issuer.
    pub issuer_name: String,
    /// The CJK font for PDF certificates (`PATH` or `PATH#FACE`); `None`: `XUESHI_CJK_FONT`,
    /// else the system's.
    pub cjk_font: Option<String>,
    /// The key that signs certificates and status lists (derived from the key file).
    pub issuer: Arc<IssuerKey>,
    /// The CJK font once found (a missing font is looked for again on the next request).
    fonts: Arc<std::sync::OnceLock<CjkFont>>,
}

/// The public base URL when none is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

impl AppState {
    /// A state with the system clock, the default account rules and non-`Secure` cookies.
    pub fn new(db: Db, keys: Keys, signer: LedgerSigner, policy: Policy) -> Self {
        let issuer = Arc::new(xueshi_store::certificates::issuer_key(&keys));
        Self(Arc::new(Shared {
            db,
            issuer,
            public_url: DEFAULT_PUBLIC_URL.to_owned(),
            issuer_name: xueshi_store::certificates::DEFAULT_ISSUER_NAME.to_owned(),
            cjk_font: None,
            fonts: Arc::new(std::sync::OnceLock::new()),
            keys: Arc::new(keys),
            signer: Arc::new(signer),
            policy: Arc::new(policy),
            accounts: AccountPolicy::default(),
            clock: Arc::new(system_clock),
            secure_cookies: false,
            sessions: Arc::new(SessionCache::default()),
            throttle: Arc::new(Throttle::new(ThrottleConfig::default())),
            registrations: Arc::new(std::sync::OnceLock::new()),
        }))
    }

    /// The registration writer, started on the current runtime at first use (so that a state
    /// built outside a runtime, and its clock set afterwards, still work).
    pub fn registrations(&self) -> &Registrations {
        self.registrations.get_or_init(|| {
            Registrations::start(self.db.clone(), self.signer.clone(), self.clock.clone())
        })
    }

    /// The CJK font for PDFs, found once (see [`CjkFont::locate`]).
    pub fn cjk_font(&self) -> Result<CjkFont, xueshi_certificate::pdf::FontError> {
        if let Some(font) = self.fonts.get() {
            return Ok(font.clone());
        }
        let font = CjkFont::locate(self.cjk_font.as_deref())?;
        Ok(self.fonts.get_or_init(|| font).clone())
    }

    /// The context of the use cases (`xueshi_app`), built from this state as it is now (a test
    /// may have replaced the clock).
    /// The issuer of this service's certificates: its key, name and public URL.
    pub fn issuing(&self) -> xueshi_store::certificates::Issuing<'_> {
        xueshi_store::certificates::Issuing {
            key: &self.issuer,
            issuer_name: &self.issuer_name,
            public_url: &self.public_url,
        }
    }

    pub fn ctx(&self) -> xueshi_app::Ctx {
        xueshi_app::Ctx {
            db: self.db.clone(),
            policy: self.policy.clone(),
            signer: self.signer.clone(),
            clock: self.clock.clone(),
        }
    }

    /// Now, by the state's clock.
    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

impl fmt::Debug for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppState")
            .field("db", &self.db.backend())
            .field("policy", &self.policy.name)
            .field("accounts", &self.accounts)
            .field("secure_cookies", &self.secure_cookies)
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}
