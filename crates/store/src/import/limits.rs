//! The bounds of an import file ([`xueshi_table::limits`]), tested through the imports: a
//! decompression bomb refused before memory grows, each limit named, reports bounded.

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::{ImportOptions, ImportReport, import_certificates};
    use std::path::Path;

    use crate::error::StoreError;

    const HEADER: [&str; 8] = [
        "身份证号",
        "姓名",
        "基地",
        "证书编号",
        "课程名称",
        "学时",
        "完成日期",
        "考试结果",
    ];

    async fn certificates(
        w: &World,
        path: &Path,
        opts: &ImportOptions,
    ) -> Result<ImportReport, StoreError> {
        import_certificates(&w.db, &w.keys, &w.signer, policy(), path, opts, &mut |_| {}).await
    }

    /// The attack: a workbook of a few MB whose shared strings inflate to 300 MB. It is
    /// refused by its declared size, and — forged to declare 1 KB — by the counting reader, in
    /// both cases before calamine opens it: the process's peak memory grows by a few MB at most.
    #[tokio::test]
    async fn a_shared_strings_bomb_is_refused_before_memory_grows() {
        let w = World::new().await;
        let row = [
            w.id_number.as_str(),
            "张晓梅",
            "1",
            "K-1",
            "课程",
            "20",
            "2026-06-01",
            "合格",
        ];
        for (forge, code) in [(false, "import.limit.entry"), (true, "import.limit.forged")] {
            let path = w.dir.join(format!("bomb-{forge}.xlsx"));
            bomb_xlsx(&path, &[&HEADER, &row], 300 << 20, forge);
            let size = std::fs::metadata(&path).unwrap().len();
            assert!(size < 4 << 20, "the bomb is small: {size} bytes");
            reset_peak_rss();
            let before = peak_rss_kb();
            let err = certificates(&w, &path, &w.opts()).await.unwrap_err();
            let grown = peak_rss_kb().saturating_sub(before);
            eprintln!(
                "bomb ({} KB, 300 MB inflated, forged: {forge}): refused with {}; peak RSS grew by {grown} KB",
                size / 1024,
                err.code()
            );
            assert_eq!(err.code(), code, "{err}");
            assert!(err.to_string().contains("sharedStrings.xml"), "{err}");
            assert!(grown < 16 * 1024, "peak RSS grew by {grown} KB");
        }
        // Nothing was written, and the same workbook without its padding imports.
        let path = w.dir.join("honest.xlsx");
        bomb_xlsx(&path, &[&HEADER, &row], 0, false);
        let report = certificates(&w, &path, &w.opts()).await.unwrap();
        assert_eq!(report.written, 1, "{report}");
        w.done().await;
    }

    #[tokio::test]
    async fn each_limit_is_named_when_crossed() {
        let w = World::new().await;
        let row = [
            w.id_number.as_str(),
            "张晓梅",
            "1",
            "K-1",
            "课程",
            "20",
            "2026-06-01",
            "合格",
        ];
        // 8 MB of strings that compress ~1000 times: below the size limits, above the ratio.
        let dense = w.dir.join("dense.xlsx");
        bomb_xlsx(&dense, &[&HEADER, &row], 8 << 20, false);
        let err = certificates(&w, &dense, &w.opts()).await.unwrap_err();
        assert_eq!(err.code(), "import.limit.ratio", "{err}");
        assert!(err.to_string().contains("上限 100 倍"), "{err}");

        let small = w.dir.join("small.xlsx");
        bomb_xlsx(&small, &[&HEADER, &row], 1 << 10, false);
        let mut opts = w.opts();
        opts.limits.max_shared_strings = 5;
        let err = certificates(&w, &small, &opts).await.unwrap_err();
        assert_eq!(err.code(), "import.limit.strings", "{err}");
        assert!(err.to_string().contains("上限 5 个"), "{err}");

        let mut opts = w.opts();
        opts.limits.max_file_bytes = 1024;
        let err = certificates(&w, &small, &opts).await.unwrap_err();
        assert_eq!(err.code(), "import.limit.file", "{err}");

        let mut rows = HEADER.join(",") + "\n";
        for i in 0..10 {
            rows.push_str(&format!(
                "{},张晓梅,1,R-{i},课程,20,2026-06-01,合格\n",
                w.id_number
            ));
        }
        let csv = w.file("rows.csv", &rows);
        let mut opts = w.opts();
        opts.limits.max_rows = 5;
        let err = certificates(&w, &csv, &opts).await.unwrap_err();
        assert_eq!(err.code(), "import.limit.rows", "{err}");
        assert!(err.to_string().contains("5 行的上限"), "{err}");

        // Empty padding columns are dropped; content beyond the limit is refused.
        let padded = w.file(
            "padded.csv",
            &format!(
                "{}{}\n{}{}\n",
                HEADER.join(","),
                ",".repeat(500),
                row.join(","),
                ",".repeat(500)
            ),
        );
        let report = certificates(&w, &padded, &w.opts()).await.unwrap();
        assert!(report.is_clean(), "{report}");
        let wide = w.file(
            "wide.csv",
            &format!(
                "{}\n{}{}x\n",
                HEADER.join(","),
                row.join(","),
                ",".repeat(300)
            ),
        );
        let err = certificates(&w, &wide, &w.opts()).await.unwrap_err();
        assert_eq!(err.code(), "import.limit.columns", "{err}");
        assert!(err.to_string().contains("第 2 行第 308 列"), "{err}");
        w.done().await;
    }

    /// A file of bad rows gets the first problems and the count, not a report as large as it.
    #[tokio::test]
    async fn a_report_lists_the_first_problems_and_counts_all() {
        let w = World::new().await;
        let mut rows = HEADER.join(",") + "\n";
        for i in 0..500 {
            rows.push_str(&format!(
                "{},李四,1,B-{i},课程,20,2026-06-01,合格\n",
                w.id_number
            ));
        }
        let csv = w.file("bad.csv", &rows);
        let mut opts = w.opts();
        opts.limits.max_problems = 10;
        opts.batch_rows = 7;
        let report = certificates(&w, &csv, &opts).await.unwrap();
        assert_eq!(report.problems, 500);
        assert_eq!(report.rejected_set.len(), 500);
        assert_eq!(report.rejected_rows().len(), 500);
        let listed: Vec<usize> = report.rejected.iter().map(|e| e.row).collect();
        assert_eq!(listed, (2..12).collect::<Vec<_>>());
        assert!(report.is_truncated());
        let text = report.to_string();
        assert!(text.contains("共 500 个问题，以上列出前 10 个"), "{text}");
        assert!(text.contains("有错误：第 2–501 行"), "{text}");
        w.done().await;
    }
}
