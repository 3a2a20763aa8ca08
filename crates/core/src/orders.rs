//! Orders from the shop's own exports: Shopify's orders CSV, Square's transactions and item sales CSVs,
//! Stripe's payments CSV, and any other CSV through a column mapping. Each becomes [`OrderDraft`]s: a sale
//! (with what was refunded of it) or a refund on its own row (Square writes refunds as their own rows).
//!
//! Amounts are exact minor units. Orders that were never paid (pending, cancelled, failed) are kept with
//! their status so a re-import can see them change, and count for nothing. A row without a usable date or
//! amount is refused with its line and the reason; the rows around it are still read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::import::{FileError, RecordError};
use crate::money::parse_amount;
use crate::sheet::{day_first, parse_when, Row, Sheet};
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderFormat {
    Shopify,
    Square,
    SquareItems,
    Stripe,
    Csv,
}

impl OrderFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderFormat::Shopify => "shopify",
            OrderFormat::Square => "square",
            OrderFormat::SquareItems => "square_items",
            OrderFormat::Stripe => "stripe",
            OrderFormat::Csv => "csv",
        }
    }

    pub fn parse(s: &str) -> Option<OrderFormat> {
        [Self::Shopify, Self::Square, Self::SquareItems, Self::Stripe, Self::Csv]
            .into_iter()
            .find(|f| f.as_str() == s.trim().to_ascii_lowercase().replace('-', "_"))
    }
}

/// Whether an order's money counts: only paid orders do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Paid,
    Pending,
    Cancelled,
    Failed,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Paid => "paid",
            OrderStatus::Pending => "pending",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Failed => "failed",
        }
    }

    /// Reads the status words shops use. `None` for a word no shop uses.
    pub fn from_word(word: &str) -> Option<OrderStatus> {
        let w = text::fold(word).replace([' ', '-'], "_");
        Some(match w.as_str() {
            "" | "paid" | "complete" | "completed" | "succeeded" | "success" | "successful" | "settled"
            | "captured" | "fulfilled" | "closed" | "refunded" | "partially_refunded" | "partially_paid"
            | "disputed" | "refund_pending" | "sale" | "payment" => OrderStatus::Paid,
            "pending"
            | "authorized"
            | "authorised"
            | "open"
            | "processing"
            | "unpaid"
            | "awaiting_payment"
            | "uncaptured"
            | "incomplete"
            | "requires_payment_method"
            | "requires_action"
            | "expired" => OrderStatus::Pending,
            "cancelled" | "canceled" | "voided" | "void" => OrderStatus::Cancelled,
            "failed" | "declined" | "blocked" | "error" => OrderStatus::Failed,
            _ => return None,
        })
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        [Self::Paid, Self::Pending, Self::Cancelled, Self::Failed].into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderKind {
    Sale,
    Refund,
}

impl OrderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderKind::Sale => "sale",
            OrderKind::Refund => "refund",
        }
    }
}

/// One order (or one refund) as read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    pub line: u64,
    /// The shop's id for it; stable across exports, so a re-import recognises it.
    pub external_id: String,
    pub kind: OrderKind,
    /// For a refund row: the external id of the sale it refunds, when the export says.
    pub refund_of: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub status: OrderStatus,
    /// ISO 4217, upper case.
    pub currency: String,
    /// What the customer paid, taxes included, in minor units (0 for a refund row).
    pub amount_minor: i64,
    /// What was given back, in minor units, never negative.
    pub refunded_minor: i64,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
    /// What was bought (line items or the payment's description).
    pub description: Option<String>,
}

/// What one column of a generic CSV holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum OrderField {
    Ignore,
    OrderId,
    Date,
    Amount,
    Refunded,
    Currency,
    Status,
    Email,
    Phone,
    Name,
    Description,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrderMapping {
    pub columns: Vec<OrderField>,
}

/// The header, a few rows and the mapping Earshot would use, for the owner to check before importing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OrdersPreview {
    pub format: OrderFormat,
    pub headers: Vec<String>,
    pub sample_rows: Vec<Vec<String>>,
    pub mapping: OrderMapping,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParsedOrders {
    /// The export the file was read as.
    pub format: OrderFormat,
    pub orders: Vec<OrderDraft>,
    pub errors: Vec<RecordError>,
    /// Rows read with something left out or assumed (a currency other than the workspace's, ...).
    pub warnings: Vec<RecordError>,
}

/// What a file does not say and the workspace does.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOptions {
    /// The workspace currency, for files that do not name one.
    pub currency: String,
    /// The shop's time zone, for times written without an offset.
    pub zone: Tz,
}

/// Guesses a generic CSV column from its header.
pub fn guess_field(header: &str) -> OrderField {
    let h = text::fold(header);
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    if has(&["refund"]) && !has(&["date", "reason", "id"]) {
        OrderField::Refunded
    } else if has(&["email", "e-mail"]) {
        OrderField::Email
    } else if has(&["phone", "mobile", "tel"]) {
        OrderField::Phone
    } else if has(&["currency"]) {
        OrderField::Currency
    } else if has(&["status", "state"]) {
        OrderField::Status
    } else if has(&["date", "created", "paid at", "placed", "time"]) && !has(&["zone", "due"]) {
        OrderField::Date
    } else if has(&["order id", "order number", "order no", "invoice", "receipt", "transaction id", "payment id"])
        || h == "id"
        || h == "order"
        || h == "number"
    {
        OrderField::OrderId
    } else if has(&["total", "amount", "price", "paid", "revenue", "value", "sum"]) {
        OrderField::Amount
    } else if has(&["customer", "name", "buyer", "client"]) {
        OrderField::Name
    } else if has(&["item", "product", "description", "note"]) {
        OrderField::Description
    } else {
        OrderField::Ignore
    }
}

pub fn guess_mapping(headers: &[String]) -> OrderMapping {
    let mut seen = Vec::new();
    let columns = headers
        .iter()
        .map(|h| {
            let f = guess_field(h);
            // The first column of each kind wins; later look-alikes (a second date) are left for the owner.
            if f != OrderField::Ignore && seen.contains(&f) {
                OrderField::Ignore
            } else {
                seen.push(f);
                f
            }
        })
        .collect();
    OrderMapping { columns }
}

fn looks_like_header(cells: &[String]) -> bool {
    let known = cells.iter().filter(|c| guess_field(c) != OrderField::Ignore).count();
    known >= 2
}

/// Which export a header row is.
pub fn detect(headers: &[String]) -> OrderFormat {
    let has = |name: &str| headers.iter().any(|h| text::fold(h) == text::fold(name));
    if has("Financial Status") && has("Lineitem name") {
        OrderFormat::Shopify
    } else if has("Transaction ID") && has("Item") && has("Qty") {
        OrderFormat::SquareItems
    } else if has("Transaction ID") && has("Total Collected") {
        OrderFormat::Square
    } else if has("Amount Refunded") && (has("Created date (UTC)") || has("Created (UTC)") || has("Captured")) {
        OrderFormat::Stripe
    } else {
        OrderFormat::Csv
    }
}

pub fn preview(bytes: &[u8], sample: usize) -> Result<OrdersPreview, FileError> {
    let sheet = Sheet::read(bytes, looks_like_header)?;
    let format = detect(&sheet.headers);
    Ok(OrdersPreview {
        format,
        mapping: guess_mapping(&sheet.headers),
        sample_rows: sheet.rows.iter().take(sample).map(|r| r.cells.clone()).collect(),
        headers: sheet.headers,
    })
}

/// Reads every order of a file. `format` overrides detection; `mapping` is for generic CSVs (guessed from
/// the header when absent).
pub fn read(
    bytes: &[u8],
    format: Option<OrderFormat>,
    mapping: Option<&OrderMapping>,
    opts: &ReadOptions,
) -> Result<ParsedOrders, FileError> {
    let sheet = Sheet::read(bytes, looks_like_header)?;
    let format = match format {
        // "square" names both Square exports; the header tells which.
        Some(OrderFormat::Square) | Some(OrderFormat::SquareItems) => match detect(&sheet.headers) {
            OrderFormat::SquareItems => OrderFormat::SquareItems,
            _ => OrderFormat::Square,
        },
        Some(f) => f,
        None => detect(&sheet.headers),
    };
    let mut out = ParsedOrders { format, orders: Vec::new(), errors: sheet.unreadable.clone(), warnings: Vec::new() };
    let mut reader = Reader { opts, out: &mut out };
    match format {
        OrderFormat::Shopify => reader.shopify(&sheet),
        OrderFormat::Square => reader.square(&sheet),
        OrderFormat::SquareItems => reader.square_items(&sheet),
        OrderFormat::Stripe => reader.stripe(&sheet),
        OrderFormat::Csv => {
            let guessed;
            let mapping = match mapping {
                Some(m) => m,
                None => {
                    guessed = guess_mapping(&sheet.headers);
                    &guessed
                }
            };
            reader.generic(&sheet, mapping)?
        }
    }
    out.errors.sort_by_key(|e| e.line);
    out.warnings.sort_by_key(|e| e.line);
    Ok(out)
}

/// The first non-empty cell among `cols`.
fn first<'r>(row: &'r Row, cols: &[Option<usize>]) -> Option<&'r str> {
    cols.iter().find_map(|c| row.opt(*c))
}

struct Reader<'a> {
    opts: &'a ReadOptions,
    out: &'a mut ParsedOrders,
}

impl Reader<'_> {
    fn refuse(&mut self, line: u64, reason: impl Into<String>) {
        self.out.errors.push(RecordError::new(line, reason));
    }

    fn currency(&mut self, line: u64, cell: Option<&str>) -> String {
        let c = cell
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()));
        match c {
            Some(c) => {
                if c != self.opts.currency {
                    self.out.warnings.push(RecordError::new(
                        line,
                        format!(
                            "amount in {c}, not the workspace currency {}: kept as given and left out of totals",
                            self.opts.currency
                        ),
                    ));
                }
                c
            }
            None => self.opts.currency.clone(),
        }
    }

    fn amount(&mut self, line: u64, column: &str, cell: &str, currency: &str) -> Option<i64> {
        if cell.is_empty() {
            self.refuse(line, format!("no {column}: the order is not imported"));
            return None;
        }
        match parse_amount(cell, currency) {
            Ok(v) => Some(v),
            Err(e) => {
                self.refuse(line, format!("{column}: {e}"));
                None
            }
        }
    }

    /// An optional amount (refunds): empty is zero, unreadable is a warning and zero.
    fn optional_amount(&mut self, line: u64, column: &str, cell: &str, currency: &str) -> i64 {
        if cell.is_empty() {
            return 0;
        }
        parse_amount(cell, currency).unwrap_or_else(|e| {
            self.out.warnings.push(RecordError::new(line, format!("{column}: {e}; counted as 0")));
            0
        })
    }

    fn when(&mut self, line: u64, column: &str, cell: &str, zone: Tz, day_first: bool) -> Option<DateTime<Utc>> {
        if cell.is_empty() {
            self.refuse(line, format!("no {column}: the order is not imported"));
            return None;
        }
        let t = parse_when(cell, zone, day_first);
        if t.is_none() {
            self.refuse(line, format!("{column} \"{cell}\" is not a date (expected e.g. 2026-01-31 14:05)"));
        }
        t
    }

    fn status(&mut self, line: u64, cell: &str) -> Option<OrderStatus> {
        let s = OrderStatus::from_word(cell);
        if s.is_none() {
            self.refuse(
                line,
                format!("status \"{cell}\" is not known; use paid, pending, cancelled, failed or refunded"),
            );
        }
        s
    }

    /// Shopify writes one row per line item; the order's own fields are on its first row.
    fn shopify(&mut self, sheet: &Sheet) {
        let number = sheet.column(&["Name"]);
        let id = sheet.column(&["Id"]);
        let financial = sheet.column(&["Financial Status"]);
        let paid_at = sheet.column(&["Paid at"]);
        let created_at = sheet.column(&["Created at"]);
        let cancelled_at = sheet.column(&["Cancelled at"]);
        let currency = sheet.column(&["Currency"]);
        let total = sheet.column(&["Total"]);
        let refunded = sheet.column(&["Refunded Amount"]);
        let email = sheet.column(&["Email"]);
        let phones = [sheet.column(&["Phone"]), sheet.column(&["Billing Phone"]), sheet.column(&["Shipping Phone"])];
        let names = [sheet.column(&["Billing Name"]), sheet.column(&["Shipping Name"])];
        let item = sheet.column(&["Lineitem name"]);
        let quantity = sheet.column(&["Lineitem quantity"]);
        let zone = self.opts.zone;
        let mut by_number: HashMap<String, usize> = HashMap::new();
        for row in &sheet.rows {
            let Some(n) = row.opt(number) else {
                self.refuse(row.line, "no order number (Name column): the row is not imported");
                continue;
            };
            let line_item = row.opt(item).map(|i| match row.opt(quantity) {
                Some(q) if q != "1" => format!("{q} x {i}"),
                _ => i.to_string(),
            });
            if let Some(&at) = by_number.get(n) {
                let order = &mut self.out.orders[at];
                if let Some(li) = line_item {
                    let d = order.description.get_or_insert_with(String::new);
                    if d.len() < 500 {
                        if !d.is_empty() {
                            d.push_str(", ");
                        }
                        d.push_str(&li);
                    }
                }
                continue;
            }
            let cur = self.currency(row.line, row.opt(currency));
            let Some(amount) = self.amount(row.line, "Total", row.get(total), &cur) else { continue };
            let date_cell = first(row, &[paid_at, created_at]).unwrap_or("");
            let Some(placed_at) = self.when(row.line, "Created at", date_cell, zone, false) else { continue };
            let financial_status = row.get(financial);
            let Some(mut status) = self.status(row.line, financial_status) else { continue };
            if row.opt(cancelled_at).is_some() {
                status = OrderStatus::Cancelled;
            }
            let mut refunded_minor = self.optional_amount(row.line, "Refunded Amount", row.get(refunded), &cur).abs();
            if refunded_minor == 0 && text::fold(financial_status) == "refunded" {
                refunded_minor = amount;
            }
            by_number.insert(n.to_string(), self.out.orders.len());
            self.out.orders.push(OrderDraft {
                line: row.line,
                external_id: row.opt(id).unwrap_or(n).to_string(),
                kind: OrderKind::Sale,
                refund_of: None,
                placed_at,
                status,
                currency: cur,
                amount_minor: amount.max(0),
                refunded_minor,
                email: row.opt(email).map(str::to_string),
                phone: first(row, &phones).map(str::to_string),
                name: first(row, &names).map(str::to_string),
                description: line_item,
            });
        }
    }

    fn square_zone(&self, row: &Row, column: Option<usize>) -> Tz {
        row.opt(column).and_then(square_time_zone).unwrap_or(self.opts.zone)
    }

    /// Square's transactions export: one row per payment, refunds on rows of their own (Event Type
    /// "Refund"). A payment's "Partial Refunds" cell repeats those refund rows, so it is only read when the
    /// file has no refund rows.
    fn square(&mut self, sheet: &Sheet) {
        let (date, time, tz) = (sheet.column(&["Date"]), sheet.column(&["Time"]), sheet.column(&["Time Zone"]));
        let total = sheet.column(&["Total Collected"]);
        let partial = sheet.column(&["Partial Refunds"]);
        let transaction = sheet.column(&["Transaction ID"]);
        let payment = sheet.column(&["Payment ID"]);
        let event = sheet.column(&["Event Type"]);
        let status = sheet.column(&["Transaction Status"]);
        let name = sheet.column(&["Customer Name"]);
        let description = sheet.column(&["Description"]);
        let has_refund_rows = sheet.rows.iter().any(|r| text::fold(r.get(event)) == "refund");
        let day_first = day_first(sheet.rows.iter().map(|r| r.get(date)));
        let cur = self.opts.currency.clone();
        for row in &sheet.rows {
            let Some(txn) = first(row, &[transaction, payment]) else {
                self.refuse(row.line, "no Transaction ID: the row is not imported");
                continue;
            };
            let when_cell = format!("{} {}", row.get(date), row.get(time));
            let zone = self.square_zone(row, tz);
            let Some(placed_at) = self.when(row.line, "Date", when_cell.trim(), zone, day_first) else { continue };
            let Some(collected) = self.amount(row.line, "Total Collected", row.get(total), &cur) else { continue };
            let Some(st) = self.status(row.line, row.get(status)) else { continue };
            let is_refund = text::fold(row.get(event)) == "refund" || collected < 0;
            let base = OrderDraft {
                line: row.line,
                external_id: txn.to_string(),
                kind: OrderKind::Sale,
                refund_of: None,
                placed_at,
                status: st,
                currency: cur.clone(),
                amount_minor: collected.max(0),
                refunded_minor: 0,
                email: None,
                phone: None,
                name: row.opt(name).map(str::to_string),
                description: row.opt(description).map(str::to_string),
            };
            if is_refund {
                self.out.orders.push(OrderDraft {
                    external_id: format!("refund:{txn}:{}:{}", row.get(payment), placed_at.timestamp()),
                    kind: OrderKind::Refund,
                    refund_of: Some(txn.to_string()),
                    amount_minor: 0,
                    refunded_minor: collected.abs(),
                    ..base
                });
            } else {
                let refunded_minor = if has_refund_rows {
                    0
                } else {
                    self.optional_amount(row.line, "Partial Refunds", row.get(partial), &cur).abs()
                };
                self.out.orders.push(OrderDraft { refunded_minor, ..base });
            }
        }
    }

    /// Square's item sales export: one row per item sold; the items of one transaction make one order.
    fn square_items(&mut self, sheet: &Sheet) {
        let (date, time, tz) = (sheet.column(&["Date"]), sheet.column(&["Time"]), sheet.column(&["Time Zone"]));
        let net = sheet.column(&["Net Sales"]);
        let tax = sheet.column(&["Tax"]);
        let transaction = sheet.column(&["Transaction ID"]);
        let event = sheet.column(&["Event Type"]);
        let name = sheet.column(&["Customer Name"]);
        let (item, quantity) = (sheet.column(&["Item"]), sheet.column(&["Qty"]));
        let day_first = day_first(sheet.rows.iter().map(|r| r.get(date)));
        let cur = self.opts.currency.clone();
        let mut by_key: HashMap<(String, bool), usize> = HashMap::new();
        for row in &sheet.rows {
            let Some(txn) = row.opt(transaction) else {
                self.refuse(row.line, "no Transaction ID: the row is not imported");
                continue;
            };
            let Some(net_sales) = self.amount(row.line, "Net Sales", row.get(net), &cur) else { continue };
            let tax = self.optional_amount(row.line, "Tax", row.get(tax), &cur);
            let value = net_sales + tax;
            let is_refund = text::fold(row.get(event)) == "refund" || value < 0;
            let label = row.opt(item).map(|i| match row.opt(quantity) {
                Some(q) if q.trim_start_matches('-') != "1" => format!("{} x {i}", q.trim_start_matches('-')),
                _ => i.to_string(),
            });
            if let Some(&at) = by_key.get(&(txn.to_string(), is_refund)) {
                let o = &mut self.out.orders[at];
                if is_refund {
                    o.refunded_minor += value.abs();
                } else {
                    o.amount_minor += value;
                }
                if let Some(l) = label {
                    let d = o.description.get_or_insert_with(String::new);
                    if d.len() < 500 {
                        d.push_str(", ");
                        d.push_str(&l);
                    }
                }
                continue;
            }
            let when_cell = format!("{} {}", row.get(date), row.get(time));
            let zone = self.square_zone(row, tz);
            let Some(placed_at) = self.when(row.line, "Date", when_cell.trim(), zone, day_first) else { continue };
            by_key.insert((txn.to_string(), is_refund), self.out.orders.len());
            self.out.orders.push(OrderDraft {
                line: row.line,
                external_id: if is_refund { format!("refund:{txn}") } else { txn.to_string() },
                kind: if is_refund { OrderKind::Refund } else { OrderKind::Sale },
                refund_of: is_refund.then(|| txn.to_string()),
                placed_at,
                status: OrderStatus::Paid,
                currency: cur.clone(),
                amount_minor: if is_refund { 0 } else { value },
                refunded_minor: if is_refund { value.abs() } else { 0 },
                email: None,
                phone: None,
                name: row.opt(name).map(str::to_string),
                description: label,
            });
        }
        for o in &mut self.out.orders {
            o.amount_minor = o.amount_minor.max(0);
        }
    }

    /// Stripe's payments export (the older "Created (UTC)" and the newer "Created date (UTC)" layouts).
    /// Times are UTC; amounts are in the currency's major unit.
    fn stripe(&mut self, sheet: &Sheet) {
        let id = sheet.column(&["id", "Payment ID", "PaymentIntent ID"]);
        let created = sheet.column(&["Created date (UTC)", "Created (UTC)", "Created"]);
        let amount = sheet.column(&["Amount"]);
        let refunded = sheet.column(&["Amount Refunded"]);
        let currency = sheet.column(&["Currency"]);
        let status = sheet.column(&["Status"]);
        let captured = sheet.column(&["Captured"]);
        let email = sheet.column(&["Customer Email", "Email", "Receipt Email"]);
        let names = [
            sheet.column(&["Customer Name"]),
            sheet.column(&["Billing Details Name"]),
            sheet.column(&["Card Name"]),
            sheet.column(&["Customer Description"]),
        ];
        let phone = sheet.column(&["Customer Phone", "Billing Details Phone"]);
        let description = sheet.column(&["Description"]);
        for row in &sheet.rows {
            let Some(external_id) = row.opt(id) else {
                self.refuse(row.line, "no payment id (id column): the row is not imported");
                continue;
            };
            let cur = self.currency(row.line, row.opt(currency));
            let Some(value) = self.amount(row.line, "Amount", row.get(amount), &cur) else { continue };
            let Some(placed_at) = self.when(row.line, "Created date (UTC)", row.get(created), Tz::UTC, false) else {
                continue;
            };
            let Some(mut st) = self.status(row.line, row.get(status)) else { continue };
            if text::fold(row.get(captured)) == "false" && st == OrderStatus::Paid {
                st = OrderStatus::Pending;
            }
            let refunded_minor = self.optional_amount(row.line, "Amount Refunded", row.get(refunded), &cur).abs();
            self.out.orders.push(OrderDraft {
                line: row.line,
                external_id: external_id.to_string(),
                kind: OrderKind::Sale,
                refund_of: None,
                placed_at,
                status: st,
                currency: cur,
                amount_minor: value.max(0),
                refunded_minor,
                email: row.opt(email).map(str::to_string),
                phone: row.opt(phone).map(str::to_string),
                name: first(row, &names).map(str::to_string),
                description: row.opt(description).map(str::to_string),
            });
        }
    }

    /// Any CSV, through the owner's mapping. A negative amount is a refund. Without an order id column the
    /// row's own content is its id, so importing the same file twice still adds nothing.
    fn generic(&mut self, sheet: &Sheet, mapping: &OrderMapping) -> Result<(), FileError> {
        let col = |f: OrderField| mapping.columns.iter().position(|c| *c == f);
        let (id, date, amount, refunded) =
            (col(OrderField::OrderId), col(OrderField::Date), col(OrderField::Amount), col(OrderField::Refunded));
        if date.is_none() || amount.is_none() {
            return Err(FileError::NeedsMapping);
        }
        let (currency, status) = (col(OrderField::Currency), col(OrderField::Status));
        let (email, phone, name, description) =
            (col(OrderField::Email), col(OrderField::Phone), col(OrderField::Name), col(OrderField::Description));
        let day_first = day_first(sheet.rows.iter().map(|r| r.get(date)));
        let mut seen: HashMap<String, u32> = HashMap::new();
        for row in &sheet.rows {
            let cur = self.currency(row.line, row.opt(currency));
            let Some(value) = self.amount(row.line, "amount", row.get(amount), &cur) else { continue };
            let Some(placed_at) = self.when(row.line, "date", row.get(date), self.opts.zone, day_first) else {
                continue;
            };
            let Some(st) = self.status(row.line, row.get(status)) else { continue };
            let refunded_minor = self.optional_amount(row.line, "refunded", row.get(refunded), &cur).abs();
            let base_id = match row.opt(id) {
                Some(i) => i.to_string(),
                None => {
                    let key = format!("row:{:016x}", fnv1a(&row.cells.join("\u{1f}")));
                    let n = seen.entry(key.clone()).or_insert(0);
                    *n += 1;
                    if *n == 1 {
                        key
                    } else {
                        format!("{key}:{n}")
                    }
                }
            };
            let is_refund = value < 0;
            self.out.orders.push(OrderDraft {
                line: row.line,
                external_id: if is_refund { format!("refund:{base_id}") } else { base_id.clone() },
                kind: if is_refund { OrderKind::Refund } else { OrderKind::Sale },
                refund_of: (is_refund && row.opt(id).is_some()).then_some(base_id),
                placed_at,
                status: st,
                currency: cur,
                amount_minor: value.max(0),
                refunded_minor: if is_refund { value.abs() } else { refunded_minor },
                email: row.opt(email).map(str::to_string),
                phone: row.opt(phone).map(str::to_string),
                name: row.opt(name).map(str::to_string),
                description: row.opt(description).map(str::to_string),
            });
        }
        Ok(())
    }
}

/// A stable 64-bit hash (FNV-1a): the same row gives the same id in every run and every version.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Square writes time zones by their Rails names ("Pacific Time (US & Canada)"); also accepts IANA names.
fn square_time_zone(name: &str) -> Option<Tz> {
    if let Ok(tz) = name.parse::<Tz>() {
        return Some(tz);
    }
    let iana = match name.trim() {
        "Pacific Time (US & Canada)" => "America/Los_Angeles",
        "Mountain Time (US & Canada)" => "America/Denver",
        "Arizona" => "America/Phoenix",
        "Central Time (US & Canada)" => "America/Chicago",
        "Eastern Time (US & Canada)" => "America/New_York",
        "Alaska" => "America/Anchorage",
        "Hawaii" => "Pacific/Honolulu",
        "Atlantic Time (Canada)" => "America/Halifax",
        "Newfoundland" => "America/St_Johns",
        "London" | "Edinburgh" => "Europe/London",
        "Dublin" => "Europe/Dublin",
        "Paris" => "Europe/Paris",
        "Madrid" => "Europe/Madrid",
        "Berlin" => "Europe/Berlin",
        "Amsterdam" => "Europe/Amsterdam",
        "Rome" => "Europe/Rome",
        "Tokyo" | "Osaka" | "Sapporo" => "Asia/Tokyo",
        "Sydney" | "Canberra" => "Australia/Sydney",
        "Melbourne" => "Australia/Melbourne",
        "Brisbane" => "Australia/Brisbane",
        "Adelaide" => "Australia/Adelaide",
        "Perth" => "Australia/Perth",
        "Auckland" | "Wellington" => "Pacific/Auckland",
        "UTC" => "UTC",
        _ => return None,
    };
    iana.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> ReadOptions {
        ReadOptions { currency: "USD".into(), zone: "America/New_York".parse().unwrap() }
    }

    fn read_str(csv: &str, format: Option<OrderFormat>) -> ParsedOrders {
        read(csv.as_bytes(), format, None, &opts()).unwrap()
    }

    const SHOPIFY: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name,Billing Phone,Cancelled at,Refunded Amount,Id\n\
#1001,ana@example.com,paid,2026-01-05 10:00:00 -0500,fulfilled,,yes,USD,40.00,5.00,3.20,48.20,,0.00,Standard,2026-01-05 09:59:00 -0500,2,Oat latte beans,20.00,Ana Lima,+1 555 0100,,,5001\n\
#1001,ana@example.com,,,,,,,,,,,,,,,1,Mug,0.00,,,,,\n\
#1002,bo@example.com,partially_refunded,2026-01-06 12:00:00 -0500,fulfilled,,no,USD,100.00,0.00,0.00,100.00,,,,2026-01-06 12:00:00 -0500,1,Grinder,100.00,Bo Chen,,,25.50,5002\n\
#1003,cy@example.com,voided,,,,no,USD,10.00,0,0,10.00,,,,2026-01-07 08:00:00 -0500,1,Filter,10.00,Cy,,2026-01-07 09:00:00 -0500,,5003\n\
#1004,di@example.com,refunded,2026-01-08 08:00:00 -0500,,,no,EUR,10.00,0,0,10.00,,,,2026-01-08 08:00:00 -0500,1,Filter,10.00,Di,,,,5004\n\
#1005,,paid,,,,no,USD,,,,lots,,,,2026-01-09,1,X,1,,,,,5005\n";

    #[test]
    fn shopify_orders_group_line_items_and_read_refunds_and_cancellations() {
        let p = read_str(SHOPIFY, None);
        assert_eq!(p.orders.len(), 4, "{:?}", p.errors);
        let a = &p.orders[0];
        assert_eq!((a.external_id.as_str(), a.amount_minor, a.refunded_minor), ("5001", 4820, 0));
        assert_eq!(a.placed_at.to_rfc3339(), "2026-01-05T15:00:00+00:00");
        assert_eq!(a.description.as_deref(), Some("2 x Oat latte beans, Mug"));
        assert_eq!((a.name.as_deref(), a.phone.as_deref()), (Some("Ana Lima"), Some("+1 555 0100")));
        assert_eq!((p.orders[1].status, p.orders[1].refunded_minor), (OrderStatus::Paid, 2550));
        assert_eq!(p.orders[2].status, OrderStatus::Cancelled);
        // Fully refunded with no amount written: all of it came back. Another currency is kept and flagged.
        assert_eq!((p.orders[3].refunded_minor, p.orders[3].currency.as_str()), (1000, "EUR"));
        assert!(p.warnings.iter().any(|w| w.line == 6 && w.reason.contains("EUR")));
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 7);
        assert!(p.errors[0].reason.contains("Total") && p.errors[0].reason.contains("lots"), "{:?}", p.errors);
    }

    const SQUARE: &str = "Date,Time,Time Zone,Gross Sales,Discounts,Net Sales,Tax,Tip,Partial Refunds,Total Collected,Source,Transaction ID,Payment ID,Description,Event Type,Customer ID,Customer Name,Transaction Status\n\
01/15/2026,08:30:12,Pacific Time (US & Canada),$12.00,$0.00,$12.00,$1.00,$2.00,$0.00,$15.00,Point of Sale,T1,P1,Latte x2,Payment,C1,Ana Lima,Complete\n\
01/15/2026,09:00:00,Pacific Time (US & Canada),$8.00,$0.00,$8.00,$0.00,$0.00,-$3.00,$8.00,Point of Sale,T2,P2,Cake,Payment,,,Complete\n\
01/16/2026,10:00:00,Pacific Time (US & Canada),-$3.00,$0.00,-$3.00,$0.00,$0.00,$0.00,($3.00),Point of Sale,T2,P2,Cake,Refund,,,Complete\n";

    #[test]
    fn square_transactions_read_refund_rows_once_and_local_times() {
        let p = read_str(SQUARE, None);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.orders.len(), 3);
        assert_eq!(p.orders[0].placed_at.to_rfc3339(), "2026-01-15T16:30:12+00:00");
        assert_eq!((p.orders[0].amount_minor, p.orders[0].name.as_deref()), (1500, Some("Ana Lima")));
        // The "Partial Refunds" cell repeats the refund row, so the refund is counted once.
        assert_eq!(p.orders[1].refunded_minor, 0);
        assert_eq!((p.orders[2].kind, p.orders[2].refunded_minor), (OrderKind::Refund, 300));
        assert_eq!(p.orders[2].refund_of.as_deref(), Some("T2"));
    }

    #[test]
    fn square_item_sales_make_one_order_per_transaction() {
        let csv = "Date,Time,Time Zone,Category,Item,Qty,Price Point Name,SKU,Modifiers Applied,Gross Sales,Discounts,Net Sales,Tax,Transaction ID,Payment ID,Device Name,Notes,Details,Event Type,Location,Dining Option,Customer ID,Customer Name\n\
2026-02-01,12:00:00,London,Coffee,Latte,2,Regular,,,$7.00,$0.00,$7.00,$0.70,T9,P9,,,,Payment,Shop,,C2,Bo Chen\n\
2026-02-01,12:00:00,London,Food,Croissant,1,Regular,,,$3.00,$0.00,$3.00,$0.30,T9,P9,,,,Payment,Shop,,C2,Bo Chen\n";
        let p = read_str(csv, Some(OrderFormat::Square));
        assert_eq!(p.orders.len(), 1, "{:?}", p.errors);
        assert_eq!(p.orders[0].amount_minor, 1100);
        assert_eq!(p.orders[0].description.as_deref(), Some("2 x Latte, Croissant"));
        assert_eq!(p.orders[0].placed_at.to_rfc3339(), "2026-02-01T12:00:00+00:00");
    }

    #[test]
    fn stripe_payments_count_only_what_was_captured_and_paid() {
        let csv = "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Description,Status,Customer Email,Customer Name\n\
ch_1,2026-03-01 10:00:00,25.00,0.00,usd,true,Workshop,Paid,ana@example.com,Ana\n\
ch_2,2026-03-02 10:00:00,40.00,10.00,usd,true,Workshop,Partially refunded,bo@example.com,\n\
ch_3,2026-03-03 10:00:00,40.00,0.00,usd,false,Workshop,Failed,cy@example.com,\n\
ch_4,2026-03-04 10:00:00,40.00,0.00,usd,false,Workshop,Uncaptured,cy@example.com,\n\
ch_5,2026-03-05 10:00:00,40.00,0.00,usd,true,Workshop,Teleported,cy@example.com,\n";
        let p = read_str(csv, None);
        let st: Vec<_> = p.orders.iter().map(|o| (o.external_id.as_str(), o.status, o.refunded_minor)).collect();
        assert_eq!(
            st,
            vec![
                ("ch_1", OrderStatus::Paid, 0),
                ("ch_2", OrderStatus::Paid, 1000),
                ("ch_3", OrderStatus::Failed, 0),
                ("ch_4", OrderStatus::Pending, 0)
            ]
        );
        assert_eq!(p.orders[0].placed_at.to_rfc3339(), "2026-03-01T10:00:00+00:00");
        assert_eq!(p.errors.len(), 1);
        assert!(p.errors[0].line == 6 && p.errors[0].reason.contains("Teleported"));
    }

    #[test]
    fn a_generic_csv_is_mapped_from_its_header_and_rows_without_ids_stay_stable() {
        let no_amount = "Order date,Customer\n2026-01-01,Ana\n";
        assert_eq!(read(no_amount.as_bytes(), Some(OrderFormat::Csv), None, &opts()), Err(FileError::NeedsMapping));
        let csv = "Order date,Customer,E-mail,Total\n31/01/2026,Ana Lima,ana@example.com,\"1.234,50\"\n31/01/2026,Ana Lima,ana@example.com,\"1.234,50\"\n01/02/2026,Bo,,-5\n";
        let first = read_str(csv, None);
        let again = read_str(csv, None);
        assert_eq!(first.orders.len(), 3, "{:?}", first.errors);
        assert_eq!(first.orders[0].amount_minor, 123450);
        assert_eq!(first.orders[0].placed_at.to_rfc3339(), "2026-01-31T17:00:00+00:00");
        // Two identical rows are two orders, with ids that are the same in every run.
        assert_ne!(first.orders[0].external_id, first.orders[1].external_id);
        assert_eq!(
            first.orders.iter().map(|o| &o.external_id).collect::<Vec<_>>(),
            again.orders.iter().map(|o| &o.external_id).collect::<Vec<_>>()
        );
        assert_eq!((first.orders[2].kind, first.orders[2].refunded_minor), (OrderKind::Refund, 500));
    }

    #[test]
    fn formats_are_detected_from_their_headers() {
        let h = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(detect(&h("Name,Email,Financial Status,Lineitem name,Total")), OrderFormat::Shopify);
        assert_eq!(detect(&h("Date,Time,Transaction ID,Total Collected")), OrderFormat::Square);
        assert_eq!(detect(&h("id,Created (UTC),Amount,Amount Refunded,Captured")), OrderFormat::Stripe);
        assert_eq!(detect(&h("date,amount,email")), OrderFormat::Csv);
        assert_eq!(OrderFormat::parse("Square"), Some(OrderFormat::Square));
    }
}
