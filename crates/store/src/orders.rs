//! Orders: sales and refunds imported from the shop's exports, and purchases entered by hand on a contact
//! (kept as an order beside the activity that records the touch). (source, external id) identifies an
//! order across imports: importing a file again updates what changed (a refund, a cancellation) and adds
//! nothing. Buyers are matched to contacts by email, then phone, then name; a buyer nobody matches either
//! becomes a new contact or waits in the "who is this?" list, as the owner chooses.

use earshot_core::contact::{EmailDraft, PhoneDraft};
use earshot_core::money::format_minor;
use earshot_core::orders::{OrderDraft, OrderKind, OrderStatus};
use earshot_core::{text, ContactDraft};
use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::Serialize;
use ts_rs::TS;

use crate::activities::NewActivity;
use crate::imports::Matcher;
use crate::{contacts, Result, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Order {
    #[ts(type = "number")]
    pub id: i64,
    /// shopify, square, stripe, csv or manual
    pub source: String,
    pub external_id: String,
    /// sale or refund
    pub kind: String,
    #[ts(type = "number | null")]
    pub contact_id: Option<i64>,
    pub placed_at: String,
    /// paid, pending, cancelled or failed; only paid orders count
    pub status: String,
    pub currency: String,
    /// Decimal text, exact ("48.20").
    pub amount: String,
    pub refunded: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// "waiting" in the who-is-this list, "dismissed", or null.
    pub unmatched: Option<String>,
}

const COLUMNS: &str = "id, source, external_id, kind, contact_id, placed_at, status, currency, amount_minor,
                       refunded_minor, email, phone, name, description, unmatched";

fn order_of(r: &Row<'_>) -> rusqlite::Result<Order> {
    let currency: String = r.get(7)?;
    Ok(Order {
        id: r.get(0)?,
        source: r.get(1)?,
        external_id: r.get(2)?,
        kind: r.get(3)?,
        contact_id: r.get(4)?,
        placed_at: r.get(5)?,
        status: r.get(6)?,
        amount: format_minor(r.get(8)?, &currency),
        refunded: format_minor(r.get(9)?, &currency),
        currency,
        email: r.get(10)?,
        phone: r.get(11)?,
        name: r.get(12)?,
        description: r.get(13)?,
        unmatched: r.get(14)?,
    })
}

/// What one batch of an order import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct OrderCounts {
    #[ts(type = "number")]
    pub added: i64,
    /// Orders already known whose status, amount or refund changed.
    #[ts(type = "number")]
    pub updated: i64,
    #[ts(type = "number")]
    pub unchanged: i64,
    /// New orders matched to an existing contact.
    #[ts(type = "number")]
    pub matched: i64,
    #[ts(type = "number")]
    pub contacts_created: i64,
    /// New orders waiting in the "who is this?" list.
    #[ts(type = "number")]
    pub waiting: i64,
}

impl OrderCounts {
    pub fn add(&mut self, o: OrderCounts) {
        self.added += o.added;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.matched += o.matched;
        self.contacts_created += o.contacts_created;
        self.waiting += o.waiting;
    }
}

/// A contact made from what an order says about its buyer.
fn buyer_draft(name: Option<String>, email: Option<String>, phone: Option<String>) -> Option<ContactDraft> {
    ContactDraft {
        display_name: name.unwrap_or_default(),
        emails: email.into_iter().map(|address| EmailDraft { address, label: None }).collect(),
        phones: phone.into_iter().map(|number| PhoneDraft { number, label: None }).collect(),
        ..Default::default()
    }
    .normalized()
}

/// Imports a batch of orders from `source` (one transaction per batch).
pub fn import(
    tx: &Transaction<'_>,
    import_id: i64,
    source: &str,
    drafts: &[OrderDraft],
    matcher: &mut Matcher,
    create_contacts: bool,
    now: &str,
) -> Result<OrderCounts> {
    let mut counts = OrderCounts::default();
    let mut existing = tx.prepare_cached(
        "SELECT id, status, amount_minor, refunded_minor, deleted_at IS NOT NULL FROM orders
          WHERE source = ?1 AND external_id = ?2",
    )?;
    let mut contact_of = tx.prepare_cached(
        "SELECT contact_id FROM orders WHERE source = ?1 AND external_id = ?2 AND contact_id IS NOT NULL",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO orders (source, external_id, kind, refund_of, contact_id, placed_at, status, currency,
                             amount_minor, refunded_minor, email, phone, name, description, unmatched, import_id,
                             created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE orders SET status = ?2, amount_minor = ?3, refunded_minor = ?4, deleted_at = NULL WHERE id = ?1",
    )?;
    let mut touch = tx.prepare_cached(
        "UPDATE contacts SET last_touch_at = ?2 WHERE id = ?1 AND (last_touch_at IS NULL OR last_touch_at < ?2)",
    )?;
    let cap = |s: &Option<String>, n: usize| s.as_deref().map(|v| text::truncate_chars(v.trim(), n));
    for d in drafts {
        let external_id = text::truncate_chars(&d.external_id, 300);
        let known: Option<(i64, String, i64, i64, bool)> = existing
            .query_row(params![source, external_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
            .optional()?;
        if let Some((id, status, amount, refunded, deleted)) = known {
            // An order whose import was undone comes back when its file is imported again.
            if !deleted && (status.as_str(), amount, refunded) == (d.status.as_str(), d.amount_minor, d.refunded_minor)
            {
                counts.unchanged += 1;
            } else {
                update.execute(params![id, d.status.as_str(), d.amount_minor, d.refunded_minor])?;
                crate::team::orders::record_details(tx, id, now)?;
                if deleted {
                    counts.added += 1;
                } else {
                    counts.updated += 1;
                }
            }
            continue;
        }
        let refunded_sale_contact = match (&d.kind, &d.refund_of) {
            (OrderKind::Refund, Some(of)) => contact_of.query_row(params![source, of], |r| r.get(0)).optional()?,
            _ => None,
        };
        let mut contact = refunded_sale_contact
            .or_else(|| matcher.find_buyer(d.email.as_deref(), d.phone.as_deref(), d.name.as_deref()));
        let mut unmatched = None;
        if contact.is_some() {
            counts.matched += 1;
        } else if let Some(draft) =
            buyer_draft(d.name.clone(), d.email.clone(), d.phone.clone()).filter(|_| d.status == OrderStatus::Paid)
        {
            // Only someone who paid is a customer to find; a failed card is nobody to chase.
            if create_contacts {
                let id = contacts::insert(tx, &draft, Some(import_id), now)?;
                matcher.learn(id, &draft);
                contact = Some(id);
                counts.contacts_created += 1;
            } else {
                unmatched = Some("waiting");
                counts.waiting += 1;
            }
        }
        insert.execute(params![
            source,
            external_id,
            d.kind.as_str(),
            d.refund_of,
            contact,
            crate::timestamp(d.placed_at),
            d.status.as_str(),
            d.currency,
            d.amount_minor,
            d.refunded_minor,
            cap(&d.email, 320),
            cap(&d.phone, 64),
            cap(&d.name, 300),
            cap(&d.description, 1000),
            unmatched,
            import_id,
            now
        ])?;
        let id = tx.last_insert_rowid();
        crate::team::orders::record_details(tx, id, now)?;
        crate::team::orders::record_buyer(tx, id, now)?;
        counts.added += 1;
        // Buying something is a touch: the keep-in-touch clock restarts at the newest purchase.
        if let (Some(id), OrderKind::Sale, OrderStatus::Paid) = (contact, d.kind, d.status) {
            touch.execute(params![id, crate::timestamp(d.placed_at)])?;
        }
    }
    Ok(counts)
}

/// Mirrors a purchase or paid service entered by hand (an activity with an amount) as a paid order.
pub fn record_manual(
    tx: &Transaction<'_>,
    activity_id: i64,
    contact_id: i64,
    a: &NewActivity,
    now: &str,
) -> Result<i64> {
    let (Some(amount_minor), Some(currency)) = (a.amount_minor, a.currency.as_deref()) else {
        return Err(StoreError::Invalid("a purchase or paid service needs an amount".into()));
    };
    if amount_minor < 0 {
        return Err(StoreError::Invalid("a purchase amount cannot be negative".into()));
    }
    let (occurred_at, summary) = (&a.occurred_at, &a.summary);
    tx.execute(
        "INSERT INTO orders (source, external_id, contact_id, placed_at, status, currency, amount_minor, description,
                             activity_id, created_at)
         VALUES ('manual', ?1, ?2, ?3, 'paid', ?4, ?5, ?6, ?7, ?8)",
        params![
            format!("activity:{activity_id}"),
            contact_id,
            occurred_at,
            currency,
            amount_minor,
            summary,
            activity_id,
            now
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Follows the activity a manual order came from when it is deleted or restored.
pub fn follow_activity(tx: &Transaction<'_>, activity_id: i64, deleted_at: Option<&str>) -> Result<()> {
    tx.execute("UPDATE orders SET deleted_at = ?2 WHERE activity_id = ?1", params![activity_id, deleted_at])?;
    Ok(())
}

/// A contact's orders, newest first.
pub fn of_contact(conn: &Connection, contact_id: i64, limit: i64) -> Result<Vec<Order>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orders WHERE contact_id = ?1 AND deleted_at IS NULL ORDER BY placed_at DESC, id DESC LIMIT ?2"
    ))?;
    let rows = stmt.query_map(params![contact_id, limit], order_of)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A buyer in the "who is this?" list: their orders grouped by what identifies them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct WaitingBuyer {
    /// The order to act on (any of the group's orders; acting on it acts on the whole group).
    #[ts(type = "number")]
    pub order_id: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[ts(type = "number")]
    pub orders: i64,
    /// Net paid amount of the group in the workspace currency, decimal text.
    pub net: String,
    pub last_order_at: String,
}

/// Buyers waiting to be matched, biggest spenders first.
pub fn waiting(conn: &Connection, currency: &str, limit: i64) -> Result<Vec<WaitingBuyer>> {
    let mut stmt = conn.prepare_cached(
        "SELECT min(id), max(name), max(email), max(phone), count(*),
                sum(CASE WHEN status = 'paid' AND currency = ?1 THEN amount_minor - refunded_minor ELSE 0 END),
                max(placed_at)
           FROM orders WHERE unmatched = 'waiting' AND deleted_at IS NULL
          GROUP BY coalesce(lower(email), phone, lower(name))
          ORDER BY 6 DESC, 7 DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![currency, limit], |r| {
        Ok(WaitingBuyer {
            order_id: r.get(0)?,
            name: r.get(1)?,
            email: r.get(2)?,
            phone: r.get(3)?,
            orders: r.get(4)?,
            net: format_minor(r.get(5)?, currency),
            last_order_at: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The waiting orders that share `order_id`'s buyer (same email, else phone, else name).
fn same_buyer(tx: &Transaction<'_>, order_id: i64) -> Result<Vec<i64>> {
    let ids = tx
        .prepare(
            "SELECT o.id FROM orders o, (SELECT email, phone, name FROM orders WHERE id = ?1) b
              WHERE o.unmatched = 'waiting' AND o.deleted_at IS NULL
                AND coalesce(lower(o.email), o.phone, lower(o.name)) IS coalesce(lower(b.email), b.phone, lower(b.name))",
        )?
        .query_map([order_id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<i64>>>()?;
    if ids.is_empty() {
        return Err(StoreError::NotFound { what: "waiting order", id: order_id });
    }
    Ok(ids)
}

/// Says who a waiting buyer is: an existing contact, or (with `contact_id` None) a new contact made from the
/// order. All the buyer's waiting orders go to that contact. Returns the contact's id.
pub fn assign(tx: &Transaction<'_>, order_id: i64, contact_id: Option<i64>, now: &str) -> Result<i64> {
    let ids = same_buyer(tx, order_id)?;
    let contact = match contact_id {
        Some(id) => {
            contacts::ensure_live(tx, id)?;
            id
        }
        None => {
            let (email, phone, name): (Option<String>, Option<String>, Option<String>) =
                tx.query_row("SELECT email, phone, name FROM orders WHERE id = ?1", [order_id], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
            let draft = buyer_draft(name, email, phone)
                .ok_or_else(|| StoreError::Invalid("this order says nothing about its buyer; pick a contact".into()))?;
            contacts::insert(tx, &draft, None, now)?
        }
    };
    let mut stmt = tx.prepare_cached("UPDATE orders SET contact_id = ?2, unmatched = NULL WHERE id = ?1")?;
    for id in ids {
        stmt.execute(params![id, contact])?;
        crate::team::orders::record_buyer(tx, id, now)?;
    }
    contacts::refresh_last_touch(tx, contact)?;
    Ok(contact)
}

/// Takes a buyer off the "who is this?" list without linking them (their orders still count in revenue).
pub fn dismiss(tx: &Transaction<'_>, order_id: i64, now: &str) -> Result<i64> {
    let ids = same_buyer(tx, order_id)?;
    let mut stmt = tx.prepare_cached("UPDATE orders SET unmatched = 'dismissed' WHERE id = ?1")?;
    for id in &ids {
        stmt.execute([id])?;
        crate::team::orders::record_buyer(tx, *id, now)?;
    }
    Ok(ids.len() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{person, store as open_temp};
    use chrono::{DateTime, Utc};

    fn draft(id: &str, email: Option<&str>, name: Option<&str>, amount: i64) -> OrderDraft {
        OrderDraft {
            line: 2,
            external_id: id.into(),
            kind: OrderKind::Sale,
            refund_of: None,
            placed_at: DateTime::parse_from_rfc3339("2026-01-05T10:00:00Z").unwrap().with_timezone(&Utc),
            status: OrderStatus::Paid,
            currency: "USD".into(),
            amount_minor: amount,
            refunded_minor: 0,
            email: email.map(Into::into),
            phone: None,
            name: name.map(Into::into),
            description: None,
        }
    }

    fn contact(tx: &Transaction<'_>, name: &str, email: Option<&str>) -> i64 {
        contacts::insert(tx, &person(name, email).normalized().unwrap(), None, "2026-01-01T00:00:00Z").unwrap()
    }

    #[test]
    fn orders_match_buyers_by_email_then_name_and_a_reimport_adds_nothing() {
        let (_dir, store) = open_temp();
        let (ana, _bo1, _bo2) = store
            .write(|tx| {
                Ok((
                    contact(tx, "Ana Lima", Some("ana@example.com")),
                    contact(tx, "Bo Chen", None),
                    contact(tx, "Bo Chen", None),
                ))
            })
            .unwrap();
        let drafts = vec![
            draft("1", Some("ANA@example.com"), Some("Someone Else"), 1000),
            draft("2", None, Some("ana lima"), 2000),
            draft("3", None, Some("Bo Chen"), 3000), // two contacts are called Bo Chen: nobody is guessed
            draft("4", Some("new@example.com"), Some("New Person"), 4000),
            draft("5", None, None, 500), // a cash sale with nobody to find
        ];
        let run = |drafts: &[OrderDraft], create| {
            store
                .write(|tx| {
                    let mut m = Matcher::load(tx)?;
                    import(tx, 1, "csv", drafts, &mut m, create, "2026-02-01T00:00:00Z")
                })
                .unwrap()
        };
        let first = run(&drafts, false);
        assert_eq!((first.added, first.matched, first.waiting, first.contacts_created), (5, 2, 2, 0));
        let ana_orders = store.read(|c| of_contact(c, ana, 10)).unwrap();
        let touched = store.read(|c| contacts::get(c, ana)).unwrap().last_touch_at;
        assert_eq!(touched.as_deref(), Some("2026-01-05T10:00:00Z"), "a purchase is a touch");
        assert_eq!(ana_orders.iter().map(|o| o.amount.as_str()).collect::<Vec<_>>(), vec!["20.00", "10.00"]);

        let again = run(&drafts, false);
        assert_eq!((again.added, again.unchanged), (0, 5));
        let mut refunded = drafts.clone();
        refunded[0].refunded_minor = 400;
        let changed = run(&refunded, false);
        assert_eq!((changed.added, changed.updated, changed.unchanged), (0, 1, 4));

        let who = store.read(|c| waiting(c, "USD", 10)).unwrap();
        assert_eq!(who.len(), 2);
        assert_eq!(who[0].name.as_deref(), Some("New Person"));
        let made = store.write(|tx| assign(tx, who[0].order_id, None, "2026-02-02T00:00:00Z")).unwrap();
        assert_eq!(store.read(|c| of_contact(c, made, 10)).unwrap().len(), 1);
        store.write(|tx| dismiss(tx, who[1].order_id, crate::test_support::NOW)).unwrap();
        assert!(store.read(|c| waiting(c, "USD", 10)).unwrap().is_empty());
    }

    #[test]
    fn unmatched_buyers_become_contacts_when_the_owner_chooses_and_refunds_follow_their_sale() {
        let (_dir, store) = open_temp();
        let mut refund = draft("refund:9", None, None, 0);
        refund.kind = OrderKind::Refund;
        refund.refund_of = Some("9".into());
        refund.refunded_minor = 300;
        let drafts = vec![draft("9", Some("cy@example.com"), Some("Cy"), 1000), refund];
        let counts = store
            .write(|tx| {
                let mut m = Matcher::load(tx)?;
                let import_id = crate::imports::begin(tx, "square.csv", "orders:square", "2026-02-01T00:00:00Z")?;
                import(tx, import_id, "square", &drafts, &mut m, true, "2026-02-01T00:00:00Z")
            })
            .unwrap();
        assert_eq!((counts.added, counts.contacts_created, counts.matched), (2, 1, 1));
        let cy: i64 = store
            .read(|c| Ok(c.query_row("SELECT id FROM contacts WHERE display_name = 'Cy'", [], |r| r.get(0))?))
            .unwrap();
        let orders = store.read(|c| of_contact(c, cy, 10)).unwrap();
        assert_eq!(orders.iter().map(|o| o.kind.as_str()).collect::<Vec<_>>(), vec!["refund", "sale"]);
    }
}
