//! The demo shop's social life: what it listens for, where, and three months of what people said about it,
//! its three competitors and its trade, each with what the owner did about it. Written by hand to read like
//! a real neighbourhood bike shop's mentions (praise, complaints, purchase questions, ideas, job changes,
//! competitor news, a few in other languages, a few spammy ones); the dates, the authors' reach and who
//! among them is a customer are drawn from a seed, so every demo is the same.
//!
//! Nothing here is a result: the app stores these as mentions through the same paths as fetched ones (the
//! queries match them, the rules file the spam, decisions create the leads, cases and ideas, replies stop
//! the response clock) and the dashboard computes its numbers from that.

use chrono::{DateTime, Duration, Utc};

use crate::demo::Seeded;

/// The town the demo shop is in.
pub const TOWN: &str = "Millbrook";
pub const WEBSITE: &str = "https://spokeandchain.example";
/// The shop's own accounts: what it posts is never a mention.
pub const OWN_HANDLES: [&str; 2] = ["@spokeandchain@mastodon.example", "spokeandchain.bsky.example"];

/// The competitors, in the order [`About::Competitor`] numbers them.
pub const COMPETITORS: [&str; 3] = ["Gearbox Cycles", "Pedal Republic", "Wheelhouse Bikes"];

/// (kind, query), as the owner would type them.
pub const QUERIES: [(&str, &str); 6] = [
    ("brand", "\"Spoke & Chain\" OR \"Spoke and Chain\" OR spokeandchain"),
    ("competitor", "\"Gearbox Cycles\""),
    ("competitor", "\"Pedal Republic\""),
    ("competitor", "\"Wheelhouse Bikes\""),
    ("industry", "e-bike* OR ebike* OR \"electric bike\" OR \"electric bikes\""),
    ("industry", "\"bike repair\" OR \"bike shop\" Millbrook"),
];

/// Rules the owner set up after the first spam: (field, value, action).
pub const RULES: [(&str, &str, &str); 2] = [("keyword", "crypto", "ignore"), ("keyword", "replica", "ignore")];

/// Where a demo mention was heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A Google Alerts feed for the shop's name.
    Alerts,
    /// The YouTube search feed for e-bikes.
    YouTube,
    /// The #Millbrook hashtag on Mastodon.
    MastodonTag,
    /// A Bluesky search for the queries.
    Bluesky,
    /// A Hacker News search.
    HackerNews,
    /// Captured by hand from a network with no usable API.
    Captured(&'static str),
}

/// A demo source: (channel, kind, name, url, config JSON).
pub const SOURCES: [(Channel, &str, &str, &str, &str); 5] = [
    (
        Channel::Alerts,
        "feed",
        "Google Alerts: Spoke & Chain",
        "https://www.google.com/alerts/feeds/demo/spoke-and-chain",
        "{}",
    ),
    (
        Channel::YouTube,
        "feed",
        "YouTube: e-bike reviews",
        "https://www.youtube.com/feeds/videos.xml?channel_id=demo-ebike-reviews",
        "{}",
    ),
    (
        Channel::MastodonTag,
        "mastodon",
        "#Millbrook on mastodon.example",
        "https://mastodon.example",
        "{\"hashtag\":\"Millbrook\"}",
    ),
    (
        Channel::Bluesky,
        "bluesky",
        "Bluesky: spokeandchain.bsky.example",
        "https://bsky.example",
        "{\"handle\":\"spokeandchain.bsky.example\",\"did\":\"did:plc:spokeandchaindemo0000\"}",
    ),
    (Channel::HackerNews, "hn", "Hacker News: e-bike", "https://hn.algolia.com", "{\"query\":\"e-bike\"}"),
];

/// What the owner did with a mention, and when relative to it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Plan {
    /// Still in the inbox.
    Open,
    /// Filed as praise (the author becomes an advocate when they are a contact).
    Praise,
    /// Filed as an issue: a case, closed `closed_after_days` later or still open.
    Issue {
        closed_after_days: Option<i64>,
    },
    /// Filed as a lead with a follow-up; `bought` is (what, amount in pence, days after the lead).
    Lead {
        bought: Option<(&'static str, i64, i64)>,
    },
    /// Filed as an idea.
    Idea,
    Done,
    Ignore,
    /// Filed by one of [`RULES`] as it arrived.
    ByRule,
}

/// Who said it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Voice {
    /// One of the shop's customers (the `n`-th the app picks), so the mention is linked to them.
    Customer(usize),
    /// Someone the shop does not know: (name, handle).
    Stranger(&'static str, &'static str),
}

/// One scripted mention. `reply` is what the owner answered, `hours` after it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Said {
    pub channel: Channel,
    pub voice: Voice,
    pub text: &'static str,
    pub plan: Plan,
    pub reply: Option<(&'static str, i64)>,
}

const fn said(channel: Channel, voice: Voice, text: &'static str, plan: Plan) -> Said {
    Said { channel, voice, text, plan, reply: None }
}

const fn answered(
    channel: Channel,
    voice: Voice,
    text: &'static str,
    plan: Plan,
    reply: &'static str,
    hours: i64,
) -> Said {
    Said { channel, voice, text, plan, reply: Some((reply, hours)) }
}

use Channel::*;
use Plan::*;
use Voice::*;

const STILL_OPEN_CASE: Plan = Issue { closed_after_days: None };
const fn closed(days: i64) -> Plan {
    Issue { closed_after_days: Some(days) }
}
const fn lead() -> Plan {
    Lead { bought: None }
}
const fn bought(what: &'static str, pence: i64, days: i64) -> Plan {
    Lead { bought: Some((what, pence, days)) }
}

/// Three months of mentions, oldest first; the last ones are still in the inbox.
pub const SAID: &[Said] = &[
    answered(MastodonTag, Customer(0), "Picked up my commuter from Spoke & Chain after a full service, it shifts like new. Great job folks! #Millbrook", Praise, "Thanks! Enjoy the smooth ride to work.", 3),
    said(Alerts, Stranger("Millbrook Gazette", "millbrookgazette"), "Spoke & Chain Cycles marks ten years on Mill Lane with a community ride for all ages this weekend.", Done),
    answered(Bluesky, Stranger("Tess Okafor", "tessrides.bsky.example"), "Does anyone know if Spoke & Chain do bike fits for triathlon bikes? Looking to book one before spring.", bought("Bike fit", 13_500, 9), "Yes we do! Tri fits take about two hours; we have slots on Tuesdays and Saturdays.", 2),
    said(MastodonTag, Stranger("Jonah Price", "@jonahp@mastodon.example"), "Gearbox Cycles have a winter sale on, 20% off helmets and lights until the end of the month #Millbrook", Done),
    answered(MastodonTag, Customer(1), "Dropped my wheel off at Spoke & Chain on Monday, told Wednesday, still not ready on Friday and nobody called. Not impressed. #Millbrook", closed(2), "Sorry about this, that's not how we want it to go. The hub part arrived late; your wheel is ready now and the true is on us.", 4),
    said(YouTube, Stranger("Urban Cycling Weekly", "urbancyclingweekly"), "Five commuter e-bikes under £2,000 tested over a wet month: range, weight and which motor held up", Done),
    said(HackerNews, Stranger("kd_rider", "kd_rider"), "Show HN: I built an open-source battery monitor for my e-bike with an ESP32", Ignore),
    answered(Bluesky, Customer(2), "Shout out to the mechanics at Spoke and Chain for squeezing in my brake bleed before the club ride. Lifesavers.", Praise, "Anytime! Have a great ride on Sunday.", 5),
    said(Alerts, Stranger("Cycle Trade News", "cycletradenews"), "Pedal Republic opens a second store in Northgate, doubling its workshop space and adding a café.", Done),
    answered(MastodonTag, Stranger("Amira Haddad", "@amira@mastodon.example"), "Looking for a kids' bike for my 7 year old, anyone in #Millbrook have a shop they trust? Spoke & Chain or somewhere else?", bought("Kids' bike", 32_900, 6), "Hi Amira! We have 20-inch bikes from £249 and you're welcome to bring her in to try a few sizes.", 3),
    said(Captured("instagram"), Customer(3), "Sunday coffee ride from Spoke & Chain to the Old Mill and back. 42 km, one puncture, zero regrets.", Praise),
    said(MastodonTag, Stranger("Leo Brandt", "@leob@mastodon.example"), "Wheelhouse Bikes fixed my derailleur in 20 minutes while I waited. Friendly bunch. #Millbrook", Done),
    answered(Bluesky, Stranger("Marta Nowak", "martanowak.bsky.example"), "Idea for @spokeandchain.bsky.example: a basic maintenance evening for beginners. I'd happily pay to learn how to fix a puncture properly.", Idea, "Love this, we're planning one for the new year. We'll post the date!", 6),
    said(Alerts, Stranger("Millbrook Council", "millbrookcouncil"), "New protected cycle lane on Harbour Road opens next month; local bike shops including Spoke & Chain will offer free safety checks.", Done),
    said(HackerNews, Stranger("throwaway_velo", "throwaway_velo"), "Ask HN: Is a mid-drive e-bike worth the extra cost over a hub motor for a hilly commute?", Done),
    answered(MastodonTag, Customer(4), "Third flat in a week on the same tyre after Spoke & Chain replaced the tube. Something isn't right. #Millbrook", closed(1), "That sounds like something stuck in the tyre. Bring it in today and we'll find it, no charge.", 2),
    said(Bluesky, Stranger("Sam Ortiz", "samortiz.bsky.example"), "Pedal Republic's new e-bike rental scheme looks handy for visitors, £25 a day.", Done),
    said(MastodonTag, Stranger("CryptoRide Deals", "@deals@spam.example"), "Earn crypto while you ride! Spoke & Chain fans get 500 free tokens, link in bio", ByRule),
    answered(Captured("facebook"), Stranger("Helen Marsh", "helen.marsh"), "Can anyone recommend a bike repair place in Millbrook that does Brompton folding bikes? Spoke and Chain maybe?", bought("Full service", 11_500, 4), "We service Bromptons every week, Helen. Book online or just drop in.", 5),
    said(YouTube, Stranger("Trail Tech", "trailtech"), "Electric bike conversion kits: are they safe? We open one up and test it", Done),
    said(Alerts, Stranger("Bike Biz Blog", "bikebizblog"), "Gearbox Cycles announces it will stop servicing bikes not bought in store from January.", Done),
    answered(MastodonTag, Customer(5), "The Saturday no-drop ride from Spoke & Chain was brilliant. First group ride I've done and nobody got left behind. #Millbrook", Praise, "So glad you came! See you next Saturday.", 8),
    said(Bluesky, Stranger("Priya Raman", "priyar.bsky.example"), "Just started as Cycling Officer at Metro Council Transport, excited to work with local shops like Spoke & Chain on safer streets.", lead(), ),
    said(HackerNews, Stranger("mgould", "mgould"), "The economics of e-bike battery recycling (2026)", Ignore),
    answered(MastodonTag, Stranger("Oliver Grant", "@ogrant@mastodon.example"), "Do Spoke & Chain sell second hand bikes? Budget is about £300 for a commuter. #Millbrook", lead(), "We have a few refurbished commuters in that range right now, come have a look!", 4),
    said(Captured("nextdoor"), Stranger("Rita Colombo", "ritacolombo"), "Wheelhouse Bikes quoted me £180 for a service that Spoke & Chain did for £110. Shop around, neighbours.", Praise),
    said(Alerts, Stranger("The Cycling Journal", "cyclingjournal"), "E-bike sales in the UK rose 14% last year while conventional bike sales fell, industry figures show.", Done),
    answered(Bluesky, Customer(6), "Not happy: paid for a full service at Spoke & Chain and the gears were already slipping on the first climb.", closed(3), "Really sorry. Please bring it back, we'll re-index the gears and check the cable while you wait.", 3),
    said(MastodonTag, Stranger("Fen Walker", "@fen@mastodon.example"), "Pedal Republic's workshop is booked up three weeks ahead. Anyone else struggling to get a service slot? #Millbrook", Done),
    answered(MastodonTag, Stranger("Chris Adeyemi", "@chrisa@mastodon.example"), "Thinking about an e-bike for the school run with two kids. Does Spoke & Chain have any cargo bikes to try?", bought("E-bike", 349_900, 12), "We do! Two cargo bikes in the demo fleet, book a test ride any afternoon.", 2),
    said(YouTube, Stranger("GreenCommute", "greencommute"), "I rode an electric bike to work for a year: what it cost and what broke", Done),
    said(HackerNews, Stranger("lindqvist", "lindqvist"), "Ask HN: How do you lock an expensive e-bike in the city?", Done),
    answered(Bluesky, Customer(7), "Suggestion for Spoke & Chain: a loyalty card for services. Every fifth tune-up free would keep me coming back.", Idea, "Great idea, noted! We're looking into it for spring.", 10),
    said(Alerts, Stranger("Millbrook Gazette", "millbrookgazette"), "Wheelhouse Bikes owner retires after 31 years; new management promises longer opening hours.", Done),
    said(MastodonTag, Stranger("Best Replica Parts", "@parts@spam.example"), "Cheap replica carbon wheels, Spoke & Chain quality for 1/5 the price!!! DM now", ByRule),
    answered(Captured("instagram"), Stranger("Nadia Rahman", "nadia.rides"), "Which is better for a first road bike, Spoke & Chain or Gearbox Cycles? Budget £1,200.", bought("New road bike", 134_900, 10), "Come by for a chat and a test ride, we'll help you pick the right size first. No pressure!", 6),
    said(Bluesky, Stranger("Dana Kim", "danakim.bsky.example"), "Gearbox Cycles' app booking is slick, got a slot the next morning.", Done),
    said(MastodonTag, Customer(8), "Lovely chat with the team at Spoke & Chain about winter tyres, they talked me out of spending more than I needed. Honest shop. #Millbrook", Praise),
    said(Alerts, Stranger("E-Mobility Today", "emobilitytoday"), "New EU rules for e-bike batteries: what changes for shops that repair them.", Done),
    answered(MastodonTag, Stranger("Greg Walsh", "@gregw@mastodon.example"), "Booked a repair at Spoke & Chain online, turned up and they had no record of it. Waste of a morning. #Millbrook", closed(2), "Apologies Greg, our booking form dropped some requests that day. Your repair is on us, any day this week.", 2),
    said(HackerNews, Stranger("p_nakamura", "p_nakamura"), "E-bike motors compared: torque sensors vs cadence sensors explained", Done),
    said(YouTube, Stranger("Urban Cycling Weekly", "urbancyclingweekly"), "Cargo e-bikes for families: three long-term reviews", Done),
    answered(Bluesky, Stranger("Felix Baumann", "felixb.bsky.example"), "Hallo! Macht Spoke & Chain auch Reparaturen an E-Bikes mit Bosch Motor? Bin neu in Millbrook.", lead(), "Hallo Felix! Ja, wir reparieren Bosch-Antriebe. Komm einfach vorbei.", 5),
    said(MastodonTag, Stranger("Maya Flores", "@maya@mastodon.example"), "Pedal Republic's café does the best flat white in town, and the mechanics are quick too. #Millbrook", Done),
    answered(Captured("facebook"), Customer(9), "Spoke & Chain sorted my daughter's first bike and spent ages getting the saddle height right. She hasn't stopped riding since!", Praise, "That's what we love to hear! Say hi to her from the team.", 7),
    said(Alerts, Stranger("Cycle Trade News", "cycletradenews"), "Gearbox Cycles partners with a national chain; staff say local ownership ends in March.", Done),
    said(Bluesky, Stranger("Ivy Chen", "ivychen.bsky.example"), "I wish a bike shop in Millbrook would open early, before work. Spoke & Chain at 7:30 and I'd be there every week.", Idea),
    answered(MastodonTag, Stranger("Bruno Costa", "@bcosta@mastodon.example"), "Any bike shop in Millbrook that can true a wheel today? Spoke & Chain, are you open Sunday?", lead(), "We're open 10-2 on Sundays, bring it in and we'll true it while you have a coffee.", 1),
    said(HackerNews, Stranger("ebike_eng", "ebike_eng"), "Why e-bike batteries catch fire and how to charge safely", Done),
    said(YouTube, Stranger("Trail Tech", "trailtech"), "Budget e-bike vs premium e-bike: 500 km later", Done),
    answered(Bluesky, Customer(10), "Spoke & Chain quoted £60 for brake pads and fitting, then charged £85. Would have been nice to be told first.", closed(4), "You're right, we should have called before going over the quote. We've refunded the difference.", 6),
    said(MastodonTag, Stranger("Ruth Evans", "@ruthe@mastodon.example"), "Wheelhouse Bikes were out of stock on inner tubes AGAIN. Walked to Spoke & Chain, sorted in five minutes. #Millbrook", Praise),
    said(Alerts, Stranger("Millbrook Gazette", "millbrookgazette"), "Local riders raise £4,200 for the children's ward on the Spoke & Chain charity ride.", Praise),
    answered(Captured("instagram"), Stranger("Lucas Moreau", "lucas.moreau"), "Super boutique, Spoke & Chain m'a trouvé un vélo de ville d'occasion parfait. Merci l'équipe !", Praise, "Merci Lucas, bonne route !", 9),
    said(MastodonTag, Stranger("Giveaway Bot", "@win@spam.example"), "FREE e-bike giveaway!!! Follow and retweet, crypto wallet required to claim", ByRule),
    answered(Bluesky, Stranger("Hannah Lee", "hannahlee.bsky.example"), "Is it worth getting an e-bike serviced at the shop you bought it from? Mine's from online. Spoke & Chain any good with those?", bought("Full service", 12_500, 5), "We service bikes from anywhere, online brands included. Book a slot and we'll check the motor too.", 3),
    said(HackerNews, Stranger("cmiller", "cmiller"), "The quiet boom in electric bike commuting in mid-sized towns", Done),
    said(Alerts, Stranger("Bike Biz Blog", "bikebizblog"), "Pedal Republic launches a subscription service: £19 a month for unlimited tune-ups.", Done),
    answered(MastodonTag, Customer(11), "Bought my partner a gift voucher at Spoke & Chain and the card they wrote was so thoughtful. Small shops do it best. #Millbrook", Praise, "Thank you! Hope they love it.", 12),
    said(YouTube, Stranger("GreenCommute", "greencommute"), "Winter e-bike commuting: lights, tyres and keeping the battery warm", Done),
    answered(Bluesky, Stranger("Tom Fischer", "tomfischer.bsky.example"), "Spoke & Chain should sell bike-friendly rain gear. I always have to order online.", Idea, "Good shout, we'll bring in a small range for winter.", 20),
    said(MastodonTag, Stranger("Kai Becker", "@kai@mastodon.example"), "Gearbox Cycles lost my booking and then charged me a no-show fee. Avoid. #Millbrook", Done),
    answered(Captured("nextdoor"), Stranger("Jill Patterson", "jillp"), "Where's the best place for an e-bike test ride around here? Spoke & Chain or Pedal Republic?", bought("E-bike", 279_900, 14), "Come try ours, Jill: three models ready to ride, no appointment needed on weekdays.", 4),
    said(Alerts, Stranger("The Cycling Journal", "cyclingjournal"), "Independent bike shops find new life in e-bike repairs as new bike sales cool.", Done),
    said(HackerNews, Stranger("anon_rider", "anon_rider"), "Right to repair for e-bikes: manufacturers lock shops out of motor diagnostics", Done),
    answered(MastodonTag, Stranger("Ellie Brooks", "@ellieb@mastodon.example"), "Waited 25 minutes at the Spoke & Chain counter on Saturday while two staff chatted. Not like them. #Millbrook", closed(1), "Fair point Ellie, Saturdays got busy and we'll put a second person on the counter. Sorry for the wait.", 3),
    said(Bluesky, Customer(12), "Two years on my Spoke & Chain gravel bike and it still makes me grin every ride.", Praise),
    said(YouTube, Stranger("Urban Cycling Weekly", "urbancyclingweekly"), "The best e-bike locks of the year, attacked with an angle grinder", Done),
    answered(MastodonTag, Stranger("Noah Schmidt", "@noahs@mastodon.example"), "Does Spoke & Chain do bike hire? Visiting Millbrook next month with my partner. #Millbrook", lead(), "We do! Hybrids at £20 a day, book a week ahead in summer.", 5),
    said(Alerts, Stranger("Millbrook Gazette", "millbrookgazette"), "Wheelhouse Bikes fined over unsafe e-bike battery storage, council says.", Done),
    answered(Bluesky, Customer(13), "Team at Spoke & Chain, could you run a women's beginner ride? Lots of us would come.", Idea, "Yes! First one is planned for the 2nd Sunday of the month.", 8),
    said(MastodonTag, Stranger("Mo Ibrahim", "@mo@mastodon.example"), "Pedal Republic are hiring a bike mechanic, decent pay apparently. #Millbrook", Done),
    said(HackerNews, Stranger("voltcycle", "voltcycle"), "I reverse-engineered my e-bike's speed limiter (and why I put it back)", Ignore),
    answered(Captured("facebook"), Stranger("Sandra Quint", "sandra.quint"), "Can anyone recommend a bike shop in Millbrook for a full service on an old steel tourer? Spoke & Chain?", bought("Full service", 10_500, 3), "Steel tourers are our favourite. Bring it in, Sandra!", 6),
    said(Alerts, Stranger("E-Mobility Today", "emobilitytoday"), "Electric bike theft rises 30% in towns without secure parking.", Done),
    answered(MastodonTag, Customer(14), "My e-bike battery died after 18 months and Spoke & Chain say the warranty doesn't cover it. Frustrating. #Millbrook", closed(6), "We've asked the manufacturer to look at it again; we'll call you as soon as we hear back.", 5),
    said(YouTube, Stranger("Trail Tech", "trailtech"), "How long do e-bike batteries really last? Lab test results", Done),
    said(Bluesky, Stranger("Lena Varga", "lenavarga.bsky.example"), "New job! Starting as Head Coach at Saddle & Sole Triathlon Club. Time to find us a bike shop partner, Spoke & Chain maybe?", lead()),
    answered(MastodonTag, Stranger("Paul Osei", "@paulo@mastodon.example"), "Spoke & Chain fixed my wobbly wheel for £15 while I waited. Couldn't ask for more. #Millbrook", Praise, "Cheers Paul!", 9),
    said(Alerts, Stranger("Cycle Trade News", "cycletradenews"), "Gearbox Cycles cuts prices on last year's e-bikes by up to 35%.", Done),
    said(HackerNews, Stranger("tandem", "tandem"), "Show HN: A route planner that avoids hills for e-bike range", Done),
    answered(Bluesky, Stranger("Yusuf Demir", "yusufd.bsky.example"), "How much does Spoke & Chain charge to fit a child seat? Can't find prices online.", bought("Child seat fitted", 8_900, 2), "£15 to fit, or free with any seat we sell. Prices are going on the website this week.", 2),
    said(MastodonTag, Stranger("Olga Petrova", "@olga@mastodon.example"), "Wheelhouse Bikes has a great range of kids' helmets right now. #Millbrook", Done),
    answered(Captured("instagram"), Customer(15), "Spoke & Chain's winter service special is a steal, bike feels brand new for the cold months.", Praise, "Thanks for spreading the word!", 10),
    said(YouTube, Stranger("GreenCommute", "greencommute"), "E-bike vs car for a 10 km commute: the real numbers after a year", Done),
    answered(MastodonTag, Stranger("Aaron Blake", "@ablake@mastodon.example"), "Ordered a part through Spoke & Chain three weeks ago and no update. Anyone know if they're short staffed? #Millbrook", closed(2), "Sorry Aaron, the supplier is behind. We've found the part elsewhere and it arrives Thursday.", 4),
    said(Alerts, Stranger("The Cycling Journal", "cyclingjournal"), "Pedal Republic named among the region's best bike shops in readers' awards.", Done),
    said(Bluesky, Stranger("Gemma Ross", "gemmaross.bsky.example"), "Spoke & Chain should host a swap meet for kids' bikes they've outgrown. Would be great for the town.", Idea),
    said(HackerNews, Stranger("quietwheels", "quietwheels"), "E-bike subscriptions vs buying: a five-year cost comparison", Done),
    answered(MastodonTag, Customer(16), "Spoke & Chain rescued my Saturday: snapped chain on the canal path, they had me rolling in ten minutes. #Millbrook", Praise, "Glad we could help, happy riding!", 2),
    said(MastodonTag, Stranger("Rosa Lopez", "@rosal@mastodon.example"), "Gearbox Cycles staff were rude when I asked about a warranty repair. #Millbrook", Done),
    answered(Bluesky, Stranger("Viktor Horvat", "viktorh.bsky.example"), "Hola! ¿Alguien sabe si Spoke & Chain alquila bicis eléctricas por semanas? Estoy en Millbrook hasta junio.", lead(), "¡Hola Viktor! Sí, alquilamos e-bikes por semana: £90. Pásate cuando quieras.", 6),
    said(Alerts, Stranger("Millbrook Gazette", "millbrookgazette"), "Spoke & Chain and Harbor Coffee Roasters team up for a bike-to-work breakfast on Friday.", Praise),
    said(YouTube, Stranger("Urban Cycling Weekly", "urbancyclingweekly"), "We tested the five most popular electric bikes that fold", Done),
    answered(MastodonTag, Stranger("Jane Tanaka", "@janet@mastodon.example"), "Do Spoke & Chain do gift vouchers? Want something for my dad who rides every day. #Millbrook", bought("Gift voucher", 5_000, 1), "We do, any amount, and we'll wrap it for you.", 3),
    said(HackerNews, Stranger("bikeshed", "bikeshed"), "Ask HN: Best e-bike for a 30 km round trip commute?", Done),
    said(Captured("nextdoor"), Stranger("Phil Adams", "philadams"), "Pedal Republic charged me for a new chain I didn't need. Got a second opinion at Spoke & Chain who said it had months left.", Praise),
    answered(Bluesky, Customer(17), "Booked a bike fit at Spoke & Chain and the fitter cancelled the morning of. Rebooked, but it's the second time.", closed(5), "That's not good enough, sorry. We've booked you the first slot next week and the fit is half price.", 2),
    said(MastodonTag, Stranger("Ana Silva", "@anasilva@mastodon.example"), "The new protected lane on Harbour Road is fantastic, rode it with the kids on the way to Spoke & Chain. #Millbrook", Praise),
    said(Alerts, Stranger("E-Mobility Today", "emobilitytoday"), "Survey: 41% of e-bike owners would pay more for a local service plan.", Done),
    answered(MastodonTag, Stranger("Karim Haddad", "@karim@mastodon.example"), "What's the wait at Spoke & Chain for a service right now? Need my bike by Friday. #Millbrook", lead(), "Drop it in by Wednesday morning and it's ready Thursday evening.", 2),
    said(YouTube, Stranger("Trail Tech", "trailtech"), "E-bike motor showdown for mountain riders: Bosch vs Shimano vs Brose", Done),
    said(Bluesky, Stranger("Ollie Hughes", "olliehughes.bsky.example"), "Wheelhouse Bikes' new owners have repainted the shop and extended hours to 7pm. Worth a look.", Done),
    said(HackerNews, Stranger("gearhead", "gearhead"), "How a small bike shop uses a spreadsheet to run its e-bike repair queue", Done),
    answered(Captured("facebook"), Customer(18), "Shout out to Spoke & Chain for the free safety check on my mum's old bike. She's back cycling to the market!", Praise, "Love this! Tell her we said hello.", 11),
    said(MastodonTag, Stranger("Tomás García", "@tomasg@mastodon.example"), "Pedal Republic's e-bike rental fleet is mostly broken, two of three wouldn't charge. #Millbrook", Done),
    answered(Bluesky, Stranger("Iris Novak", "irisnovak.bsky.example"), "Could Spoke & Chain stock more women's saddles? The choice everywhere is tiny.", Idea, "Noted, we're adding three new models this month.", 14),
    said(Alerts, Stranger("Bike Biz Blog", "bikebizblog"), "Gearbox Cycles' new owners plan to close the Eastgate workshop.", Done),
    answered(MastodonTag, Stranger("Dev Patel", "@devp@mastodon.example"), "Looking for a bike shop in Millbrook that stocks tubeless sealant and can set up my wheels. Spoke & Chain? #Millbrook", bought("Tubeless setup", 4_500, 2), "We do tubeless conversions most days, £45 including sealant.", 1),
    said(YouTube, Stranger("GreenCommute", "greencommute"), "My e-bike after 10,000 km: what wore out first", Done),
    said(HackerNews, Stranger("riverside", "riverside"), "Electric bike sales stall as subsidies end", Done),
    answered(MastodonTag, Customer(19), "Spoke & Chain replaced my headset bearings and now there's a knocking sound that wasn't there before. #Millbrook", closed(3), "Sorry to hear that, bring it straight back and we'll sort the preload while you wait.", 3),
    said(Bluesky, Stranger("Carmen Ruiz", "carmenruiz.bsky.example"), "Gearbox Cycles finally fixed my gears on the third try.", Done),
    said(Alerts, Stranger("Millbrook Gazette", "millbrookgazette"), "Council backs a bike-share trial; Spoke & Chain and Pedal Republic bid to maintain the fleet.", Done),
    answered(Captured("instagram"), Stranger("Sophie Turner", "sophie.t"), "Spoke & Chain, do you do wedding bike hire? Thinking a tandem for the big day!", bought("Tandem hire", 7_500, 20), "Congratulations! Yes, our tandem has ribbons ready. Let's talk dates.", 4),
    said(MastodonTag, Stranger("Win Big", "@prize@spam.example"), "Spoke & Chain customers: claim your crypto reward before midnight!!!", ByRule),
    said(YouTube, Stranger("Urban Cycling Weekly", "urbancyclingweekly"), "Which e-bike motor is easiest to repair? Mechanics weigh in", Done),
    answered(Bluesky, Stranger("Ben Walsh", "benwalsh.bsky.example"), "Does Spoke & Chain do corporate bike maintenance days? Our office has about 40 cyclists.", lead(), "We'd love to! Let's set up a call, we come on site with two mechanics.", 5),
    said(HackerNews, Stranger("torque", "torque"), "Ask HN: Cargo e-bike or second car for a family of four?", Done),
    said(MastodonTag, Stranger("Lily Chen", "@lilyc@mastodon.example"), "Pedal Republic's Saturday ride left three of us behind on the first hill. Not beginner friendly. #Millbrook", Done),
    answered(MastodonTag, Customer(20), "Spoke & Chain's mechanic spotted a crack in my frame during a routine service. Could have been nasty. Grateful. #Millbrook", Praise, "Glad we caught it. Ride safe!", 6),
    said(Alerts, Stranger("The Cycling Journal", "cyclingjournal"), "Wheelhouse Bikes joins a buying group to cut parts prices for customers.", Done),
    said(Bluesky, Stranger("Erik Lindqvist", "eriklindqvist.bsky.example"), "Idea for bike shops in Millbrook: a winter bike storage service. Spoke & Chain, take my money.", Idea),
    said(YouTube, Stranger("Trail Tech", "trailtech"), "Electric bike range test in freezing weather", Done),
    answered(Captured("facebook"), Stranger("Margaret Doyle", "margaret.doyle"), "Is Spoke & Chain open on bank holidays? Need a puncture fixed Monday.", lead(), "Open 10-2 on bank holidays, Margaret. See you Monday!", 2),
    said(HackerNews, Stranger("oldfixie", "oldfixie"), "Why e-bike hub motors are quietly getting better", Done),
    said(MastodonTag, Stranger("Zara Khan", "@zarak@mastodon.example"), "Gearbox Cycles price match promise worked for me, saved £40 on a helmet. #Millbrook", Done),
    answered(Bluesky, Customer(21), "The Spoke & Chain Christmas late opening was lovely, mulled cider and 10% off. More of this please!", Praise, "Thanks for coming! It's back next Thursday.", 13),
    said(Alerts, Stranger("E-Mobility Today", "emobilitytoday"), "Local shops see e-bike repair demand outpace new bike sales.", Done),
    answered(MastodonTag, Stranger("Hugo Dubois", "@hugod@mastodon.example"), "Spoke & Chain lost the receipt for my warranty claim and now I'm stuck in a loop with the manufacturer. #Millbrook", STILL_OPEN_CASE, "Sorry Hugo, we found the sale on our system and sent the proof to the manufacturer today.", 5),
    said(YouTube, Stranger("GreenCommute", "greencommute"), "Five e-bike mistakes new owners make", Done),
    said(Bluesky, Stranger("Anya Ivanova", "anyai.bsky.example"), "Pedal Republic just launched kids' bike trade-ins, smart move.", Done),
    answered(Captured("instagram"), Stranger("Kofi Mensah", "kofi.rides"), "Spoke & Chain, how long does a full e-bike service take? Want to book before the holidays.", lead(), "About two hours, Kofi. We've got slots next Tuesday and Wednesday.", 3),
    said(HackerNews, Stranger("pedalpusher", "pedalpusher"), "Show HN: Open-source firmware for e-bike displays", Ignore),
    said(MastodonTag, Stranger("Hot Deals", "@hot@spam.example"), "Replica Spoke & Chain jerseys 80% off, cheapest online, no questions", ByRule),
    answered(MastodonTag, Customer(22), "Spoke & Chain's new online booking keeps sending me to a blank page on my phone. #Millbrook", STILL_OPEN_CASE, "Thanks for flagging, we're on it with the booking provider. Call us to book in the meantime.", 2),
    said(Alerts, Stranger("Millbrook Gazette", "millbrookgazette"), "Gearbox Cycles to close its Millbrook branch in February, staff told this week.", Done),
    // Still in the inbox: what a visitor can decide on first.
    said(MastodonTag, Stranger("Nina Rossi", "@ninar@mastodon.example"), "Does Spoke & Chain have any gravel bikes in a size small to test ride this weekend? #Millbrook", Open),
    said(Bluesky, Customer(23), "Picked up my bike from Spoke & Chain and the brakes are squealing like mad. Is that normal after new pads?", Open),
    said(Alerts, Stranger("Cycle Trade News", "cycletradenews"), "Pedal Republic confirms it will take over Gearbox Cycles' service customers in Millbrook.", Open),
    said(MastodonTag, Stranger("Theo Jensen", "@theoj@mastodon.example"), "Massive thanks to Spoke & Chain for lending me a bike while mine was in for repair. Above and beyond. #Millbrook", Open),
    said(Captured("facebook"), Stranger("Grace O'Brien", "grace.obrien"), "Looking for an e-bike for my 70 year old dad, something light with a step-through frame. Spoke & Chain recommendations?", Open),
    said(Bluesky, Stranger("Omar Yilmaz", "omary.bsky.example"), "It would be great if Spoke & Chain sent a text when a repair is ready instead of me calling to check.", Open),
    said(YouTube, Stranger("Urban Cycling Weekly", "urbancyclingweekly"), "E-bike buyers' guide for winter: the five questions to ask the shop", Open),
    said(MastodonTag, Customer(24), "Third week waiting for the Shimano part at Spoke & Chain. Any chance of an update? #Millbrook", Open),
    said(HackerNews, Stranger("range_anxiety", "range_anxiety"), "Ask HN: Are e-bike batteries from third parties safe?", Open),
    said(MastodonTag, Stranger("Wen Xu", "@wenxu@mastodon.example"), "Just accepted a job as fleet manager at City Couriers Co-op. We'll need a bike shop for 20 cargo bikes, Spoke & Chain? #Millbrook", Open),
    said(Bluesky, Stranger("Kit Hale", "kithale.bsky.example"), "Wheelhouse Bikes vs Spoke & Chain for a first mountain bike? Budget around £800.", Open),
    said(Captured("instagram"), Stranger("Elif Demir", "elif.d"), "Bonjour ! Spoke & Chain répare-t-il les vélos cargo ? Le mien fait un bruit bizarre.", Open),
    said(MastodonTag, Stranger("Adam Walsh", "@adamw@mastodon.example"), "Spoke & Chain, your new shop window display is brilliant. Stopped me in my tracks. #Millbrook", Open),
    said(Alerts, Stranger("E-Mobility Today", "emobilitytoday"), "Electric bike insurance: what local shops recommend for theft cover", Open),
];

/// When mention `i` of `n` arrived: spread evenly over the last 90 days, oldest first, with the open ones
/// (from `open_from` on) in the last three days.
pub fn arrived_at(i: usize, n: usize, open_from: usize, now: DateTime<Utc>, rng: &mut Seeded) -> DateTime<Utc> {
    let minutes = if i >= open_from {
        let span = (n - open_from).max(1) as i64;
        let slot = (i - open_from) as i64;
        // The newest is an hour old; the open ones go back about three days.
        60 + (span - 1 - slot) * (72 * 60 / span) + rng.between(0, 30)
    } else {
        let span = open_from.max(1) as i64;
        // From 90 days ago to 4 days ago; the jitter stays below the spacing, so the order holds.
        90 * 1440 - i as i64 * (86 * 1440 / span) - rng.between(0, 120)
    };
    now - Duration::minutes(minutes)
}

/// A believable reach for an author: most have a few hundred followers, a few have thousands.
pub fn followers(rng: &mut Seeded) -> i64 {
    match rng.below(10) {
        0 => rng.between(5_000, 40_000),
        1..=3 => rng.between(800, 5_000),
        _ => rng.between(20, 800),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_has_every_kind_of_mention_a_shop_hears() {
        assert!(SAID.len() >= 150, "{} mentions", SAID.len());
        let open = SAID.iter().filter(|s| s.plan == Open).count();
        assert!(open >= 10, "{open} open");
        // The open ones come last, so they are the newest.
        let first_open = SAID.iter().position(|s| s.plan == Open).unwrap();
        assert!(SAID[first_open..].iter().all(|s| s.plan == Open));
        for plan in [Praise, Idea, Done, Ignore, ByRule] {
            assert!(SAID.iter().any(|s| s.plan == plan), "{plan:?}");
        }
        assert!(SAID.iter().any(|s| matches!(s.plan, Issue { closed_after_days: None })));
        assert!(SAID.iter().any(|s| matches!(s.plan, Lead { bought: Some(_) })));
        assert!(SAID.iter().filter(|s| s.reply.is_some()).count() >= 40);
        for channel in [Alerts, YouTube, MastodonTag, Bluesky, HackerNews] {
            assert!(SAID.iter().any(|s| s.channel == channel), "{channel:?}");
        }
        assert!(SAID.iter().any(|s| matches!(s.channel, Captured(_))));
    }

    #[test]
    fn every_mention_arrives_in_the_last_ninety_days_oldest_first() {
        let now = DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z").unwrap().to_utc();
        let mut rng = Seeded::new(1);
        let open_from = SAID.iter().position(|s| s.plan == Open).unwrap();
        let times: Vec<_> = (0..SAID.len()).map(|i| arrived_at(i, SAID.len(), open_from, now, &mut rng)).collect();
        assert!(times.iter().all(|t| *t < now && *t > now - Duration::days(91)));
        assert!(times.windows(2).all(|w| w[0] < w[1]), "oldest first");
        assert!(times[open_from..].iter().all(|t| *t > now - Duration::days(4)));
    }
}
