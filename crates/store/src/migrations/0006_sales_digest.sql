-- Each buyer's paid orders in one currency, packed in time order (`sales_digest`), so the dashboard reads
-- one row per customer instead of every order of every customer. A cache of `orders`: triggers mark the
-- (buyer, currency) pairs an order change touches, and the digest is rebuilt for those pairs before the
-- dashboard is read. `buyer` is the contact id, or 0 for orders with no known buyer.
CREATE TABLE sales_digest (
  id        INTEGER PRIMARY KEY,
  buyer     INTEGER NOT NULL,
  currency  TEXT NOT NULL,
  -- 25 bytes per order, oldest first: placed_at (Unix seconds, i64), 1 for a sale or 0 for a refund row (u8),
  -- amount_minor (i64), refunded_minor (i64), little-endian.
  sales     BLOB NOT NULL,
  UNIQUE (currency, buyer)
);
CREATE TABLE sales_digest_stale (
  buyer     INTEGER NOT NULL,
  currency  TEXT NOT NULL,
  PRIMARY KEY (buyer, currency)
) WITHOUT ROWID;

CREATE TRIGGER sales_digest_order_insert AFTER INSERT ON orders BEGIN
  INSERT OR IGNORE INTO sales_digest_stale VALUES (coalesce(NEW.contact_id, 0), NEW.currency);
END;
CREATE TRIGGER sales_digest_order_update
  AFTER UPDATE OF contact_id, placed_at, status, currency, kind, amount_minor, refunded_minor, deleted_at ON orders
BEGIN
  INSERT OR IGNORE INTO sales_digest_stale VALUES (coalesce(OLD.contact_id, 0), OLD.currency);
  INSERT OR IGNORE INTO sales_digest_stale VALUES (coalesce(NEW.contact_id, 0), NEW.currency);
END;
CREATE TRIGGER sales_digest_order_delete AFTER DELETE ON orders BEGIN
  INSERT OR IGNORE INTO sales_digest_stale VALUES (coalesce(OLD.contact_id, 0), OLD.currency);
END;

INSERT OR IGNORE INTO sales_digest_stale SELECT DISTINCT coalesce(contact_id, 0), currency FROM orders;

-- Revenue of a period is read from the digests now; this index only slowed order imports down.
DROP INDEX orders_paid;
