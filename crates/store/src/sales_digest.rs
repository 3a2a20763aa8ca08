//! Each buyer's paid orders in one currency, packed in one `sales_digest` row (migration 0006), so the
//! dashboard reads one row per customer instead of every order. The table is a cache of `orders`: triggers
//! mark the (buyer, currency) pairs an order change touches, and [`refresh`] rebuilds those before the
//! dashboard is read.

use rusqlite::{params, Connection, Transaction};

use crate::Result;

/// The buyer of orders with no known contact.
pub const ANONYMOUS: i64 = 0;

/// Buyers rebuilt per call: the first build after a large order import is done in several short
/// transactions, so other writes get in between.
pub const CHUNK: usize = 20_000;

/// One paid order (or refund row) as the digest keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Unix seconds.
    pub at: i64,
    pub is_sale: bool,
    pub amount_minor: i64,
    pub refunded_minor: i64,
}

const ENTRY_BYTES: usize = 25;

fn encode(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * ENTRY_BYTES);
    for e in entries {
        out.extend_from_slice(&e.at.to_le_bytes());
        out.push(e.is_sale as u8);
        out.extend_from_slice(&e.amount_minor.to_le_bytes());
        out.extend_from_slice(&e.refunded_minor.to_le_bytes());
    }
    out
}

/// The entries of a digest, oldest first.
pub fn decode(blob: &[u8]) -> impl Iterator<Item = Entry> + '_ {
    let i64_at = |b: &[u8], at: usize| i64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
    blob.chunks_exact(ENTRY_BYTES).map(move |b| Entry {
        at: i64_at(b, 0),
        is_sale: b[8] == 1,
        amount_minor: i64_at(b, 9),
        refunded_minor: i64_at(b, 17),
    })
}

/// Rebuilds up to [`CHUNK`] of the digests marked stale; true once none is left.
pub fn refresh(tx: &Transaction<'_>) -> Result<bool> {
    let stale: Vec<(i64, String)> = tx
        .prepare_cached("SELECT buyer, currency FROM sales_digest_stale LIMIT ?1")?
        .query_map([CHUNK as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (buyer, currency) in &stale {
        let entries = paid_orders(tx, *buyer, currency)?;
        if entries.is_empty() {
            tx.prepare_cached("DELETE FROM sales_digest WHERE currency = ?1 AND buyer = ?2")?
                .execute(params![currency, buyer])?;
        } else {
            tx.prepare_cached(
                "INSERT INTO sales_digest (buyer, currency, sales) VALUES (?1, ?2, ?3)
                 ON CONFLICT (currency, buyer) DO UPDATE SET sales = excluded.sales",
            )?
            .execute(params![buyer, currency, encode(&entries)])?;
        }
        tx.prepare_cached("DELETE FROM sales_digest_stale WHERE buyer = ?1 AND currency = ?2")?
            .execute(params![buyer, currency])?;
    }
    Ok(stale.len() < CHUNK)
}

const KNOWN_BUYER_ORDERS: &str = "SELECT placed_at, kind = 'sale', amount_minor, refunded_minor
       FROM orders INDEXED BY orders_by_buyer
      WHERE status = 'paid' AND currency = ?1 AND contact_id = ?2 AND deleted_at IS NULL ORDER BY placed_at";
const ANONYMOUS_ORDERS: &str = "SELECT placed_at, kind = 'sale', amount_minor, refunded_minor
       FROM orders INDEXED BY orders_by_buyer
      WHERE status = 'paid' AND currency = ?1 AND contact_id IS NULL AND deleted_at IS NULL ORDER BY placed_at";

fn paid_orders(tx: &Transaction<'_>, buyer: i64, currency: &str) -> Result<Vec<Entry>> {
    let anonymous = buyer == ANONYMOUS;
    let mut stmt = tx.prepare_cached(if anonymous { ANONYMOUS_ORDERS } else { KNOWN_BUYER_ORDERS })?;
    let mut rows = if anonymous { stmt.query([currency])? } else { stmt.query(params![currency, buyer])? };
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        // Orders are stored with normalised timestamps; one that is not is left out, as everywhere else.
        let Some(at) = r.get_ref(0)?.as_str().ok().and_then(crate::parse_timestamp) else { continue };
        out.push(Entry { at: at.timestamp(), is_sale: r.get(1)?, amount_minor: r.get(2)?, refunded_minor: r.get(3)? });
    }
    Ok(out)
}

/// Calls `f` with every digest: buyer (the anonymous one included), currency and packed orders, in no set
/// order. One pass over the table, whatever the currencies: the dashboard needs the others' counts too.
pub fn for_each(conn: &Connection, mut f: impl FnMut(i64, &str, &[u8])) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT buyer, currency, sales FROM sales_digest")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        // Only `refresh` writes digests, always as text and blob; a damaged row is skipped rather than
        // failing the dashboard.
        if let (Ok(currency), Ok(digest)) = (r.get_ref(1)?.as_str(), r.get_ref(2)?.as_blob()) {
            f(r.get(0)?, currency, digest);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{person, store};

    fn digest_of(store: &crate::Store, buyer: i64) -> Vec<Entry> {
        store
            .read(|c| {
                let mut out = Vec::new();
                for_each(c, |b, currency, blob| {
                    if b == buyer && currency == "USD" {
                        out.extend(decode(blob));
                    }
                })?;
                Ok(out)
            })
            .unwrap()
    }

    #[test]
    fn the_digest_follows_every_change_to_a_buyers_paid_orders() {
        let (_dir, store) = store();
        let ana = store
            .write(|tx| crate::contacts::insert(tx, &person("Ana", None).normalized().unwrap(), None, "x"))
            .unwrap();
        store
            .write(|tx| {
                tx.execute_batch(&format!(
                    "INSERT INTO orders (id, source, external_id, contact_id, placed_at, status, currency, amount_minor,
                                         refunded_minor, created_at) VALUES
                       (1, 'csv', 'a', {ana}, '2026-02-01T10:00:00Z', 'paid', 'USD', 5000, 1000, 'x'),
                       (2, 'csv', 'b', {ana}, '2026-01-01T10:00:00Z', 'paid', 'USD', 3000, 0, 'x'),
                       (3, 'csv', 'c', {ana}, '2026-01-15T10:00:00Z', 'failed', 'USD', 9000, 0, 'x'),
                       (4, 'csv', 'd', NULL, '2026-01-20T10:00:00Z', 'paid', 'USD', 2000, 0, 'x');"
                ))?;
                while !refresh(tx)? {}
                Ok(())
            })
            .unwrap();
        let jan = crate::parse_timestamp("2026-01-01T10:00:00Z").unwrap().timestamp();
        let feb = crate::parse_timestamp("2026-02-01T10:00:00Z").unwrap().timestamp();
        // Oldest first; the failed payment is not a sale.
        assert_eq!(
            digest_of(&store, ana),
            vec![
                Entry { at: jan, is_sale: true, amount_minor: 3000, refunded_minor: 0 },
                Entry { at: feb, is_sale: true, amount_minor: 5000, refunded_minor: 1000 }
            ]
        );
        assert_eq!(digest_of(&store, ANONYMOUS).len(), 1);

        // The anonymous order is assigned to Ana, the older one is removed, the failed one is paid after all.
        store
            .write(|tx| {
                tx.execute_batch(
                    "UPDATE orders SET contact_id = (SELECT contact_id FROM orders WHERE id = 1) WHERE id = 4;
                     UPDATE orders SET deleted_at = 'x' WHERE id = 2;
                     UPDATE orders SET status = 'paid' WHERE id = 3;",
                )?;
                while !refresh(tx)? {}
                Ok(())
            })
            .unwrap();
        let amounts: Vec<i64> = digest_of(&store, ana).iter().map(|e| e.amount_minor).collect();
        assert_eq!(amounts, vec![9000, 2000, 5000]);
        assert!(digest_of(&store, ANONYMOUS).is_empty(), "an emptied digest is removed");
    }
}
