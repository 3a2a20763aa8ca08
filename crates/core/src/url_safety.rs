//! The one check every link the app may open goes through: http, https and mailto only.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlError {
    #[error("\"{0}\" is not a valid link")]
    Invalid(String),
    #[error("links of the kind \"{0}:\" are not opened; only http, https and mailto are")]
    Scheme(String),
    #[error("links with a user name or password in them are not opened")]
    Credentials,
}

/// Parses and checks a link before it is opened: only http(s) with a host and no user info, or mailto.
pub fn safe_external_url(input: &str) -> Result<url::Url, UrlError> {
    if input.chars().any(char::is_control) {
        return Err(UrlError::Invalid(crate::text::truncate_chars(input, 80)));
    }
    let url = url::Url::parse(input.trim()).map_err(|_| UrlError::Invalid(crate::text::truncate_chars(input, 80)))?;
    match url.scheme() {
        "http" | "https" => {
            if url.host_str().is_none_or(str::is_empty) {
                return Err(UrlError::Invalid(input.to_string()));
            }
            if !url.username().is_empty() || url.password().is_some() {
                return Err(UrlError::Credentials);
            }
            Ok(url)
        }
        "mailto" => Ok(url),
        other => Err(UrlError::Scheme(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_links_open() {
        assert!(safe_external_url("https://example.com/a?b=c").is_ok());
        assert!(safe_external_url("mailto:ann@example.com").is_ok());
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "smb://host/share",
            "https://user:pw@example.com",
            "notaurl",
            "https://exa\nmple.com",
        ] {
            assert!(safe_external_url(bad).is_err(), "{bad}");
        }
    }
}
