//! The store's errors, mapped at the boundary from database errors to what callers act on:
//! not found, a named constraint conflict, an append-only refusal. Stable codes for programs,
//! Chinese for people; never an ID number in a message.

use std::fmt;

#[derive(Debug)]
pub enum StoreError {
    /// The URL's scheme is neither sqlite nor postgres.
    UnknownScheme(String),
    /// A row that should exist does not.
    NotFound(&'static str),
    /// A uniqueness or foreign-key constraint refused the write; names the constraint.
    Conflict(String),
    /// The database refused to change or delete an append-only row.
    AppendOnly(String),
    /// Input the store refuses (e.g. a void of a void).
    Invalid {
        code: &'static str,
        message: String,
    },
    /// Credentials that do not hold (a wrong password, an expired session, a revoked token).
    Unauthenticated {
        code: &'static str,
        message: String,
    },
    /// The account may not act at all (disabled).
    Refused {
        code: &'static str,
        message: String,
    },
    /// An input over a bound of size or count (an import file, a decompression bomb).
    TooLarge {
        code: &'static str,
        message: String,
    },
    /// An input of a shape no honest client sends (a forged archive, too many parts).
    Malformed {
        code: &'static str,
        message: String,
    },
    /// A stored row the store cannot read back: the data is wrong, not the request.
    Corrupt(String),
    /// An appointment slot has fewer seats left than a booking asks for (D16).
    BookingFull {
        left: i64,
        asked: usize,
    },
    /// Too many failed logins: the account is locked until `until_ms` (Unix ms).
    AccountLocked {
        until_ms: i64,
    },
    /// A request identical to one still pending (an application, a submission, a booking): the
    /// existing one's number is named, so the person sees what is already waiting.
    Duplicate {
        code: &'static str,
        message: String,
        existing: i64,
    },
    /// Key material or sealing failed.
    Crypto(String),
    /// The ledger is inconsistent (verification failures are reported separately).
    Ledger(String),
    Migrate(String),
    Database(sqlx::Error),
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownScheme(_) => "store.unknown_scheme",
            Self::NotFound(_) => "store.not_found",
            Self::Conflict(_) => "store.conflict",
            Self::AppendOnly(_) => "store.append_only",
            Self::Invalid { code, .. }
            | Self::Unauthenticated { code, .. }
            | Self::Refused { code, .. }
            | Self::TooLarge { code, .. }
            | Self::Malformed { code, .. } => code,
            Self::Corrupt(_) => "store.corrupt",
            Self::BookingFull { .. } => "booking.full",
            Self::AccountLocked { .. } => "account.locked",
            Self::Duplicate { code, .. } => code,
            Self::Crypto(_) => "store.crypto",
            Self::Ledger(_) => "store.ledger",
            Self::Migrate(_) => "store.migrate",
            Self::Database(_) => "store.database",
        }
    }

    /// A stored row that cannot be read back (`store.corrupt`).
    pub fn corrupt(message: impl Into<String>) -> Self {
        Self::Corrupt(message.into())
    }

    /// Credentials that do not hold.
    pub fn unauthenticated(code: &'static str, message: impl Into<String>) -> Self {
        Self::Unauthenticated {
            code,
            message: message.into(),
        }
    }

    /// An account that may not act at all.
    pub fn refused(code: &'static str, message: impl Into<String>) -> Self {
        Self::Refused {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownScheme(s) => {
                write!(
                    f,
                    "不支持的数据库地址 `{s}`：应以 sqlite:// 或 postgres:// 开头"
                )
            }
            Self::NotFound(what) => write!(f, "未找到{what}"),
            Self::Conflict(c) => write!(f, "与已有数据冲突（{c}）"),
            Self::AppendOnly(t) => write!(f, "{t} 只能追加，不能修改或删除"),
            Self::Invalid { message, .. }
            | Self::Unauthenticated { message, .. }
            | Self::Refused { message, .. }
            | Self::TooLarge { message, .. }
            | Self::Malformed { message, .. } => f.write_str(message),
            Self::Corrupt(m) => write!(f, "数据库中的数据无法读取：{m}"),
            Self::BookingFull { left, asked } => {
                write!(f, "该预约时段名额不足：剩余 {left} 个，本次预约 {asked} 人")
            }
            Self::AccountLocked { until_ms } => write!(
                f,
                "登录失败次数过多，账号已暂时锁定，请于北京时间 {} 后再试",
                crate::accounts::beijing_time(*until_ms)
            ),
            Self::Duplicate { message, .. } => f.write_str(message),
            Self::Crypto(m) => write!(f, "密钥或加密错误：{m}"),
            Self::Ledger(m) => write!(f, "账本错误：{m}"),
            Self::Migrate(m) => write!(f, "数据库迁移失败：{m}"),
            Self::Database(e) => write!(f, "数据库错误：{e}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::NotFound("记录"),
            sqlx::Error::Database(db) => {
                let message = db.message();
                if message.contains("append-only") {
                    return Self::AppendOnly(message.to_owned());
                }
                if db.is_unique_violation()
                    || db.is_foreign_key_violation()
                    || db.is_check_violation()
                {
                    let name = db
                        .constraint()
                        .map_or_else(|| message.to_owned(), str::to_owned);
                    return Self::Conflict(name);
                }
                Self::Database(e)
            }
            _ => Self::Database(e),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Migrate(e.to_string())
    }
}

impl From<xueshi_table::TableError> for StoreError {
    fn from(e: xueshi_table::TableError) -> Self {
        use xueshi_table::TableError as T;
        match e {
            T::Invalid { code, message } => Self::Invalid { code, message },
            T::TooLarge { code, message } => Self::TooLarge { code, message },
            T::Malformed { code, message } => Self::Malformed { code, message },
        }
    }
}
