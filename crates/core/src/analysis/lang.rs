//! The language of a mention, as an ISO 639-1 code where one exists ("en", "de"), else ISO 639-3.
//!
//! Most mentions are English and short; counting English function words decides those in a few hundred
//! nanoseconds. Everything else goes to whatlang's trigram model. Text too short or too mixed to tell is
//! "und" (undetermined), never a guess presented as fact.

use whatlang::Lang;

use super::sentiment::Reading;

pub const UNDETERMINED: &str = "und";

/// The detected language of `text`.
pub fn detect(text: &str) -> &'static str {
    detect_with(text, &super::sentiment::read(text))
}

/// The detected language of `text`, given its sentiment reading (which counted its English words).
pub fn detect_with(text: &str, reading: &Reading) -> &'static str {
    let Reading { words, function_words, english_words, .. } = *reading;
    if !text.chars().any(char::is_alphanumeric) {
        return UNDETERMINED;
    }
    // Function words and sentiment words make up half or more of ordinary English social text. A fifth, with
    // at least one function word, is a safe bar; without one ("Great coffee, lovely staff") half the words must
    // be English sentiment words, as some ("die", "war") are also German.
    // Emoji and symbols say nothing about the language; letters outside ASCII do.
    let ascii = !text.chars().any(|c| !c.is_ascii() && c.is_alphabetic());
    if ascii && ((function_words >= 1 && english_words * 5 >= words) || english_words * 2 >= words) {
        return "en";
    }
    // A few hundred characters decide a language as well as a whole page, at a fraction of the cost.
    let sample = match text.char_indices().nth(300) {
        Some((end, _)) => &text[..end],
        None => text,
    };
    match whatlang::detect(sample) {
        Some(info) if info.lang() == Lang::Eng => "en",
        // A weak guess at another language does not outweigh English function words.
        Some(info) if ascii && function_words >= 1 && info.confidence() < 0.5 => "en",
        Some(info) if words >= 4 && (info.is_reliable() || info.confidence() >= 0.1) => code(info.lang()),
        // A script other than Latin narrows the language down even in short text.
        Some(info) if info.script() != whatlang::Script::Latin => code(info.lang()),
        // Short ASCII-lettered text with an English word in it ("Great coffee!") is English.
        _ if ascii && english_words >= 1 => "en",
        _ => UNDETERMINED,
    }
}

/// Whether the sentiment lexicon covers this language.
pub fn has_lexicon(lang: &str) -> bool {
    lang == "en"
}

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::Eng => "en",
        Lang::Deu => "de",
        Lang::Fra => "fr",
        Lang::Spa => "es",
        Lang::Ita => "it",
        Lang::Por => "pt",
        Lang::Nld => "nl",
        Lang::Swe => "sv",
        Lang::Dan => "da",
        Lang::Nob => "nb",
        Lang::Fin => "fi",
        Lang::Pol => "pl",
        Lang::Ces => "cs",
        Lang::Slk => "sk",
        Lang::Hun => "hu",
        Lang::Ron => "ro",
        Lang::Tur => "tr",
        Lang::Rus => "ru",
        Lang::Ukr => "uk",
        Lang::Ell => "el",
        Lang::Heb => "he",
        Lang::Ara => "ar",
        Lang::Pes => "fa",
        Lang::Hin => "hi",
        Lang::Ben => "bn",
        Lang::Jpn => "ja",
        Lang::Kor => "ko",
        Lang::Cmn => "zh",
        Lang::Tha => "th",
        Lang::Vie => "vi",
        Lang::Ind => "id",
        Lang::Epo => "eo",
        Lang::Cat => "ca",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Bul => "bg",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Slv => "sl",
        other => other.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_languages_are_recognised() {
        assert_eq!(detect("Looking for a good bike shop, any ideas?"), "en");
        assert_eq!(detect("Great coffee!"), "en");
        assert_eq!(detect("Die Torte war gestern wirklich lecker"), "de");
        assert_eq!(detect("Ich suche ein gutes Fahrradgeschäft in Berlin, habt ihr Tipps für mich?"), "de");
        assert_eq!(detect("Je cherche un bon café près de la gare, des idées pour ce week-end ?"), "fr");
        assert_eq!(detect("Estoy buscando una buena tienda de bicicletas en Madrid, ¿alguna recomendación?"), "es");
        assert_eq!(detect("Я ищу хороший веломагазин в Москве, посоветуйте пожалуйста"), "ru");
    }

    #[test]
    fn text_with_no_words_is_undetermined() {
        assert_eq!(detect(""), UNDETERMINED);
        assert_eq!(detect("!!! :) 😍"), UNDETERMINED);
    }
}
