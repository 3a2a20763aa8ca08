//! Organizations: one row per distinct (folded) name, created on first use.

use rusqlite::{params, OptionalExtension, Transaction};

use crate::Result;

/// The id of the organization with this name, creating it if needed; `None` for a blank name.
pub fn ensure(tx: &Transaction<'_>, name: Option<&str>, now: &str) -> Result<Option<i64>> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else { return Ok(None) };
    let key = earshot_core::text::fold(name);
    let existing: Option<i64> = tx
        .prepare_cached("SELECT id FROM organizations WHERE name_key = ?1")?
        .query_row([&key], |r| r.get(0))
        .optional()?;
    if let Some(id) = existing {
        return Ok(Some(id));
    }
    tx.prepare_cached("INSERT INTO organizations (name, name_key, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![name, key, now])?;
    Ok(Some(tx.last_insert_rowid()))
}

#[cfg(test)]
mod tests {
    use crate::test_support::store;

    #[test]
    fn organizations_are_shared_across_spellings() {
        let (_dir, store) = store();
        store
            .write(|tx| {
                let a = super::ensure(tx, Some("Spoke & Chain"), "t")?;
                let b = super::ensure(tx, Some("  SPOKE & chain "), "t")?;
                assert_eq!(a, b);
                assert_eq!(super::ensure(tx, Some(" "), "t")?, None);
                Ok(())
            })
            .unwrap();
    }
}
