//! Team sharing of imported orders against a real PostgreSQL: one order however many desktops import its
//! export, and a change made apart from another flagged for review on every desktop.

use chrono::Duration;
use earshot_team::test_cluster::Cluster;

use super::tests::{desktop, join_and_sync, share};
use super::*;
use crate::value::{order_reviewed, orders_import, orders_to_review, OrdersImportOptions};

const HEADER: &str = "Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem quantity,Lineitem name,Billing Name,Cancelled at,Refunded Amount,Id";

/// A Shopify export holding Ana's order #1001 as it stands (its status, and what was refunded).
fn export(status: &str, cancelled_at: &str, refunded: &str) -> String {
    format!(
        "{HEADER}\n#1001,ana@example.com,{status},2026-01-05 10:00:00 -0500,EUR,48.20,2026-01-05 09:59:00 -0500,2,Oat latte beans,Ana Lima,{cancelled_at},{refunded},5001\n"
    )
}

fn import(ctx: &Ctx, file: &str) {
    let options = OrdersImportOptions { format: None, mapping: None, create_contacts: true };
    orders_import(ctx, "orders_export.csv", file.as_bytes(), &options).unwrap();
}

/// (status, refunded) of every order on a desktop.
fn orders(ctx: &Ctx) -> Vec<(String, String)> {
    let ana = ctx.store.read(earshot_store::contacts::live_ids).unwrap();
    assert_eq!(ana.len(), 1, "one Ana, the buyer");
    crate::value::contact_orders(ctx, ana[0], 10).unwrap().into_iter().map(|o| (o.status, o.refunded)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_changed_on_two_desktops_apart_is_flagged_for_review_everywhere_until_reviewed() {
    let cluster = Cluster::start();
    let url = cluster.database().await;
    let dir = tempfile::tempdir().unwrap();
    let counter = desktop(dir.path(), "counter", Duration::zero());
    let laptop = desktop(dir.path(), "laptop", Duration::minutes(1));
    import(&counter, &export("paid", "", ""));
    let (mut on_counter, _) = share(&counter, &url).await;
    let mut on_laptop = join_and_sync(&laptop, &url, "Sam").await;
    assert_eq!(orders(&laptop), [("paid".to_string(), "0.00".to_string())], "the order and its buyer arrive");
    // The laptop imports the same export: still one order.
    import(&laptop, &export("paid", "", ""));
    sync_once(&laptop, &mut on_laptop).await.unwrap();
    sync_once(&counter, &mut on_counter).await.unwrap();
    assert_eq!(orders(&counter).len(), 1);
    assert!(orders_to_review(&counter).unwrap().is_empty(), "the same order twice is no conflict");

    // Apart: the counter records a partial refund, the laptop a cancellation.
    import(&counter, &export("partially_refunded", "", "10.00"));
    import(&laptop, &export("voided", "2026-01-06 09:00:00 -0500", ""));
    for _ in 0..2 {
        sync_once(&counter, &mut on_counter).await.unwrap();
        sync_once(&laptop, &mut on_laptop).await.unwrap();
    }
    let (here, there) = (orders(&counter), orders(&laptop));
    assert_eq!(here, there, "the newer change wins on both");
    for ctx in [&counter, &laptop] {
        let flagged = orders_to_review(ctx).unwrap();
        assert_eq!(flagged.len(), 1, "flagged on every desktop");
        let statuses = [flagged[0].status.as_str(), flagged[0].other_status.as_str()];
        assert!(statuses.contains(&"paid") && statuses.contains(&"cancelled"), "{flagged:?}");
    }

    order_reviewed(&laptop, orders_to_review(&laptop).unwrap()[0].id).unwrap();
    sync_once(&laptop, &mut on_laptop).await.unwrap();
    sync_once(&counter, &mut on_counter).await.unwrap();
    assert!(orders_to_review(&counter).unwrap().is_empty(), "reviewed on one desktop, settled on all");
    assert!(status(&counter).unwrap().orders_to_review.is_empty());
}
