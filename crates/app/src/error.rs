//! The one error type that crosses to the UI and the command line.

use earshot_store::StoreError;
use serde::Serialize;
use ts_rs::TS;

/// What went wrong, as far as the UI needs to branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    NotFound,
    InvalidInput,
    Storage,
    NewerSchema,
    Corrupt,
    /// The workspace is changing hands (the demo being replaced): try again in a moment.
    Busy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub code: ApiErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError { code: ApiErrorCode::InvalidInput, message: message.into() }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::NotFound { .. } => ApiErrorCode::NotFound,
            StoreError::Invalid(_) => ApiErrorCode::InvalidInput,
            StoreError::NewerSchema { .. } => ApiErrorCode::NewerSchema,
            StoreError::Corrupt { .. } => ApiErrorCode::Corrupt,
            StoreError::Sqlite(_) | StoreError::Io { .. } => ApiErrorCode::Storage,
        };
        ApiError { code, message: e.to_string() }
    }
}
