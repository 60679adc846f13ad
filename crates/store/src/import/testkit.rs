//! A small world for the import tests: a SQLite database in a temporary directory with Lu'an's
//! places, the ledger, one county unit and one employed person; fixtures written beside it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::Policy;
use xueshi_policy::input::Cohort;

use super::ImportOptions;
use crate::people::{self, NewPerson, NewUnit, UnitKind};
use crate::{Db, Keys, LedgerSigner, on_db, registry, verify};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh directory under the system's temporary directory, removed when dropped.
#[derive(Debug)]
pub(crate) struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub(crate) fn temp_dir() -> TempDir {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("xueshi-import-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

pub(crate) fn policy() -> &'static Policy {
    static P: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    P.get_or_init(|| xueshi_policy::load_embedded("anhui").unwrap())
}

pub(crate) fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A valid ID number from its first 17 digits.
pub(crate) fn id(body: &str) -> String {
    IdNumber::complete(body).unwrap().expose().to_owned()
}

pub(crate) fn id_number(s: &str) -> IdNumber {
    IdNumber::parse(s).unwrap()
}

/// A valid credit code from its first 17 characters.
pub(crate) fn credit(body: &str) -> String {
    CreditCode::complete(body).unwrap().as_str().to_owned()
}

#[derive(Debug)]
pub(crate) struct World {
    pub db: Db,
    pub keys: Keys,
    pub signer: LedgerSigner,
    pub dir: TempDir,
    pub unit_code: CreditCode,
    pub person: i64,
    /// 张晓梅's ID number, employed at the unit since 2020-01-01.
    pub id_number: String,
    /// The PostgreSQL server and database to drop when done.
    pg: Option<(String, String)>,
}

impl World {
    /// On SQLite.
    pub async fn new() -> Self {
        let dir = temp_dir();
        let db = Db::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        Self::on(db, dir).await
    }

    /// On a fresh PostgreSQL database, if `XUESHI_TEST_POSTGRES` (default
    /// postgres://postgres@127.0.0.1:5432/test) reaches a server; required under CI.
    pub async fn postgres() -> Option<Self> {
        let admin_url = std::env::var("XUESHI_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        let admin = match Db::connect(&admin_url).await {
            Ok(Db::Postgres(admin)) => admin,
            Ok(_) => panic!("XUESHI_TEST_POSTGRES is not a postgres URL"),
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("PostgreSQL is required in CI: {e}")
            }
            Err(e) => {
                eprintln!("NOTE: PostgreSQL not reachable ({e}); skipped");
                return None;
            }
        };
        // Named like the store suite's databases, so that its clean-up drops it after this
        // process has ended.
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("xueshi_t_{}_import{n}", std::process::id());
        for sql in [
            format!("DROP DATABASE IF EXISTS {name}"),
            format!("CREATE DATABASE {name}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&admin)
                .await
                .unwrap();
        }
        admin.close().await;
        let url = format!("{}/{name}", admin_url.rsplit_once('/').unwrap().0);
        let db = Db::open(&url).await.unwrap();
        let mut world = Self::on(db, temp_dir()).await;
        world.pg = Some((admin_url, name));
        Some(world)
    }

    async fn on(db: Db, dir: TempDir) -> Self {
        let keys = Keys::from_master([42; 32]);
        let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
        registry::seed_places(&db, policy()).await.unwrap();
        registry::init_ledger(&db, &signer).await.unwrap();
        let unit_code = CreditCode::complete("12341522MB0000001").unwrap();
        let unit = people::insert_unit(
            &db,
            &NewUnit {
                credit_code: unit_code.clone(),
                name: "霍邱县第一人民医院".to_owned(),
                region: RegionCode::parse("341522").unwrap(),
                zone_id: None,
                industry: "卫生健康".to_owned(),
                kind: UnitKind::Institution,
            },
            1,
        )
        .await
        .unwrap();
        let id_number = id("34152219850612301");
        let person = people::insert_person(
            &db,
            &keys,
            &NewPerson {
                id_number: IdNumber::parse(&id_number).unwrap(),
                name: "张晓梅".to_owned(),
                cohort: Cohort::New,
                phone: None,
            },
            1,
        )
        .await
        .unwrap();
        people::employ(&db, person, unit, date("2020-01-01"))
            .await
            .unwrap();
        Self {
            db,
            keys,
            signer,
            dir,
            unit_code,
            person,
            id_number,
            pg: None,
        }
    }

    /// Closes the database and drops it (PostgreSQL).
    pub async fn done(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = &self.pg
            && let Ok(Db::Postgres(admin)) = Db::connect(admin_url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&admin)
            .await;
            admin.close().await;
        }
    }

    /// Import options of 2027-02-01 (after the 2026 public window opened the next year).
    pub fn opts(&self) -> ImportOptions {
        ImportOptions::new("unit:admin", date("2027-02-01"), 1_800_000_000_000)
    }

    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// An XLSX of text cells; `#n:12.5` is written as a number, `#d:2026-05-06` as a date.
    pub fn xlsx(&self, name: &str, rows: &[&[&str]]) -> PathBuf {
        let path = self.dir.join(name);
        write_xlsx(&path, rows);
        path
    }

    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        on_db!(&self.db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await.unwrap())
    }

    pub async fn add_unit(&self, body: &str) -> CreditCode {
        let code = CreditCode::complete(body).unwrap();
        people::insert_unit(
            &self.db,
            &NewUnit {
                credit_code: code.clone(),
                name: format!("单位{body}"),
                region: RegionCode::parse("341500").unwrap(),
                zone_id: None,
                industry: "制造业".to_owned(),
                kind: UnitKind::Enterprise,
            },
            1,
        )
        .await
        .unwrap();
        code
    }

    /// Registers a person; returns their ID number.
    pub async fn add_person(&self, body: &str, name: &str) -> String {
        let number = id(body);
        people::insert_person(
            &self.db,
            &self.keys,
            &NewPerson {
                id_number: IdNumber::parse(&number).unwrap(),
                name: name.to_owned(),
                cohort: Cohort::Old,
                phone: None,
            },
            1,
        )
        .await
        .unwrap();
        number
    }

    /// `ledger verify` finds nothing wrong.
    pub async fn ledger_ok(&self) -> bool {
        let report = verify::verify(&self.db, &self.signer.verifier(), None)
            .await
            .unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        report.ok()
    }
}

pub(crate) fn write_xlsx(path: &Path, rows: &[&[&str]]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("名单").unwrap();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if let Some(n) = cell.strip_prefix("#n:") {
                sheet.write_number(r, c, n.parse::<f64>().unwrap()).unwrap();
            } else if let Some(d) = cell.strip_prefix("#d:") {
                let dt = ExcelDateTime::parse_from_str(d).unwrap();
                sheet
                    .write_datetime_with_format(r, c, &dt, &date_format)
                    .unwrap();
            } else {
                sheet.write_string(r, c, *cell).unwrap();
            }
        }
    }
    book.save(path).unwrap();
}

/// A decompression bomb: a valid workbook of `rows` whose shared strings part is padded with
/// `padding` bytes of further (unused) strings, deflated at once as it is written (a small
/// buffer, whatever the size). With `forge`, the central directory declares the part 1 KB.
pub(crate) fn bomb_xlsx(path: &Path, rows: &[&[&str]], padding: u64, forge: bool) {
    use std::io::{Read, Write};
    use zip::write::SimpleFileOptions;
    let plain = path.with_extension("plain.xlsx");
    write_xlsx(&plain, rows);
    let mut source = zip::ZipArchive::new(std::fs::File::open(&plain).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let deflate = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    let mut shared = None;
    for i in 0..source.len() {
        let name = source.by_index_raw(i).unwrap().name().unwrap().into_owned();
        if name == "xl/sharedStrings.xml" {
            let mut xml = String::new();
            source
                .by_index(i)
                .unwrap()
                .read_to_string(&mut xml)
                .unwrap();
            shared = Some(xml);
        } else {
            out.raw_copy_file(source.by_index_raw(i).unwrap()).unwrap();
        }
    }
    let xml = shared.expect("the workbook has shared strings");
    let end = xml.rfind("</sst>").unwrap();
    out.start_file("xl/sharedStrings.xml", deflate).unwrap();
    out.write_all(&xml.as_bytes()[..end]).unwrap();
    let item = format!("<si><t>{}</t></si>", "炸".repeat(60));
    let chunk = item.repeat(padding.clamp(1, 1 << 20).div_ceil(item.len() as u64) as usize);
    let mut written = 0u64;
    while written < padding {
        out.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len() as u64;
    }
    out.write_all(b"</sst>").unwrap();
    out.finish().unwrap();
    std::fs::remove_file(&plain).unwrap();
    if forge {
        // The central directory entry: signature, then the uncompressed size at offset 24 and
        // the name at offset 46.
        let mut bytes = std::fs::read(path).unwrap();
        let name = b"xl/sharedStrings.xml";
        let at = (0..bytes.len() - 46 - name.len())
            .find(|&i| {
                bytes[i..i + 4] == *b"PK\x01\x02" && bytes[i + 46..i + 46 + name.len()] == *name
            })
            .unwrap();
        bytes[at + 24..at + 28].copy_from_slice(&1024u32.to_le_bytes());
        std::fs::write(path, bytes).unwrap();
    }
}

/// The process's peak resident memory (`VmHWM`), in KB.
pub(crate) fn peak_rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Resets the peak (`VmHWM`) to the current resident memory (Linux: `clear_refs` 5).
pub(crate) fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}
