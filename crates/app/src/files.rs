//! Files the owner keeps (exports of contacts and feeds): readable by the owner only from the first byte,
//! whatever the umask, and written whole or not at all: to a temporary file beside the target, flushed to
//! disk, then renamed into place. A crash leaves the old file or the new one, never half of one.

use std::io::Write;
use std::path::Path;

use crate::ApiError;

/// Writes `bytes` to `path`. An existing file is replaced only when `replace` says so (the command line's
/// `--force`; a save dialog has already asked).
pub fn save_private(path: &Path, bytes: &[u8], replace: bool) -> Result<(), ApiError> {
    let failed = |e: std::io::Error| ApiError::invalid(format!("cannot write {}: {e}", path.display()));
    if !replace && path.exists() {
        return Err(ApiError::invalid(format!(
            "{} already exists; choose another name, or replace it on purpose (--force)",
            path.display()
        )));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    let tmp = path.with_file_name(format!(".{name}.earshot-tmp"));
    // Left over from a crash: it was never the owner's file.
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|_| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(failed(e));
    }
    // The rename itself reaches the disk with the folder.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_is_private_and_never_replaces_a_file_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("contacts.vcf");
        save_private(&path, b"BEGIN:VCARD", false).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "readable by the owner only");
        }
        let refused = save_private(&path, b"other", false).unwrap_err();
        assert!(refused.message.contains("already exists"), "{}", refused.message);
        assert_eq!(std::fs::read(&path).unwrap(), b"BEGIN:VCARD", "the first file is kept");
        save_private(&path, b"new", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind: {left:?}");
    }
}
