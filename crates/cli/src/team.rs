//! `earshot team`: share this workspace with a team through its PostgreSQL server, join one, sync, see where
//! sharing stands, and leave.

use anyhow::{anyhow, Result};
use earshot_app::team;

use crate::terminal::Network;
use crate::{api, print_json, TeamCommand};

pub fn run(net: &Network, command: TeamCommand) -> Result<()> {
    let ctx = net.ctx();
    match command {
        TeamCommand::Create { url, member } => {
            // The keychain is asked only when the address holds a password.
            let secrets = net.services.secrets_on_demand();
            let joined = api(net.block_on(team::create_at(ctx, &secrets, &url, &member)))?;
            let synced = api(net.block_on(team::sync_stored(ctx, &secrets)))?;
            println!(
                "Shared this workspace on {} as {} ({} changes sent); others join with `earshot team join`",
                joined.server, joined.member, synced.pushed
            );
            Ok(())
        }
        TeamCommand::Join { url, member, workspace } => {
            let secrets = net.services.secrets_on_demand();
            let workspace =
                workspace.map(|w| w.parse().map_err(|_| anyhow!("{w} is not a workspace id"))).transpose()?;
            let joined = api(net.block_on(team::join_at(ctx, &secrets, &url, &member, workspace)))?;
            let synced = api(net.block_on(team::sync_stored(ctx, &secrets)))?;
            println!("Joined the team on {} as {}: {} changes received", joined.server, joined.member, synced.pulled);
            Ok(())
        }
        TeamCommand::Sync { once: _, json } => {
            let secrets = net.services.secrets_on_demand();
            let synced = api(net.block_on(team::sync_stored(ctx, &secrets)))?;
            if json {
                return print_json(&synced);
            }
            println!("Sent {} changes, received {}", synced.pushed, synced.pulled);
            if !synced.assigned_to_me.is_empty() {
                println!(
                    "{} mentions were assigned to you: `earshot mentions list --mine`",
                    synced.assigned_to_me.len()
                );
            }
            Ok(())
        }
        TeamCommand::Status { json } => {
            let status = api(team::status(ctx))?;
            if json {
                return print_json(&status);
            }
            match &status.team {
                None => println!("This workspace is not shared with a team"),
                Some(t) => {
                    println!("Shared on {} as {} (desktop {})", t.server, t.member, t.device);
                    let members: Vec<&str> = status.members.iter().map(|m| m.name.as_str()).collect();
                    println!("Members: {}", members.join(", "));
                    println!("Changes waiting to be sent: {}", status.waiting);
                    println!("Last sync: {}", t.last_sync_at.as_deref().unwrap_or("never"));
                    if let Some(e) = &t.last_error {
                        println!("Last problem: {e}");
                    }
                    if !status.orders_to_review.is_empty() {
                        println!(
                            "{} orders were changed on two desktops apart: `earshot orders review`",
                            status.orders_to_review.len()
                        );
                    }
                    for offer in &status.restore_offers {
                        println!(
                            "Contact {} ({}) was deleted while someone changed it: `earshot contacts restore {}`?",
                            offer.contact_id, offer.name, offer.contact_id
                        );
                    }
                }
            }
            Ok(())
        }
        TeamCommand::Leave => {
            let secrets = net.services.secrets_on_demand();
            api(team::leave(ctx, &secrets))?;
            println!("Left the team; this workspace stays as it is");
            Ok(())
        }
    }
}
