//! The bounds of an import file, checked before any parser allocates for it: the file's size; for
//! an XLSX (a ZIP archive) the number of its parts, each part's inflated size and compression
//! ratio, their total, and the number of shared strings (calamine holds them all in memory);
//! then, while the rows are read, the rows and the columns. A decompression bomb — a small file
//! whose parts inflate to hundreds of MB — is refused here, having cost a streamed inflation
//! with a small buffer up to the first limit it crosses, never the memory of its content.
//!
//! The sizes a ZIP declares are not trusted: every part is inflated once through a counting
//! reader that stops at the limit, and a part that inflates to more than it declared is refused
//! as forged. What calamine reads afterwards is therefore what was measured here.
//!
//! Every refusal names the limit in Chinese and has a stable code under `import.limit.`; the web
//! layer answers 413 for sizes and counts, 422 for a shape no honest file has.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use crate::TableError;

/// The limits of one import. [`Limits::default`] suits the service; tests and operators may
/// choose others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The file as stored (compressed, for XLSX).
    pub max_file_bytes: u64,
    /// Parts of an XLSX archive.
    pub max_entries: usize,
    /// One XLSX part once inflated (a worksheet is streamed cell by cell, so this bounds time).
    pub max_entry_bytes: u64,
    /// All XLSX parts together once inflated.
    pub max_total_bytes: u64,
    /// The shared strings part once inflated (calamine holds every string in memory).
    pub max_shared_strings_bytes: u64,
    /// Shared strings (`<si>` items).
    pub max_shared_strings: u64,
    /// Inflated size over compressed size of a part larger than [`RATIO_FLOOR`].
    pub max_ratio: u64,
    /// The last row, as Excel numbers it (Excel itself stops at 1,048,576).
    pub max_rows: usize,
    /// Columns with content (every import file of ours has fewer than 20).
    pub max_columns: usize,
    /// Problems listed in a report (all are counted; the first ones by row are listed).
    pub max_problems: usize,
}

const MIB: u64 = 1 << 20;

/// Parts smaller than this may compress as well as they like (a sheet of empty styled cells
/// does): the ratio matters only where the inflated size does.
pub const RATIO_FLOOR: u64 = MIB;

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 * MIB,
            max_entries: 1_000,
            max_entry_bytes: 256 * MIB,
            max_total_bytes: 512 * MIB,
            max_shared_strings_bytes: 64 * MIB,
            max_shared_strings: 1_000_000,
            max_ratio: 100,
            max_rows: 1_048_576,
            max_columns: 256,
            max_problems: 1_000,
        }
    }
}

/// A size in the units people read (whole MB above 1 MB, else KB, else bytes).
pub fn human(bytes: u64) -> String {
    if bytes >= MIB {
        format!("{} MB", bytes / MIB)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}

fn limit(code: &'static str, message: String) -> TableError {
    TableError::TooLarge { code, message }
}

/// A shape no honest file has (a forged or over-compressed archive, too many parts or columns).
fn malformed(code: &'static str, message: String) -> TableError {
    TableError::Malformed { code, message }
}

const SPLIT: &str = "请检查文件，或将数据拆分为多个文件分别导入";

impl Limits {
    /// Refuses a file larger than [`Limits::max_file_bytes`].
    pub fn check_file(&self, path: &Path) -> Result<(), TableError> {
        let size = std::fs::metadata(path)
            .map_err(|e| {
                TableError::invalid("import.io", format!("无法读取文件 {}：{e}", path.display()))
            })?
            .len();
        if size > self.max_file_bytes {
            return Err(limit(
                "import.limit.file",
                format!(
                    "文件大小 {} 超过导入文件的上限 {}：{SPLIT}",
                    human(size),
                    human(self.max_file_bytes)
                ),
            ));
        }
        Ok(())
    }

    /// Checks an XLSX archive's central directory, then inflates each part once through a
    /// counting reader, before calamine is let near it.
    pub fn check_xlsx(&self, path: &Path) -> Result<(), TableError> {
        self.check_file(path)?;
        let file = File::open(path).map_err(|e| {
            TableError::invalid("import.io", format!("无法读取文件 {}：{e}", path.display()))
        })?;
        let mut archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| zip_error(&e))?;
        if archive.len() > self.max_entries {
            return Err(malformed(
                "import.limit.entries",
                format!(
                    "Excel 文件包含 {} 个部件，超过上限 {} 个：文件可能已损坏或是恶意构造的；{SPLIT}",
                    archive.len(),
                    self.max_entries
                ),
            ));
        }
        // First what the directory declares (no inflation at all), then what each part holds.
        let mut parts = Vec::with_capacity(archive.len());
        let mut declared_total = 0u64;
        for i in 0..archive.len() {
            let entry = archive.by_index_raw(i).map_err(|e| zip_error(&e))?;
            let part = Part {
                name: entry.name().map_err(|e| zip_error(&e))?.into_owned(),
                size: entry.size(),
                compressed: entry.compressed_size(),
            };
            declared_total = declared_total.saturating_add(part.size);
            self.check_part(&part, part.size)?;
            parts.push(part);
        }
        self.check_total(declared_total)?;
        let mut total = 0u64;
        for (i, part) in parts.iter().enumerate() {
            let entry = archive.by_index(i).map_err(|e| zip_error(&e))?;
            let cap = self.cap(part).min(part.size);
            let mut counter = Counter::new(is_shared_strings(&part.name));
            let mut reader = entry.take(cap.saturating_add(1));
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = reader.read(&mut buf).map_err(|e| {
                    // The zip reader itself stops a part at its declared size.
                    if e.kind() == std::io::ErrorKind::InvalidData
                        && e.to_string().contains("declared uncompressed size")
                    {
                        forged(part)
                    } else {
                        limit(
                            "import.xlsx",
                            format!("无法读取 Excel 文件的部件「{}」：{e}", part.name),
                        )
                    }
                })?;
                let Some(chunk) = buf.get(..n).filter(|c| !c.is_empty()) else {
                    break;
                };
                counter.feed(chunk);
                if counter.bytes > part.size {
                    return Err(forged(part));
                }
                if counter.strings > self.max_shared_strings {
                    return Err(self.too_many_strings());
                }
            }
            self.check_part(part, counter.bytes)?;
            total = total.saturating_add(counter.bytes);
            self.check_total(total)?;
        }
        Ok(())
    }

    /// The most a part may inflate to.
    fn cap(&self, part: &Part) -> u64 {
        if is_shared_strings(&part.name) {
            self.max_shared_strings_bytes.min(self.max_entry_bytes)
        } else {
            self.max_entry_bytes
        }
    }

    fn check_part(&self, part: &Part, size: u64) -> Result<(), TableError> {
        let cap = self.cap(part);
        if size > cap {
            return Err(limit(
                "import.limit.entry",
                format!(
                    "Excel 文件的部件「{}」解压后为 {}，超过单个部件的上限 {}：文件可能是恶意构造的压缩炸弹；{SPLIT}",
                    part.name,
                    human(size),
                    human(cap)
                ),
            ));
        }
        if size > RATIO_FLOOR && size / part.compressed.max(1) > self.max_ratio {
            return Err(malformed(
                "import.limit.ratio",
                format!(
                    "Excel 文件的部件「{}」压缩比为 {} 倍，超过上限 {} 倍：文件可能是恶意构造的压缩炸弹；{SPLIT}",
                    part.name,
                    size / part.compressed.max(1),
                    self.max_ratio
                ),
            ));
        }
        Ok(())
    }

    fn check_total(&self, total: u64) -> Result<(), TableError> {
        if total > self.max_total_bytes {
            return Err(limit(
                "import.limit.total",
                format!(
                    "Excel 文件解压后共 {} 以上，超过上限 {}：{SPLIT}",
                    human(total),
                    human(self.max_total_bytes)
                ),
            ));
        }
        Ok(())
    }

    fn too_many_strings(&self) -> TableError {
        limit(
            "import.limit.strings",
            format!(
                "Excel 文件的共享字符串超过上限 {} 个：{SPLIT}",
                self.max_shared_strings
            ),
        )
    }

    /// Refuses a row beyond [`Limits::max_rows`].
    pub fn check_row(&self, number: usize) -> Result<(), TableError> {
        if number > self.max_rows {
            return Err(limit(
                "import.limit.rows",
                format!(
                    "文件超过 {} 行的上限（第 {number} 行仍有内容）：{SPLIT}",
                    self.max_rows
                ),
            ));
        }
        Ok(())
    }

    /// Refuses content in a column beyond [`Limits::max_columns`] (`column` is 0-based).
    pub fn check_column(&self, row: usize, column: usize) -> Result<(), TableError> {
        if column >= self.max_columns {
            return Err(malformed(
                "import.limit.columns",
                format!(
                    "第 {row} 行第 {} 列有内容，超过 {} 列的上限：请删除多余的列后重新导入",
                    column.saturating_add(1),
                    self.max_columns
                ),
            ));
        }
        Ok(())
    }
}

fn zip_error(e: &zip::result::ZipError) -> TableError {
    TableError::invalid("import.xlsx", format!("无法读取 Excel 文件：{e}"))
}

fn forged(part: &Part) -> TableError {
    malformed(
        "import.limit.forged",
        format!(
            "Excel 文件的部件「{}」解压后比其声明的大小（{}）更大：文件是伪造或损坏的，已拒绝",
            part.name,
            human(part.size)
        ),
    )
}

/// A part as the central directory declares it.
#[derive(Debug)]
struct Part {
    name: String,
    size: u64,
    compressed: u64,
}

fn is_shared_strings(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("sharedstrings.xml")
}

/// Counts inflated bytes, and (in the shared strings part) the `<si>` items, whatever prefix
/// their namespace has, across buffer boundaries.
#[derive(Debug)]
struct Counter {
    bytes: u64,
    strings: u64,
    count_strings: bool,
    /// Inside a tag's name: its bytes so far (only the first few matter).
    name: Option<Vec<u8>>,
}

impl Counter {
    fn new(count_strings: bool) -> Self {
        Self {
            bytes: 0,
            strings: 0,
            count_strings,
            name: None,
        }
    }

    fn feed(&mut self, chunk: &[u8]) {
        self.bytes = self.bytes.saturating_add(chunk.len() as u64);
        if !self.count_strings {
            return;
        }
        for &b in chunk {
            match &mut self.name {
                None if b == b'<' => self.name = Some(Vec::with_capacity(8)),
                None => {}
                Some(name) => {
                    if b.is_ascii_whitespace() || b == b'>' || b == b'/' {
                        let local = name.rsplit(|&c| c == b':').next().unwrap_or_default();
                        if local == b"si" {
                            self.strings += 1;
                        }
                        self.name = None;
                    } else if name.len() < 32 {
                        name.push(b);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_strings_are_counted_across_chunks_and_prefixes() {
        let xml =
            b"<sst count=\"3\"><si><t>a</t></si><x:si><x:t>b</x:t></x:si><si/><sis>no</sis></sst>";
        for split in 0..xml.len() {
            let mut c = Counter::new(true);
            let (a, b) = xml.split_at(split);
            c.feed(a);
            c.feed(b);
            assert_eq!(
                (c.strings, c.bytes),
                (3, xml.len() as u64),
                "split at {split}"
            );
        }
    }

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(human(64 * MIB), "64 MB");
        assert_eq!(human(3 * 1024 + 5), "3 KB");
        assert_eq!(human(12), "12 字节");
    }
}
