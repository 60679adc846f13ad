//! The files people import — CSV (UTF-8) and XLSX workbooks — read as numbered rows of cells,
//! within bounds: [`limits::Limits`] is checked before any parser allocates (file size, the
//! archive's parts and their inflated sizes, shared strings) and while rows are read (rows,
//! columns). [`Source`] reads on a thread of its own and hands over batches of [`Row`]s, each
//! numbered as Excel shows it. What the columns mean is the importer's business (in
//! `xueshi-store`); this crate knows files, not persons or records.
//!
//! Every refusal is a [`TableError`]: a stable code (`import.*`) and a Chinese message naming
//! the file or the limit.

pub mod limits;
mod read;

pub use read::*;

use std::fmt;

/// Why a file was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TableError {
    /// The file cannot be read as asked: unreadable, an unknown or old format, not UTF-8,
    /// empty, or a sheet that is not there.
    Invalid { code: &'static str, message: String },
    /// Over a bound of size or count (`import.limit.*`).
    TooLarge { code: &'static str, message: String },
    /// A shape no honest file has: a forged or over-compressed archive.
    Malformed { code: &'static str, message: String },
}

impl TableError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    /// The stable code, for programs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { code, .. }
            | Self::TooLarge { code, .. }
            | Self::Malformed { code, .. } => code,
        }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { message, .. }
            | Self::TooLarge { message, .. }
            | Self::Malformed { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for TableError {}

#[cfg(test)]
mod tests_dir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    static COUNTER: AtomicU32 = AtomicU32::new(0);

    /// A fresh directory, removed when dropped.
    pub struct TempDir(PathBuf);

    impl std::ops::Deref for TempDir {
        type Target = Path;
        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    pub fn temp_dir() -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("xueshi-table-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        TempDir(dir)
    }
}
