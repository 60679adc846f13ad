//! A small YAML tree that remembers where each node was written, so that every error in a case
//! file names its line. Built from saphyr-parser's events; scalars stay text (typing is the
//! decoder's job, e.g. `2.5` hours are read exactly, never through a float). Aliases, tags and
//! duplicate keys are refused.

use saphyr_parser::{Event, Parser, ScalarStyle};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Text, and whether it was plain (unquoted): `null` only means null when plain.
    Scalar(String, bool),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A YAML syntax error with its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Node {
    /// Plain `null`, `~` or an empty value.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s, true) if s.is_empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    }
}

enum Frame {
    Seq(usize, usize, Vec<Node>),
    Map(usize, usize, Vec<(Node, Node)>, Option<Node>),
}

/// Parses one YAML document.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(|e| SyntaxError {
            line: e.marker().line(),
            col: e.marker().col() + 1,
            message: format!("YAML 语法错误：{}", e.info()),
        })?;
        let (line, col) = (span.start.line(), span.start.col() + 1);
        let err = |message: &str| SyntaxError {
            line,
            col,
            message: message.to_owned(),
        };
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(err("一个文件只能有一个 YAML 文档"));
                }
                continue;
            }
            Event::Alias(_) => return Err(err("不支持 YAML 别名（*）")),
            Event::Scalar(value, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return Err(err("不支持 YAML 锚点（&）或标签（!）"));
                }
                Node {
                    line,
                    col,
                    kind: Kind::Scalar(value.into_owned(), style == ScalarStyle::Plain),
                }
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag)
                if anchor != 0 || tag.is_some() =>
            {
                return Err(err("不支持 YAML 锚点（&）或标签（!）"));
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(line, col, Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(line, col, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop() {
                Some(Frame::Seq(l, c, items)) => Node {
                    line: l,
                    col: c,
                    kind: Kind::Seq(items),
                },
                _ => return Err(err("YAML 结构错误")),
            },
            Event::MappingEnd => match stack.pop() {
                Some(Frame::Map(l, c, entries, None)) => Node {
                    line: l,
                    col: c,
                    kind: Kind::Map(entries),
                },
                _ => return Err(err("YAML 结构错误")),
            },
            _ => continue,
        };
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, pending)) => match pending.take() {
                None => {
                    let Kind::Scalar(name, _) = &node.kind else {
                        return Err(SyntaxError {
                            line: node.line,
                            col: node.col,
                            message: "键必须是文本".to_owned(),
                        });
                    };
                    if entries
                        .iter()
                        .any(|(k, _)| matches!(&k.kind, Kind::Scalar(n, _) if n == name))
                    {
                        return Err(SyntaxError {
                            line: node.line,
                            col: node.col,
                            message: format!("键 `{name}` 重复"),
                        });
                    }
                    *pending = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
        }
    }
    root.ok_or(SyntaxError {
        line: 1,
        col: 1,
        message: "文件为空".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_and_raw_scalars() {
        let n = parse("a: 1\nb:\n  - {x: 2.5, y: '2026-01-01'}\n").unwrap();
        let Kind::Map(entries) = &n.kind else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
        let (k, v) = &entries[1];
        assert_eq!(k.line, 2);
        let Kind::Seq(items) = &v.kind else { panic!() };
        assert_eq!(items[0].line, 3);
        let Kind::Map(inner) = &items[0].kind else {
            panic!()
        };
        assert_eq!(inner[0].1.kind, Kind::Scalar("2.5".into(), true));
        assert_eq!(inner[1].1.kind, Kind::Scalar("2026-01-01".into(), false));
    }

    #[test]
    fn refuses_duplicate_keys_aliases_and_bad_syntax() {
        assert_eq!(parse("a: 1\na: 2\n").unwrap_err().line, 2);
        assert!(parse("a: &x 1\nb: *x\n").is_err());
        let e = parse("a: [1, 2\n").unwrap_err();
        assert!(e.message.contains("YAML"));
    }
}
