//! An uploaded file as the importers read it: a temporary file of the request's bytes, removed
//! when dropped, and the rows an import rejected as every answer shows them.

use std::io::Write;

use serde::Serialize;
use utoipa::ToSchema;
use xueshi_store::import::RowError;

use crate::error::{Error, Result};

/// A temporary file removed when dropped, holding an uploaded file for an importer.
#[derive(Debug)]
pub struct Upload(pub std::path::PathBuf);

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Saves `bytes` to a new temporary file named with the extension `ext`.
pub fn save(bytes: &[u8], ext: &str) -> Result<Upload> {
    let mut name = [0u8; 16];
    getrandom::fill(&mut name).map_err(|e| Error::internal("upload", e))?;
    let name: String = name.iter().map(|b| format!("{b:02x}")).collect();
    let path = std::env::temp_dir().join(format!("xueshi-report-{name}.{ext}"));
    let upload = Upload(path);
    let mut f = std::fs::File::create_new(&upload.0).map_err(|e| Error::internal("upload", e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::internal("upload", e))?;
    Ok(upload)
}

/// One rejected row.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RowProblem {
    /// As a spreadsheet numbers it (the header is row 1).
    pub row: usize,
    pub column: String,
    pub code: String,
    pub message: String,
}

impl From<RowError> for RowProblem {
    fn from(e: RowError) -> Self {
        Self {
            row: e.row,
            column: e.column,
            code: e.code.to_owned(),
            message: e.message,
        }
    }
}
