//! `earshot`: the command line over the same use cases as the desktop app, for scripting, imports,
//! exports and benchmarks. Errors go to stderr with a non-zero exit; `--json` output is stable (README).
//! Commands that reach the network or the keychain assemble the same services as the desktop
//! ([`terminal::Network`]), with the terminal as host; `sync --watch` runs the same listening engine.

mod analyze;
mod bench;
mod bench_listening;
mod bench_team;
mod bench_triage;
mod bench_value;
mod listen;
mod team;
mod terminal;
mod triage;
mod value;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::{Args, Parser, Subcommand};
use earshot_app::export::ExportFormat;
use earshot_app::imports::ImportOptions;
use earshot_app::{contacts, demo, export, imports, merges, Ctx};
use earshot_core::table::{self, Field};
use earshot_core::ImportFormat;

#[derive(Parser)]
#[command(name = "earshot", version, about = "Earshot, the offline-first social CRM, from the command line")]
struct Cli {
    /// The workspace database (default: $EARSHOT_DB, else the OS app-data folder)
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Orders from the shop: import exports, the "who is this?" list
    Orders {
        #[command(subcommand)]
        command: value::OrdersCommand,
    },
    /// Net Promoter answers: import a survey export, record one by hand
    Nps {
        #[command(subcommand)]
        command: value::NpsCommand,
    },
    /// The dashboard: NPS, revenue, share of conversation, response time, lead conversion, retention
    Metrics {
        /// First day of the period (YYYY-MM-DD; default: a year before --to)
        #[arg(long, value_name = "DATE")]
        from: Option<String>,
        /// Last day of the period, included (YYYY-MM-DD; default: now)
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show or change what the value formulas use: margin, churn, service costs, opening hours, time zone
    Value {
        /// Gross margin in percent (e.g. 40)
        #[arg(long)]
        margin: Option<f64>,
        /// Days without an order after which a customer counts as lapsed
        #[arg(long)]
        churn_days: Option<i64>,
        /// IANA time zone of the shop (e.g. Europe/Paris)
        #[arg(long)]
        time_zone: Option<String>,
        /// Opening hours, e.g. "mon-fri 09:00-17:00, sat 10:00-14:00", or "always"
        #[arg(long)]
        hours: Option<String>,
        /// Unit cost of a service touch: KIND=AMOUNT (call, email, visit, social_reply, case), repeated
        #[arg(long = "cost", value_name = "KIND=AMOUNT")]
        cost: Vec<String>,
        /// An influence weight: WEIGHT=NUMBER (engagement, sentiment, reply, half_life_days, default_reach), repeated
        #[arg(long = "influence", value_name = "WEIGHT=NUMBER")]
        influence: Vec<String>,
    },
    /// Contacts: import, list, search, show, export
    Contacts {
        #[command(subcommand)]
        command: ContactsCommand,
    },
    /// Share this workspace with a team through its PostgreSQL server
    Team {
        #[command(subcommand)]
        command: TeamCommand,
    },
    /// Past imports, and undoing one
    Imports {
        #[command(subcommand)]
        command: ImportsCommand,
    },
    /// A report to send when something goes wrong: version, schema, sources' state and the recent log (no
    /// contacts, mentions or sign-ins)
    Diagnostics,
    /// Likely duplicates, and merging them
    Duplicates {
        #[command(subcommand)]
        command: DuplicatesCommand,
    },
    /// Listening queries: what Earshot listens for
    Queries {
        #[command(subcommand)]
        command: QueriesCommand,
    },
    /// Sources: the feeds and searches Earshot checks
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
    },
    /// Your own accounts on networks Earshot does not sign in to: what they post is never a mention
    Own {
        #[command(subcommand)]
        command: OwnCommand,
    },
    /// Mentions: what Earshot heard that matched a query
    Mentions {
        #[command(subcommand)]
        command: MentionsCommand,
    },
    /// File a mention by hand from a network with no usable API (Facebook, Instagram, LinkedIn, Yelp...)
    Capture {
        url: String,
        /// What was said (paste it); without it, the page's own title and description are used
        #[arg(long)]
        text: Option<String>,
        /// Who said it
        #[arg(long)]
        author: Option<String>,
        /// facebook, instagram, linkedin, yelp, google, email, x, tiktok or other (default: from the link)
        #[arg(long)]
        network: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Check sources now (--once) or keep checking them as they fall due (--watch)
    Sync {
        #[arg(long, conflicts_with = "watch", required_unless_present = "watch")]
        once: bool,
        #[arg(long)]
        watch: bool,
        #[arg(long)]
        json: bool,
    },
    /// Queue a reply to a Mastodon or Bluesky mention (sent when online; see `outbox`)
    Reply {
        id: i64,
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Replies waiting to go out, and sending them
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// People in conversations: authors of mentions who are not contacts
    People {
        #[arg(long)]
        json: bool,
    },
    /// The owner's triage rules
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Sentiment, intents, urgency and language of each line of stdin, one JSON object per line
    Analyze {
        /// Instead, score the model and the lexicon rules against a labelled file
        /// (`sentiment<TAB>intents<TAB>text` per line; sentiment may be a number, either column `-`)
        #[arg(long, value_name = "FILE", conflicts_with = "explain")]
        evaluate: Option<PathBuf>,
        #[arg(long, requires = "evaluate")]
        json: bool,
        /// Add to each line the words and signals that moved its sentiment and intents
        #[arg(long)]
        explain: bool,
    },
    /// Feed files
    Feed {
        #[command(subcommand)]
        command: FeedCommand,
    },
    /// Fill an empty workspace with the demo bike shop
    Demo {
        #[arg(long, default_value_t = demo::DEMO_CONTACTS)]
        contacts: usize,
    },
    /// Build a large workspace in a temporary folder and print timings
    Bench {
        #[arg(long, default_value_t = 100_000)]
        contacts: usize,
        /// Keep the benchmark workspace in this folder instead of a temporary one
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Only write the generated contacts CSV to this file (to measure `contacts import` from outside)
        #[arg(long, value_name = "FILE", conflicts_with = "dir")]
        write_csv: Option<PathBuf>,
    },
    /// Measure triage on a million mentions: a decision, the inbox page, search, analysis throughput
    BenchTriage {
        #[arg(long, default_value_t = 1_000_000)]
        mentions: usize,
        #[arg(long, default_value_t = 100_000)]
        contacts: usize,
    },
    /// Measure the dashboard, a contact's brief and value recomputation on a generated workspace
    BenchValue {
        #[arg(long, default_value_t = 1_000_000)]
        mentions: usize,
        #[arg(long, default_value_t = 100_000)]
        contacts: usize,
        #[arg(long, default_value_t = 500_000)]
        orders: usize,
    },
    /// Measure team sharing on a PostgreSQL server (an empty database it may fill): catch-up, bytes per
    /// change, and the time from a commit on one desktop to visible on another
    BenchTeam {
        #[arg(long)]
        url: String,
        /// Contacts shared by the first desktop (11 changes each, more with their notes)
        #[arg(long, default_value_t = 9_090)]
        contacts: usize,
        #[arg(long, default_value_t = 50)]
        rounds: usize,
    },
    /// Measure the listening pipeline on a generated corpus and a sync round over local feeds
    BenchListening {
        #[arg(long, default_value_t = 100_000)]
        entries: usize,
        #[arg(long, default_value_t = 200)]
        sources: usize,
    },
}

/// A contacts file and how to read it (`contacts import` and `contacts untangle`).
#[derive(Args)]
struct ContactsFile {
    file: PathBuf,
    #[arg(long, value_parser = ["vcard", "google", "linkedin", "outlook", "csv"])]
    format: Option<String>,
    /// For a CSV whose columns are not recognised: COLUMN=FIELD, repeated
    /// (fields: full_name given_name middle_name family_name organization title email phone city
    /// website social_profile tags note birthday ignore)
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
}

impl ContactsFile {
    /// The file's name, its bytes, and the options to read it with.
    fn read(&self) -> Result<(String, Vec<u8>, ImportOptions)> {
        let file = &self.file;
        let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
        let name =
            file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| file.display().to_string());
        let options = ImportOptions {
            format: self.format.as_deref().and_then(ImportFormat::parse),
            mapping: mapping_from_options(&bytes, &name, &self.map)?,
        };
        Ok((name, bytes, options))
    }
}

#[derive(Subcommand)]
enum ContactsCommand {
    /// Import a vCard or CSV file (Google, LinkedIn, Outlook or any CSV); the format is detected
    Import {
        #[command(flatten)]
        input: ContactsFile,
        #[arg(long)]
        json: bool,
    },
    /// Find contacts an earlier import merged from several people (colleagues on one switchboard, a couple
    /// on one landline), from the file they came from; with --apply, give each person a contact of their own
    Untangle {
        #[command(flatten)]
        input: ContactsFile,
        /// Separate them (without it, only list what would be separated)
        #[arg(long)]
        apply: bool,
        #[arg(long)]
        json: bool,
    },
    /// List contacts in name order
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        tag: Option<String>,
    },
    /// Search names, organizations, emails, phones, handles, tags and notes
    Search {
        query: String,
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Show one contact with its notes, activities and follow-ups (JSON)
    Show { id: i64 },
    /// Add a note to a contact
    Note { id: i64, text: String },
    /// Delete a contact (it can be restored)
    Delete { id: i64 },
    /// Restore a deleted contact
    Restore { id: i64 },
    /// Change some of a contact's fields: --set name="Ann Lee" --set city=Leeds --set emails=a@x.com,b@y.com (an
    /// empty value clears)
    Edit {
        id: i64,
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true, value_parser = field_value)]
        set: Vec<(String, String)>,
        #[arg(long)]
        json: bool,
    },
    /// Export every contact
    Export {
        #[arg(long, value_parser = ["vcard", "csv", "json"])]
        format: String,
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace FILE if it exists
        #[arg(long, requires = "output")]
        force: bool,
    },
}

#[derive(Subcommand)]
enum ImportsCommand {
    List {
        #[arg(long)]
        json: bool,
    },
    /// Take an import back: its new contacts are deleted, what it added to others is removed
    Undo { id: i64 },
}

#[derive(Subcommand)]
enum DuplicatesCommand {
    List {
        #[arg(long)]
        json: bool,
    },
    /// Merge MERGE into KEEP (every email, phone, note, activity and task is kept)
    Merge { keep: i64, merge: i64 },
    /// Undo a merge by the id `merge` printed
    Unmerge { id: i64 },
}

#[derive(Subcommand)]
enum QueriesCommand {
    /// Listen for QUERY: words, "exact phrases", OR, -exclusions, prefix*
    Add {
        #[arg(long, value_parser = ["brand", "competitor", "industry"])]
        kind: String,
        query: String,
        #[arg(long)]
        json: bool,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop listening for a query (the mentions it found stay)
    Remove { id: i64 },
    /// Show how QUERY is understood and which stored items it matches
    Preview { query: String },
}

#[derive(Subcommand)]
enum OwnCommand {
    /// The handles, names and profile addresses listed as yours (signed-in accounts count without listing)
    List {
        #[arg(long)]
        json: bool,
    },
    /// List HANDLE as yours: a handle (@spokeandchain), a name as feeds show it, or a profile address
    Add { handle: Vec<String> },
    /// Take HANDLE off the list
    Remove { handle: String },
}

#[derive(Subcommand)]
enum SourcesCommand {
    /// Add a source: `feed URL` or `hn "QUERY"`
    Add {
        #[command(subcommand)]
        source: AddSource,
    },
    List {
        #[arg(long)]
        json: bool,
    },
    /// Add every feed listed in an OPML file (exported from another feed reader)
    ImportOpml {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write the feed sources as an OPML file (to stdout, or -o FILE)
    ExportOpml {
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Replace FILE if it exists
        #[arg(long, requires = "output")]
        force: bool,
    },
    /// Remove a source (its mentions stay; its keychain item is deleted)
    Remove { id: i64 },
    /// Check a paused source again
    Resume { id: i64 },
}

#[derive(Subcommand)]
enum AddSource {
    /// An RSS, Atom or JSON feed (Google Alerts, YouTube channels, Reddit .rss, blogs, news)
    Feed {
        url: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// A Mastodon hashtag (no sign-in), or your account's mentions and status search (signs in through your
    /// browser; the token is kept in the OS keychain)
    Mastodon {
        /// The instance, e.g. mastodon.social
        instance: String,
        #[arg(long)]
        hashtag: Option<String>,
    },
    /// Your Bluesky account's mentions, replies and quotes, and searches for your queries. Asks for an app
    /// password (Settings > Privacy and security > App passwords), on the terminal or one line on stdin
    Bluesky {
        /// Your handle, e.g. spokeandchain.bsky.social
        handle: String,
        /// Where to sign in
        #[arg(long, default_value = "https://bsky.social")]
        service: String,
    },
    /// A Hacker News search (stories and comments)
    Hn {
        query: String,
        /// The Algolia API address
        #[arg(long, default_value = "https://hn.algolia.com")]
        api: String,
    },
}

#[derive(Subcommand)]
enum MentionsCommand {
    /// The inbox and beyond: mentions with their analysis and state, filtered and sorted
    List {
        #[arg(long)]
        json: bool,
        #[arg(long, default_value_t = 100)]
        limit: i64,
        /// open (new, and snoozed whose time has come), filed, done, ignored, snoozed or all
        #[arg(long, default_value = "all")]
        state: String,
        /// lead, complaint, question, praise, idea, trigger or other
        #[arg(long)]
        intent: Option<String>,
        /// positive, neutral or negative
        #[arg(long)]
        sentiment: Option<String>,
        /// brand, competitor or industry
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        source: Option<i64>,
        #[arg(long)]
        lang: Option<String>,
        /// Words to find in the text, title or author
        #[arg(long)]
        search: Option<String>,
        /// priority or newest
        #[arg(long, default_value = "newest")]
        sort: String,
        /// Only mentions assigned to this member of the team
        #[arg(long)]
        assignee: Option<String>,
        /// Only mentions assigned to this desktop's member
        #[arg(long)]
        mine: bool,
    },
    /// Decide on one or more mentions: lead, issue, praise, idea, question, done, ignore or snooze
    Triage {
        /// Mention ids, then the decision
        #[arg(required = true, num_args = 2..)]
        args: Vec<String>,
        /// When a snooze ends (RFC 3339; default tomorrow)
        #[arg(long)]
        until: Option<String>,
        /// When a lead's follow-up is due (RFC 3339; default tomorrow)
        #[arg(long)]
        due: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Take back the last decision (all the mentions it covered)
    Undo {
        #[arg(long)]
        json: bool,
    },
    /// Link a mention's author to a contact
    Link { id: i64, contact: i64 },
    /// Create a contact from a mention's author
    Contact { id: i64 },
    /// Contacts the author of a mention may be, with the evidence (nothing is linked)
    Suggest {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Log that a mention was answered outside Earshot
    Replied { id: i64 },
    /// Remove a mention for good (it never comes back from its source)
    Remove { id: i64 },
    /// Assign a mention to a member of the team (`--nobody` to take the assignment back)
    Assign {
        id: i64,
        #[arg(required_unless_present = "nobody")]
        member: Option<String>,
        #[arg(long, conflicts_with = "member")]
        nobody: bool,
    },
}

#[derive(Subcommand)]
enum OutboxCommand {
    /// Every queued, sending, sent, failed or cancelled reply
    List {
        #[arg(long)]
        json: bool,
    },
    /// Send the replies that are due now
    Send {
        #[arg(long)]
        json: bool,
    },
    /// Put a failed reply back in the queue
    Retry { id: i64 },
}

#[derive(Subcommand)]
enum RulesCommand {
    List {
        #[arg(long)]
        json: bool,
    },
    /// When FIELD (keyword, author, source, language, sentiment, intent) matches VALUE, ACTION (ignore, done,
    /// tag, assign)
    Add {
        field: String,
        value: String,
        action: String,
        /// The tag, for a tag rule
        #[arg(long)]
        tag: Option<String>,
        /// The member of the team, for an assign rule ("complaints go to Sam": intent complaint assign --member Sam)
        #[arg(long)]
        member: Option<String>,
    },
    Remove {
        id: i64,
    },
}

#[derive(Subcommand)]
enum FeedCommand {
    /// Print a feed file as JSON: {"title", "entries": [{"id", "url", "title", "author", "published", "text", "html"}]}
    Parse { file: PathBuf },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _log = earshot_app::logging::init(earshot_app::logging::Program::CommandLine);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("earshot: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn open(db: Option<PathBuf>) -> Result<Ctx> {
    let path = db.unwrap_or_else(earshot_app::default_db_path);
    Ctx::open(&path).map_err(|e| anyhow!("{}", e.message)).with_context(|| format!("cannot open {}", path.display()))
}

/// The workspace with Earshot's services around it, for commands that reach the network or the keychain.
fn network(db: Option<PathBuf>) -> Result<terminal::Network> {
    terminal::Network::assemble(open(db)?, earshot_app::services::ServiceUrls::default())
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn api<T>(r: Result<T, earshot_app::ApiError>) -> Result<T> {
    r.map_err(|e| anyhow!("{}", e.message))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Bench { contacts, write_csv: Some(file), .. } => bench::write_csv(contacts, &file),
        Command::Bench { contacts, dir, write_csv: None } => bench::run(contacts, dir),
        Command::BenchListening { entries, sources } => bench_listening::run(entries, sources),
        Command::BenchTriage { mentions, contacts } => bench_triage::run(mentions, contacts),
        Command::BenchValue { mentions, contacts, orders } => bench_value::run(mentions, contacts, orders),
        Command::BenchTeam { url, contacts, rounds } => bench_team::run(&url, contacts, rounds),
        Command::Diagnostics => {
            let ctx = open(cli.db)?;
            let opened = earshot_secrets::open();
            let secrets = earshot_app::accounts::SecretsStatus::new(opened.persistence, opened.problem);
            print!("{}", api(earshot_app::diagnostics::diagnostics(&ctx, Some(&secrets)))?.text);
            Ok(())
        }
        Command::Demo { contacts } => {
            let ctx = open(cli.db)?;
            let n = api(demo::demo_create(&ctx, contacts))?;
            println!(
                "Created the demo workspace ({}) with {n} contacts in {}",
                earshot_core::demo::BUSINESS_NAME,
                ctx.store.path().display()
            );
            Ok(())
        }
        Command::Orders { command } => value::orders(&open(cli.db)?, command),
        Command::Nps { command } => value::nps(&open(cli.db)?, command),
        Command::Metrics { from, to, json } => value::metrics(&open(cli.db)?, from, to, json),
        Command::Value { margin, churn_days, time_zone, hours, cost, influence } => value::config(
            &open(cli.db)?,
            value::ConfigChanges { influence, margin, churn_days, time_zone, hours, costs: cost },
        ),
        Command::Contacts { command } => {
            let ctx = open(cli.db)?;
            contacts_command(&ctx, command)
        }
        Command::Queries { command } => listen::queries(&open(cli.db)?, command),
        Command::Sources { command } => listen::sources(&network(cli.db)?, command),
        Command::Own { command } => listen::own(&open(cli.db)?, command),
        Command::Mentions { command } => triage::mentions(&open(cli.db)?, command),
        Command::Reply { id, text, json } => triage::reply(&open(cli.db)?, id, &text, json),
        Command::Outbox { command } => triage::outbox(&network(cli.db)?, command),
        Command::Rules { command } => triage::rules(&open(cli.db)?, command),
        Command::People { json } => triage::people(&open(cli.db)?, json),
        Command::Capture { url, text, author, network, json } => {
            listen::capture(&self::network(cli.db)?, url, text, author, network, json)
        }
        Command::Sync { once: _, watch, json } => listen::sync(&network(cli.db)?, watch, json),
        Command::Team { command } => team::run(&network(cli.db)?, command),
        Command::Feed { command: FeedCommand::Parse { file } } => listen::feed_parse(&file),
        Command::Analyze { evaluate: None, explain, .. } => analyze::run(explain),
        Command::Analyze { evaluate: Some(file), json, .. } => analyze::evaluate(&file, json),
        Command::Imports { command } => {
            let ctx = open(cli.db)?;
            match command {
                ImportsCommand::List { json } => {
                    let list = api(imports::imports_list(&ctx))?;
                    if json {
                        return print_json(&list);
                    }
                    for i in list {
                        let undone = if i.undone_at.is_some() { " (undone)" } else { "" };
                        println!(
                            "{}\t{}\t{}\t{} added, {} merged, {} unchanged, {} rejected{undone}",
                            i.id, i.started_at, i.file_name, i.added, i.merged, i.unchanged, i.rejected
                        );
                    }
                    Ok(())
                }
                ImportsCommand::Undo { id } => {
                    let s = api(imports::import_undo(&ctx, id))?;
                    println!("Undid import {} of {}", s.id, s.file_name);
                    Ok(())
                }
            }
        }
        Command::Duplicates { command } => {
            let ctx = open(cli.db)?;
            match command {
                DuplicatesCommand::List { json } => {
                    let list = api(merges::merge_suggestions(&ctx, 500))?;
                    if json {
                        return print_json(&list);
                    }
                    for s in list {
                        let evidence: Vec<String> =
                            s.evidence.iter().map(|e| format!("{} {}", e.kind.replace('_', " "), e.value)).collect();
                        println!(
                            "keep {} {}\tmerge {} {}\t{:.0}%\t{}",
                            s.keep.id,
                            s.keep.display_name,
                            s.merge.id,
                            s.merge.display_name,
                            s.confidence * 100.0,
                            evidence.join("; ")
                        );
                    }
                    Ok(())
                }
                DuplicatesCommand::Merge { keep, merge } => {
                    let id = api(merges::contact_merge(&ctx, keep, merge))?;
                    println!("Merged {merge} into {keep} (merge {id}; undo with `earshot duplicates unmerge {id}`)");
                    Ok(())
                }
                DuplicatesCommand::Unmerge { id } => {
                    api(merges::merge_undo(&ctx, id))?;
                    println!("Undid merge {id}");
                    Ok(())
                }
            }
        }
    }
}

/// Turns `--map "E-mail=email"` options into a mapping over the file's header.
fn mapping_from_options(bytes: &[u8], file: &str, map: &[String]) -> Result<Option<table::Mapping>> {
    if map.is_empty() {
        return Ok(None);
    }
    let preview = table::preview(bytes, 0).map_err(|e| anyhow!("{file}: {e}"))?;
    let mut mapping = preview.mapping;
    for item in map {
        let (column, field) = item.split_once('=').ok_or_else(|| anyhow!("--map {item}: expected COLUMN=FIELD"))?;
        let idx = preview.headers.iter().position(|h| h.eq_ignore_ascii_case(column.trim())).ok_or_else(|| {
            anyhow!("--map {item}: {file} has no column \"{column}\" (columns: {})", preview.headers.join(", "))
        })?;
        let field: Field = serde_json::from_value(serde_json::Value::String(field.trim().to_string()))
            .map_err(|_| anyhow!("--map {item}: \"{field}\" is not a field; see `earshot contacts import --help`"))?;
        mapping.columns[idx] = table::ColumnRule { field, label: None };
    }
    Ok(Some(mapping))
}

/// `FIELD=VALUE` of `contacts edit --set`.
fn field_value(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(f, v)| (f.trim().to_string(), v.to_string()))
        .filter(|(f, _)| !f.is_empty())
        .ok_or_else(|| format!("\"{text}\" is not FIELD=VALUE"))
}

#[derive(Subcommand)]
enum TeamCommand {
    /// Share this workspace on the team's server: postgres://USER:PASSWORD@HOST:PORT/DB (the password goes
    /// to the keychain)
    Create {
        url: String,
        /// Who uses this desktop, as the team sees it
        #[arg(long)]
        member: String,
    },
    /// Join the workspace shared on the team's server from this desktop
    Join {
        url: String,
        #[arg(long)]
        member: String,
        /// Which workspace, when the server shares several
        #[arg(long)]
        workspace: Option<String>,
    },
    /// Send the changes made here, then receive everyone's, until nothing is left
    Sync {
        #[arg(long, required = true)]
        once: bool,
        #[arg(long)]
        json: bool,
    },
    /// Members, changes waiting, the last sync and its problem
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Stop sharing; this workspace stays as it is
    Leave,
}

fn contacts_command(ctx: &Ctx, command: ContactsCommand) -> Result<()> {
    match command {
        ContactsCommand::Note { id, text } => {
            let note = api(contacts::note_add(ctx, id, &text))?;
            println!("Added note {note} to contact {id}");
            Ok(())
        }
        ContactsCommand::Delete { id } => {
            api(contacts::contact_delete(ctx, id))?;
            println!("Deleted contact {id}; `earshot contacts restore {id}` brings it back");
            Ok(())
        }
        ContactsCommand::Restore { id } => {
            let c = api(contacts::contact_restore(ctx, id))?;
            println!("Restored contact {} ({})", c.id, c.display_name);
            Ok(())
        }
        ContactsCommand::Edit { id, set, json } => {
            let c = api(contacts::contact_edit_fields(ctx, id, &set))?;
            if json {
                return print_json(&c);
            }
            println!("Saved contact {} ({})", c.id, c.display_name);
            Ok(())
        }
        ContactsCommand::Untangle { input, apply, json } => {
            let (name, bytes, options) = input.read()?;
            let found = api(imports::contacts_untangle(ctx, &name, &bytes, &options, apply))?;
            if json {
                return print_json(&found);
            }
            if found.is_empty() {
                println!("{name}: no contact holds more than one person of this file");
            }
            for u in &found {
                println!("{} ({}) is several people:", u.name, u.contact_id);
                for p in &u.separated {
                    let what = [p.emails.join(", "), p.phones.join(", "), p.shared_phones.join(", ") + " (shared)"]
                        .into_iter()
                        .filter(|s| !s.is_empty() && s != " (shared)")
                        .collect::<Vec<_>>()
                        .join("; ");
                    match p.contact_id {
                        Some(id) => println!("  separated {} as contact {id}: {what}", p.name),
                        None => println!("  {}: {what}", p.name),
                    }
                }
            }
            if !apply && !found.is_empty() {
                println!("Nothing was changed. Run again with --apply to separate them (merge one back to undo).");
            }
            Ok(())
        }
        ContactsCommand::Import { input, json } => {
            let (name, bytes, options) = input.read()?;
            let show_progress = std::io::stderr().is_terminal();
            let summary = api(imports::import_run(ctx, &name, &bytes, &options, &mut |p| {
                if show_progress && p.total > 0 {
                    eprint!("\rImporting {}/{}", p.done, p.total);
                }
            }))?;
            if show_progress {
                eprintln!();
            }
            if json {
                return print_json(&summary);
            }
            println!(
                "{}: {} added, {} merged into existing contacts, {} unchanged, {} rejected (import {}; undo with `earshot imports undo {}`)",
                summary.file_name, summary.added, summary.merged, summary.unchanged, summary.rejected, summary.id, summary.id
            );
            for p in &summary.problems {
                eprintln!("{}:{}: {}: {}", summary.file_name, p.line, p.severity, p.reason);
            }
            Ok(())
        }
        ContactsCommand::List { json, tag } => {
            api(earshot_app::value::values_refresh(ctx))?;
            let mut all = api(contacts::contacts_all(ctx))?;
            if let Some(tag) = tag {
                let key = earshot_core::text::fold(&tag);
                all.retain(|c| c.tags.iter().any(|t| earshot_core::text::fold(t) == key));
            }
            if json {
                return print_json(&all);
            }
            for c in all {
                println!(
                    "{}\t{}\t{}\t{}",
                    c.id,
                    c.name,
                    c.organization.unwrap_or_default(),
                    c.emails.first().map(|e| e.address.as_str()).unwrap_or("")
                );
            }
            Ok(())
        }
        ContactsCommand::Search { query, json, limit } => {
            let found = api(contacts::contacts_search(ctx, &query, limit))?;
            if json {
                return print_json(&found);
            }
            for c in found {
                println!(
                    "{}\t{}\t{}\t{}",
                    c.id,
                    c.display_name,
                    c.organization.unwrap_or_default(),
                    c.email.unwrap_or_default()
                );
            }
            Ok(())
        }
        ContactsCommand::Show { id } => print_json(&api(contacts::contact_get(ctx, id))?),
        ContactsCommand::Export { format, output, force } => {
            let format = ExportFormat::parse(&format).ok_or_else(|| anyhow!("unknown export format {format}"))?;
            let text = api(export::export(ctx, format))?;
            match output {
                Some(path) => {
                    write_export(&path, text.as_bytes(), force)?;
                    eprintln!("Wrote {}", path.display());
                }
                None => std::io::stdout().lock().write_all(text.as_bytes())?,
            }
            Ok(())
        }
    }
}

/// Writes an export the owner keeps: private, whole or not at all, never over an existing file unless
/// `force`.
pub(crate) fn write_export(path: &std::path::Path, bytes: &[u8], force: bool) -> Result<()> {
    api(earshot_app::files::save_private(path, bytes, force))
}
