//! `earshot mentions`, `reply`, `outbox` and `rules`: the inbox and its decisions from the command line.

use anyhow::{anyhow, bail, Context, Result};
use earshot_app::triage::{self, RuleInput, TriageInput};
use earshot_app::Ctx;
use earshot_core::triage::Decision;
use earshot_store::inbox::InboxFilter;

use crate::terminal::Network;
use crate::{api, print_json, MentionsCommand, OutboxCommand, RulesCommand};

pub fn mentions(ctx: &Ctx, command: MentionsCommand) -> Result<()> {
    match command {
        MentionsCommand::List {
            json,
            limit,
            state,
            intent,
            sentiment,
            kind,
            source,
            lang,
            search,
            sort,
            assignee,
            mine,
        } => {
            let filter = InboxFilter {
                state: Some(state),
                intent,
                sentiment,
                query_kind: kind,
                source_id: source,
                lang,
                search,
                sort: Some(sort),
                limit: Some(limit),
                assignee,
                assigned_to_me: mine,
                ..Default::default()
            };
            let page = api(triage::mentions_inbox(ctx, &filter))?;
            let items: Vec<_> = page.items.into_iter().map(|i| i.mention).collect();
            if json {
                return print_json(&items);
            }
            for m in items {
                let first_line = m.title.as_deref().unwrap_or_else(|| m.text.lines().next().unwrap_or(""));
                println!(
                    "{}\t{}\t{}\t{:+.2} {}\t{}\t{}\t{}",
                    m.id,
                    m.published_at.as_deref().unwrap_or(&m.fetched_at),
                    m.filed_as.as_deref().unwrap_or(m.state.as_str()),
                    m.sentiment,
                    m.intents.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(","),
                    m.source_name,
                    m.author_name.as_deref().unwrap_or("-"),
                    earshot_core::text::truncate_chars(first_line, 100),
                );
            }
            Ok(())
        }
        MentionsCommand::Triage { args, until, due, json } => {
            let (word, ids) = args.split_last().expect("clap requires two arguments");
            let decision = Decision::parse(word).ok_or_else(|| {
                anyhow!("\"{word}\" is not a decision: lead, issue, praise, idea, question, done, ignore or snooze")
            })?;
            let ids = ids
                .iter()
                .map(|id| id.parse::<i64>().with_context(|| format!("\"{id}\" is not a mention id")))
                .collect::<Result<Vec<_>>>()?;
            let input = TriageInput { ids, decision: Some(decision), due_at: due, until };
            let result = api(triage::mention_triage(ctx, &input))?;
            // What was learned may move other items up or down the inbox.
            api(triage::inbox_rescore(ctx))?;
            if json {
                return print_json(&result);
            }
            for d in &result.decided {
                let mut line =
                    format!("Mention {}: {}", d.mention_id, d.filed_as.as_deref().unwrap_or(d.state.as_str()));
                if let Some(t) = d.task_id {
                    line.push_str(&format!(", follow-up task {t}"));
                }
                if let Some(c) = d.case_id {
                    line.push_str(&format!(", case {c} opened"));
                }
                if let Some(i) = d.idea_id {
                    line.push_str(&format!(", idea {i} saved"));
                }
                if let Some(c) = d.contact_id {
                    line.push_str(&format!(" (contact {c})"));
                }
                println!("{line}");
            }
            Ok(())
        }
        MentionsCommand::Undo { json } => {
            let undone = api(triage::mention_undo(ctx))?;
            // An undone decision takes back what it taught.
            api(triage::inbox_rescore(ctx))?;
            if json {
                return print_json(&undone);
            }
            match undone {
                None => println!("Nothing to undo"),
                Some(u) => {
                    let ids: Vec<String> = u.mention_ids.iter().map(i64::to_string).collect();
                    println!("Undid {} on mention {}", u.action, ids.join(", "));
                    for id in u.replies_already_sent {
                        println!("Reply {id} had already been sent and stays sent");
                    }
                }
            }
            Ok(())
        }
        MentionsCommand::Link { id, contact } => {
            api(triage::mention_link(ctx, id, contact))?;
            println!("Linked the author of mention {id} to contact {contact}");
            Ok(())
        }
        MentionsCommand::Contact { id } => {
            let contact = api(triage::mention_create_contact(ctx, id))?;
            println!("Created contact {contact} from the author of mention {id}");
            Ok(())
        }
        MentionsCommand::Suggest { id, json } => {
            let suggestions = api(triage::mention_suggest_contacts(ctx, id))?;
            if json {
                return print_json(&suggestions);
            }
            for s in suggestions {
                println!("{}\t{}\t{:.0}%\t{}", s.contact_id, s.name, s.confidence * 100.0, s.evidence.join(", "));
            }
            Ok(())
        }
        MentionsCommand::Replied { id } => {
            api(triage::mention_mark_replied(ctx, id))?;
            println!("Logged a reply to mention {id}");
            Ok(())
        }
        MentionsCommand::Remove { id } => {
            api(earshot_app::listening::mention_remove(ctx, id))?;
            println!("Removed mention {id}; it will not come back");
            Ok(())
        }
        MentionsCommand::Assign { id, member, nobody: _ } => {
            match api(earshot_app::team::assign(ctx, id, member.as_deref()))? {
                Some(member) => println!("Mention {id} is assigned to {member}"),
                None => println!("Mention {id} is assigned to nobody"),
            }
            Ok(())
        }
    }
}

pub fn reply(ctx: &Ctx, id: i64, text: &str, json: bool) -> Result<()> {
    let item = api(triage::mention_reply(ctx, id, text))?;
    if json {
        return print_json(&item);
    }
    println!("Reply {} queued; `earshot outbox send` or the app sends it when online", item.id);
    Ok(())
}

pub fn outbox(net: &Network, command: OutboxCommand) -> Result<()> {
    let ctx = net.ctx();
    match command {
        OutboxCommand::List { json } => {
            let items = api(triage::outbox_list(ctx))?;
            if json {
                return print_json(&items);
            }
            for o in items {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    o.id,
                    o.state,
                    o.to.as_deref().unwrap_or("-"),
                    earshot_core::text::truncate_chars(&o.text, 80),
                    o.last_error.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        OutboxCommand::Send { json } => {
            let keychain = net.services.secrets_on_demand();
            let run = net
                .block_on(earshot_app::outbox::outbox_send_due(ctx, &net.services.fetcher, &keychain))
                .map_err(|e| anyhow!(e.message))?;
            if json {
                return print_json(&run);
            }
            println!("{} sent, {} waiting to retry, {} failed", run.sent, run.waiting, run.failed);
            Ok(())
        }
        OutboxCommand::Retry { id } => {
            let item = api(triage::outbox_retry(ctx, id))?;
            println!("Reply {} is queued again", item.id);
            Ok(())
        }
    }
}

pub fn rules(ctx: &Ctx, command: RulesCommand) -> Result<()> {
    match command {
        RulesCommand::List { json } => {
            let rules = api(triage::rules_list(ctx))?;
            if json {
                return print_json(&rules);
            }
            for r in rules {
                let tag = r.tag.or(r.member).map(|t| format!(" {t}")).unwrap_or_default();
                println!("{}\t{} = {}\t-> {}{}", r.id, r.field, r.value, r.action, tag);
            }
            Ok(())
        }
        RulesCommand::Add { field, value, action, tag, member } => {
            if action == "tag" && tag.is_none() {
                bail!("a tag rule needs --tag NAME");
            }
            if action == "assign" && member.is_none() {
                bail!("an assign rule needs --member NAME");
            }
            let rule = api(triage::rule_add(ctx, &RuleInput { field, value, action, tag, member }))?;
            println!("Rule {} added", rule.id);
            Ok(())
        }
        RulesCommand::Remove { id } => {
            api(triage::rule_remove(ctx, id))?;
            println!("Rule {id} removed");
            Ok(())
        }
    }
}

pub fn people(ctx: &Ctx, json: bool) -> Result<()> {
    let people = api(triage::people_list(ctx))?;
    if json {
        return print_json(&people);
    }
    for p in people {
        println!(
            "{}\t{}\t{} mentions\t{:+.2}\t{}\tpromote: earshot mentions contact {}",
            p.network,
            p.handle.as_deref().or(p.name.as_deref()).unwrap_or("-"),
            p.mentions,
            p.sentiment,
            p.followers.map(|f| format!("{f} followers")).unwrap_or_default(),
            p.latest_mention_id
        );
    }
    Ok(())
}
