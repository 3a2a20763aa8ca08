//! What a mention is asking for, read from its wording: buying signals, complaints, questions, praise, ideas
//! and life events ("triggers"). A text can carry several; a text with none is `other`.
//!
//! Cue phrases are matched as whole words, case-insensitively, in one pass (Aho-Corasick); sentiment decides
//! the borderline cases (strong negativity is a complaint even without a cue word, and a cue like "love" only
//! counts as praise when the text is positive). The owner's own decisions refine these guesses per workspace
//! (see `learn`).

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Intent {
    Lead,
    Complaint,
    Question,
    Praise,
    Idea,
    Trigger,
    Other,
}

impl Intent {
    pub const ALL: [Intent; 7] = [
        Intent::Lead,
        Intent::Complaint,
        Intent::Question,
        Intent::Praise,
        Intent::Idea,
        Intent::Trigger,
        Intent::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Lead => "lead",
            Intent::Complaint => "complaint",
            Intent::Question => "question",
            Intent::Praise => "praise",
            Intent::Idea => "idea",
            Intent::Trigger => "trigger",
            Intent::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Intent> {
        Intent::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

const LEAD: &[&str] = &[
    "looking for",
    "look for a",
    "searching for",
    "recommend a",
    "recommend an",
    "recommend any",
    "recommend me",
    "recommend someone",
    "any recommendations",
    "recommendations for",
    "recommendation for",
    "suggestions for",
    "any suggestions",
    "alternative to",
    "alternatives to",
    "alternative for",
    "considering",
    "thinking of buying",
    "thinking about buying",
    "thinking of getting",
    "thinking of switching",
    "thinking about switching",
    "switching from",
    "switch from",
    "where can i buy",
    "where can i get",
    "where can i find",
    "where to buy",
    "where do i buy",
    "where do you buy",
    "quote",
    "quotes",
    "price",
    "prices",
    "pricing",
    "how much",
    "cost of",
    "in the market for",
    "want to buy",
    "wanna buy",
    "need a new",
    "need a good",
    "who sells",
    "anyone sell",
    "best place to buy",
    "best place for",
    "worth buying",
    "worth it",
    "should i buy",
    "should i get",
    "planning to buy",
    "shopping for",
    "hire a",
    "hiring a",
    "need someone to",
    "budget for",
    "book a",
    "can i order",
    "do you deliver",
    "do you ship",
    "in stock",
    "available in",
];

const COMPLAINT: &[&str] = &[
    "refund",
    "never again",
    "worst",
    "terrible",
    "awful",
    "disappointed",
    "disappointing",
    "rude",
    "broken",
    "doesn't work",
    "does not work",
    "didn't work",
    "not working",
    "stopped working",
    "still waiting",
    "no response",
    "never arrived",
    "hasn't arrived",
    "never received",
    "overcharged",
    "charged twice",
    "scam",
    "ripped off",
    "rip off",
    "rip-off",
    "complaint",
    "unacceptable",
    "poor service",
    "bad service",
    "wrong order",
    "damaged",
    "faulty",
    "defective",
    "unhappy",
    "not happy",
    "fed up",
    "ignored",
    "avoid",
    "waste of money",
    "cold food",
    "food poisoning",
    "waited an hour",
    "been waiting",
    "nobody answers",
    "no one answers",
    "nobody replied",
    "horrible",
    "useless",
    "furious",
    "angry",
];

const QUESTION: &[&str] = &[
    "does anyone",
    "does anybody",
    "anyone know",
    "anybody know",
    "is there a",
    "is there any",
    "can anyone",
    "can someone",
    "can you tell",
    "any idea",
    "any ideas",
    "i wonder",
    "wondering",
    "how do i",
    "how do you",
    "how can i",
    "what time",
    "when do you",
    "do you open",
    "are you open",
];

const PRAISE: &[&str] = &[
    "thank you",
    "thanks",
    "thx",
    "love",
    "loved",
    "loving",
    "amazing",
    "awesome",
    "fantastic",
    "excellent",
    "best",
    "great job",
    "well done",
    "kudos",
    "shoutout",
    "shout out",
    "highly recommend",
    "brilliant",
    "perfect",
    "5 stars",
    "five stars",
    "favorite",
    "favourite",
    "delicious",
    "wonderful",
    "superb",
    "outstanding",
];

const IDEA: &[&str] = &[
    "feature request",
    "would be great if",
    "would be nice if",
    "it would be nice",
    "would love to see",
    "would love it if",
    "i wish",
    "wish you",
    "wish they",
    "you should",
    "they should",
    "should add",
    "please add",
    "could you add",
    "can you add",
    "suggestion",
    "i suggest",
    "how about",
    "why not",
    "why don't you",
    "bring back",
    "consider adding",
    "add support for",
    "please make",
    "please offer",
    "you could",
    "idea for",
];

const TRIGGER: &[&str] = &[
    "new job",
    "new role",
    "new position",
    "joined",
    "joining",
    "started at",
    "starting at",
    "promoted",
    "promotion",
    "excited to announce",
    "thrilled to announce",
    "pleased to announce",
    "proud to announce",
    "new office",
    "moved into",
    "relocating",
    "acquired",
    "acquires",
    "acquisition",
    "merger",
    "merged with",
    "raised",
    "funding",
    "series a",
    "series b",
    "seed round",
    "grand opening",
    "now open",
    "opening soon",
    "opened",
    "closing down",
    "shutting down",
    "out of business",
    "last day",
    "retiring",
    "we're hiring",
    "we are hiring",
    "new location",
    "expanding",
    "launched",
    "launching",
];

struct Cues {
    matcher: AhoCorasick,
    /// The intent of each pattern, by pattern index.
    intent_of: Vec<Intent>,
}

fn cues() -> &'static Cues {
    static CUES: OnceLock<Cues> = OnceLock::new();
    CUES.get_or_init(|| {
        let lists = [
            (Intent::Lead, LEAD),
            (Intent::Complaint, COMPLAINT),
            (Intent::Question, QUESTION),
            (Intent::Praise, PRAISE),
            (Intent::Idea, IDEA),
            (Intent::Trigger, TRIGGER),
        ];
        let mut patterns = Vec::new();
        let mut intent_of = Vec::new();
        for (intent, phrases) in lists {
            for p in phrases {
                patterns.push(p.to_string());
                intent_of.push(intent);
                // The same cue typed with a typographic apostrophe.
                if p.contains('\'') {
                    patterns.push(p.replace('\'', "\u{2019}"));
                    intent_of.push(intent);
                }
            }
        }
        let matcher = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .expect("cue phrases form a valid automaton");
        Cues { matcher, intent_of }
    })
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// Which kinds of cue phrase `text` contains, as whole words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CuesFound {
    pub lead: bool,
    pub complaint: bool,
    pub question: bool,
    pub praise: bool,
    pub idea: bool,
    pub trigger: bool,
}

pub fn cues_in(text: &str) -> CuesFound {
    let cues = cues();
    let mut found = [false; 6];
    for m in cues.matcher.find_overlapping_iter(text) {
        let before = text[..m.start()].chars().next_back();
        let after = text[m.end()..].chars().next();
        if !is_word_char(before) && !is_word_char(after) {
            found[cues.intent_of[m.pattern().as_usize()] as usize] = true;
        }
    }
    let [lead, complaint, question, praise, idea, trigger] = found;
    CuesFound { lead, complaint, question, praise, idea, trigger }
}

/// Intents carried by `text` by the cue rules alone, given its sentiment `compound`, in a fixed order;
/// `[Other]` when none. The trained model reads the same cues as some of its inputs.
pub fn rule_intents(text: &str, compound: f64) -> Vec<Intent> {
    let CuesFound { lead, complaint: complaint_cue, question: question_cue, praise: praise_cue, idea, trigger } =
        cues_in(text);
    let question = question_cue || text.contains('?');
    // A cue like "terrible" in a happy text ("not terrible at all, loved it") is not a complaint, and strong
    // negativity is one even without a cue word.
    let complaint = (complaint_cue && compound < 0.3) || compound <= -0.5;
    let praise = (praise_cue && compound > 0.2) || (compound >= 0.75 && !question && !lead);
    let mut out: Vec<Intent> = [
        (lead, Intent::Lead),
        (complaint, Intent::Complaint),
        (question, Intent::Question),
        (praise, Intent::Praise),
        (idea, Intent::Idea),
        (trigger, Intent::Trigger),
    ]
    .into_iter()
    .filter_map(|(on, i)| on.then_some(i))
    .collect();
    if out.is_empty() {
        out.push(Intent::Other);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::sentiment::compound;

    fn of(text: &str) -> Vec<Intent> {
        rule_intents(text, compound(text))
    }

    #[test]
    fn buying_signals_are_leads() {
        for text in [
            "Looking for a good bike shop in Leeds",
            "Can anyone recommend a café that does oat milk?",
            "Any alternatives to Spokes Cycles? Their prices went up",
            "Considering an e-bike this spring",
            "Where can I buy a decent espresso grinder",
            "Could you send me a quote for 20 mugs",
        ] {
            assert!(of(text).contains(&Intent::Lead), "{text}: {:?}", of(text));
        }
    }

    #[test]
    fn complaints_come_from_cues_or_strong_negativity() {
        assert!(of("Still waiting for my refund, two weeks now").contains(&Intent::Complaint));
        assert!(of("The staff were rude and the food was cold").contains(&Intent::Complaint));
        assert!(of("Absolutely horrible, hate this place, worst ever").contains(&Intent::Complaint));
        assert!(!of("Not terrible at all, loved it, great staff!").contains(&Intent::Complaint));
    }

    #[test]
    fn questions_are_marked_by_a_question_mark_or_wording() {
        assert!(of("Are you open on Sundays?").contains(&Intent::Question));
        assert!(of("does anyone know when the market starts").contains(&Intent::Question));
        assert!(!of("We are open on Sundays.").contains(&Intent::Question));
    }

    #[test]
    fn praise_needs_a_positive_text() {
        assert!(of("Thanks for the quick repair, you are the best!").contains(&Intent::Praise));
        assert!(!of("Thanks for nothing, worst service ever").contains(&Intent::Praise));
    }

    #[test]
    fn ideas_and_triggers_are_recognised() {
        assert!(of("It would be nice if you opened earlier on Saturdays").contains(&Intent::Idea));
        assert!(of("Please add a vegan option").contains(&Intent::Idea));
        assert!(of("Excited to announce I joined Acme as head of ops").contains(&Intent::Trigger));
        assert!(of("Our second location is now open on Main St").contains(&Intent::Trigger));
        assert!(of("We\u{2019}re hiring baristas").contains(&Intent::Trigger));
    }

    #[test]
    fn cues_match_whole_words_only() {
        assert_eq!(of("The priceless view from the bridge"), vec![Intent::Other]);
        assert_eq!(of("Rain again on Tuesday."), vec![Intent::Other]);
    }
}
